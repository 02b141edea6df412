"""Hostile text posted everywhere text goes in: notes, names, challenge questions, workshop
titles and search. Nothing may come back as markup, nothing may answer 500."""

from __future__ import annotations

import csv
import io
import json
import uuid

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from challenges.models import Challenge
from labb.live import encode_frame
from tests.conftest import join_as
from tests.security.hostile import hostile_strings, unsafe_markup
from workshops import exporting
from workshops.models import Export, LiveEvent, Note, Participant, Workshop

ACCEPTED = {200, 201, 302}
REFUSED = {400}


def test_the_corpus_is_large_and_varied():
    corpus = hostile_strings()
    assert len(corpus) >= 200
    assert any("<script" in s.lower() for s in corpus)
    assert any("onerror" in s for s in corpus)
    assert any(s.lower().startswith("javascript:") for s in corpus)
    assert any("<svg" in s for s in corpus)
    assert any("\u202e" in s for s in corpus)
    assert any("\x00" in s for s in corpus)
    assert any("<style" in s for s in corpus)
    assert max(len(s) for s in corpus) >= 100_000


def _post_all_notes(client: Client, workshop: Workshop) -> dict[str, int]:
    statuses = {}
    columns = list(workshop.columns.all())
    for index, text in enumerate(hostile_strings()):
        extra = {"HTTP_X_LABB_FRAGMENT": "1"} if index % 2 else {}
        response = client.post(
            reverse("phone_note_create", args=[workshop.pk]),
            {"column": columns[index % len(columns)].pk, "text": text, "client_id": uuid.uuid4()},
            **extra,
        )
        assert response.status_code in ACCEPTED | REFUSED, (text[:80], response.status_code)
        statuses[text] = response.status_code
        if response.status_code in REFUSED:
            # A clear reason: too long, empty, or a NUL character.
            assert any(
                reason in response.content
                for reason in (b"at most", b"Write something", b"Null characters", b"required")
            ), text[:80]
        if extra and response.status_code in ACCEPTED:
            assert unsafe_markup(response.content.decode()) == [], text[:80]
    return statuses


def _sse_events(frames: list[bytes]) -> list[str]:
    """Event names as an EventSource would parse them (lines split on CR, LF or CRLF)."""
    names = []
    for frame in frames:
        text = frame.decode().replace("\r\n", "\n").replace("\r", "\n")
        for block in text.split("\n\n"):
            for line in block.split("\n"):
                if line.startswith("event:"):
                    names.append(line[6:].strip())
    return names


@pytest.mark.django_db
def test_hostile_notes_are_text_on_every_screen_and_in_every_export(
    settings, workshop, facilitator_client, captured_events, django_capture_on_commit_callbacks
):
    settings.LABB_NOTES_PER_MINUTE = 100_000
    settings.EXPORT_ROOT = settings.MEDIA_ROOT / "test-exports-hostile"
    phone = Client()
    join_as(phone, workshop, name="Kim")
    with django_capture_on_commit_callbacks(execute=True):
        statuses = _post_all_notes(phone, workshop)
    saved = Note.objects.filter(workshop=workshop)
    accepted = [t for t, s in statuses.items() if s in ACCEPTED]
    assert len(accepted) >= 180, "most of the corpus fits in a note and must be kept"
    assert saved.count() == len(accepted)
    assert not any("\x00" in text for text in saved.values_list("text", flat=True))

    pages = {
        "board": facilitator_client.get(reverse("workshop_board", args=[workshop.pk])),
        "projector": facilitator_client.get(reverse("workshop_projector", args=[workshop.pk])),
        "phone": phone.get(reverse("phone", args=[workshop.pk])),
        "detail": facilitator_client.get(reverse("workshop_detail", args=[workshop.pk])),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        html = response.content.decode()
        assert unsafe_markup(html) == [], name
        assert "window.__pwned" not in html.replace("window.__pwned=1", "") or "&lt;" in html

    # Live payloads: the stored replay rows and what was published.
    events = list(LiveEvent.objects.filter(workshop=workshop))
    assert len(events) >= len(accepted) - 5
    frames = [encode_frame(e.pk, e.name, e.data) for e in events]
    # One event per frame, the one the server meant: note text cannot forge SSE fields.
    assert _sse_events(frames) == [e.name for e in events]
    assert "reload" not in _sse_events(frames)
    for payload in captured_events:
        assert unsafe_markup(payload["data"]) == []
    for event in events:
        assert unsafe_markup(event.data) == []

    # Exports: text stays text; spreadsheet cells never start a formula.
    for kind in (Export.Kind.CSV, Export.Kind.XLSX, Export.Kind.ARCHIVE, Export.Kind.PDF):
        export = Export.objects.create(kind=kind, workshop=workshop)
        data, _extension = exporting.render_bytes(export)
        assert data
        if kind == Export.Kind.CSV:
            for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))):
                for cell in row:
                    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell[:40]
        if kind == Export.Kind.ARCHIVE:
            archived = json.dumps(json.loads(data))
            assert "pwned" in archived  # the text is kept, as data


