"""The facilitator's screens: control panel, live board, projector, moderation."""

from __future__ import annotations

import functools
import io

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from challenges.access import get_challenge_for_editor
from workshops import access, throttle
from workshops.codes import format_join_code
from workshops.forms import (
    BulkNotesForm,
    ExportRequestForm,
    GroupNameForm,
    NoteEditForm,
    WorkshopCreateForm,
    WorkshopSettingsForm,
)
from workshops.models import Note, Workshop
from workshops.services import groups, joins, notes, phases, workshops


def join_url(request: HttpRequest, workshop: Workshop) -> str:
    """The short join link, for people to type from the screen."""
    from django.conf import settings

    path = reverse("join_workshop", args=[workshop.join_code]) if workshop.join_code else ""
    if not path:
        return ""
    if settings.LABB_PUBLIC_URL:
        return settings.LABB_PUBLIC_URL + path
    return request.build_absolute_uri(path)


def signed_join_url(request: HttpRequest, workshop: Workshop) -> str:
    """The join link for QR codes and for sharing: it carries a key only Labb can make, so
    it works even while the join throttle refuses typed codes from the phone's network."""
    url = join_url(request, workshop)
    if not url:
        return ""
    return f"{url}?{throttle.LINK_KEY_PARAMETER}={throttle.link_key(workshop.join_code)}"


@functools.lru_cache(maxsize=256)
def qr_svg(data: str, *, scale: int = 8) -> str:
    """The QR code as an <svg> element to put inside a page. Cached: the projector asks for
    the same code on every refetch of its stage, and making it costs about 10 ms."""
    qr = segno.make(data, error="m")
    return qr.svg_inline(scale=scale, dark="#000", light="#fff", omitsize=True)


