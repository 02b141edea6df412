"""The SSE streams: board_stream (facilitator and projector) and phone_stream.

Read through a real uvicorn process with httpx streaming: an ASGI test transport buffers
the response, and the stream view's "give the connection back before streaming" only means
something with a real server and a real connection pool.
"""

from __future__ import annotations

import contextlib
import queue
import time
import uuid

import httpx
import pytest
from django.conf import settings

from tests.support.http import (
    SSEReader,
    csrf_token,
    http_client,
    join_over_http,
    post_note_over_http,
    session_cookies_for,
)
from workshops.models import LiveEvent, Note, Workshop
from workshops.services.groups import participant_move
from workshops.services.joins import participant_join
from workshops.services.notes import note_create
from workshops.services.phases import workshop_set_accepting
from workshops.services.workshops import workshop_create

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shown(workshop) -> Workshop:
    """Notes land on the board as they are posted in the Reveal phase."""
    workshop.phase = Workshop.Phase.REVEAL
    workshop.save(update_fields=["phase"])
    return workshop


@pytest.fixture
def board(module_server, facilitator) -> httpx.Client:
    with http_client(module_server, session_cookies_for(facilitator)) as client:
        yield client


@pytest.fixture
def phone(module_server, shown) -> httpx.Client:
    client, _pk = join_over_http(module_server, shown, name="Kim")
    yield client
    client.close()


def _post(phone: httpx.Client, workshop: Workshop, text: str) -> Note:
    response = post_note_over_http(
        phone,
        workshop.pk,
        column_pk=workshop.columns.first().pk,
        text=text,
        client_id=str(uuid.uuid4()),
    )
    assert response.status_code == 201, response.text
    return Note.objects.get(workshop=workshop, text=text)


def _note_event_id(note: Note) -> str:
    return str(
        LiveEvent.objects.get(
            workshop_id=note.workshop_id,
            audience=LiveEvent.Audience.BOARD,
            kind="NoteAdded",
            payload__note_id=note.pk,
        ).pk
    )


def _board_path(workshop: Workshop) -> str:
    return f"/workshops/{workshop.pk}/stream/"


def test_a_new_stream_says_hello_with_the_newest_event_id(board, shown, phone):
    before = _post(phone, shown, "Före anslutningen")
    with SSEReader(board, _board_path(shown)) as reader:
        assert reader.status == 200
        assert reader.content_type.startswith("text/event-stream")
        hello = reader.next_event()
        headers = reader.response_headers
    assert headers["cache-control"] == "no-cache, no-store"
    assert headers["x-accel-buffering"] == "no"
    assert hello.event == "hello"
    assert int(hello.id) >= int(_note_event_id(before))
    assert hello.id == str(LiveEvent.objects.filter(workshop=shown).latest("pk").pk)


def test_a_note_posted_after_connecting_arrives_as_a_frame_with_its_event_id(board, shown, phone):
    with SSEReader(board, _board_path(shown)) as reader:
        assert reader.next_event().event == "hello"
        note = _post(phone, shown, "Gemensam målbild för <regionen>")
        frame = reader.next_event()
        assert reader.events_within(0.3) == []
    assert frame.event == "note"
    assert frame.id == _note_event_id(note)
    assert f'id="note-{note.pk}"' in frame.data
    assert f'hx-swap-oob="beforeend:#notes-g{note.group_id}-c{note.column_id}"' in frame.data
    assert "Gemensam målbild för &lt;regionen&gt;" in frame.data


@pytest.mark.parametrize(
    ("phone_language", "board_language", "shown_words", "absent_words"),
    [
        ("sv", "en", ["Anonymous<", ">Edit<"], ["Anonym<", "Redigera"]),
        ("en", "sv", ["Anonym<", ">Redigera<"], ["Anonymous", ">Edit<"]),
    ],
)
def test_a_board_gets_a_note_in_its_own_language_not_the_posting_phones(
    module_server,  # noqa: F811
    shown,
    facilitator,
    phone_language,
    board_language,
    shown_words,
    absent_words,
):
    """The projector speaks the room's language whatever the language of the phone that
    posted: the fragment is rendered for the screen, in the language of its stream."""
    cookies = {**session_cookies_for(facilitator), settings.LANGUAGE_COOKIE_NAME: board_language}
    anonymous_phone, _pk = join_over_http(module_server, shown, name="")
    anonymous_phone.cookies.set(settings.LANGUAGE_COOKIE_NAME, phone_language)
    board_client = http_client(module_server, cookies)
    with board_client, SSEReader(board_client, _board_path(shown)) as reader:
        assert reader.next_event().event == "hello"
        note = _post(anonymous_phone, shown, "Språket följer skärmen")
        frame = reader.next_event()
    anonymous_phone.close()
    assert frame.event == "note"
    assert f'id="note-{note.pk}"' in frame.data
    for word in shown_words:
        assert word in frame.data, (word, frame.data)
    for word in absent_words:
        assert word not in frame.data, (word, frame.data)


