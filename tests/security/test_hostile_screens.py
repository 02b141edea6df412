"""The hostile corpus through a whole live session: every phase, every screen, every live
event, every export.

Notes, group names, theme names, participants' names and next steps are all hostile, and
many of them are longer than the 40-character hidden labels (which are always escaped), with
the markup in the part past the label. Every screen is checked two ways:
- what it shows in this phase is there, escaped (so the note text itself must be escaped:
  a label cannot stand in for a long text);
- no hostile text is anywhere in its raw form: not in a page, not in a live event as stored
  for replay, not in a server-sent event as a browser reads it.
The expected values are built with the standard library (`html.escape`, openpyxl, pypdf),
never with Labb's own helpers.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
import uuid
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from labb.live import encode_frame
from tests.security.hostile import (
    SOFT_HYPHEN,
    hostile_strings,
    raw_forms,
    shown_forms,
    unsafe_markup,
    visible_text,
)
from tests.support.steps import join_as
from workshops import exporting
from workshops.live import render
from workshops.live.audience import BOARD_SCREEN, PHONE_SCREEN
from workshops.live.events import from_row
from workshops.models import Export, LiveEvent, Note, Participant, Workshop
from workshops.services.actions import action_item_create
from workshops.services.groups import group_rename
from workshops.services.joins import participant_join
from workshops.services.notes import note_create
from workshops.services.phases import phase_set, spotlight_targets
from workshops.services.themes import note_merge_duplicate, theme_create
from workshops.services.votes import vote_cast
from workshops.services.workshops import workshop_create

Phase = Workshop.Phase
PHASES = [Phase.WRITE, Phase.REVEAL, Phase.CLUSTER, Phase.VOTE, Phase.NEXT_STEPS, Phase.CLOSED]
REVEALED = {Phase.REVEAL, Phase.CLUSTER, Phase.VOTE, Phase.NEXT_STEPS, Phase.CLOSED}
THEMED = {Phase.CLUSTER, Phase.VOTE, Phase.NEXT_STEPS, Phase.CLOSED}
STEPS = {Phase.NEXT_STEPS, Phase.CLOSED}

# Names that fit their fields (groups 100, themes 120, people 60 characters); the longer
# ones have their markup past the 40 characters of a hidden label.
GROUP_NAMES = [
    "Grupp ett, med ett namn längre än fyrtio tecken <script>window.__pwned=1</script>",
    "<img src=x onerror=window.__pwned=1>",
    "Grupp \"tre\" & 'citat', också längre än fyrtio <b onmouseover=window.__pwned=1>x</b>",
]
THEME_NAMES = [
    "Samverkan över gränserna, ett tema med långt namn <svg onload=window.__pwned=1>",
    "<script>window.__pwned=1</script>",
    "Tema med ' \" & och en lång svans efter fyrtio tecken <i onclick=window.__pwned=1>x</i>",
]
PEOPLE = [
    "Kim <img src=x onerror=window.__pwned=1>",
    "Alex \"<b>\" & 'co'",
    "Robin</p><script>window.__pwned=1</script>",
    "",
]
NEXT_STEP = "Bjud in alla förvaltningar till ett gemensamt möte <script>window.__pwned=1</script>"
EDITS = [
    "Ändrad under sorteringen, och längre än fyrtio tecken <img src=x onerror=window.__pwned=1>",
    "Ändrad igen: \"citat\" & 'apostrof' och sedan <svg><script>window.__pwned=1</script></svg>",
]
# The same session with plain texts: what the pages' own markup looks like.
CONTROL = {
    "groups": ["Grupp A", "Grupp B", "Grupp C"],
    "themes": ["Tema 1", "Tema 2", "Tema 3"],
    "people": ["Kim", "Alex", "Robin", ""],
    "notes": [f"Anteckning nummer {n}" for n in range(16)],
    "step": "Nästa steg",
    "edits": ["Ändrad", "Ändrad igen"],
}
# A payload: a string that would run or fetch something if it were markup.
PAYLOAD = re.compile(r"pwned|alert|evil\.example|javascript:", re.IGNORECASE)
WRITE_EVENTS = {"counts"}  # the only events a note makes before the reveal


# --- The room ----------------------------------------------------------------------------


@dataclass
class Phone:
    client: Client
    participant: Participant


@dataclass
class Room:
    """A workshop steered over HTTP: the facilitator's browser and four phones (two in the
    first group, one in each of the others)."""

    workshop: Workshop
    facilitator: Client
    phones: list[Phone] = field(default_factory=list)
    last_event: int = 0
    renamed: list[tuple[str, list[LiveEvent]]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # the error fragments of refused notes

    @classmethod
    def open(cls, workshop: Workshop, facilitator, *, people, group_names) -> Room:
        browser = Client()
        browser.force_login(facilitator)
        room = cls(workshop=workshop, facilitator=browser)
        room.new_events()
        for group, name in zip(workshop.groups.order_by("position"), group_names, strict=True):
            room.steer("group_rename", {"name": name}, group.pk)
            room.renamed.append((name, room.new_events()))
        for index, name in enumerate(people):
            client = Client()
            participant = join_as(client, workshop, group_index=(0, 0, 1, 2)[index], name=name)
            room.phones.append(Phone(client, participant))
        return room

    def url(self, name: str, *args) -> str:
        return reverse(name, args=[self.workshop.pk, *args])

    def new_events(self) -> list[LiveEvent]:
        events = list(
            LiveEvent.objects.filter(workshop=self.workshop, pk__gt=self.last_event).order_by("pk")
        )
        if events:
            self.last_event = events[-1].pk
        return events

    def steer(self, name: str, data: dict, *args) -> None:
        response = self.facilitator.post(self.url(name, *args), data)
        assert response.status_code == 302, (name, response.status_code, response.content[:300])

    def set_phase(self, phase: str) -> None:
        self.steer("phase_set", {"phase": phase})
        self.workshop.refresh_from_db()

    def post(self, phone: Phone, text: str, column) -> tuple[int, Note | None, str]:
        response = phone.client.post(
            self.url("phone_note_create"),
            {"column": column.pk, "text": text, "client_id": uuid.uuid4()},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code in {201, 400}, (text[:80], response.status_code)
        note = None
        if response.status_code == 201:
            note = Note.objects.filter(workshop=self.workshop).latest("pk")
        else:
            self.refused.append(response.content.decode())
        return response.status_code, note, response.content.decode()

    def edit(self, phone: Phone, note: Note, text: str) -> None:
        response = phone.client.post(self.url("phone_note_edit", note.pk), {"text": text})
        assert response.status_code == 302, response.content[:300]

    def notes(self) -> list[Note]:
        return list(Note.objects.filter(workshop=self.workshop).order_by("pk"))


def _post_all(room: Room, texts, *, start: int = 0) -> list[tuple[Note, str, list[LiveEvent]]]:
    """Post `texts` round the phones; (note, fragment, the live events it made) per note."""
    columns = list(room.workshop.columns.all())
    posted = []
    for index, text in enumerate(texts, start=start):
        room.new_events()
        status, note, fragment = room.post(
            room.phones[index % len(room.phones)], text, columns[index % len(columns)]
        )
        if status == 201:
            posted.append((note, fragment, room.new_events()))
    return posted


def _cluster(room: Room, theme_names, edits) -> list[tuple[Note, list[LiveEvent]]]:
    """Themes for every fourth note, two duplicates, and edits by the first phone."""
    notes = room.notes()
    for index, name in enumerate(theme_names):
        ids = [n.pk for n in notes[index::4]]
        room.steer("theme_create", {"name": name, "note": ids})
    loose = notes[3::4][:4]
    room.steer("note_duplicate", {"of": loose[0].pk}, loose[1].pk)
    room.steer("note_duplicate", {"of": loose[2].pk}, loose[3].pk)
    edited = []
    phone = room.phones[0]
    for note, text in zip(
        [n for n in notes if n.participant_id == phone.participant.pk], edits, strict=False
    ):
        room.new_events()
        room.edit(phone, note, text)
        edited.append((Note.objects.get(pk=note.pk), room.new_events()))
    return edited


def _vote(room: Room) -> None:
    theme = room.workshop.themes.order_by("position").first()
    loose = Note.objects.filter(workshop=room.workshop, theme=None, merged_into=None).order_by("pk")
    for index, phone in enumerate(room.phones):
        for target in (f"theme:{theme.pk}", f"note:{loose[index % len(loose)].pk}"):
            response = phone.client.post(room.url("phone_vote"), {"target": target})
            assert response.status_code == 302, response.content[:300]


def _next_step(room: Room, title: str) -> None:
    theme = room.workshop.themes.order_by("position").first()
    room.steer("action_item_create", {"title": title, "themes": [theme.pk]})


# --- What each screen shows --------------------------------------------------------------


@dataclass
class Screen:
    label: str
    client: Client
    url: str
    shown: list[str]  # texts this screen shows in full in this phase


def _screens(room: Room, phase: str, *, with_archive_search: bool) -> list[Screen]:
    workshop = room.workshop
    notes = [n for n in room.notes() if n.status == Note.Status.VISIBLE]
    revealed = phase in REVEALED
    groups = list(workshop.groups.order_by("position"))
    group_names = [g.name for g in groups]
    theme_names = list(workshop.themes.values_list("name", flat=True)) if phase in THEMED else []
    steps = list(workshop.action_items.values_list("title", flat=True)) if phase in STEPS else []
    by_group = defaultdict(list)
    authors = defaultdict(list)
    for note in notes:
        by_group[note.group_id].append(note.text)
        if note.author_name:
            authors[note.group_id].append(note.author_name)
    all_texts = [n.text for n in notes] if revealed else []
    board = all_texts + group_names + theme_names + steps
    if phase == Phase.REVEAL:
        board += [name for names in authors.values() for name in names]
    screens = [
        Screen("board", room.facilitator, room.url("workshop_board"), board),
        Screen("projector", room.facilitator, room.url("workshop_projector"), board),
        Screen("control panel", room.facilitator, room.url("workshop_detail"), group_names),
    ]
    for group in groups:
        shown = [group.name]
        if revealed:
            shown += by_group[group.pk] + authors[group.pk]
        screens.append(
            Screen(
                f"group view {group.position}",
                room.facilitator,
                room.url("group_view", group.pk),
                shown,
            )
        )
    loose = [n.text for n in notes if n.theme_id is None and n.merged_into_id is None]
    for index, phone in enumerate(room.phones):
        participant = phone.participant
        shown = [n.text for n in room.notes() if n.participant_id == participant.pk]
        shown.append(participant.group.name)
        if phase in (Phase.REVEAL, Phase.CLUSTER):
            shown += by_group[participant.group_id]
        if phase == Phase.VOTE:
            shown += loose + theme_names
        shown += steps
        screens.append(Screen(f"phone {index}", phone.client, room.url("phone"), shown))
    archive = [n.text for n in notes] + group_names + theme_names + steps
    screens.append(
        Screen(
            "archive page",
            room.facilitator,
            reverse("archive_workshop", args=[workshop.pk]),
            archive if phase == Phase.CLOSED else [],
        )
    )
    screens.append(
        Screen(
            "challenge page",
            room.facilitator,
            reverse("challenge_detail", args=[workshop.challenge_id]),
            theme_names + steps if phase == Phase.CLOSED else [],
        )
    )
    if with_archive_search:
        screens.append(
            Screen("archive search", room.facilitator, reverse("archive_search") + "?q=pwned", [])
        )
    return screens


def _spotlights(room: Room) -> list[tuple[str, list[str]]]:
    """Each spotlight the projector can show now, with the texts it shows in full."""
    shown = []
    for target, _label in spotlight_targets(room.workshop):
        kind, _sep, pk = target.partition(":")
        if kind == "group":
            group = room.workshop.groups.get(pk=pk)
            texts = [
                group.name,
                *group.notes.filter(status="visible").values_list("text", flat=True),
            ]
        elif kind == "theme":
            theme = room.workshop.themes.get(pk=pk)
            top = theme.notes.filter(status="visible", merged_into=None)
            texts = [theme.name, *top.values_list("text", flat=True)]
        else:
            texts = []
        shown.append((target, texts))
    return shown


# --- The checks --------------------------------------------------------------------------


def _eventsource(frame: bytes) -> list[tuple[str, str]]:
    """(event, data) as a browser's EventSource reads a frame (lines end in CR, LF or CRLF)."""
    events, name, data = [], "message", []
    for line in re.split(r"\r\n|\r|\n", frame.decode()):
        if not line:
            if data:
                events.append((name, "\n".join(data)))
            name, data = "message", []
            continue
        key, _sep, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if key == "event":
            name = value
        elif key == "data":
            data.append(value)
    return events


