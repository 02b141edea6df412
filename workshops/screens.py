"""What each screen shows in the current phase, read in a constant number of queries.

`stage_context` builds the context of `templates/workshops/_stage.html` for the facilitator's
overview, the projector and one group's view; `phone_stage_context` does the same for a
participant's phone.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count
from django.utils.translation import gettext as _

from workshops import wall
from workshops.boards import (
    boards_for,
    group_counts,
    participant_votes,
    vote_progress,
    vote_totals,
    votes_left,
)
from workshops.models import ActionItem, Column, Group, Note, Participant, Theme, Workshop
from workshops.services.phases import (
    is_revealed,
    participant_may_cluster,
    participant_may_write,
    totals_visible,
)
from workshops.suggest import Suggestion, suggest_themes

Phase = Workshop.Phase


@dataclass
class GroupCounts:
    group: Group
    cells: list[tuple[int, int]]  # (column id, count)
    total: int
    participants: int


@dataclass
class ThemeView:
    theme: Theme
    notes: list[Note] = field(default_factory=list)
    votes: int = 0
    my_votes: int = 0

    @property
    def size(self) -> int:
        return sum(1 + len(note.dups) for note in self.notes)


@dataclass
class LooseSection:
    """The phone's vote list: the notes without a theme of one group's column, collapsed."""

    group: Group
    column: Column
    notes: list[Note]

    @property
    def key(self) -> str:
        return f"g{self.group.pk}-c{self.column.pk}"

    @property
    def my_votes(self) -> int:
        return sum(note.my_votes for note in self.notes)


def loose_sections(loose: list[Note]) -> list[LooseSection]:
    """Loose notes by group and column, in the board's order (the notes keep theirs)."""
    sections: dict[tuple[int, int], LooseSection] = {}
    for note in loose:
        key = (note.group_id, note.column_id)
        if key not in sections:
            sections[key] = LooseSection(group=note.group, column=note.column, notes=[])
        sections[key].notes.append(note)
    return sorted(
        sections.values(),
        key=lambda s: (s.group.position, s.group.pk, s.column.position, s.column.pk),
    )


def _notes(workshop: Workshop, group: Group | None = None) -> list[Note]:
    notes = Note.objects.filter(workshop=workshop, status=Note.Status.VISIBLE).select_related(
        "group", "column"
    )
    if group is not None:
        notes = notes.filter(group=group)
    return list(notes.order_by("created_at", "pk"))


def _nest_duplicates(notes: list[Note]) -> list[Note]:
    """Top-level notes, each with `.dups`: the duplicates merged into it."""
    by_id = {note.pk: note for note in notes}
    for note in notes:
        note.dups = []
        note.votes_total = 0
        note.my_votes = 0
    top = []
    for note in notes:
        parent = by_id.get(note.merged_into_id) if note.merged_into_id else None
        if parent is not None:
            parent.dups.append(note)
        else:
            top.append(note)
    return top


def themes_and_loose(workshop: Workshop, notes: list[Note]) -> tuple[list[ThemeView], list[Note]]:
    themes = [ThemeView(theme=t) for t in workshop.themes.all()]
    by_theme = {view.theme.pk: view for view in themes}
    loose = []
    for note in _nest_duplicates(notes):
        view = by_theme.get(note.theme_id)
        if view is not None:
            view.notes.append(note)
        else:
            loose.append(note)
    return themes, loose


def counts_grid(workshop: Workshop, groups: list[Group], columns) -> list[GroupCounts]:
    counts = group_counts(workshop)
    people = dict(
        Participant.objects.filter(workshop=workshop)
        .values_list("group_id")
        .annotate(n=Count("pk"))
        .values_list("group_id", "n")
    )
    rows = []
    for group in groups:
        cells = [(column.pk, counts.get((group.pk, column.pk), 0)) for column in columns]
        rows.append(
            GroupCounts(
                group=group,
                cells=cells,
                total=sum(n for _c, n in cells),
                participants=people.get(group.pk, 0),
            )
        )
    return rows


def _apply_votes(themes: list[ThemeView], loose: list[Note], workshop: Workshop, mine=None):
    note_totals, theme_totals, total = vote_totals(workshop)
    my_notes, my_themes = mine or ({}, {})
    for view in themes:
        view.votes = theme_totals.get(view.theme.pk, 0)
        view.my_votes = my_themes.get(view.theme.pk, 0)
        for note in view.notes:
            note.votes_total = note_totals.get(note.pk, 0)
            note.my_votes = my_notes.get(note.pk, 0)
    for note in loose:
        note.votes_total = note_totals.get(note.pk, 0)
        note.my_votes = my_notes.get(note.pk, 0)
    return total


def ranking(themes: list[ThemeView], loose: list[Note]) -> list[dict]:
    """Themes and notes by dots, most first: what the room chose."""
    items = [
        {"kind": "theme", "pk": v.theme.pk, "label": v.theme.name, "votes": v.votes} for v in themes
    ]
    for note in [n for v in themes for n in v.notes] + loose:
        if note.votes_total:
            items.append(
                {"kind": "note", "pk": note.pk, "label": note.text, "votes": note.votes_total}
            )
    return sorted(items, key=lambda item: -item["votes"])


