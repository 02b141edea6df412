"""Everything an export shows, read from the database once and frozen.

The renderers take these dataclasses and return bytes; they never touch the database.
`build_workshop_snapshot` and `build_challenge_snapshot` are the only functions here that
query, each with a fixed number of queries whatever the size of the workshop.

References (`ref`) are stable within one snapshot and independent of database ids, so an
archive exported, imported elsewhere and exported again reads the same: notes are named by
their `client_id`, everything else by kind and position (`g1`, `c2`, `t3`, `p4`, `a5`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext


@dataclass(frozen=True)
class ColumnSnapshot:
    ref: str
    title: str
    prompt: str
    colour: str


@dataclass(frozen=True)
class NoteSnapshot:
    ref: str  # the note's client_id
    text: str
    author_name: str  # empty: anonymous
    status: str
    created_at: dt.datetime
    group_ref: str
    column_ref: str
    position: int = 0
    participant_ref: str | None = None
    theme_ref: str | None = None
    merged_into: str | None = None  # ref of the note this one duplicates
    votes: int = 0
    # Visible notes merged into this one, shown under it with their own text.
    duplicates: tuple[NoteSnapshot, ...] = ()

    @property
    def author(self) -> str:
        return self.author_name or gettext("anonymous")


@dataclass(frozen=True)
class GroupColumn:
    column: ColumnSnapshot
    notes: tuple[NoteSnapshot, ...]  # top-level notes; duplicates hang under their target


@dataclass(frozen=True)
class GroupSnapshot:
    ref: str
    name: str
    columns: tuple[GroupColumn, ...]

    @property
    def note_count(self) -> int:
        return sum(len(c.notes) + sum(len(n.duplicates) for n in c.notes) for c in self.columns)


@dataclass(frozen=True)
class ThemeSnapshot:
    ref: str
    name: str
    created_at: dt.datetime
    note_refs: tuple[str, ...]
    votes: int  # dots placed on the theme itself
    note_votes: int  # dots placed on its notes
    group_count: int  # how many groups raised it

    @property
    def total_votes(self) -> int:
        return self.votes + self.note_votes


@dataclass(frozen=True)
class NextStepSnapshot:
    ref: str
    title: str
    owner_name: str
    due_date: dt.date | None
    status: str
    created_at: dt.datetime
    note_refs: tuple[str, ...] = ()
    theme_refs: tuple[str, ...] = ()


@dataclass(frozen=True)
class ParticipantSnapshot:
    ref: str
    display_name: str
    group_ref: str | None
    joined_at: dt.datetime


@dataclass(frozen=True)
class VoteSnapshot:
    participant_ref: str
    note_ref: str | None
    theme_ref: str | None
    created_at: dt.datetime


@dataclass(frozen=True)
class FacilitatorSnapshot:
    name: str
    username: str


@dataclass(frozen=True)
class WorkshopSettings:
    """The workshop's settings, kept so an archive recreates the workshop as it was."""

    template: str = ""
    kind: str = "live"
    phase: str = "closed"
    accepting_notes: bool = False
    group_assignment: str = "choose"
    screening: bool = False
    participants_can_cluster: bool = False
    vote_budget: int = 5
    votes_stackable: bool = True
    votes_hidden: bool = True
    timer_locks_writing: bool = False
    retain_until: dt.date | None = None
    keep: bool = False