@dataclass
class Corpus:
    """Every hostile text of the session, and the check that a page shows them as text."""

    texts: list[str]
    ignored: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        # A raw form can be told from escaped text when it holds < > " or ': escaped text
        # never does. (Texts whose only special character is & look like escaped text.)
        self.markup = [t for t in dict.fromkeys(self.texts) if re.search(r"[<>\"']", t)]

    def ignore_page_markup(self, control_pages: str) -> None:
        """Leave out texts that are part of the pages' own markup ("</body></html>")."""
        self.ignored = {t for t in self.markup if any(r in control_pages for r in raw_forms(t))}
        assert not [t for t in self.ignored if PAYLOAD.search(t)], self.ignored
        assert len(self.ignored) < 10, self.ignored

    def check(self, label: str, page: str, shown=()) -> None:
        markup = unsafe_markup(page)
        page = page.replace(SOFT_HYPHEN, "")
        missing = [
            t for t in dict.fromkeys(shown) if not any(form in page for form in shown_forms(t))
        ]
        assert not missing, f"{label}: {len(missing)} texts not shown escaped, e.g. {missing[:3]}"
        raw = [
            t
            for t in self.markup
            if t not in self.ignored and any(form in page for form in raw_forms(t))
        ]
        assert not raw, f"{label}: {len(raw)} texts shown raw, e.g. {raw[:3]}"
        assert markup == [], (label, markup[:3])

    def check_event(self, event: LiveEvent, shown=()) -> None:
        for screen, html in _rendered(event):
            label = f"live event {event.name} #{event.pk} ({event.audience}) on a {screen}"
            self.check(label, html, shown)
            # What a browser's EventSource hands to the page: one event, the server's.
            frame = encode_frame(event.pk, event.name, html)
            parsed = _eventsource(frame)
            assert [name for name, _data in parsed] == [event.name], label
            for _name, data in parsed:
                self.check(f"{label} as an SSE frame", data, shown)