def stage_context(
    workshop: Workshop,
    *,
    screen: str,
    group: Group | None = None,
) -> dict:
    phase = workshop.phase
    columns = list(workshop.columns.all())
    groups = [group] if group is not None else list(workshop.groups.all())
    context: dict = {
        "workshop": workshop,
        "screen": screen,
        "interactive": screen == "facilitator",
        "phase": phase,
        "revealed": is_revealed(workshop),
        "columns": columns,
        "focus_group": group,
        "totals_visible": totals_visible(workshop),
        # Notes waiting for approval (screening): the facilitator's board says so in every
        # phase, and the live `pending` event keeps it current.
        "pending_count": workshop.notes.filter(status=Note.Status.PENDING).count()
        if screen == "facilitator"
        else 0,
    }
    if screen == "projector" and workshop.spotlight and _spotlight(workshop, context):
        return context
    if not context["revealed"]:
        context["counts"] = counts_grid(workshop, groups, columns)
        return context
    # Translated once per page, not once per note.
    context["anonymous_label"] = _("Anonymous")
    context["edit_label"] = _("Edit")
    board_phases = (Phase.PREPARE, Phase.WRITE, Phase.REVEAL)
    if phase in board_phases or group is not None:
        context["boards"] = boards_for(workshop, group=group)
        if phase in board_phases:
            return context
    if phase == Phase.CLUSTER and screen == "facilitator" and group is None:
        _wall_context(workshop, context, groups)
        return context
    notes = _notes(workshop, group)
    themes, loose = themes_and_loose(workshop, notes)
    context["themes"] = themes
    context["loose"] = loose
    context["loose_by_group"] = _by_group(loose, groups)
    if phase in (Phase.VOTE, Phase.NEXT_STEPS, Phase.CLOSED):
        context["votes_cast"] = _apply_votes(themes, loose, workshop)
        _votes, context["voters"], context["participant_count"] = vote_progress(workshop)
        context["ranking"] = ranking(themes, loose)
        context["voted_notes"] = [i for i in context["ranking"] if i["kind"] == "note"][:10]
    if phase in (Phase.NEXT_STEPS, Phase.CLOSED):
        context["action_items"] = list(
            ActionItem.objects.filter(workshop=workshop).prefetch_related("themes", "notes")
        )
    return context


def _spotlight(workshop: Workshop, context: dict) -> bool:
    """Fill `context` for the projector's spotlight: one group, one theme or the vote result
    at full size. False when the spotlight points at nothing that can be shown now (a
    deleted group, or a phase moved back), so the projector shows every group instead."""
    kind, _sep, pk = workshop.spotlight.partition(":")
    revealed = context["revealed"]
    if kind == "group" and revealed:
        group = workshop.groups.filter(pk=_int(pk)).first()
        if group is None:
            return False
        context["anonymous_label"] = _("Anonymous")
        context["boards"] = boards_for(workshop, group=group)
        context["spotlight"] = {"kind": "group", "group": group}
        return True
    voting_on = workshop.phase in (Phase.VOTE, Phase.NEXT_STEPS, Phase.CLOSED)
    if kind == "theme" and workshop.phase == Phase.CLUSTER or kind == "theme" and voting_on:
        themes, loose = themes_and_loose(workshop, _notes(workshop))
        view = next((v for v in themes if v.theme.pk == _int(pk)), None)
        if view is None:
            return False
        if voting_on:
            _apply_votes(themes, loose, workshop)
        context["spotlight"] = {"kind": "theme", "view": view}
        return True
    if kind == "votes" and voting_on:
        themes, loose = themes_and_loose(workshop, _notes(workshop))
        context["votes_cast"] = _apply_votes(themes, loose, workshop)
        _votes, context["voters"], context["participant_count"] = vote_progress(workshop)
        items = ranking(themes, loose)[:12] if context["totals_visible"] else []
        context["spotlight"] = {
            "kind": "votes",
            "ranking": items,
            "most": max((item["votes"] for item in items), default=0),
        }
        return True
    return False