@dataclass(frozen=True)
class WorkshopSnapshot:
    challenge_question: str
    challenge_description: str
    organisation_name: str
    title: str
    question: str
    date: dt.date
    place: str
    facilitators: tuple[FacilitatorSnapshot, ...]
    columns: tuple[ColumnSnapshot, ...]
    groups: tuple[GroupSnapshot, ...]
    themes: tuple[ThemeSnapshot, ...]
    next_steps: tuple[NextStepSnapshot, ...]
    exported_at: dt.datetime
    participants: tuple[ParticipantSnapshot, ...] = ()
    votes: tuple[VoteSnapshot, ...] = ()
    # Hidden and pending notes: never shown in a poster, report or spreadsheet, only kept
    # in the archive so the workshop can be recreated with its moderation state.
    withheld_notes: tuple[NoteSnapshot, ...] = ()
    settings: WorkshopSettings = field(default_factory=WorkshopSettings)
    challenge_status: str = "exploring"
    challenge_visibility: str = "organisation"
    challenge_tags: tuple[str, ...] = ()
    created_at: dt.datetime | None = None

    @property
    def facilitator_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.facilitators)

    @property
    def participant_count(self) -> int:
        return len(self.participants)

    @property
    def notes(self) -> tuple[NoteSnapshot, ...]:
        """Every shown note, board order, each duplicate right after its target."""
        out: list[NoteSnapshot] = []
        for group in self.groups:
            for group_column in group.columns:
                for note in group_column.notes:
                    out.append(note)
                    out.extend(note.duplicates)
        return tuple(out)

    @property
    def note_count(self) -> int:
        return sum(g.note_count for g in self.groups)

    @property
    def vote_count(self) -> int:
        return len(self.votes)

    @property
    def contributor_count(self) -> int:
        """Participants who posted at least one shown note."""
        return len({n.participant_ref for n in self.notes if n.participant_ref})

    def theme(self, ref: str | None) -> ThemeSnapshot | None:
        return self._themes_by_ref.get(ref) if ref else None

    def column(self, ref: str) -> ColumnSnapshot | None:
        return next((c for c in self.columns if c.ref == ref), None)

    def group(self, ref: str) -> GroupSnapshot | None:
        return next((g for g in self.groups if g.ref == ref), None)

    @property
    def _themes_by_ref(self) -> dict[str, ThemeSnapshot]:
        return {t.ref: t for t in self.themes}

    def themes_by_votes(self) -> list[ThemeSnapshot]:
        return sorted(self.themes, key=lambda t: (-t.total_votes, -t.group_count, t.name))

    def themes_by_groups(self) -> list[ThemeSnapshot]:
        return sorted(self.themes, key=lambda t: (-t.group_count, -t.total_votes, t.name))


@dataclass(frozen=True)
class ChallengeSnapshot:
    question: str
    description: str
    organisation_name: str
    workshops: tuple[WorkshopSnapshot, ...]
    exported_at: dt.datetime

    @property
    def note_count(self) -> int:
        return sum(w.note_count for w in self.workshops)


Snapshot = WorkshopSnapshot | ChallengeSnapshot


# --- Reading the database ----------------------------------------------------------------


def build_workshop_snapshot(workshop) -> WorkshopSnapshot:
    """Snapshot of one workshop, in a fixed number of queries."""
    from workshops.models import Workshop

    return _build_many(Workshop.objects.filter(pk=workshop.pk))[0]


def build_challenge_snapshot(challenge) -> ChallengeSnapshot:
    """Snapshot of a challenge and all its workshops (oldest first), in a fixed number of
    queries however many workshops it has."""
    from workshops.models import Workshop

    workshops = _build_many(
        Workshop.objects.filter(challenge=challenge, disposed_at__isnull=True).order_by(
            "date", "created_at", "pk"
        )
    )
    return ChallengeSnapshot(
        question=challenge.question,
        description=challenge.description,
        organisation_name=challenge.organisation.name,
        workshops=tuple(workshops),
        exported_at=timezone.now(),
    )


def _user_name(user) -> str:
    return user.get_full_name() or user.get_username()


