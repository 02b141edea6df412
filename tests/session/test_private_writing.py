"""Private writing: in Prepare and Write a phone shows only its own notes, and the board and
projector show how many notes there are, never what they say; from Reveal on the phase rules
decide which notes a screen shows (workshops/session.py).

Every note text is longer than 40 characters and ends in a marker that starts after the
40th character, so the short hidden labels of a note ("Edit: <first 40 characters>",
"Delete: <first 30>") can neither leak a marker nor pass a check that the full text is
shown. Markers are short, digit-broken words, so the board's soft hyphens (words of 10 or
more letters) cannot split them. Where a text must be absent, the raw marker is looked for;
where it must be shown, its escaped full form is (the texts hold & and ').
"""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils.html import escape

from tests.support.http import (
    SSEReader,
    csrf_token,
    join_over_http,
    post_note_over_http,
)
from tests.support.live import event_html
from tests.support.steps import add_note, join_as, post_note, set_phase
from workshops.live.audience import PHONE_SCREEN, Screen, reaches
from workshops.models import LiveEvent, Note, Workshop
from workshops.services.notes import note_set_status, note_update
from workshops.services.phases import workshop_set_accepting

Phase = Workshop.Phase
PRIVATE_PHASES = [Phase.PREPARE, Phase.WRITE]
PREFIX = "Bo's tanke & mer: vi borde ses oftare och prata öppet om allt. "
SOFT_HYPHEN = "\u00ad"


def text_with(marker: str) -> str:
    text = PREFIX + marker
    assert text.index(marker) > 40 and len(text) > 40
    return text


def seen(html: str) -> str:
    """The HTML as a reader sees it: soft hyphens do not hide a word."""
    return html.replace(SOFT_HYPHEN, "")


def assert_absent(html: str, *markers: str, where: str = "") -> None:
    page = seen(html)
    for marker in markers:
        assert marker not in page, f"{marker!r} leaked into {where}"


def assert_shown(html: str, *texts: str, where: str = "") -> None:
    page = seen(html)
    for text in texts:
        assert escape(text) != text  # the check below is of the escaped form
        assert escape(text) in page, f"{text!r} is not shown on {where}"


@pytest.fixture
def room(workshop):
    """Anna and Bo write in group 1, Cleo in group 2; each has a note in the first column."""
    groups = list(workshop.groups.order_by("position"))
    people = {}
    for name, group_index in [("Anna", 0), ("Bo", 0), ("Cleo", 1)]:
        client = Client()
        participant = join_as(client, workshop, group_index=group_index, name=name)
        people[name] = SimpleNamespace(client=client, participant=participant)
    column = workshop.columns.order_by("position").first()
    texts = {
        "anna": text_with("ZX1-anna-own"),
        "bo": text_with("ZX2-bo-first"),
        "bo_second": text_with("ZX3-bo-second"),
        "cleo": text_with("ZX4-cleo-own"),
    }
    notes = {
        "anna": add_note(workshop, people["Anna"].participant, texts["anna"], column),
        "bo": add_note(workshop, people["Bo"].participant, texts["bo"], column),
        "bo_second": add_note(
            workshop,
            people["Bo"].participant,
            texts["bo_second"],
            workshop.columns.order_by("position")[1],
        ),
        "cleo": add_note(workshop, people["Cleo"].participant, texts["cleo"], column),
    }
    return SimpleNamespace(
        workshop=workshop,
        groups=groups,
        column=column,
        anna=people["Anna"],
        bo=people["Bo"],
        cleo=people["Cleo"],
        texts=texts,
        notes=notes,
    )


def marker(text: str) -> str:
    return text.removeprefix(PREFIX)