def qr_svg_response(data: str, *, filename: str) -> HttpResponse:
    """The QR code as an SVG file of its own (the download links, or opened directly).
    Unlike the inline element it needs the XML declaration and the SVG namespace: without
    them a browser shows the file as an XML tree, whose viewer's inline style the
    Content-Security-Policy refuses, and image programs cannot read it."""
    out = io.BytesIO()
    segno.make(data, error="m").save(
        out, kind="svg", scale=10, dark="#000", light="#fff", xmldecl=True, svgns=True
    )
    response = HttpResponse(out.getvalue(), content_type="image/svg+xml")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def workshop_create(request: HttpRequest, challenge_pk: int) -> HttpResponse:
    challenge = get_challenge_for_editor(request, challenge_pk)
    offered = workshops.templates_offered(challenge.organisation)
    initial = "success_obstacles" if "success_obstacles" in offered else offered[0]
    form = WorkshopCreateForm(
        request.POST or None, initial={"template": initial}, templates=offered
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            workshop = workshops.workshop_create(
                challenge=challenge,
                user=request.user,
                title=data["title"],
                template_key=data["template"],
                group_count=data["group_count"],
                question=data["question"],
                custom_columns=data.get("custom_column_list", ()),
                date=data["date"],
                place=data["place"],
                kind=data["kind"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Workshop created."))
            return redirect(workshop)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "workshops/workshop_create.html",
        {"form": form, "challenge": challenge},
        status=status,
    )


@login_required
@require_safe
def workshop_detail(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = access.get_workshop_for_facilitator(request, pk)
    url = signed_join_url(request, workshop)
    workshop_groups = list(workshop.groups.all())
    for group in workshop_groups:
        group.join_url = request.build_absolute_uri(reverse("join_group", args=[group.token]))
    return render(
        request,
        "workshops/workshop_detail.html",
        {
            "workshop": workshop,
            "challenge": workshop.challenge,
            "groups": workshop_groups,
            "columns": list(workshop.columns.all()),
            "join_url": url,
            "join_code": format_join_code(workshop.join_code),
            "qr_svg": qr_svg(url, scale=5) if url else "",
            "settings_form": WorkshopSettingsForm(instance=workshop),
            "bulk_form": BulkNotesForm(workshop=workshop),
            "participant_count": workshop.participants.count(),
            "exports": workshop.exports.all()[:10],
            "export_form": ExportRequestForm(),
            "export_action": reverse("workshop_export_create", args=[workshop.pk]),
            "note_count": workshop.notes.count(),
        },
    )


@login_required
@require_POST
def workshop_settings(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = access.get_workshop_for_facilitator(request, pk)
    form = WorkshopSettingsForm(request.POST, instance=workshop)
    if form.is_valid():
        workshops.workshop_settings_save(form=form, actor=request.user)
        messages.success(request, _("Settings saved."))
        return redirect(workshop)
    return render(
        request,
        "workshops/workshop_settings.html",
        {"workshop": workshop, "settings_form": form},
        status=400,
    )


@login_required
@require_safe
def workshop_qr(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = access.get_workshop_for_facilitator(request, pk)
    url = signed_join_url(request, workshop)
    if not url:
        return HttpResponse(_("This workshop has no join code."), status=404)
    return qr_svg_response(url, filename="join.svg")


@login_required
@require_POST
def group_add(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = access.get_workshop_for_facilitator(request, pk)
    form = GroupNameForm(request.POST)
    name = ""
    if form.data.get("name", "").strip():
        # A name is optional ("Group 5" otherwise), but one that is given is checked like a
        # rename: at most 100 characters, no NUL (PostgreSQL cannot store it).
        if not form.is_valid():
            messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
            return redirect(workshop)
        name = form.cleaned_data["name"]
    try:
        groups.group_add(workshop=workshop, name=name)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(workshop)
    messages.success(request, _("Group added."))
    return redirect(workshop)


@login_required
@require_POST
def group_rename(request: HttpRequest, pk: int, group_pk: int) -> HttpResponse:
    workshop = access.get_workshop_for_facilitator(request, pk)
    group = get_object_or_404(workshop.groups, pk=group_pk)
    form = GroupNameForm(request.POST, instance=group)
    if not form.is_valid():
        messages.error(request, _("A group needs a name of at most 100 characters."))
        return redirect(workshop)
    groups.group_rename(group=group, name=form.cleaned_data["name"])
    messages.success(request, _("Group renamed."))
    return redirect(workshop)


@login_required
@require_POST
def workshop_accepting(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = access.get_workshop_for_facilitator(request, pk)
    accepting = request.POST.get("accepting") == "1"
    phases.workshop_set_accepting(workshop=workshop, accepting=accepting)
    if accepting:
        messages.success(request, _("The workshop takes new notes again."))
    else:
        messages.success(request, _("The workshop is closed for new notes."))
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = workshop.get_absolute_url()
    return redirect(next_url)


@login_required
@require_POST
def join_code_regenerate(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = access.get_workshop_for_facilitator(request, pk)
    try:
        joins.join_code_regenerate(workshop=workshop, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("New join code made. The old code no longer works."))
    return redirect(workshop)


@login_required
@require_POST
def notes_bulk_add(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = access.get_workshop_for_facilitator(request, pk)
    form = BulkNotesForm(request.POST, workshop=workshop)
    if form.is_valid():
        try:
            added = notes.notes_bulk_add(
                workshop=workshop,
                group=form.cleaned_data["group"],
                column=form.cleaned_data["column"],
                lines=form.cleaned_data["lines"],
            )
        except ValidationError as exc:
            form.add_error("lines", exc)
        else:
            messages.success(request, _("%(count)s notes added.") % {"count": len(added)})
            return redirect(workshop)
    return render(
        request,
        "workshops/notes_bulk.html",
        {"workshop": workshop, "bulk_form": form},
        status=400,
    )


def _facilitator_note(request: HttpRequest, pk: int, note_pk: int) -> Note:
    workshop = access.get_workshop_for_facilitator(request, pk)
    return get_object_or_404(workshop.notes.select_related("workshop", "group"), pk=note_pk)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def note_edit(request: HttpRequest, pk: int, note_pk: int) -> HttpResponse:
    note = _facilitator_note(request, pk, note_pk)
    form = NoteEditForm(request.POST or None, initial={"text": note.text})
    if request.method == "POST" and form.is_valid():
        try:
            notes.note_update(note=note, text=form.cleaned_data["text"], moderator=request.user)
        except ValidationError as exc:
            form.add_error("text", exc)
        else:
            return _back_to_board(request, note.workshop)
    return render(
        request,
        "workshops/note_edit.html",
        {"note": note, "workshop": note.workshop, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def note_moderate(request: HttpRequest, pk: int, note_pk: int) -> HttpResponse:
    note = _facilitator_note(request, pk, note_pk)
    action = request.POST.get("action")
    if action == "hide":
        notes.note_set_status(note=note, status=Note.Status.HIDDEN, moderator=request.user)
    elif action in {"show", "approve"}:
        notes.note_set_status(note=note, status=Note.Status.VISIBLE, moderator=request.user)
    elif action == "delete":
        notes.note_delete(note=note, moderator=request.user)
    else:
        return HttpResponse(_("Unknown action."), status=400)
    return _back_to_board(request, note.workshop)


def _back_to_board(request: HttpRequest, workshop: Workshop) -> HttpResponse:
    url = reverse("workshop_board", args=[workshop.pk])
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)