def _rendered(event: LiveEvent) -> list[tuple[str, str]]:
    """A stored event as each screen it reaches renders it now (in English)."""
    typed = from_row(event.kind, event.payload)
    assert typed is not None, (event.kind, event.payload)
    screens = {
        LiveEvent.Audience.BOARD: [BOARD_SCREEN],
        LiveEvent.Audience.PHONES: [PHONE_SCREEN],
        LiveEvent.Audience.ALL: [BOARD_SCREEN, PHONE_SCREEN],
    }[event.audience]
    return [
        (
            screen,
            render.html(typed, workshop_id=event.workshop_id, screen_kind=screen, language="en")
            or "",
        )
        for screen in screens
    ]


def _check_private(events: list[LiveEvent]) -> None:
    """Before the reveal a note tells the boards a number, nothing else."""
    assert {e.name for e in events} <= WRITE_EVENTS, [e.name for e in events]
    assert {e.audience for e in events} <= {LiveEvent.Audience.BOARD}
    for event in events:
        for _screen, html in _rendered(event):
            assert re.fullmatch(r"[\d\s]*", visible_text(html)), html


# --- The session -------------------------------------------------------------------------


def _control_room(challenge, facilitator) -> Room:
    from challenges.models import Challenge

    control_challenge = Challenge.objects.create(
        organisation=challenge.organisation, question="Kontroll", created_by=facilitator
    )
    workshop = workshop_create(
        challenge=control_challenge,
        user=facilitator,
        title="Kontroll",
        template_key="success_obstacles",
        group_count=3,
    )
    workshop.phase = Phase.WRITE
    workshop.save(update_fields=["phase"])
    return Room.open(workshop, facilitator, people=CONTROL["people"], group_names=CONTROL["groups"])