def _int(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


def _by_group(notes: list[Note], groups: list[Group]) -> list[tuple[Group, list[Note]]]:
    by_group: dict[int, list[Note]] = {g.pk: [] for g in groups}
    for note in notes:
        by_group.setdefault(note.group_id, []).append(note)
    return [(g, by_group[g.pk]) for g in groups if by_group[g.pk]]


def _wall_context(workshop: Workshop, context: dict, groups: list[Group]) -> None:
    """The clustering wall: every note as a compact card, themes with counts, suggestions."""
    cards = wall.cards(workshop)
    context.update(wall.theme_panel(workshop))
    context["cards"] = cards
    context["groups"] = groups
    context["suggestions"] = wall_suggestions(workshop, cards)


def wall_suggestions(workshop: Workshop, cards: list[Note] | None = None) -> list[dict]:
    """The wall's suggestions for its notes without a theme now (`cards`: the wall's cards,
    if already read), without the rejected ones."""
    if cards is None:  # the loose top-level notes only, in the wall's order
        loose = list(
            Note.objects.filter(
                workshop=workshop, status=Note.Status.VISIBLE, merged_into=None, theme=None
            )
            .order_by("group__position", "column__position", "created_at", "pk")
            .only("pk", "text")
        )
    else:
        loose = [note for note in cards if note.theme_id is None]
    return suggestions_for(loose, wall.rejected_sets(workshop), workshop_id=workshop.pk)


def suggestion_key(note_ids) -> str:
    return "-".join(str(i) for i in sorted(int(i) for i in note_ids))


def suggestions_for(
    loose: list[Note], rejected: list[frozenset[int]], *, workshop_id: int = 0
) -> list[dict]:
    """Suggestions for the notes without a theme, leaving out any that is the same as a
    rejected one (`wall.is_rejected`: most of its notes were in it)."""
    texts = {note.pk: note.text for note in loose}
    top = [(note.pk, note.text) for note in loose]
    result = []
    for suggestion in _cached_suggestions(top, workshop_id):
        if wall.is_rejected(suggestion.note_ids, rejected):
            continue
        result.append(
            {
                "label": suggestion.label,
                "key": suggestion_key(suggestion.note_ids),
                "note_ids": suggestion.note_ids,
                "notes": [(pk, texts[pk]) for pk in suggestion.note_ids],
            }
        )
    return result


SUGGESTIONS_TTL = 600  # seconds: suggestions change only when the unthemed notes change


def _cached_suggestions(notes: list[tuple[int, str]], workshop_id: int = 0):
    """The suggestions for these (note id, text) pairs, kept for ten minutes.

    Computing them takes about 0.2 s at 250 notes and 1 s at 1,000 (one process's CPU), and
    the wall asks after every pause in the moves (`wall.js`). When notes have only gone into
    themes since the workshop's last computation, the suggestions are those of that
    computation without the notes now in a theme (`_narrowed`); new or edited notes, or
    notes back from a theme, make them computed again."""
    digest = hashlib.sha1(  # noqa: S324 - a cache key, not security
        "\x1f".join(f"{pk}:{text}" for pk, text in notes).encode()
    ).hexdigest()
    key = f"theme-suggestions:{digest}"
    found = cache.get(key)
    if found is None and workshop_id:
        found = _narrowed(notes, cache.get(f"theme-suggestions-last:{workshop_id}"))
    if found is None:
        found = suggest_themes(notes, language="auto")
        if workshop_id:
            last = (dict(notes), found)
            cache.set(f"theme-suggestions-last:{workshop_id}", last, timeout=SUGGESTIONS_TTL)
    cache.set(key, found, timeout=SUGGESTIONS_TTL)
    return found


def _narrowed(notes: list[tuple[int, str]], last) -> list[Suggestion] | None:
    """The suggestions of the last computation without the notes that left the unthemed
    ones since; None unless every note now was in that computation with the same text."""
    if last is None:
        return None
    computed_for, suggestions = last
    if any(computed_for.get(pk) != text for pk, text in notes):
        return None
    ids = {pk for pk, _text in notes}
    narrowed = []
    for suggestion in suggestions:
        kept = tuple(pk for pk in suggestion.note_ids if pk in ids)
        if len(kept) >= 2:  # as suggest_themes: a theme of one note is no suggestion
            narrowed.append(
                Suggestion(label=suggestion.label, note_ids=kept, score=suggestion.score)
            )
    return narrowed


def phone_stage_context(participant: Participant) -> dict:
    workshop = participant.workshop
    phase = workshop.phase
    context: dict = {
        "workshop": workshop,
        "participant": participant,
        "phase": phase,
        "revealed": is_revealed(workshop),
        "may_write": participant_may_write(workshop) and participant.group_id,
        "totals_visible": totals_visible(workshop),
    }
    if phase in (Phase.REVEAL, Phase.CLUSTER) and participant.group_id:
        context["boards"] = boards_for(workshop, group=participant.group)
    if participant_may_cluster(participant):
        context["may_cluster"] = True
        context["workshop_themes"] = list(workshop.themes.all())
    if phase == Phase.VOTE:
        themes, loose = themes_and_loose(workshop, _notes(workshop))
        _apply_votes(themes, loose, workshop, mine=participant_votes(participant))
        context["themes"] = themes
        if workshop.votes_on_themes_only:
            # Only the notes that still carry this participant's votes, to take them back.
            loose = [note for note in loose if note.my_votes]
        context["loose_sections"] = loose_sections(loose)
        context["loose_count"] = len(loose)
        context["votes_left"] = votes_left(participant)
    if phase in (Phase.NEXT_STEPS, Phase.CLOSED):
        context["action_items"] = list(ActionItem.objects.filter(workshop=workshop))
    return context