def phone_responses(client: Client, workshop: Workshop, foreign_note: Note) -> list[tuple]:
    """Every page and fragment a phone can get, with `foreign_note` (someone else's) as the
    target where a request names a note: (label, status, html)."""
    pk = workshop.pk
    hx = {"HTTP_HX_REQUEST": "true"}
    fragment = {"HTTP_HX_REQUEST": "true"}
    requests = [
        ("page", lambda: client.get(f"/p/{pk}/")),
        ("stage fragment", lambda: client.get(f"/p/{pk}/?stage=1", **hx)),
        ("refused note, page", lambda: post_note(client, workshop, text="   ")),
        ("refused note, fragment", lambda: post_note(client, workshop, text="  ", **fragment)),
        (
            "vote",
            lambda: client.post(f"/p/{pk}/votes/", {"target": f"note:{foreign_note.pk}"}, **hx),
        ),
        ("choose group, refused", lambda: client.post(f"/p/{pk}/group/", {"group": "x"})),
        (
            "theme a note",
            lambda: client.post(f"/p/{pk}/notes/{foreign_note.pk}/theme/", {"theme": ""}, **hx),
        ),
        ("new theme", lambda: client.post(f"/p/{pk}/themes/", {"name": "Tema"}, **hx)),
        ("edit page", lambda: client.get(f"/p/{pk}/notes/{foreign_note.pk}/edit/")),
        (
            "edit",
            lambda: client.post(f"/p/{pk}/notes/{foreign_note.pk}/edit/", {"text": "Min nu"}),
        ),
        ("delete", lambda: client.post(f"/p/{pk}/notes/{foreign_note.pk}/delete/")),
    ]
    result = []
    for label, send in requests:
        response = send()
        result.append((label, response.status_code, response.content.decode()))
    return result


# Which status each phone request gets while writing (someone else's note: not found).
WRITING_STATUSES = {
    "page": 200,
    "stage fragment": 200,
    "refused note, page": 400,
    "refused note, fragment": 400,
    "vote": 403,
    "choose group, refused": 400,
    "theme a note": 403,
    "new theme": 403,
    "edit page": 404,
    "edit": 404,
    "delete": 404,
}


# --- 1. A phone while writing: its own notes, nobody else's, not even its group's -------------


@pytest.mark.parametrize("phase", PRIVATE_PHASES)
def test_a_phone_shows_its_own_notes_but_not_its_own_groups_while_writing(room, phase):
    workshop = set_phase(room.workshop, phase)
    others = [marker(room.texts[k]) for k in ("bo", "bo_second", "cleo")]
    responses = phone_responses(room.anna.client, workshop, room.notes["bo"])
    assert {label: status for label, status, _html in responses} == WRITING_STATUSES
    for label, _status, html in responses:
        assert_absent(html, *others, where=f"Anna's phone ({label})")
    page = {label: html for label, _status, html in responses}["page"]
    assert_shown(page, room.texts["anna"], where="Anna's phone")
    assert "Your group&#x27;s board" not in page
    # Bo's notes are untouched by Anna's attempts on them.
    room.notes["bo"].refresh_from_db()
    assert room.notes["bo"].text == room.texts["bo"]


@pytest.mark.parametrize("phase", PRIVATE_PHASES)
def test_a_phone_of_another_group_sees_neither_group_while_writing(room, phase):
    workshop = set_phase(room.workshop, phase)
    others = [marker(room.texts[k]) for k in ("anna", "bo", "bo_second")]
    responses = phone_responses(room.cleo.client, workshop, room.notes["anna"])
    assert {label: status for label, status, _html in responses} == WRITING_STATUSES
    for label, _status, html in responses:
        assert_absent(html, *others, where=f"Cleo's phone ({label})")
    assert_shown(responses[0][2], room.texts["cleo"], where="Cleo's phone")