def _render(room: Room, screens: list[Screen]) -> list[tuple[Screen, str]]:
    pages = []
    for screen in screens:
        response = screen.client.get(screen.url)
        assert response.status_code == 200, (screen.label, response.status_code)
        pages.append((screen, response.content.decode()))
    return pages


@pytest.mark.django_db
def test_hostile_texts_are_text_on_every_screen_in_every_phase(
    settings, workshop, challenge, facilitator
):
    settings.LABB_NOTES_PER_MINUTE = 100_000
    corpus_strings = list(hostile_strings())
    half = len(corpus_strings) // 2
    control = _control_room(challenge, facilitator)
    room = Room.open(workshop, facilitator, people=PEOPLE, group_names=GROUP_NAMES)
    corpus = Corpus(corpus_strings + GROUP_NAMES + THEME_NAMES + PEOPLE + EDITS + [NEXT_STEP])
    # Renaming a group tells every screen the new name.
    for name, events in room.renamed:
        assert [(e.name, e.audience) for e in events] == [("group", "all")]
        corpus.check_event(events[0], shown=[name])

    for phase in PHASES:
        if phase != Phase.WRITE:
            control.set_phase(phase)
            room.set_phase(phase)
            room.new_events()
        if phase == Phase.WRITE:
            _post_all(control, CONTROL["notes"][:8])
            posted = _post_all(room, corpus_strings[:half])
            assert len(posted) > half * 0.8, "most of the corpus fits in a note"
            for note, fragment, events in posted:
                corpus.check("the note's own fragment", fragment, [note.text])
                _check_private(events)
            # An edit while writing tells nobody anything (and is edited back).
            for note, _fragment, _events in posted[:4]:
                phone = next(p for p in room.phones if p.participant.pk == note.participant_id)
                for text in (EDITS[0], note.text):
                    room.edit(phone, note, text)
                    assert room.new_events() == [], "an edit before the reveal is private"
        elif phase == Phase.REVEAL:
            _post_all(control, CONTROL["notes"][8:], start=8)
            posted = _post_all(room, corpus_strings[half:], start=half)
            assert len(posted) > (len(corpus_strings) - half) * 0.8
            for note, fragment, events in posted:
                corpus.check("the note's own fragment", fragment, [note.text])
                audiences = sorted((e.name, e.audience) for e in events)
                assert audiences == [("note", "board"), ("note", "phones")], audiences
                for event in events:
                    corpus.check_event(event, shown=[note.text])
        elif phase == Phase.CLUSTER:
            _cluster(control, CONTROL["themes"], CONTROL["edits"])
            for note, events in _cluster(room, THEME_NAMES, EDITS):
                assert sorted(e.audience for e in events) == ["board", "phones"]
                for event in events:
                    assert event.name == "note-changed"
                    corpus.check_event(event, shown=[note.text])
        elif phase == Phase.VOTE:
            _vote(control)
            _vote(room)
        elif phase == Phase.NEXT_STEPS:
            _next_step(control, CONTROL["step"])
            _next_step(room, NEXT_STEP)
        for event in room.new_events():
            corpus.check_event(event)
        for fragment in room.refused:
            corpus.check(f"{phase}: a refused note's errors", fragment)
        room.refused.clear()

        control_pages = "".join(
            page
            for _screen, page in _render(
                control, _screens(control, phase, with_archive_search=False)
            )
        )
        corpus.ignore_page_markup(control_pages)
        for screen, page in _render(room, _screens(room, phase, with_archive_search=True)):
            corpus.check(f"{phase}: {screen.label}", page, screen.shown)
        # The projector's spotlight: one group, one theme, or the vote result at full size.
        for target, shown in _spotlights(room):
            room.steer("spotlight_set", {"target": target})
            response = room.facilitator.get(room.url("workshop_projector"))
            assert response.status_code == 200
            corpus.check(f"{phase}: projector spotlight {target}", response.content.decode(), shown)
        if phase in REVEALED:
            room.steer("spotlight_set", {"target": ""})
        room.new_events()

    # Everything stored for replay, once more as a whole.
    events = list(LiveEvent.objects.filter(workshop=workshop))
    assert len(events) > len(corpus_strings)
    for event in events:
        corpus.check_event(event)