def _build_many(workshop_qs) -> list[WorkshopSnapshot]:
    from django.db.models import Prefetch

    from workshops.models import ActionItem, Note, Participant, Vote

    workshops = list(
        workshop_qs.select_related("challenge__organisation").prefetch_related(
            "facilitators",
            "challenge__tags",
            "columns",
            "groups",
            "themes",
            Prefetch("participants", queryset=Participant.objects.order_by("joined_at", "pk")),
        )
    )
    ids = [w.pk for w in workshops]
    notes_by_workshop: dict[int, list[dict]] = defaultdict(list)
    for row in Note.objects.filter(workshop_id__in=ids).order_by("position", "created_at", "pk").values(
        "id", "workshop_id", "group_id", "column_id", "participant_id", "author_name", "text",
        "client_id", "status", "theme_id", "merged_into_id", "position", "created_at",
    ):  # fmt: skip
        notes_by_workshop[row["workshop_id"]].append(row)
    votes_by_workshop: dict[int, list[dict]] = defaultdict(list)
    for row in (
        Vote.objects.filter(workshop_id__in=ids)
        .order_by("created_at", "pk")
        .values("workshop_id", "participant_id", "note_id", "theme_id", "created_at")
    ):
        votes_by_workshop[row["workshop_id"]].append(row)
    steps_by_workshop: dict[int, list[ActionItem]] = defaultdict(list)
    for item in (
        ActionItem.objects.filter(workshop_id__in=ids)
        .order_by("created_at", "pk")
        .prefetch_related("notes", "themes")
    ):
        steps_by_workshop[item.workshop_id].append(item)
    now = timezone.now()
    return [
        _assemble(w, notes_by_workshop[w.pk], votes_by_workshop[w.pk], steps_by_workshop[w.pk], now)
        for w in workshops
    ]


