"""No stored value may make a page fail.

A workshop is filled with the nastiest values the validators allow, once through the UI (the
forms a facilitator and a phone post) and once through archive import (values at the edges of
what the import accepts). Then every GET page and fragment in the authorization matrix, every
live stream and every export is loaded for every persona, in every phase, and none may answer
500. The probe's finding (issue 10, item 1): one imported row made search, the board, the
projector and every export fail for everyone who could see it.
"""

from __future__ import annotations

import dataclasses
import json

import pytest
from asgiref.sync import async_to_sync
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import AsyncClient
from django.urls import reverse

from tests.security.conftest import PERSONAS
from tests.security.test_authorization_matrix import MATRIX
from tests.support.steps import post_note
from workshops.exports import (
    build_challenge_snapshot,
    build_workshop_snapshot,
    render_archive,
    render_csv,
    render_pdf,
    render_poster,
    render_xlsx,
)
from workshops.models import Theme, Workshop

# At the validators' limits: no spaces (nothing to wrap at), direction overrides, combining
# marks stacked on one letter, emoji joined into one cluster, markup, entities, control
# characters (cleaned on the way in), a lone surrogate's neighbour and a formula.
ZALGO = "Z" + "\u0336\u0321\u031b" * 20
PIECES = [
    "<script>alert(1)</script>",
    "&lt;b&gt;&amp;amp;",
    "\u202eRTL-override\u202c",
    ZALGO,
    "👩‍👩‍👧‍👦🏳️‍🌈",
    '=HYPERLINK("http://x")',
    "\x1b[31m\x0b\x7f",
    "{{ 7*7 }}{% now 'Y' %}",
    "ﷺ" * 3,
]


def nasty(length: int) -> str:
    """A text of exactly `length` characters after the text policy, mostly without spaces."""
    base = "".join(PIECES).replace("\x1b", "").replace("\x0b", "").replace("\x7f", "")
    text = (base + "Långtordutanmellanrumsomaldrigtarslut" * 40)[:length]
    return text


def _fill_through_the_ui(world) -> None:
    facilitator = world.clients["facilitator_x"]
    participant = world.clients["participant_a"]
    workshop = world.workshop_a
    assert (
        facilitator.post(
            reverse("workshop_settings", args=[workshop.pk]),
            {"title": nasty(200), "place": nasty(200), "question": nasty(300)},
        ).status_code
        < 500
    )
    for group in workshop.groups.all():
        response = facilitator.post(
            reverse("group_rename", args=[workshop.pk, group.pk]), {"name": nasty(100)}
        )
        assert response.status_code == 302
    assert (
        facilitator.post(reverse("group_add", args=[workshop.pk]), {"name": nasty(100)}).status_code
        == 302
    )
    for column in workshop.columns.all():
        for text in (nasty(500), "\n" * 3 + nasty(400) + "\n\n", "x"):
            response = post_note(participant, workshop, text=text, column=column)
            assert response.status_code == 302, response.content[:500]
    assert (
        facilitator.post(
            reverse("theme_create", args=[workshop.pk]), {"name": nasty(120)}
        ).status_code
        < 400
    )
    theme = Theme.objects.filter(workshop=workshop).latest("pk")
    for note in workshop.notes.all()[:3]:
        facilitator.post(reverse("note_theme", args=[workshop.pk, note.pk]), {"theme": theme.pk})
    assert (
        facilitator.post(
            reverse("action_item_create", args=[workshop.pk]),
            {"title": nasty(300), "owner_name": nasty(120)},
        ).status_code
        < 400
    )