# --- Exports -----------------------------------------------------------------------------

# What a spreadsheet program would read as a formula; such a cell starts with an apostrophe
# (OWASP's advice, docs/security.md). Written out here rather than taken from Labb.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _as_cell(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _as_xlsx_cell(text: str) -> str:
    """A cell of the .xlsx as read back: XML cannot hold some characters (U+FFFD stands in
    for them), and an XML reader reads a carriage return as a line feed."""
    text = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "\ufffd", _as_cell(text))
    return text.replace("\r\n", "\n").replace("\r", "\n")


@pytest.fixture
def closed_hostile_workshop(settings, tmp_path, workshop):
    """The session above, written through the services (the screens are tested above):
    hostile group names, names, notes, themes, duplicates, votes and a next step."""
    settings.LABB_NOTES_PER_MINUTE = 100_000
    settings.EXPORT_ROOT = tmp_path / "exports"
    groups = list(workshop.groups.order_by("position"))
    for group, name in zip(groups, GROUP_NAMES, strict=True):
        group_rename(group=group, name=name)
    people = [
        participant_join(workshop=workshop, display_name=name, group=groups[i % 3])
        for i, name in enumerate(PEOPLE)
    ]
    columns = list(workshop.columns.all())
    for index, text in enumerate(t for t in hostile_strings() if "\x00" not in t):
        # (A phone's form refuses NUL with a 400; the rest goes in as a phone sends it.)
        person = people[index % len(people)]
        try:
            note_create(
                workshop=workshop,
                participant=person,
                group=person.group,
                column=columns[index % len(columns)],
                text=text,
                client_id=uuid.uuid4(),
            )
        except ValidationError:
            continue  # too long, or nothing left once NUL and spaces are gone
    phase_set(workshop=workshop, phase=Phase.CLUSTER)
    notes = list(workshop.notes.order_by("pk"))
    for index, name in enumerate(THEME_NAMES):
        theme_create(workshop=workshop, name=name, note_ids=[n.pk for n in notes[index::4]])
    loose = notes[3::4]
    note_merge_duplicate(note=loose[1], into=loose[0])
    phase_set(workshop=workshop, phase=Phase.VOTE)
    theme = workshop.themes.order_by("position").first()
    for index, person in enumerate(people):
        vote_cast(participant=person, theme_id=theme.pk)
        vote_cast(participant=person, note_id=loose[2 + index].pk)
    phase_set(workshop=workshop, phase=Phase.NEXT_STEPS)
    action_item_create(workshop=workshop, title=NEXT_STEP, theme_ids=[theme.pk])
    phase_set(workshop=workshop, phase=Phase.CLOSED)
    workshop.refresh_from_db()
    assert workshop.notes.count() > len(hostile_strings()) * 0.8
    return workshop