@pytest.mark.parametrize("resume_with", ["header", "query"])
def test_a_reconnecting_stream_gets_exactly_the_events_it_missed(board, shown, phone, resume_with):
    with SSEReader(board, _board_path(shown)) as reader:
        assert reader.next_event().event == "hello"
        seen = _post(phone, shown, "Sedd")
        assert reader.next_event().id == _note_event_id(seen)

    missed = [_post(phone, shown, f"Missad {n}") for n in range(3)]
    last_seen = _note_event_id(seen)
    if resume_with == "header":
        reader = SSEReader(board, _board_path(shown), headers={"Last-Event-ID": last_seen})
    else:
        reader = SSEReader(board, f"{_board_path(shown)}?last={last_seen}")
    with reader:
        replayed = [reader.next_event() for _note in missed]
        after = _post(phone, shown, "Efter återanslutningen")
        live_frame = reader.next_event()
        assert reader.events_within(0.5) == []

    assert [f.event for f in replayed] == ["note", "note", "note"]
    assert [f.id for f in replayed] == [_note_event_id(n) for n in missed]
    for frame, note in zip(replayed, missed, strict=True):
        assert f"Missad {missed.index(note)}<" in frame.data
    assert "Sedd<" not in "".join(f.data for f in replayed)
    assert live_frame.id == _note_event_id(after)


def test_a_stream_that_missed_too_much_is_told_to_reload(board, shown, phone, monkeypatch):
    from workshops.views import stream

    # The server's limit is 500 events; a stream that far behind reloads the page instead.
    first = LiveEvent.objects.filter(workshop=shown).order_by("pk").last()
    rows = [
        LiveEvent(
            workshop=shown,
            audience=LiveEvent.Audience.BOARD,
            name="theme",
            kind="ThemeChanged",
            payload={},
        )
        for _n in range(stream.REPLAY_LIMIT + 1)
    ]
    LiveEvent.objects.bulk_create(rows)
    newest = LiveEvent.objects.filter(workshop=shown).order_by("-pk").first()
    with SSEReader(
        board, _board_path(shown), headers={"Last-Event-ID": str(first.pk if first else 0)}
    ) as reader:
        frame = reader.next_event()
        assert reader.events_within(0.3) == []
    assert frame.event == "reload"
    assert frame.id == str(newest.pk)


@pytest.mark.parametrize("phase", [Workshop.Phase.WRITE, Workshop.Phase.REVEAL])
def test_the_phone_stream_does_not_get_board_only_events(module_server, shown, phone, board, phase):
    """While writing, only boards hear of a new note (as counts); after the reveal only the
    phones of the note's own group do. A phone of another group hears neither."""
    shown.phase = phase
    shown.save(update_fields=["phase"])
    other_group = shown.groups.order_by("position")[1]
    listener = (
        phone
        if phase == Workshop.Phase.WRITE
        else join_over_http(module_server, shown, group=other_group)[0]
    )
    with SSEReader(listener, f"/p/{shown.pk}/stream/") as phone_reader:
        assert phone_reader.status == 200
        assert phone_reader.next_event().event == "hello"
        with SSEReader(board, _board_path(shown)) as board_reader:
            assert board_reader.next_event().event == "hello"
            _post(phone, shown, "Bara för tavlan")
            board_frame = board_reader.next_event()
            assert board_frame.event == ("counts" if phase == Workshop.Phase.WRITE else "note")
            # An event for every screen comes through on the phone; the note before it not.
            token = csrf_token(board, f"/workshops/{shown.pk}/")
            response = board.post(
                f"/workshops/{shown.pk}/accepting/",
                data={"accepting": "0"},
                headers={"X-CSRFToken": token},
            )
            assert response.status_code == 302
            assert board_reader.next_event().event == "status"
        phone_frames = phone_reader.events_within(1.0)
    assert [f.event for f in phone_frames] == ["status"]
    assert "Bara för tavlan" not in phone_frames[0].data


