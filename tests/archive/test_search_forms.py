"""Search finds every form of a word and ignores diacritics (issue 14, part 2).

Runs on PostgreSQL (`labb_sv` text search configuration: unaccent + Swedish Snowball, and a
shorter root for derivational suffixes) and on SQLite (folded text, `labb_fold`).
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from archive.search import fold, highlight, parse_query, root
from tests.archive.conftest import login, make_workshop

pytestmark = pytest.mark.django_db


@pytest.fixture
def forms_world(archive_world, other_facilitator):
    """A shared workshop whose notes use one word in several forms."""
    make_workshop(
        archive_world["y_shared"],
        other_facilitator,
        title="Samverkansverkstad",
        date=datetime.date(2024, 9, 1),
        place="Ypsilon",
        notes=[
            (
                "Avsatt tid att samverka\nHållbar utveckling i praktiken",
                "Ingen tid alls\nLedare som leder",
            ),
            ("Samverkan över gränserna", "Ledningen saknas\nSamma sak igen"),
        ],
    )
    return archive_world


def notes(client, query: str) -> list[str]:
    response = client.get("/archive/search/", {"q": query})
    assert response.status_code == 200
    return [note.text for note in response.context["results"].notes.items]


def test_the_noun_finds_the_verb_and_the_verb_finds_the_noun(client, forms_world, staff):
    login(client, staff)
    assert set(notes(client, "samverkan")) == {
        "Avsatt tid att samverka",
        "Samverkan över gränserna",
    }
    assert set(notes(client, "samverka")) == {
        "Avsatt tid att samverka",
        "Samverkan över gränserna",
    }
    assert set(notes(client, "samverkande")) == {
        "Avsatt tid att samverka",
        "Samverkan över gränserna",
    }


def test_inflections_and_compounds_still_match(client, forms_world, staff):
    login(client, staff)
    found = notes(client, "stuprören")
    assert {"Stuprörstänk", "Stuprör mellan förvaltningarna", "Stuprören är tydliga"} <= set(found)


def test_a_short_stem_keeps_its_suffix(client, forms_world, staff):
    """“ledning” must not be cut to “led” and find every leader and “leder”."""
    assert root("ledningen") == "ledning"
    assert root("styrning") == "styrning"
    assert set(notes(login(client, staff), "ledningen")) == {
        "Ledningen saknas",
        "Tydligt mandat från ledningen",
    }


def test_missing_diacritics_still_find_the_word(client, forms_world, staff):
    login(client, staff)
    assert notes(client, "hallbar") == ["Hållbar utveckling i praktiken"]
    assert notes(client, "HALLBAR") == ["Hållbar utveckling i praktiken"]
    assert set(notes(client, "stupror")) >= {
        "Stuprör mellan förvaltningarna",
        "Stuprören är tydliga",
        "Stuprörstänk",
    }
    assert set(notes(client, "forvaltningarna")) == {"Stuprör mellan förvaltningarna"}


def test_titles_are_found_without_diacritics(client, forms_world, staff):
    results = login(client, staff).get("/archive/search/", {"q": "hallbar"}).context["results"]
    assert [c.question for c in results.challenges.items] == [
        "Hur får vi samverkan kring hållbar utveckling att hända?"
    ]
    results = client.get("/archive/search/", {"q": "stupror"}).context["results"]
    assert [theme.name for theme in results.themes.items] == ["Stuprör"]


def test_a_typo_without_diacritics_finds_a_title_on_postgresql(client, forms_world, staff):
    response = login(client, staff).get("/archive/search/", {"q": "Larlab workshp"})
    assert response.status_code == 200
    workshops = [w.title for w in response.context["results"].workshops.items]
    if connection.vendor == "postgresql":
        assert workshops == ["Lärlabb workshop 1"]
    else:  # SQLite has no trigram similarity
        assert workshops == []


def test_a_folded_match_highlights_the_original_word_escaped(client, forms_world, staff):
    assert highlight("<i>Hållbar</i> utveckling", parse_query("hallbar").stems) == (
        "&lt;i&gt;<mark>Hållbar</mark>&lt;/i&gt; utveckling"
    )
    assert highlight("Avsatt tid att samverka", parse_query("samverkan").stems) == (
        "Avsatt tid att <mark>samverka</mark>"
    )
    body = login(client, staff).get("/archive/search/", {"q": "stupror"}).content.decode()
    assert "<mark>Stuprören</mark> är tydliga" in body


def test_fold_matches_postgresql_unaccent():
    assert fold("Hållbar ÅÄÖ éü Øresund") == "hallbar aao eu oresund"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT lower(labb_unaccent(%s))", ["Hållbar ÅÄÖ éü Øresund"])
            assert cursor.fetchone()[0] == fold("Hållbar ÅÄÖ éü Øresund")
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT labb_fold(%s)", ["Hållbar ÅÄÖ éü Øresund"])
            assert cursor.fetchone()[0] == fold("Hållbar ÅÄÖ éü Øresund")


def test_search_stays_ranked(client, forms_world, staff, other_facilitator):
    """PostgreSQL: the note that names the word most often comes first, whichever form it
    uses, even before a newer note. SQLite has no ranking: newest first."""
    for title, text in [
        ("Uppföljning", "Samverka, samverka och samverka igen"),
        ("Senare uppföljning", "Samverkan en gång till"),
    ]:
        make_workshop(
            forms_world["y_shared"],
            other_facilitator,
            title=title,
            date=datetime.date(2023, 1, 1),
            place="Ypsilon",
            notes=[(text, "Ingenting")],
        )
    found = notes(login(client, staff), "samverkan")
    if connection.vendor == "postgresql":
        assert found[0] == "Samverka, samverka och samverka igen"
    else:
        assert found[0] == "Samverkan en gång till"
    assert set(found) == {
        "Samverka, samverka och samverka igen",
        "Samverkan en gång till",
        "Avsatt tid att samverka",
        "Samverkan över gränserna",
    }