def _export(workshop, kind) -> bytes:
    data, _extension = exporting.render_bytes(Export.objects.create(kind=kind, workshop=workshop))
    return data


def _stored(workshop) -> dict[str, Counter]:
    """What the exports must hold: the texts as stored, one per shown note."""
    notes = workshop.notes.filter(status=Note.Status.VISIBLE)
    return {
        "notes": Counter(notes.values_list("text", flat=True)),
        "groups": Counter(notes.values_list("group__name", flat=True)),
        "themes": Counter(t for t in notes.values_list("theme__name", flat=True) if t),
    }


def _spreadsheet_columns(rows: list[list]) -> dict[str, Counter]:
    header, *body = rows
    index = {name: header.index(name) for name in ("Group", "Note", "Theme")}
    return {
        "notes": Counter(row[index["Note"]] for row in body),
        "groups": Counter(row[index["Group"]] for row in body),
        "themes": Counter(row[index["Theme"]] for row in body if row[index["Theme"]]),
    }


def _cells(stored: dict[str, Counter], cell=_as_cell) -> dict[str, Counter]:
    cells = {}
    for key, texts in stored.items():
        cells[key] = Counter()
        for text, count in texts.items():
            cells[key][cell(text)] += count
    return cells


@pytest.mark.django_db
def test_the_spreadsheets_hold_each_hostile_text_as_stored(closed_hostile_workshop):
    from openpyxl import load_workbook

    workshop = closed_hostile_workshop
    stored = _stored(workshop)
    assert any(t.startswith(FORMULA_STARTS) for t in stored["notes"])

    with zipfile.ZipFile(io.BytesIO(_export(workshop, Export.Kind.CSV))) as archive:
        files = {
            name: list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"), newline="")))
            for name in archive.namelist()
        }
    assert _spreadsheet_columns(files["notes.csv"]) == _cells(stored)
    # The themes and the next step, with their hostile names, as text.
    assert Counter(row[1] for row in files["themes.csv"][1:]) == Counter(
        _as_cell(name) for name in THEME_NAMES
    )
    assert [row[1] for row in files["next-steps.csv"][1:]] == [_as_cell(NEXT_STEP)]

    book = load_workbook(io.BytesIO(_export(workshop, Export.Kind.XLSX)))
    sheet = book.worksheets[0]
    rows = [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
    assert _spreadsheet_columns(rows) == _cells(stored, _as_xlsx_cell)
    # Every text cell is a string, never a formula.
    assert all(
        cell.data_type == "s"
        for row in sheet.iter_rows(min_row=2)
        for cell in row[:6]
        if cell.value
    )


@pytest.mark.django_db
def test_the_archive_file_holds_each_hostile_text_as_stored(closed_hostile_workshop):
    workshop = closed_hostile_workshop
    document = json.loads(_export(workshop, Export.Kind.ARCHIVE))
    (exported,) = document["workshops"]
    stored = _stored(workshop)
    assert Counter(n["text"] for n in exported["notes"]) == stored["notes"]
    assert [g["name"] for g in exported["groups"]] == GROUP_NAMES
    assert [t["name"] for t in exported["themes"]] == THEME_NAMES
    assert [s["title"] for s in exported["next_steps"]] == [NEXT_STEP]
    assert {p["display_name"] for p in exported["participants"]} == {p.strip() for p in PEOPLE}


def _font_characters() -> frozenset[str]:
    """The characters the report's font can draw; the report draws a box (□) for each
    cluster of the rest (emoji), which `_squash` leaves out on both sides."""
    from workshops.exports.fonts import covered_codepoints

    return frozenset(chr(c) for c in covered_codepoints()) - {"□"}


def _squash(text: str, drawable: frozenset[str] | None = None) -> str:
    """Text as a PDF reader gives it back, whatever the line breaks: no white space, no
    invisible format characters (joiners, direction marks), no combining marks, nothing the
    font cannot draw and no box drawn in its place."""
    return "".join(
        c
        for c in "".join(text.split())
        if unicodedata.category(c) not in ("Cf", "Mn", "Me", "Cc")
        and (drawable is None or c in drawable)
        and c != "□"
    )


@pytest.mark.django_db
def test_the_pdf_report_holds_each_hostile_text_as_stored(closed_hostile_workshop):
    from pypdf import PdfReader

    workshop = closed_hostile_workshop
    reader = PdfReader(io.BytesIO(_export(workshop, Export.Kind.PDF)))
    text = _squash("".join(page.extract_text() for page in reader.pages))
    drawable = _font_characters()

    def in_report(stored: str) -> bool:
        # Right-to-left scripts come back in the order they are read; Latin text forced
        # right to left by an override (U+202E … U+202C) comes back as it is shown, reversed.
        shown = re.sub("\u202e([^\u202c]*)", lambda m: m.group(1)[::-1], stored)
        return _squash(shown, drawable) in text

    stored = _stored(workshop)
    missing = [t for t in stored["notes"] if not in_report(t)]
    assert not missing, f"{len(missing)} notes not in the PDF's text, e.g. {missing[:5]}"
    # No glyph drawn is the font's .notdef (forbidden in PDF/A): every character maps back.
    assert "\x00" not in text
    assert sum("<" in t for t in stored["notes"]) > 100, "the notes' markup is there, as text"
    for name in [*GROUP_NAMES, *THEME_NAMES, NEXT_STEP]:
        assert in_report(name), name
