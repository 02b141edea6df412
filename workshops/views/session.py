"""Steering a live session: the facilitator's overview and controls, the projector, groups.

Every action is a normal form post that redirects back (works without JavaScript); the
overview boosts its forms with htmx and swaps only `#session`.
"""

from __future__ import annotations

import decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from workshops import access, wall
from workshops.boards import last_event_id
from workshops.codes import format_join_code
from workshops.forms import (
    ActionItemForm,
    MoveParticipantForm,
    PhaseForm,
    ThemeNameForm,
    TimerForm,
    VotingForm,
)
from workshops.models import ActionItem, Note, ThemeMove, Workshop
from workshops.screens import stage_context
from workshops.services import actions, groups, notes, phases, themes, votes
from workshops.views.facilitator import join_url, qr_svg, qr_svg_response, signed_join_url


def _page_context(request: HttpRequest, workshop: Workshop, *, screen: str, group=None) -> dict:
    if screen == "projector":
        stage_url = reverse("workshop_projector", args=[workshop.pk])
    elif group is not None:
        stage_url = reverse("group_view", args=[workshop.pk, group.pk])
    else:
        stage_url = reverse("workshop_board", args=[workshop.pk])
    url = join_url(request, workshop)
    context = stage_context(workshop, screen=screen, group=group)
    context.update(
        {
            "challenge": workshop.challenge,
            "stage_url": stage_url + "?stage=1",
            "last_event_id": last_event_id(workshop),
            "stream_url": reverse("board_stream", args=[workshop.pk]),
            "join_url": url,
            "join_code": format_join_code(workshop.join_code),
            "phase_previous_next": phases.phase_neighbours(workshop),
        }
    )
    if screen == "facilitator":
        context["spotlight_targets"] = phases.spotlight_targets(workshop)
        context["voting_form"] = VotingForm(instance=workshop)
        context["timer_form"] = TimerForm(initial={"minutes": 5})
        if workshop.phase == Workshop.Phase.NEXT_STEPS:
            context.setdefault("action_form", ActionItemForm(workshop=workshop))
    return context


def _stage_or_page(request: HttpRequest, template: str, context: dict, status: int = 200):
    if request.GET.get("stage") and request.htmx:
        return render(request, "workshops/_stage.html", context, status=status)
    return render(request, template, context, status=status)


@login_required
@require_safe
def workshop_board(request: HttpRequest, pk: int) -> HttpResponse:
    """The facilitator's overview: the phase panel, the timer and every group side by side."""
    workshop = access.get_workshop_for_facilitator(request, pk)
    context = _page_context(request, workshop, screen="facilitator")
    return _stage_or_page(request, "workshops/board.html", context)


