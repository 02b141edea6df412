"""Participants on their phones: join with a code, link or QR code, then post notes."""

from __future__ import annotations

import re
import uuid

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from workshops import access, limits, throttle
from workshops.boards import last_event_id
from workshops.codes import normalise_join_code
from workshops.forms import ChooseGroupForm, JoinCodeForm, JoinForm, NoteEditForm, NoteForm
from workshops.models import Group, Note, Workshop
from workshops.screens import phone_stage_context
from workshops.services.joins import (
    participant_check_may_choose_group,
    participant_choose_group,
    participant_join,
    participant_set_group,
)
from workshops.services.notes import note_create, note_delete, note_update, participant_may_change
from workshops.services.phases import participant_may_cluster
from workshops.services.themes import note_set_theme, theme_create
from workshops.services.votes import vote_cast, vote_retract

# What a join code or group token can look like; anything else (a NUL byte, say, which
# PostgreSQL refuses in a query) is simply not found.
_CODE_SHAPE = re.compile(r"[A-Z0-9]{1,32}")
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _open_workshop_by_code(code: str) -> Workshop | None:
    if not _CODE_SHAPE.fullmatch(code or ""):
        return None
    return (
        Workshop.objects.select_related("challenge")
        .filter(join_code=code, disposed_at=None)
        .exclude(phase=Workshop.Phase.CLOSED)
        .first()
    )