def test_a_note_posted_from_a_phone_comes_back_alone(room):
    """The fragment a phone gets for its new note is that note, not the group's notes."""
    text = text_with("ZX5-anna-new")
    response = post_note(
        room.anna.client, room.workshop, text=text, column=room.column, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 201
    html = response.content.decode()
    assert_shown(html, text, where="the new note's fragment")
    assert_absent(html, *(marker(room.texts[k]) for k in room.texts), where="the fragment")
    assert html.count('class="own-note ') == 1


def test_a_phone_edits_its_own_note_on_a_page_with_only_that_note(room):
    response = room.anna.client.get(f"/p/{room.workshop.pk}/notes/{room.notes['anna'].pk}/edit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert_shown(html, room.texts["anna"], where="Anna's edit page")
    assert_absent(html, *(marker(room.texts[k]) for k in ("bo", "bo_second", "cleo")))


def _delivered_to(events: list, participant) -> list:
    """The captured events a phone's stream passes on: the hub's rule (`audience.reaches`)."""
    screen = Screen(kind=PHONE_SCREEN, language="en", group_id=participant.group_id)
    return [e for e in events if reaches(screen, e.audience, e.group_id)]


def _write_phase_changes(room, facilitator_client) -> dict[str, str]:
    """Everything that happens to notes while writing, through the views: Bo posts, edits
    and deletes; the facilitator edits, screens, approves, hides, shows and deletes. Returns
    the texts (markers) that were involved."""
    pk = room.workshop.pk
    bo = room.bo.client
    texts = {
        "posted": text_with("ZX6-bo-posted"),
        "edited": text_with("ZX7-bo-edited"),
        "by_facilitator": text_with("ZX8-fac-edited"),
        "screened": text_with("ZX9-bo-screened"),
        "screened_edit": text_with("ZX10-fac-screened"),
    }
    assert post_note(bo, room.workshop, text=texts["posted"]).status_code == 302
    posted = Note.objects.get(text=texts["posted"])
    response = bo.post(f"/p/{pk}/notes/{posted.pk}/edit/", {"text": texts["edited"]})
    assert response.status_code == 302
    response = facilitator_client.post(
        f"/workshops/{pk}/notes/{room.notes['bo'].pk}/edit/", {"text": texts["by_facilitator"]}
    )
    assert response.status_code == 302
    for action in ("hide", "show"):
        response = facilitator_client.post(
            f"/workshops/{pk}/notes/{room.notes['bo_second'].pk}/moderate/", {"action": action}
        )
        assert response.status_code == 302
    room.workshop.screening = True
    room.workshop.save(update_fields=["screening"])
    assert post_note(bo, room.workshop, text=texts["screened"]).status_code == 302
    screened = Note.objects.get(text=texts["screened"])
    assert screened.status == Note.Status.PENDING
    response = facilitator_client.post(
        f"/workshops/{pk}/notes/{screened.pk}/edit/", {"text": texts["screened_edit"]}
    )
    assert response.status_code == 302
    response = facilitator_client.post(
        f"/workshops/{pk}/screening/", {"action": "approve", "note": [screened.pk]}
    )
    assert response.status_code == 302
    assert post_note(bo, room.workshop, text=text_with("ZX11-bo-approved")).status_code == 302
    approved = Note.objects.get(text=text_with("ZX11-bo-approved"))
    response = facilitator_client.post(
        f"/workshops/{pk}/notes/{approved.pk}/moderate/", {"action": "approve"}
    )
    assert response.status_code == 302
    assert bo.post(f"/p/{pk}/notes/{posted.pk}/delete/").status_code == 302
    response = facilitator_client.post(
        f"/workshops/{pk}/notes/{approved.pk}/moderate/", {"action": "delete"}
    )
    assert response.status_code == 302
    # And something every screen is told, so the phones' share is not empty.
    workshop_set_accepting(workshop=room.workshop, accepting=False)
    return texts | {"approved": text_with("ZX11-bo-approved")}


def test_no_live_event_a_phone_gets_while_writing_holds_a_text(
    room, facilitator_client, captured_events, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        texts = _write_phase_changes(room, facilitator_client)
    markers = [marker(t) for t in [*texts.values(), *room.texts.values()]]
    for person in (room.anna, room.bo, room.cleo):
        delivered = _delivered_to(captured_events, person.participant)
        assert [e.name for e in delivered] == ["status"]
        for event in delivered:
            html = event_html(event, screen="phone")
            assert_absent(html, *markers, where=f"a {event.name} event")
    # Not one event for phones at all, group-limited or not, while writing.
    assert [e for e in captured_events if e.audience == LiveEvent.Audience.PHONES] == []
    assert (
        LiveEvent.objects.filter(workshop=room.workshop, audience=LiveEvent.Audience.PHONES).count()
        == 0
    )


# --- After the reveal: the phase rules, and the checks above are not vacuous ----------------


def test_after_the_reveal_a_phone_shows_its_groups_visible_notes_only(room):
    room.workshop.screening = True
    room.workshop.save(update_fields=["screening"])
    pending_text = text_with("ZX12-bo-pending")
    pending = add_note(room.workshop, room.bo.participant, pending_text, room.column)
    assert pending.status == Note.Status.PENDING
    note_set_status(note=room.notes["bo_second"], status=Note.Status.HIDDEN)
    for phase in (Phase.REVEAL, Phase.CLUSTER):
        workshop = set_phase(room.workshop, phase)
        for label, response in [
            ("page", room.anna.client.get(f"/p/{workshop.pk}/")),
            (
                "stage",
                room.anna.client.get(f"/p/{workshop.pk}/?stage=1", HTTP_HX_REQUEST="true"),
            ),
        ]:
            html = response.content.decode()
            where = f"Anna's phone in {phase} ({label})"
            assert_shown(html, room.texts["anna"], room.texts["bo"], where=where)
            assert_absent(
                html,
                marker(room.texts["cleo"]),
                marker(room.texts["bo_second"]),  # hidden by the facilitator
                marker(pending_text),  # waits for approval
                where=where,
            )
        cleo = room.cleo.client.get(f"/p/{workshop.pk}/").content.decode()
        assert_shown(cleo, room.texts["cleo"], where=f"Cleo's phone in {phase}")
        assert_absent(cleo, marker(room.texts["anna"]), marker(room.texts["bo"]))
    # Voting: every visible note of the room is on the phone's ballot, still not the
    # hidden or pending ones.
    workshop = set_phase(room.workshop, Phase.VOTE)
    ballot = room.anna.client.get(f"/p/{workshop.pk}/").content.decode()
    assert_shown(ballot, room.texts["bo"], room.texts["cleo"], where="the ballot")
    assert_absent(ballot, marker(room.texts["bo_second"]), marker(pending_text))
    # Back to writing: private again.
    workshop = set_phase(room.workshop, Phase.WRITE)
    html = room.anna.client.get(f"/p/{workshop.pk}/").content.decode()
    assert_shown(html, room.texts["anna"], where="Anna's phone back in Write")
    assert_absent(html, marker(room.texts["bo"]), marker(room.texts["cleo"]))


def test_after_the_reveal_an_edit_reaches_its_groups_phones_and_the_board(
    room, captured_events, django_capture_on_commit_callbacks
):
    workshop = set_phase(room.workshop, Phase.REVEAL)
    new_text = text_with("ZX13-bo-revealed-edit")
    note = room.notes["bo"]
    note.workshop = workshop
    with django_capture_on_commit_callbacks(execute=True):
        note_update(note=note, text=new_text)
    anna = _delivered_to(captured_events, room.anna.participant)
    assert [(e.name, e.audience) for e in anna] == [("note-changed", "phones")]
    assert_shown(event_html(anna[0], screen="phone"), new_text, where="Anna's phone event")
    assert _delivered_to(captured_events, room.cleo.participant) == []
    board = [e for e in captured_events if e.audience == LiveEvent.Audience.BOARD]
    assert [e.name for e in board] == ["note-changed"]
    assert_shown(event_html(board[0]), new_text, where="the board event")
    assert_absent(event_html(board[0]), marker(room.texts["bo"]))


# --- 2. Board and projector while writing: counts, never texts -----------------------------


def board_screens(facilitator_client, workshop: Workshop) -> list[tuple[str, str]]:
    """Every page and fragment the board screens show or fetch: (label, html)."""
    pk = workshop.pk
    group = workshop.groups.order_by("position").first()
    result = []
    for label, url in [
        ("board", f"/workshops/{pk}/board/"),
        ("projector", f"/workshops/{pk}/projector/"),
        ("group view", f"/workshops/{pk}/groups/{group.pk}/"),
    ]:
        for suffix, extra in [("", {}), (" stage", {"HTTP_HX_REQUEST": "true"})]:
            response = facilitator_client.get(url + ("?stage=1" if suffix else ""), **extra)
            assert response.status_code == 200, url
            html = response.content.decode()
            if suffix:
                assert html.lstrip().startswith('<div id="stage"'), url
            result.append((label + suffix, html))
    return result


def _count_cell(group_id: int, column_id: int, count: int) -> str:
    return f'<span id="count-g{group_id}-c{column_id}">{count}</span>'


def _edit_by_participant(room, client, text):
    pk, note = room.workshop.pk, room.notes["bo"]
    response = room.bo.client.post(f"/p/{pk}/notes/{note.pk}/edit/", {"text": text})
    assert response.status_code == 302
    return 1


def _edit_by_facilitator(room, client, text):
    pk, note = room.workshop.pk, room.notes["bo"]
    response = client.post(f"/workshops/{pk}/notes/{note.pk}/edit/", {"text": text})
    assert response.status_code == 302
    return 1


def _edit_pending_then_approve(room, client, text):
    """Screening on: the note waits; the facilitator corrects it and approves it."""
    pk, note = room.workshop.pk, room.notes["bo"]
    note_set_status(note=note, status=Note.Status.PENDING)
    response = client.post(f"/workshops/{pk}/notes/{note.pk}/edit/", {"text": text})
    assert response.status_code == 302
    response = client.post(f"/workshops/{pk}/notes/{note.pk}/moderate/", {"action": "approve"})
    assert response.status_code == 302
    return 1


def _edit_pending_then_approve_on_screening_page(room, client, text):
    pk, note = room.workshop.pk, room.notes["bo"]
    note_set_status(note=note, status=Note.Status.PENDING)
    response = room.bo.client.post(f"/p/{pk}/notes/{note.pk}/edit/", {"text": text})
    assert response.status_code == 302
    response = client.post(f"/workshops/{pk}/screening/", {"action": "approve", "note": [note.pk]})
    assert response.status_code == 302
    return 1


def _edit_then_hide_and_show(room, client, text):
    pk, note = room.workshop.pk, room.notes["bo"]
    _edit_by_facilitator(room, client, text)
    for action in ("hide", "show"):
        response = client.post(f"/workshops/{pk}/notes/{note.pk}/moderate/", {"action": action})
        assert response.status_code == 302
    return 1


def _edit_then_delete_by_participant(room, client, text):
    pk, note = room.workshop.pk, room.notes["bo"]
    _edit_by_participant(room, client, text)
    assert room.bo.client.post(f"/p/{pk}/notes/{note.pk}/delete/").status_code == 302
    return 0


def _edit_then_delete_by_facilitator(room, client, text):
    pk, note = room.workshop.pk, room.notes["bo"]
    _edit_by_facilitator(room, client, text)
    response = client.post(f"/workshops/{pk}/notes/{note.pk}/moderate/", {"action": "delete"})
    assert response.status_code == 302
    return 0


CHANGES = {
    "participant edits": _edit_by_participant,
    "facilitator edits": _edit_by_facilitator,
    "facilitator edits a waiting note and approves it": _edit_pending_then_approve,
    "participant edits a waiting note, approved on screening": (
        _edit_pending_then_approve_on_screening_page
    ),
    "facilitator edits, hides and shows": _edit_then_hide_and_show,
    "participant edits and deletes": _edit_then_delete_by_participant,
    "facilitator edits and deletes": _edit_then_delete_by_facilitator,
}


@pytest.mark.parametrize("phase", PRIVATE_PHASES)
@pytest.mark.parametrize("change", list(CHANGES))
def test_changing_a_note_while_writing_tells_the_boards_counts_only(
    room, facilitator_client, captured_events, django_capture_on_commit_callbacks, change, phase
):
    workshop = set_phase(room.workshop, phase)
    workshop.screening = True  # (only waiting notes' approval depends on it)
    workshop.save(update_fields=["screening"])
    captured_events.clear()
    note = room.notes["bo"]
    old, new = room.texts["bo"], text_with("ZX14-bo-changed")
    with django_capture_on_commit_callbacks(execute=True):
        count = CHANGES[change](room, facilitator_client, new)
    markers = [marker(old), marker(new)]
    boards = [
        e
        for e in captured_events
        if e.audience in (LiveEvent.Audience.BOARD, LiveEvent.Audience.ALL)
    ]
    # Numbers only: counts per cell, and how many notes wait for approval (screening).
    assert {e.name for e in boards} <= {"counts", "pending"}, change
    for event in boards:
        assert_absent(event_html(event), *markers, where=f"a board {event.name} event")
    # Anna and Bo have one note each in the first column; Bo's second is elsewhere.
    if change.endswith("deletes"):
        # The board learns that the note is gone: its group's count drops to Anna's one.
        cell = f'id="count-g{note.group_id}-c{note.column_id}" hx-swap-oob="innerHTML">1<'
        assert cell in event_html([e for e in boards if e.name == "counts"][-1])
    cell = _count_cell(note.group_id, note.column_id, 1 + count)
    for label, html in board_screens(facilitator_client, workshop):
        assert_absent(html, *markers, where=label)
        assert cell in html, (label, cell)
    if count:
        assert Note.objects.get(pk=note.pk).text == new  # the change did happen


def test_after_the_reveal_the_same_edit_shows_on_board_and_projector(
    room, facilitator_client, captured_events, django_capture_on_commit_callbacks
):
    """The control for the test above: the same change, revealed, does carry the text."""
    workshop = set_phase(room.workshop, Phase.REVEAL)
    captured_events.clear()
    new = text_with("ZX15-bo-shown")
    with django_capture_on_commit_callbacks(execute=True):
        _edit_by_facilitator(room, facilitator_client, new)
    boards = [e for e in captured_events if e.audience == LiveEvent.Audience.BOARD]
    assert [e.name for e in boards] == ["note-changed"]
    assert_shown(event_html(boards[0]), new, where="the board event")
    for label, html in board_screens(facilitator_client, workshop):
        assert_shown(html, new, room.texts["anna"], where=label)
        assert_absent(html, marker(room.texts["bo"]), where=label)


# --- What a real phone stream carries while writing ----------------------------------------


def _collect_until(reader, last_name: str) -> list:
    frames = []
    while not frames or frames[-1].event != last_name:
        frames.append(reader.next_event())
    return frames + reader.events_within(0.3)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_phones_stream_carries_no_text_of_its_group_while_writing(module_server, workshop):
    """Through uvicorn and Redis: Anna's phone stream, live and replayed, while Bo (same
    group) posts, edits and deletes and the facilitator edits and approves; after the
    reveal, the same stream does carry Bo's edit (so the stream is listened to)."""
    pk = workshop.pk
    group = workshop.groups.order_by("position").first()
    column = workshop.columns.order_by("position").first()
    anna, _pk = join_over_http(module_server, workshop, name="Anna", group=group)
    bo, _pk = join_over_http(module_server, workshop, name="Bo", group=group)
    texts = [text_with(f"ZX2{n}-bo-stream") for n in range(5)]
    start = LiveEvent.objects.filter(workshop=workshop).order_by("-pk").first()
    start = start.pk if start else 0

    def bo_posts(text: str) -> Note:
        response = post_note_over_http(
            bo, pk, column_pk=column.pk, text=text, client_id=str(uuid.uuid4())
        )
        assert response.status_code == 201, response.text
        return Note.objects.get(workshop=workshop, text=text)

    with SSEReader(anna, f"/p/{pk}/stream/") as reader:
        assert reader.status == 200
        assert reader.next_event().event == "hello"
        kept = bo_posts(texts[0])
        gone = bo_posts(texts[1])
        token = csrf_token(bo, f"/p/{pk}/")
        headers = {"X-CSRFToken": token}
        response = bo.post(
            f"/p/{pk}/notes/{kept.pk}/edit/", data={"text": texts[2]}, headers=headers
        )
        assert response.status_code == 302
        assert bo.post(f"/p/{pk}/notes/{gone.pk}/delete/", headers=headers).status_code == 302
        workshop.screening = True
        workshop.save(update_fields=["screening"])
        waiting = bo_posts(texts[3])
        assert waiting.status == Note.Status.PENDING
        note_update(note=waiting, text=texts[4])
        note_set_status(note=waiting, status=Note.Status.VISIBLE)
        workshop_set_accepting(workshop=workshop, accepting=False)
        live = _collect_until(reader, "status")
    with SSEReader(anna, f"/p/{pk}/stream/?last={start}") as reader:
        replayed = reader.events_within(1.0)
    markers = [marker(t) for t in texts]
    for label, frames in [("live", live), ("replayed", replayed)]:
        assert [f.event for f in frames] == ["status"], label
        for frame in frames:
            assert_absent(frame.data, *markers, where=f"Anna's {label} stream")

    # The control: revealed, Bo's next edit reaches Anna's phone with its text.
    workshop_set_accepting(workshop=workshop, accepting=True)
    revealed = text_with("ZX29-bo-stream-shown")
    with SSEReader(anna, f"/p/{pk}/stream/") as reader:
        assert reader.next_event().event == "hello"
        workshop = set_phase(workshop, Phase.REVEAL)
        kept.refresh_from_db()
        note_update(note=kept, text=revealed)
        frames = _collect_until(reader, "note-changed")
    assert [f.event for f in frames] == ["phase", "note-changed"]
    assert_shown(frames[-1].data, revealed, where="Anna's stream after the reveal")
    assert_absent(frames[-1].data, marker(texts[2]))
