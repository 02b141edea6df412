"""Hostile text posted everywhere text goes in: names, challenge questions, workshop titles
and search. Nothing may come back as markup, nothing may answer 500.

Notes, group names, theme names and next steps go through a whole session, every screen,
live event and export in `test_hostile_screens.py`."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from challenges.models import Challenge
from tests.security.hostile import hostile_strings, unsafe_markup
from workshops.models import Participant, Workshop

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
    # Longer than the 40-character hidden labels, with the markup past them: only the text
    # itself, escaped, can show such a string in full.
    assert sum(len(s) > 40 and "<" in s[40:] and "pwned" in s[40:] for s in corpus) >= 15


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