def test_after_the_reveal_a_note_reaches_the_phones_of_its_own_group(module_server, shown, phone):
    with SSEReader(phone, f"/p/{shown.pk}/stream/") as reader:
        assert reader.next_event().event == "hello"
        note = _post(phone, shown, "Till min grupp")
        frame = reader.next_event()
        assert reader.events_within(0.5) == []
    phone_event = LiveEvent.objects.get(
        workshop=shown, audience=LiveEvent.Audience.PHONES, name="note"
    )
    assert (frame.event, frame.id) == ("note", str(phone_event.pk))
    assert phone_event.group_id == note.group_id
    assert "Till min grupp" in frame.data


def test_a_phone_stream_replays_only_events_for_phones_and_its_own_group(
    module_server,
    shown,
):
    groups = list(shown.groups.order_by("position"))
    phone_1, _pk = join_over_http(module_server, shown, group=groups[0])
    phone_2, _pk = join_over_http(module_server, shown, group=groups[1])
    mover = participant_join(workshop=shown, group=groups[0])
    start = (
        LiveEvent.objects.filter(workshop=shown)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
        or 0
    )

    workshop_set_accepting(workshop=shown, accepting=False)  # all screens
    participant_move(participant=mover, group=groups[1])  # phones of group 1 only
    note_create(
        workshop=shown,
        column=shown.columns.first(),
        group=groups[0],
        text="Skriven av samtalsledaren",
        client_id=uuid.uuid4(),
    )

    with SSEReader(phone_1, f"/p/{shown.pk}/stream/?last={start}") as reader:
        frames_1 = reader.events_within(1.0)
    with SSEReader(phone_2, f"/p/{shown.pk}/stream/?last={start}") as reader:
        frames_2 = reader.events_within(1.0)
    # Group 1's phones also get the revealed note of their group; group 2's get neither.
    assert [f.event for f in frames_1] == ["status", "phase", "note"]
    assert [f.event for f in frames_2] == ["status"]


def test_a_phone_without_a_group_does_not_get_events_for_one_group(module_server, shown):
    shown.group_assignment = Workshop.GroupAssignment.CHOOSE
    shown.save(update_fields=["group_assignment"])
    client = http_client(module_server)
    token = client.get(f"/j/{shown.join_code}/").cookies["csrftoken"]
    response = client.post(
        f"/j/{shown.join_code}/", data={"csrfmiddlewaretoken": token, "display_name": ""}
    )
    assert response.status_code == 302
    groups = list(shown.groups.order_by("position"))
    mover = participant_join(workshop=shown, group=groups[0])

    with SSEReader(client, f"/p/{shown.pk}/stream/") as reader:
        assert reader.next_event().event == "hello"
        participant_move(participant=mover, group=groups[1])  # phones of group 1
        workshop_set_accepting(workshop=shown, accepting=False)  # everyone
        frames = reader.events_within(1.5)
    assert [f.event for f in frames] == ["status"]


def test_a_participant_cannot_open_another_workshops_stream(shown, challenge, facilitator, phone):
    other = workshop_create(
        challenge=challenge,
        user=facilitator,
        title="Annan",
        template_key="brainstorm",
        group_count=1,
    )
    response = phone.get(f"/p/{other.pk}/stream/")
    assert response.status_code == 404
    # Nor the board stream of its own workshop.
    assert phone.get(_board_path(shown)).status_code == 404


@pytest.mark.parametrize("who", ["anonymous", "other_facilitator", "staff", "outsider"])
def test_only_the_workshops_facilitators_can_open_the_board_stream(
    module_server,
    shown,
    request,
    who,
):
    cookies = {} if who == "anonymous" else session_cookies_for(request.getfixturevalue(who))
    with http_client(module_server, cookies) as client:
        response = client.get(_board_path(shown))
    assert response.status_code == 404
    assert "text/event-stream" not in response.headers.get("content-type", "")


def test_an_anonymous_browser_cannot_open_a_phone_stream(module_server, shown):
    with http_client(module_server) as client:
        assert client.get(f"/p/{shown.pk}/stream/").status_code == 404


def test_streams_refuse_other_methods(board, phone, shown):
    token = csrf_token(board, f"/workshops/{shown.pk}/")
    assert board.post(_board_path(shown), headers={"X-CSRFToken": token}).status_code == 405
    token = phone.cookies["csrftoken"]
    assert phone.post(f"/p/{shown.pk}/stream/", headers={"X-CSRFToken": token}).status_code == 405