@require_http_methods(["GET", "HEAD", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    """Type the code shown on the projector."""
    form = JoinCodeForm(request.POST or request.GET or None)
    if form.is_bound:
        if form.is_valid():
            code = form.cleaned_data["code"]
            attempt = throttle.start_code_attempt(request, code)
            if attempt is None:
                return throttle.throttled_response(request)
            workshop = _open_workshop_by_code(code)
            attempt.finish(found=workshop is not None)
            if workshop is not None:
                return redirect("join_workshop", code=workshop.join_code)
            form.add_error(
                "code", _("No open workshop has that code. Check the code on the screen.")
            )
        return render(request, "workshops/join.html", {"form": form}, status=404)
    return render(request, "workshops/join.html", {"form": JoinCodeForm()})


def _join_page(request: HttpRequest, workshop: Workshop, group: Group | None) -> HttpResponse:
    existing = access.participant_id_for(request, workshop.pk)
    if existing is not None and request.method in ("GET", "HEAD"):
        return redirect("phone", pk=workshop.pk)
    form = JoinForm(request.POST or None, workshop=workshop)
    if group is not None and "group" in form.fields:
        del form.fields["group"]
    if request.method == "POST" and form.is_valid():
        chosen = group or form.cleaned_data.get("group")
        try:
            limits.spend_join(request)
        except limits.RateLimited as exc:
            form.add_error(
                None, _("Too many joins from this device or network. Wait a moment and try again.")
            )
            response = render(
                request,
                "workshops/join_workshop.html",
                {"workshop": workshop, "group": group, "form": form},
                status=429,
            )
            response["Retry-After"] = str(exc.retry_after)
            return response
        try:
            participant = participant_join(
                workshop=workshop, display_name=form.cleaned_data["display_name"], group=chosen
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            # A fresh session id on join: nobody can plant a session on a shared phone. (The
            # old row goes now; the session is written once, under its new id, at the end of
            # the request: labb/sessions.py.)
            request.session.cycle_key()
            access.remember_participant(request, participant)
            if not request.user.is_authenticated:
                # A participant's session lasts a workshop day, not Django's two weeks.
                request.session.set_expiry(settings.LABB_PARTICIPANT_SESSION_SECONDS)
            return redirect("phone", pk=workshop.pk)
    return render(
        request,
        "workshops/join_workshop.html",
        {"workshop": workshop, "group": group, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def join_workshop(request: HttpRequest, code: str) -> HttpResponse:
    # Typed from the screen: any case, with the dash shown there (ABC-DEFG) or without. The
    # QR codes hold the signed form of this link, which works even while this address is
    # throttled (see workshops/throttle.py).
    code = normalise_join_code(code)
    signed = throttle.link_is_signed(code, request.GET.get(throttle.LINK_KEY_PARAMETER))
    attempt = throttle.start_code_attempt(request, code, signed=signed)
    if attempt is None:
        return throttle.throttled_response(request)
    workshop = _open_workshop_by_code(code)
    attempt.finish(found=workshop is not None)
    if workshop is None:
        return render(
            request,
            "workshops/join.html",
            {"form": JoinCodeForm(), "not_found": True},
            status=404,
        )
    return _join_page(request, workshop, None)


@require_http_methods(["GET", "HEAD", "POST"])
def join_group(request: HttpRequest, token: str) -> HttpResponse:
    # Always looked up, even while this address is throttled: 96 random bits make a
    # yes/no answer worthless to a guesser, and a room must be able to join by its links.
    group = (
        Group.objects.select_related("workshop__challenge")
        .filter(token=token, workshop__disposed_at=None, workshop__join_code__isnull=False)
        .first()
        if _TOKEN_SHAPE.fullmatch(token)
        else None
    )
    if group is None:
        if throttle.token_failure_record(request):
            return throttle.throttled_response(request)
        return render(
            request, "workshops/join.html", {"form": JoinCodeForm(), "not_found": True}, status=404
        )
    throttle.remember_code(request, group.workshop.join_code)
    participant_id = access.participant_id_for(request, group.workshop_id)
    if participant_id is not None and request.method in ("GET", "HEAD"):
        participant = access.get_participant(request, group.workshop_id)
        if request.method == "GET":
            # A HEAD (a link checker, a chat app's preview) only asks where the link leads.
            participant_set_group(participant=participant, group=group)
        return redirect("phone", pk=group.workshop_id)
    return _join_page(request, group.workshop, group)


def _phone_context(participant, form=None) -> dict:
    workshop = participant.workshop
    # Read once for the note form and the group's board (phase reveal and cluster).
    prefetch_related_objects([workshop], "columns")
    own_notes = list(participant.notes.select_related("column").order_by("-created_at", "-pk"))
    return phone_stage_context(participant) | {
        "workshop": workshop,
        "participant": participant,
        "columns": list(workshop.columns.all()),
        "own_notes": own_notes,
        "form": form or NoteForm(workshop=workshop, initial={"client_id": uuid.uuid4()}),
        "group_form": ChooseGroupForm(workshop=workshop),
        "stream_url": reverse("phone_stream", args=[workshop.pk]),
        "last_event_id": last_event_id(workshop),
        "stage_url": reverse("phone", args=[workshop.pk]) + "?stage=1",
    }


@require_safe
def phone(request: HttpRequest, pk: int) -> HttpResponse:
    participant = access.get_participant(request, pk)
    template = "workshops/phone.html"
    if request.GET.get("stage") and request.htmx:
        template = "workshops/phone.html#phone-stage"
    return render(request, template, _phone_context(participant))


@require_POST
def phone_vote(request: HttpRequest, pk: int) -> HttpResponse:
    """Put a dot on (or take one back from) a note or theme, within the budget."""
    participant = access.get_participant(request, pk)
    kind, _sep, raw_id = request.POST.get("target", "").partition(":")
    try:
        target_id = int(raw_id)
    except ValueError:
        target_id = None
    action = request.POST.get("action", "add")
    status = 200
    error = ""
    if kind not in {"note", "theme"} or target_id is None or action not in {"add", "remove"}:
        error = _("Choose a note or theme to vote on.")
        status = 400
    else:
        target = {"note_id": target_id} if kind == "note" else {"theme_id": target_id}
        try:
            if action == "add":
                vote_cast(participant=participant, **target)
            else:
                vote_retract(participant=participant, **target)
        except PermissionDenied as exc:
            error = str(exc)
            status = 403
        except ValidationError as exc:
            error = " ".join(exc.messages)
            # The request was fine, the workshop's rules refuse it: 409 Conflict.
            status = 409 if exc.code in {"budget", "stack", "themes_only"} else 400
    if status == 200 and not request.htmx:
        return redirect("phone", pk=pk)
    participant.workshop.refresh_from_db()
    context = _phone_context(participant) | {"vote_error": error}
    return render(request, "workshops/phone.html", context, status=status)


@require_POST
def phone_choose_group(request: HttpRequest, pk: int) -> HttpResponse:
    participant = access.get_participant(request, pk)
    try:
        # Checked before the form: a participant who may not move learns why, whatever
        # they sent.
        participant_check_may_choose_group(participant)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return render(request, "workshops/phone.html", _phone_context(participant), status=403)
    form = ChooseGroupForm(request.POST, workshop=participant.workshop)
    if not form.is_valid():
        return render(
            request,
            "workshops/phone.html",
            _phone_context(participant) | {"group_form": form},
            status=400,
        )
    participant_choose_group(participant=participant, group=form.cleaned_data["group"])
    return redirect("phone", pk=pk)


@require_POST
def phone_note_create(request: HttpRequest, pk: int) -> HttpResponse:
    participant = access.get_participant(request, pk)
    workshop = participant.workshop
    form = NoteForm(request.POST, workshop=workshop)
    if participant.group is None:
        form.add_error(None, _("Choose your group first."))
    if not form.is_valid():
        return _note_form_error(request, participant, form, status=400)
    try:
        note, created = note_create(
            workshop=workshop,
            participant=participant,
            group=participant.group,
            column=form.cleaned_data["column"],
            text=form.cleaned_data["text"],
            client_id=form.cleaned_data["client_id"],
            budgets=limits.note_budgets(request),
        )
    except limits.RateLimited as exc:
        form.add_error(None, _("You are posting very fast. Wait a moment and try again."))
        response = _note_form_error(request, participant, form, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    except PermissionDenied:
        form.add_error(None, _("This workshop is not taking new notes."))
        return _note_form_error(request, participant, form, status=403)
    except ValidationError as exc:
        form.add_error("text", exc)
        return _note_form_error(request, participant, form, status=400)
    if request.htmx:
        return render(
            request,
            "workshops/phone.html#own-note",
            {"note": note, "workshop": workshop},
            status=201 if created else 200,
        )
    messages.success(request, _("Your note was posted."))
    return redirect("phone", pk=pk)


def _note_form_error(request, participant, form, *, status: int) -> HttpResponse:
    if request.htmx:
        return render(request, "workshops/phone.html#note-errors", {"form": form}, status=status)
    return render(request, "workshops/phone.html", _phone_context(participant, form), status=status)


def _own_note(request: HttpRequest, pk: int, note_pk: int):
    participant = access.get_participant(request, pk)
    note = get_object_or_404(
        Note.objects.select_related("workshop", "group", "column"),
        pk=note_pk,
        participant=participant,
    )
    return participant, note


@require_http_methods(["GET", "HEAD", "POST"])
def phone_note_edit(request: HttpRequest, pk: int, note_pk: int) -> HttpResponse:
    participant, note = _own_note(request, pk, note_pk)
    if not participant_may_change(participant, note):
        return render(
            request,
            "workshops/phone_closed.html",
            {"workshop": note.workshop},
            status=403,
        )
    form = NoteEditForm(request.POST or None, initial={"text": note.text})
    if request.method == "POST" and form.is_valid():
        try:
            note_update(note=note, text=form.cleaned_data["text"])
        except ValidationError as exc:
            form.add_error("text", exc)
        else:
            return redirect("phone", pk=pk)
    return render(
        request,
        "workshops/phone_note_edit.html",
        {"note": note, "workshop": note.workshop, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def phone_note_delete(request: HttpRequest, pk: int, note_pk: int) -> HttpResponse:
    participant, note = _own_note(request, pk, note_pk)
    if not participant_may_change(participant, note):
        return render(
            request, "workshops/phone_closed.html", {"workshop": note.workshop}, status=403
        )
    note_delete(note=note)
    if request.htmx:
        return HttpResponse("")
    messages.success(request, _("Your note was deleted."))
    return redirect("phone", pk=pk)


def _cluster_refused(request: HttpRequest, participant) -> HttpResponse | None:
    if participant_may_cluster(participant):
        return None
    context = _phone_context(participant) | {"cluster_error": _("Sorting into themes is not open.")}
    return render(request, "workshops/phone.html", context, status=403)


def _back_to_phone(request: HttpRequest, participant, *, error: str = "", status: int = 200):
    if status == 200 and not request.htmx:
        return redirect("phone", pk=participant.workshop_id)
    context = _phone_context(participant) | {"cluster_error": error}
    return render(request, "workshops/phone.html", context, status=status)


@require_POST
def phone_note_theme(request: HttpRequest, pk: int, note_pk: int) -> HttpResponse:
    """Participants may put their group's notes into themes, when the facilitator allows it."""
    participant = access.get_participant(request, pk)
    refused = _cluster_refused(request, participant)
    if refused is not None:
        return refused
    note = get_object_or_404(
        Note.objects.select_related("workshop"),
        pk=note_pk,
        workshop_id=pk,
        group_id=participant.group_id,
        status=Note.Status.VISIBLE,
    )
    raw = request.POST.get("theme", "")
    theme = None
    if raw:
        theme = participant.workshop.themes.filter(pk=raw if raw.isdigit() else None).first()
        if theme is None:
            return _back_to_phone(
                request, participant, error=_("That theme is not in this workshop."), status=400
            )
    note_set_theme(note=note, theme=theme)
    return _back_to_phone(request, participant)


@require_POST
def phone_theme_create(request: HttpRequest, pk: int) -> HttpResponse:
    participant = access.get_participant(request, pk)
    refused = _cluster_refused(request, participant)
    if refused is not None:
        return refused
    try:
        theme_create(workshop=participant.workshop, name=request.POST.get("name", ""))
    except ValidationError as exc:
        return _back_to_phone(request, participant, error=" ".join(exc.messages), status=400)
    return _back_to_phone(request, participant)