@login_required
@require_safe
def workshop_projector(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = access.get_workshop_for_facilitator(request, pk)
    context = _page_context(request, workshop, screen="projector")
    url = signed_join_url(request, workshop)
    context["qr_svg"] = qr_svg(url, scale=6) if url and workshop.phase != "closed" else ""
    return _stage_or_page(request, "workshops/projector.html", context)


@login_required
@require_safe
def group_view(request: HttpRequest, pk: int, group_pk: int) -> HttpResponse:
    """One group large, with its own join link and QR code and the people in it."""
    workshop = access.get_workshop_for_facilitator(request, pk)
    group = get_object_or_404(workshop.groups, pk=group_pk)
    context = _page_context(request, workshop, screen="group", group=group)
    link = _group_link(request, group) if workshop.join_code else ""
    context.update(
        {
            "group": group,
            "group_link": link,
            "group_qr": qr_svg(link, scale=4) if link else "",
            "group_participants": list(workshop.participants.filter(group=group)),
            "unassigned": list(workshop.participants.filter(group=None)),
            "move_form": MoveParticipantForm(workshop=workshop),
            "groups": list(workshop.groups.all()),
        }
    )
    return _stage_or_page(request, "workshops/group_view.html", context)


def _group_link(request: HttpRequest, group) -> str:
    from django.conf import settings

    path = reverse("join_group", args=[group.token])
    return (
        (settings.LABB_PUBLIC_URL + path)
        if settings.LABB_PUBLIC_URL
        else request.build_absolute_uri(path)
    )


@login_required
@require_safe
def group_qr(request: HttpRequest, pk: int, group_pk: int) -> HttpResponse:
    workshop = access.get_workshop_for_facilitator(request, pk)
    group = get_object_or_404(workshop.groups, pk=group_pk)
    if not workshop.join_code:
        return HttpResponse(_("This workshop has no join code."), status=404)
    return qr_svg_response(_group_link(request, group), filename=f"group-{group.position}.svg")


# --- Helpers for the actions --------------------------------------------------------------


def _back(request: HttpRequest, workshop: Workshop) -> HttpResponse:
    target = request.POST.get("next", "")
    if not target or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("workshop_board", args=[workshop.pk])
    return redirect(target)


def _refuse(request: HttpRequest, workshop: Workshop, message: str, status: int = 400):
    """Show the overview again with the reason, and the right status."""
    messages.error(request, message)
    context = _page_context(request, workshop, screen="facilitator")
    return render(request, "workshops/board.html", context, status=status)


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- Phases, timer, voting settings -------------------------------------------------------


@login_required
@require_POST
def phase_set(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = access.get_workshop_for_facilitator(request, pk)
    form = PhaseForm(request.POST)
    if not form.is_valid():
        return _refuse(request, workshop, _("Choose one of the phases."))
    try:
        workshop = phases.phase_set(
            workshop=workshop, phase=form.cleaned_data["phase"], actor=request.user
        )
    except ValidationError as exc:
        return _refuse(request, workshop, " ".join(exc.messages))
    messages.success(request, _("Phase: %(phase)s") % {"phase": workshop.get_phase_display()})
    return _back(request, workshop)


@login_required
@require_POST
def spotlight_set(request: HttpRequest, pk: int) -> HttpResponse:
    """What the projector shows: every group, or one group, theme or the vote result."""
    workshop = access.get_workshop_for_facilitator(request, pk)
    step = {"next": 1, "previous": -1}.get(request.POST.get("step", ""), 0)
    try:
        workshop = phases.spotlight_set(
            workshop=workshop, target=request.POST.get("target", ""), step=step
        )
    except ValidationError as exc:
        return _refuse(request, workshop, " ".join(exc.messages))
    return _back(request, workshop)


@login_required
@require_POST
def timer_control(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = access.get_workshop_for_facilitator(request, pk)
    form = TimerForm(request.POST)
    if not form.is_valid():
        errors = [e for errs in form.errors.values() for e in errs]
        return _refuse(request, workshop, " ".join(errors) or _("Check the timer."))
    action = form.cleaned_data["action"]
    minutes = form.cleaned_data.get("minutes") or decimal.Decimal(0)
    seconds = int(minutes * 60)
    try:
        if action == "start":
            phases.timer_start(
                workshop=workshop, seconds=seconds, locks_writing=form.cleaned_data["locks_writing"]
            )
        elif action == "pause":
            phases.timer_pause(workshop=workshop)
        elif action == "resume":
            phases.timer_resume(workshop=workshop)
        elif action == "extend":
            phases.timer_extend(workshop=workshop, seconds=seconds)
        else:
            phases.timer_stop(workshop=workshop)
    except ValidationError as exc:
        return _refuse(request, workshop, " ".join(exc.messages))
    return _back(request, workshop)


@login_required
@require_POST
def voting_settings(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = access.get_workshop_for_facilitator(request, pk)
    form = VotingForm(request.POST, instance=Workshop.objects.get(pk=workshop.pk))
    if not form.is_valid():
        errors = [e for errs in form.errors.values() for e in errs]
        return _refuse(request, workshop, " ".join(errors))
    votes.voting_configure(
        workshop=workshop,
        budget=form.cleaned_data["vote_budget"],
        stackable=form.cleaned_data["votes_stackable"],
        hidden=form.cleaned_data["votes_hidden"],
        themes_only=form.cleaned_data["votes_on_themes_only"],
        actor=request.user,
    )
    messages.success(request, _("Voting settings saved."))
    return _back(request, workshop)


# --- Screening and groups ----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def screening(request: HttpRequest, pk: int) -> HttpResponse:
    """Notes waiting for approval: approve or hide several at once."""
    workshop = access.get_workshop_for_facilitator(request, pk)
    if request.method == "POST":
        action = request.POST.get("action")
        ids = [i for i in (_int_or_none(v) for v in request.POST.getlist("note")) if i]
        if action not in {"approve", "hide"} or not ids:
            messages.error(request, _("Tick at least one note, then approve or hide."))
            status = 400
        else:
            changed = notes.notes_screen(
                workshop=workshop,
                note_ids=ids,
                approve=action == "approve",
                moderator=request.user,
            )
            messages.success(request, _("%(count)s notes updated.") % {"count": changed})
            return redirect("screening", pk=workshop.pk)
    else:
        status = 200
    pending = list(
        workshop.notes.filter(status=Note.Status.PENDING).select_related("group", "column")
    )
    return render(
        request,
        "workshops/screening.html",
        {"workshop": workshop, "challenge": workshop.challenge, "pending": pending},
        status=status,
    )


@login_required
@require_POST
def participant_move(request: HttpRequest, pk: int, participant_pk: int) -> HttpResponse:
    workshop = access.get_workshop_for_facilitator(request, pk)
    participant = get_object_or_404(
        workshop.participants.select_related("group"), pk=participant_pk
    )
    form = MoveParticipantForm(request.POST, workshop=workshop)
    if not form.is_valid():
        return _refuse(request, workshop, _("Choose a group of this workshop."))
    groups.participant_move(participant=participant, group=form.cleaned_data["group"])
    messages.success(request, _("Participant moved."))
    return redirect("group_view", pk=workshop.pk, group_pk=form.cleaned_data["group"].pk)


# --- Themes ------------------------------------------------------------------------------


def _theme(workshop: Workshop, theme_pk: int):
    return get_object_or_404(workshop.themes.select_related("workshop"), pk=theme_pk)


def _note(workshop: Workshop, note_pk: int) -> Note:
    return get_object_or_404(
        workshop.notes.select_related("workshop", "merged_into").filter(status=Note.Status.VISIBLE),
        pk=note_pk,
    )


@login_required
@require_POST
def theme_create(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = access.get_workshop_for_facilitator(request, pk)
    form = ThemeNameForm(request.POST)
    if not form.is_valid():
        error = _("Give the theme a name of at most 120 characters.")
        return _wall_reply(request, workshop, {"message": error, "error": True}, status=400)
    ids = [i for i in (_int_or_none(v) for v in request.POST.getlist("note")) if i]
    try:
        theme = themes.theme_create(workshop=workshop, name=form.cleaned_data["name"], note_ids=ids)
    except ValidationError as exc:
        context = {"message": " ".join(exc.messages), "error": True}
        return _wall_reply(request, workshop, context, status=400)
    if not _wants_fragment(request):
        return _back(request, workshop)
    message = _("Theme “%(name)s” created.") % {"name": theme.name}
    return _wall_reply(request, workshop, {"message": message, "refetch": True})


def _wants_fragment(request: HttpRequest) -> bool:
    """The wall (`static/labb/wall.js`) asks for the changed parts only (`HX-Request`); a
    form boosted by htmx gets the page back, as without JavaScript."""
    return bool(request.htmx) and not request.htmx.boosted


def _wall_reply(request: HttpRequest, workshop: Workshop, context: dict, status: int = 200):
    """The wall's in-place answer (`_wall_reply.html`): a status line and, after a move or
    an undo, the changed cards and counts; without JavaScript, back to the overview."""
    if not _wants_fragment(request):
        if status >= 400:
            return _refuse(request, workshop, context["message"], status)
        messages.success(request, context["message"])
        return _back(request, workshop)
    context = {"workshop": workshop, **context}
    return render(request, "workshops/_wall_reply.html", context, status=status)


def _note_ids(request: HttpRequest) -> list[int] | None:
    """The posted `note` values, or None when one is not a number."""
    ids = [_int_or_none(v) for v in request.POST.getlist("note")]
    return None if None in ids else ids


def _posted_theme(request: HttpRequest, workshop: Workshop):
    """(theme or None, error message or "") from the posted `theme` ("" = no theme)."""
    raw = request.POST.get("theme", "")
    if raw == "":
        return None, ""
    theme = workshop.themes.filter(pk=_int_or_none(raw)).first()
    return theme, "" if theme else _("That theme is not in this workshop.")


def _move_reply(request: HttpRequest, workshop: Workshop, move: ThemeMove, *, undone=False):
    count = len(move.previous)
    if undone:
        message = _("Undone: the notes are back where they were.")
    elif move.theme is None:
        message = ngettext(
            "Moved %(count)d note out of its theme.",
            "Moved %(count)d notes out of their themes.",
            count,
        ) % {"count": count}
    else:
        message = ngettext(
            "Moved %(count)d note to “%(theme)s”.", "Moved %(count)d notes to “%(theme)s”.", count
        ) % {"count": count, "theme": move.theme.name}
    changed = wall.changed(workshop, move.note_ids, move.theme_ids)
    context = {"message": message, "move": None if undone else move, **changed}
    return _wall_reply(request, workshop, context)


@login_required
@require_POST
def notes_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move one or more notes into a theme (or out of every theme), from the wall."""
    workshop = access.get_workshop_for_facilitator(request, pk)
    ids = _note_ids(request)
    theme, error = _posted_theme(request, workshop)
    if ids is None:
        error = _("Some of those notes are not on this workshop's boards.")
    if not error:
        try:
            move = themes.notes_move(workshop=workshop, note_ids=ids, theme=theme)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    if error:
        return _wall_reply(request, workshop, {"message": error, "error": True}, status=400)
    return _move_reply(request, workshop, move)


@login_required
@require_POST
def move_undo(request: HttpRequest, pk: int, move_pk: int) -> HttpResponse:
    workshop = access.get_workshop_for_facilitator(request, pk)
    move = get_object_or_404(workshop.theme_moves.select_related("workshop", "theme"), pk=move_pk)
    try:
        move = themes.move_undo(move=move)
    except ValidationError as exc:
        context = {"message": " ".join(exc.messages), "error": True}
        return _wall_reply(request, workshop, context, status=409)
    return _move_reply(request, workshop, move, undone=True)


@login_required
@require_POST
def suggestion_accept(request: HttpRequest, pk: int) -> HttpResponse:
    """A suggested theme, maybe renamed or with fewer notes, becomes a theme."""
    workshop = access.get_workshop_for_facilitator(request, pk)
    form = ThemeNameForm(request.POST)
    ids = _note_ids(request)
    if not form.is_valid():
        error = _("Give the theme a name of at most 120 characters.")
    elif not ids:
        error = _("Choose at least one note for the theme.")
    else:
        error = ""
        try:
            theme = themes.theme_create(
                workshop=workshop, name=form.cleaned_data["name"], note_ids=ids
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    if error:
        return _wall_reply(request, workshop, {"message": error, "error": True}, status=400)
    message = _("Theme “%(name)s” created.") % {"name": theme.name}
    return _wall_reply(
        request,
        workshop,
        {"message": message, "gone": request.POST.get("key", ""), "refetch": True},
    )


@login_required
@require_POST
def suggestion_reject(request: HttpRequest, pk: int) -> HttpResponse:
    """Never offer this suggestion again (nor one with most of the same notes)."""
    workshop = access.get_workshop_for_facilitator(request, pk)
    raw = request.POST.get("key", "")
    ids = [_int_or_none(part) for part in raw.split("-")] if raw else []
    try:
        if None in ids:
            raise ValidationError(_("That suggestion is no longer there."))
        themes.suggestion_reject(
            workshop=workshop, note_ids=ids, label=request.POST.get("name", "")
        )
    except ValidationError as exc:
        context = {"message": " ".join(exc.messages), "error": True}
        return _wall_reply(request, workshop, context, status=400)
    return _wall_reply(request, workshop, {"message": _("Suggestion rejected."), "gone": raw})


@login_required
@require_POST
def theme_rename(request: HttpRequest, pk: int, theme_pk: int) -> HttpResponse:
    workshop = access.get_workshop_for_facilitator(request, pk)
    theme = _theme(workshop, theme_pk)
    form = ThemeNameForm(request.POST)
    if not form.is_valid():
        return _refuse(request, workshop, _("Give the theme a name of at most 120 characters."))
    themes.theme_rename(theme=theme, name=form.cleaned_data["name"])
    return _back(request, workshop)


@login_required
@require_POST
def theme_merge(request: HttpRequest, pk: int, theme_pk: int) -> HttpResponse:
    workshop = access.get_workshop_for_facilitator(request, pk)
    theme = _theme(workshop, theme_pk)
    into = workshop.themes.filter(pk=_int_or_none(request.POST.get("into"))).first()
    if into is None:
        return _refuse(request, workshop, _("Choose another theme of this workshop to merge into."))
    try:
        themes.theme_merge(theme=theme, into=into)
    except ValidationError as exc:
        return _refuse(request, workshop, " ".join(exc.messages))
    return _back(request, workshop)


@login_required
@require_POST
def theme_dissolve(request: HttpRequest, pk: int, theme_pk: int) -> HttpResponse:
    workshop = access.get_workshop_for_facilitator(request, pk)
    themes.theme_dissolve(theme=_theme(workshop, theme_pk))
    return _back(request, workshop)


@login_required
@require_POST
def note_theme(request: HttpRequest, pk: int, note_pk: int) -> HttpResponse:
    """One note into a theme: the wall's move, for a single note."""
    workshop = access.get_workshop_for_facilitator(request, pk)
    note = _note(workshop, note_pk)
    theme, error = _posted_theme(request, workshop)
    if not error:
        try:
            move = themes.notes_move(workshop=workshop, note_ids=[note.pk], theme=theme)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    if error:
        return _wall_reply(request, workshop, {"message": error, "error": True}, status=400)
    return _move_reply(request, workshop, move)


@login_required
@require_POST
def note_duplicate(request: HttpRequest, pk: int, note_pk: int) -> HttpResponse:
    workshop = access.get_workshop_for_facilitator(request, pk)
    note = _note(workshop, note_pk)
    raw = request.POST.get("of", "")
    into = None
    if raw:
        into = workshop.notes.filter(pk=_int_or_none(raw), status=Note.Status.VISIBLE).first()
        if into is None:
            return _refuse(request, workshop, _("Choose another note of this workshop."))
    try:
        themes.note_merge_duplicate(note=note, into=into)
    except ValidationError as exc:
        return _refuse(request, workshop, " ".join(exc.messages))
    return _back(request, workshop)


@login_required
@require_POST
def notes_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """The selected notes say the same: the first keeps its place, the others become its
    duplicates (both texts stay; `themes.note_merge_duplicate`)."""
    workshop = access.get_workshop_for_facilitator(request, pk)
    ids = _note_ids(request) or []
    notes = {n.pk: n for n in workshop.notes.filter(pk__in=ids, status=Note.Status.VISIBLE)}
    if len(set(ids)) < 2 or len(notes) != len(set(ids)):
        error = _("Select at least two notes of this workshop to mark as duplicates.")
        return _wall_reply(request, workshop, {"message": error, "error": True}, status=400)
    keeper = notes[ids[0]]
    for pk_ in ids[1:]:
        themes.note_merge_duplicate(note=notes[pk_], into=keeper)
    message = ngettext(
        "%(count)d note marked as a duplicate.",
        "%(count)d notes marked as duplicates.",
        len(ids) - 1,
    ) % {"count": len(ids) - 1}
    return _wall_reply(request, workshop, {"message": message, "refetch": True})


# --- Next steps --------------------------------------------------------------------------


@login_required
@require_POST
def action_item_create(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = access.get_workshop_for_facilitator(request, pk)
    form = ActionItemForm(request.POST, workshop=workshop)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.action_item_create(
                workshop=workshop,
                title=data["title"],
                owner_name=data["owner_name"],
                due_date=data["due_date"],
                theme_ids=[t.pk for t in data["themes"]],
                note_ids=[i for i in (_int_or_none(v) for v in request.POST.getlist("note")) if i],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Next step added."))
            return _back(request, workshop)
    context = _page_context(request, workshop, screen="facilitator")
    context["action_form"] = form
    return render(request, "workshops/board.html", context, status=400)


@login_required
@require_POST
def action_item_delete(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    workshop = access.get_workshop_for_facilitator(request, pk)
    item = get_object_or_404(ActionItem, pk=item_pk, workshop=workshop)
    actions.action_item_delete(item=item)
    return _back(request, workshop)