def test_open_streams_do_not_hold_database_connections(module_server, shown, facilitator):
    """Twice as many open streams as the server's pool has connections (6), and ordinary
    requests are still answered at once: a stream gives its connection back before it
    starts streaming and does not query while it waits."""
    cookies = session_cookies_for(facilitator)
    phones = [join_over_http(module_server, shown)[0] for _n in range(6)]
    with contextlib.ExitStack() as stack:
        readers = [
            stack.enter_context(SSEReader(http_client(module_server, cookies), _board_path(shown)))
            for _n in range(6)
        ] + [stack.enter_context(SSEReader(phone, f"/p/{shown.pk}/stream/")) for phone in phones]
        for reader in readers:
            assert reader.status == 200
            assert reader.next_event().event == "hello"
        with http_client(module_server, cookies) as client:
            started = time.monotonic()
            assert client.get(f"/workshops/{shown.pk}/").status_code == 200
            assert client.get("/healthz").status_code == 200
            elapsed = time.monotonic() - started
        note = _post(phones[0], shown, "Fortfarande snabb")
        for reader in readers[:6]:
            assert reader.next_event().id == _note_event_id(note)
    assert elapsed < 3.0  # the pool's timeout is 10 s; a starved pool would wait for it


def test_a_stream_resuming_while_an_earlier_event_still_commits_gets_it(board, shown):
    """Live events commit in id order per workshop, so resuming "after the newest id" never
    skips one.

    Note A gets its event id first and its transaction stays open (a slow request); note B
    is posted meanwhile. Without the ordering lock B's event (the bigger id) commits first,
    a page rendered at that moment shows B and resumes after B's event, and A's event is
    never delivered: the replay asks for bigger ids, and A's live message is below the
    stream's floor. With the lock B waits for A, so the page resumes below both events and
    the stream delivers both.
    """
    import threading

    from django.db import connection, transaction

    from tests.concurrency import LockWatch, backend_pid, wait_until
    from tests.support.database import release_pool
    from workshops.boards import last_event_id

    group, column = shown.groups.first(), shown.columns.first()
    watch = LockWatch()
    a_has_its_id, release_a = threading.Event(), threading.Event()
    b_pid: list[int] = []
    b_done = threading.Event()
    notes: dict[str, Note] = {}
    errors: list[BaseException] = []

    def post(name: str) -> None:
        notes[name], _created = note_create(
            workshop=shown, group=group, column=column, text=name, client_id=uuid.uuid4()
        )

    def slow_a() -> None:
        try:
            with transaction.atomic():
                post("Anteckning A")
                a_has_its_id.set()
                assert release_a.wait(30)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            a_has_its_id.set()
            connection.close()

    def quick_b() -> None:
        try:
            b_pid.append(backend_pid())
            post("Anteckning B")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            b_done.set()
            connection.close()

    thread_a, thread_b = threading.Thread(target=slow_a), threading.Thread(target=quick_b)
    try:
        thread_a.start()
        assert a_has_its_id.wait(30)
        thread_b.start()
        # B has either committed or is queued behind A in PostgreSQL: no sleeping.
        wait_until(
            lambda: b_done.is_set() or (b_pid and watch.blocked(b_pid[0])),
            timeout=30,
            what="note B to commit or to wait for a lock",
        )
        # A board page rendered now: it shows the notes committed so far and its stream
        # resumes after the newest event.
        on_page = {
            f'id="note-{pk}"'
            for pk in Note.objects.filter(workshop=shown).values_list("pk", flat=True)
        }
        resume_after = last_event_id(shown)
        headers = {"Last-Event-ID": str(resume_after)}
        with SSEReader(board, _board_path(shown), headers=headers) as reader:
            assert reader.status == 200
            release_a.set()
            thread_a.join(30)
            thread_b.join(30)
            assert not errors, errors
            wanted = {f'id="note-{note.pk}"' for note in notes.values()}
            seen = set(on_page)
            deadline = time.monotonic() + 15
            while wanted - seen and time.monotonic() < deadline:
                with contextlib.suppress(queue.Empty):
                    frame = reader.next_event(timeout=max(0.1, deadline - time.monotonic()))
                    seen |= {marker for marker in wanted if marker in frame.data}
    finally:
        release_a.set()
        for thread in (thread_a, thread_b):
            if thread.ident is not None:  # started
                thread.join(30)
        watch.close()
        release_pool()
    missing = sorted(name for name, note in notes.items() if f'id="note-{note.pk}"' not in seen)
    assert missing == [], f"resumed after event {resume_after}, never showed {missing}"