def _assemble(workshop, note_rows, vote_rows, step_items, now) -> WorkshopSnapshot:
    from workshops.models import Note

    challenge = workshop.challenge
    columns = list(workshop.columns.all())
    groups = list(workshop.groups.all())
    themes = list(workshop.themes.all())
    participants = list(workshop.participants.all())
    column_ref = {c.pk: f"c{i}" for i, c in enumerate(columns, 1)}
    group_ref = {g.pk: f"g{i}" for i, g in enumerate(groups, 1)}
    theme_ref = {t.pk: f"t{i}" for i, t in enumerate(themes, 1)}
    participant_ref = {p.pk: f"p{i}" for i, p in enumerate(participants, 1)}
    note_ref = {row["id"]: str(row["client_id"]) for row in note_rows}

    note_votes: dict[int, int] = defaultdict(int)
    theme_votes: dict[int, int] = defaultdict(int)
    for row in vote_rows:
        if row["note_id"]:
            note_votes[row["note_id"]] += 1
        elif row["theme_id"]:
            theme_votes[row["theme_id"]] += 1

    def note_snapshot(row, duplicates=()) -> NoteSnapshot:
        return NoteSnapshot(
            ref=note_ref[row["id"]],
            text=row["text"],
            author_name=row["author_name"],
            status=row["status"],
            created_at=row["created_at"],
            group_ref=group_ref[row["group_id"]],
            column_ref=column_ref[row["column_id"]],
            position=row["position"],
            participant_ref=participant_ref.get(row["participant_id"]),
            theme_ref=theme_ref.get(row["theme_id"]),
            merged_into=note_ref.get(row["merged_into_id"]),
            votes=note_votes[row["id"]],
            duplicates=tuple(duplicates),
        )

    visible = [r for r in note_rows if r["status"] == Note.Status.VISIBLE]
    withheld = [note_snapshot(r) for r in note_rows if r["status"] != Note.Status.VISIBLE]
    visible_ids = {r["id"] for r in visible}
    duplicates_of: dict[int, list[dict]] = defaultdict(list)
    top_level: list[dict] = []
    for row in visible:
        target = row["merged_into_id"]
        if target in visible_ids and target != row["id"]:
            duplicates_of[target].append(row)
        else:
            top_level.append(row)

    cells: dict[tuple[int, int], list[NoteSnapshot]] = defaultdict(list)
    for row in top_level:
        dups = [note_snapshot(d) for d in duplicates_of[row["id"]]]
        cells[(row["group_id"], row["column_id"])].append(note_snapshot(row, dups))

    column_snaps = {
        c.pk: ColumnSnapshot(ref=column_ref[c.pk], title=c.title, prompt=c.prompt, colour=c.colour)
        for c in columns
    }
    group_snaps = tuple(
        GroupSnapshot(
            ref=group_ref[g.pk],
            name=g.name,
            columns=tuple(
                GroupColumn(column=column_snaps[c.pk], notes=tuple(cells[(g.pk, c.pk)]))
                for c in columns
            ),
        )
        for g in groups
    )

    theme_notes: dict[int, list[dict]] = defaultdict(list)
    for row in visible:
        if row["theme_id"]:
            theme_notes[row["theme_id"]].append(row)
    theme_snaps = tuple(
        ThemeSnapshot(
            ref=theme_ref[t.pk],
            name=t.name,
            created_at=t.created_at,
            note_refs=tuple(note_ref[r["id"]] for r in theme_notes[t.pk]),
            votes=theme_votes[t.pk],
            note_votes=sum(note_votes[r["id"]] for r in theme_notes[t.pk]),
            group_count=len({r["group_id"] for r in theme_notes[t.pk]}),
        )
        for t in themes
    )
    step_snaps = tuple(
        NextStepSnapshot(
            ref=f"a{i}",
            title=item.title,
            owner_name=item.owner_name,
            due_date=item.due_date,
            status=item.status,
            created_at=item.created_at,
            note_refs=tuple(note_ref[n.pk] for n in item.notes.all() if n.pk in note_ref),
            theme_refs=tuple(theme_ref[t.pk] for t in item.themes.all() if t.pk in theme_ref),
        )
        for i, item in enumerate(step_items, 1)
    )
    return WorkshopSnapshot(
        challenge_question=challenge.question,
        challenge_description=challenge.description,
        organisation_name=challenge.organisation.name,
        title=workshop.title,
        question=workshop.question,
        date=workshop.date,
        place=workshop.place,
        facilitators=tuple(
            FacilitatorSnapshot(name=_user_name(u), username=u.get_username())
            for u in sorted(workshop.facilitators.all(), key=lambda u: u.get_username())
        ),
        columns=tuple(column_snaps[c.pk] for c in columns),
        groups=group_snaps,
        themes=theme_snaps,
        next_steps=step_snaps,
        exported_at=now,
        participants=tuple(
            ParticipantSnapshot(
                ref=participant_ref[p.pk],
                display_name=p.display_name,
                group_ref=group_ref.get(p.group_id),
                joined_at=p.joined_at,
            )
            for p in participants
        ),
        votes=tuple(
            VoteSnapshot(
                participant_ref=participant_ref[row["participant_id"]],
                note_ref=note_ref.get(row["note_id"]),
                theme_ref=theme_ref.get(row["theme_id"]),
                created_at=row["created_at"],
            )
            for row in vote_rows
        ),
        withheld_notes=tuple(withheld),
        settings=WorkshopSettings(
            template=workshop.template,
            kind=workshop.kind,
            phase=workshop.phase,
            accepting_notes=workshop.accepting_notes,
            group_assignment=workshop.group_assignment,
            screening=workshop.screening,
            participants_can_cluster=workshop.participants_can_cluster,
            vote_budget=workshop.vote_budget,
            votes_stackable=workshop.votes_stackable,
            votes_hidden=workshop.votes_hidden,
            timer_locks_writing=workshop.timer_locks_writing,
            retain_until=workshop.retain_until,
            keep=workshop.keep,
        ),
        challenge_status=challenge.status,
        challenge_visibility=challenge.visibility,
        challenge_tags=tuple(sorted(t.name for t in challenge.tags.all())),
        created_at=workshop.created_at,
    )