@pytest.mark.django_db
def test_hostile_display_names_are_refused_or_shown_as_text(settings, workshop, facilitator_client):
    settings.LABB_NOTES_PER_MINUTE = 100_000
    for text in hostile_strings():
        phone = Client()
        response = phone.post(
            reverse("join_workshop", args=[workshop.join_code]),
            {"display_name": text, "group": workshop.groups.first().pk},
        )
        assert response.status_code in {302, 400}, (text[:80], response.status_code)
        if response.status_code == 302:
            note = phone.post(
                reverse("phone_note_create", args=[workshop.pk]),
                {"column": workshop.columns.first().pk, "text": "Hej", "client_id": uuid.uuid4()},
            )
            assert note.status_code == 302
            assert (
                unsafe_markup(phone.get(reverse("phone", args=[workshop.pk])).content.decode())
                == []
            )
        else:
            assert unsafe_markup(response.content.decode()) == []
    assert Participant.objects.filter(workshop=workshop).count() >= 150
    board = facilitator_client.get(reverse("workshop_board", args=[workshop.pk]))
    assert board.status_code == 200
    assert unsafe_markup(board.content.decode()) == []


@pytest.mark.django_db
def test_hostile_challenge_questions_and_workshop_titles(facilitator_client, org_x, challenge):
    for text in hostile_strings():
        response = facilitator_client.post(
            reverse("challenge_create"),
            {
                "organisation": org_x.pk,
                "question": text,
                "description": text,
                "status": "exploring",
                "visibility": "organisation",
                "tag_names": text[:400],
            },
        )
        assert response.status_code in {302, 400}, (text[:80], response.status_code)
        assert unsafe_markup(response.content.decode()) == []
        response = facilitator_client.post(
            reverse("workshop_create", args=[challenge.pk]),
            {
                "title": text,
                "template": "success_obstacles",
                "question": text[:300],
                "group_count": 1,
                "kind": "live",
                "place": text[:200],
            },
        )
        assert response.status_code in {302, 400}, (text[:80], response.status_code)
        assert unsafe_markup(response.content.decode()) == []
    assert Challenge.objects.count() > 150
    assert Workshop.objects.count() > 150
    for url in (
        reverse("challenge_list"),
        reverse("challenge_detail", args=[challenge.pk]),
        *[reverse("challenge_detail", args=[c.pk]) for c in Challenge.objects.all()[:40]],
        *[reverse("workshop_detail", args=[w.pk]) for w in Workshop.objects.all()[:40]],
        *[reverse("workshop_projector", args=[w.pk]) for w in Workshop.objects.all()[:20]],
    ):
        response = facilitator_client.get(url)
        assert response.status_code == 200, url
        assert unsafe_markup(response.content.decode()) == [], url


def _search_urls() -> list[str]:
    urls = []
    for name in ("search", "archive_search"):
        try:
            urls.append(reverse(name))
        except NoReverseMatch:
            continue
    return urls


@pytest.mark.django_db
def test_hostile_search_queries(facilitator_client, workshop):
    urls = _search_urls()
    assert urls, "the archive search has a URL"
    for url in urls:
        for text in hostile_strings():
            response = facilitator_client.get(url, {"q": text})
            assert response.status_code in {200, 400}, (text[:80], response.status_code)
            assert unsafe_markup(response.content.decode()) == [], text[:80]
            htmx = facilitator_client.get(url, {"q": text}, HTTP_HX_REQUEST="true")
            assert htmx.status_code in {200, 400}
            assert unsafe_markup(htmx.content.decode()) == []
