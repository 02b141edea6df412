"""The archive: browse, search and recurring themes over past labs, and a read-only
workshop summary. Logged-in users only; everything is filtered by
`challenges.access.challenges_visible_to`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from archive import reads
from archive.reads import ArchiveFilterForm
from archive.search import SearchError, filter_notes, parse_query, search
from workshops import access
from workshops.boards import boards_for
from workshops.models import ActionItem, Note, Theme, Vote, texts_revealed

# Access helpers: the only places these views decide what a user may see.


def _filter_form(request: HttpRequest) -> ArchiveFilterForm:
    return ArchiveFilterForm(request.GET, user=request.user)


def _selection(form: ArchiveFilterForm, request: HttpRequest):
    """The viewer's challenges and workshops narrowed by the (valid) filters.

    The form holds `challenges_visible_to(request.user)` compiled once (`form.visible`)."""
    challenges = form.visible_challenges()
    workshops = form.visible_workshops()
    return form.filter_challenges(challenges), form.filter_workshops(workshops, challenges)


def _bad_request(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    return render(request, template, context, status=400)


@login_required
@require_safe
def archive_list(request: HttpRequest) -> HttpResponse:
    form = _filter_form(request)
    context = {"form": form, "page": None}
    if not form.is_valid():
        return _bad_request(request, "archive/archive.html", context)
    challenges, workshops = _selection(form, request)
    show = form.cleaned_data["show"] or "workshops"
    sort = form.cleaned_data["sort"] or "newest"
    if show == "challenges":
        rows = reads.challenge_rows(challenges, sort=sort)
    else:
        rows = reads.workshop_rows(workshops, sort=sort)
    page = Paginator(rows, reads.PAGE_SIZE).get_page(form.cleaned_data["page"] or 1)
    if show == "workshops":
        for workshop in page.object_list:
            workshop.export_links = reads.export_links(workshop.ready_exports)
    params = {**form.selection_params(), "show": show, "sort": sort}
    context.update(
        show=show,
        page=page,
        page_query=urlencode(params),
        selection_query=urlencode(form.selection_params()),
    )
    return render(request, "archive/archive.html", context)


@login_required
@require_safe
def archive_search(request: HttpRequest) -> HttpResponse:
    form = _filter_form(request)
    context = {"form": form, "results": None, "parsed": None}
    if not form.is_valid():
        return _bad_request(request, "archive/search.html", context)
    try:
        parsed = parse_query(form.cleaned_data["q"])
    except SearchError as exc:
        form.add_error("q", str(exc))
        return _bad_request(request, "archive/search.html", context)
    context["parsed"] = parsed
    context["selection_query"] = urlencode({**form.selection_params(), "q": form.cleaned_data["q"]})
    if parsed is not None:
        challenges, workshops = _selection(form, request)
        context["results"] = search(parsed, challenges=challenges, workshops=workshops)
    return render(request, "archive/search.html", context)


@login_required
@require_safe
def archive_recurring(request: HttpRequest) -> HttpResponse:
    form = _filter_form(request)
    context = {"form": form, "words": None}
    if not form.is_valid():
        return _bad_request(request, "archive/recurring.html", context)
    try:
        parsed = parse_query(form.cleaned_data["q"])
    except SearchError as exc:
        form.add_error("q", str(exc))
        return _bad_request(request, "archive/recurring.html", context)
    challenges, workshops = _selection(form, request)
    notes = Note.objects.readable().filter(workshop__in=workshops.values("pk"))
    themes = Theme.objects.filter(workshop__in=workshops.values("pk"))
    if parsed is not None:
        notes = filter_notes(notes, parsed, ranked=False)
        # Themes of the search: those holding a matching note, or named by the search.
        theme_ids = set(
            notes.exclude(theme=None).order_by().values_list("theme_id", flat=True).distinct()
        )
        themes = themes.filter(Q(pk__in=theme_ids) | Q(name__icontains=parsed.text))
    words, notes_read, truncated = reads.recurring_words(notes)
    context.update(
        parsed=parsed,
        words=words,
        chart=words[: reads.CHART_BARS],
        themes=reads.recurring_themes(themes),
        notes_read=notes_read,
        truncated=truncated,
        note_limit=reads.RECURRING_NOTE_LIMIT,
        selection_query=urlencode(form.selection_params()),
    )
    return render(request, "archive/recurring.html", context)


@login_required
@require_safe
def archive_workshop(request: HttpRequest, pk: int) -> HttpResponse:
    """A workshop as it was: read only, for everyone who may see its challenge."""
    workshop = access.get_workshop_for_viewer(request, pk)
    vote_counts = (
        Vote.objects.filter(theme=OuterRef("pk")).order_by().values("theme").annotate(n=Count("pk"))
    )
    themes = workshop.themes.annotate(
        note_count=Count("notes", filter=Q(notes__status=Note.Status.VISIBLE)),
        vote_count=Subquery(vote_counts.values("n")),
    ).order_by("position", "pk")
    exports = workshop.exports.filter(status="done").order_by("-created_at")
    return render(
        request,
        "archive/workshop.html",
        {
            "workshop": workshop,
            "challenge": workshop.challenge,
            "boards": boards_for(workshop),
            "revealed": texts_revealed(workshop),
            "themes": themes,
            "facilitators": workshop.facilitators.all(),
            "participant_count": workshop.participants.count(),
            "vote_count": workshop.votes.count(),
            "action_items": ActionItem.objects.filter(workshop=workshop).order_by("status", "pk"),
            "learnings": workshop.learnings.all(),
            "export_links": reads.export_links(exports),
            "can_edit": access.can_edit_workshop(request.user, workshop),
        },
    )