def _import_at_the_edges(world) -> Workshop:
    """The UI-filled workshop, exported, pushed to the import's limits and imported."""
    document = json.loads(render_archive(build_workshop_snapshot(world.workshop_a)))
    w = document["workshops"][0]
    w["title"] = "Importerad " + nasty(180)
    w["date"] = "2199-12-31"
    w["created_at"] = "1900-01-01T00:00:00+14:00"
    w["settings"]["vote_budget"] = 32767
    w["settings"]["retain_until"] = "2199-12-31"
    for index, note in enumerate(w["notes"]):
        note["created_at"] = ("2199-12-31T23:59:59-14:00", "1900-01-01T00:00:00+14:00")[index % 2]
        note["position"] = (2**31 - 1, -(2**31))[index % 2]
        note["text"] = "\x1b\x85" + note["text"]
    for participant in w["participants"]:
        participant["joined_at"] = "2199-12-31T23:59:59-14:00"
    document["challenge"]["question"] = "Importerad fråga " + nasty(200)
    document["challenge"]["tags"] = [nasty(60)]
    response = world.clients["facilitator_x"].post(
        reverse("archive_import"),
        {
            "organisation": world.challenge_a.organisation_id,
            "file": SimpleUploadedFile(
                "archive.json", json.dumps(document).encode(), content_type="application/json"
            ),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    return Workshop.objects.get(title__startswith="Importerad ")


# The personas shown most of the workshop's content (the facilitator sees every screen, the
# participant the phone); every persona is visited in the first phase.
SEE_CONTENT = ("facilitator_x", "participant_a")


def _visit_everything(world, label: str, personas, *, streams: bool) -> list[str]:
    failures = []
    for name, row in MATRIX.items():
        if row["method"] != "GET":
            continue
        kwargs = row["kwargs"](world) if row["kwargs"] else None
        url = reverse(name, kwargs=kwargs)
        for persona in personas:
            if row.get("stream"):
                # Each stream holds a pooled connection until its thread ends: a few will do.
                if persona not in ("facilitator_x", "participant_a") or not streams:
                    continue
                # From the first event on, so the replay renders every stored note.
                response = _first_events(world.clients[persona], url)
            else:
                response = world.clients[persona].get(url, row.get("query", {}))
            if response.status_code >= 500:
                failures.append(f"{label}: {persona} GET {url} → {response.status_code}")
    return failures


def _render_every_export(world) -> None:
    for snapshot in (
        build_workshop_snapshot(world.workshop_a),
        build_challenge_snapshot(world.workshop_a.challenge),
    ):
        assert render_pdf(snapshot).startswith(b"%PDF")
        assert render_xlsx(snapshot)[:2] == b"PK"
        assert render_csv(snapshot)
        assert render_archive(snapshot)
        assert all(page.startswith(b"\x89PNG") for page in render_poster(snapshot))


def _first_events(sync_client, url):
    """Open a live stream, read its first chunk (the hello and any replay), close it."""

    async def read():
        client = AsyncClient()
        client.cookies = sync_client.cookies
        response = await client.get(url, {"last": "0"})
        if response.status_code == 200:
            iterator = aiter(response.streaming_content)
            await anext(iterator)
            await iterator.aclose()
        return response

    return async_to_sync(read)()


@pytest.mark.django_db(transaction=True)
def test_no_page_fragment_stream_or_export_fails_on_the_nastiest_values(world):
    _fill_through_the_ui(world)
    imported = _import_at_the_edges(world)
    assert imported.notes.count() == world.workshop_a.notes.count()
    failures = []
    for workshop in (world.workshop_a, imported):
        subject = dataclasses.replace(
            world,
            workshop_a=workshop,
            challenge_a=workshop.challenge,
            group_a=workshop.groups.first(),
            note_a=workshop.notes.order_by("pk").first(),
        )
        _render_every_export(subject)
        for index, phase in enumerate(Workshop.Phase.values):
            Workshop.objects.filter(pk=workshop.pk).update(phase=phase)
            personas = PERSONAS if index == 0 else SEE_CONTENT
            failures += _visit_everything(
                subject, f"{workshop.title[:10]} in {phase}", personas, streams=phase == "reveal"
            )
    assert failures == []
