"""Search: Swedish inflections, stop words, typos, grouping, highlighting and visibility.

Runs on PostgreSQL (full-text search, swedish config) and on SQLite (stemmed substrings).
"""

from __future__ import annotations

import pytest
from django.db import connection

from archive.search import highlight, parse_query
from archive.search import search as search_archive
from challenges.access import challenges_visible_to
from tests.archive.conftest import login
from workshops.access import workshops_visible_to

pytestmark = pytest.mark.django_db


def notes(response) -> list[str]:
    return [note.text for note in response.context["results"].notes.items]


def search(client, query: str, **params):
    return client.get("/archive/search/", {"q": query, **params})


def test_it_requires_login(client, archive_world):
    response = search(client, "stuprör")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_a_participant_session_cannot_search(participant_client, archive_world):
    client, _participant = participant_client
    assert search(client, "stuprör").status_code == 302


def test_it_rejects_post(client, archive_world, staff):
    assert login(client, staff).post("/archive/search/", {"q": "stuprör"}).status_code == 405


def test_an_inflected_word_finds_the_base_form_and_compounds(client, archive_world, staff):
    response = search(login(client, staff), "stuprören")
    assert response.status_code == 200
    found = notes(response)
    assert "Stuprör mellan förvaltningarna" in found
    assert "Stuprören är tydliga" in found
    assert "Stuprörstänk" in found  # shared challenge of another organisation
    themes = [theme.name for theme in response.context["results"].themes.items]
    assert themes == ["Stuprör"]


def test_the_base_form_finds_inflections(client, archive_world, staff):
    found = notes(search(login(client, staff), "finansiering"))
    assert set(found) == {
        "Finansieringen saknas",
        "Kortsiktig finansiering",
        "Brist på finansiering",
    }
    response = search(client, "finansiering")
    assert [i.title for i in response.context["results"].next_steps.items] == [
        "Ta fram en gemensam finansieringsmodell"
    ]


def test_nothing_from_another_organisations_private_challenge_leaks(client, archive_world, staff):
    login(client, staff)
    for word in ("kvarnhjulen", "zebrafinkar", "interna"):
        response = search(client, word)
        assert response.context["results"].total == 0, word
        body = response.content.decode()
        for secret in ("Kvarnhjulen snurrar", "Zebrafinkar överallt", "Ypsilons interna labb"):
            assert secret not in body
    # Stuprör appears in Y's private notes too: none of them is returned.
    found = notes(search(client, "stuprör"))
    assert not any("kvarnhjul" in text.lower() or "zebrafink" in text.lower() for text in found)


def test_a_facilitator_finds_their_own_private_notes(client, archive_world, facilitator):
    found = notes(search(login(client, facilitator), "zebrafinken"))
    assert set(found) == {"Zebrafinkar överallt", "Stuprören hindrar zebrafinkar"}


def test_the_other_organisation_finds_its_private_notes(client, archive_world, other_facilitator):
    found = notes(search(login(client, other_facilitator), "kvarnhjul"))
    assert len(found) == 3


def test_outsider_finds_only_shared(client, archive_world, outsider):
    results = search(login(client, outsider), "stuprör").context["results"]
    assert notes_of(results) == ["Stuprörstänk"]
    assert results.themes.count == 0


def notes_of(results):
    return [note.text for note in results.notes.items]


def test_swedish_and_english_stop_words_are_ignored(client, archive_world, staff):
    login(client, staff)
    assert set(notes(search(client, "the silos"))) == {"Silos <script>alert(1)</script>"}
    assert "Stuprör mellan förvaltningarna" in notes(search(client, "stuprör och mellan"))
    response = search(client, "och det är the")
    assert response.status_code == 200
    assert response.context["results"] is None
    assert b"Only very common words" in response.content


def test_results_are_highlighted_and_escaped(client, archive_world, staff):
    body = search(login(client, staff), "silos").content.decode()
    assert "<mark>Silos</mark> &lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script>alert(1)" not in body


def test_a_hostile_query_is_escaped(client, archive_world, staff):
    response = search(login(client, staff), '"><script>alert(1)</script> stuprör')
    assert response.status_code == 200
    assert "<script>alert(1)" not in response.content.decode()


def test_highlight_escapes_before_marking():
    assert highlight("<b>Stuprören</b> & co", ("stuprör",)) == (
        "&lt;b&gt;<mark>Stuprören</mark>&lt;/b&gt; &amp; co"
    )
    assert highlight("Åtgärder för ÅÄÖ", parse_query("åtgärd").stems) == (
        "<mark>Åtgärder</mark> för ÅÄÖ"
    )


@pytest.mark.parametrize(
    "query", ["x" * 201, "a b c d e f g h i j k l m n o p q r s".replace(" ", "ord ")]
)
def test_a_huge_query_is_a_400_with_a_message(client, archive_world, staff, query):
    response = search(login(client, staff), query)
    assert response.status_code == 400
    assert b'class="form-errors"' in response.content


def test_a_bad_filter_is_a_400(client, archive_world, staff):
    assert search(login(client, staff), "stuprör", year="x").status_code == 400


def test_filters_narrow_the_search(client, archive_world, staff):
    found = notes(search(login(client, staff), "stuprör", organisation="region-exempel"))
    assert "Stuprörstänk" not in found
    assert "Stuprör mellan förvaltningarna" in found


def test_uppercase_and_swedish_letters(client, archive_world, staff):
    login(client, staff)
    assert "Stuprör mellan förvaltningarna" in notes(search(client, "FÖRVALTNINGAR"))
    assert notes(search(client, "mötesplats")) == ["Mötesplatser mellan kommuner"]


def test_a_typo_in_a_title_is_tolerated_on_postgresql(client, archive_world, staff):
    response = search(login(client, staff), "Lärlab workshp")
    workshops = [w.title for w in response.context["results"].workshops.items]
    if connection.vendor == "postgresql":
        assert workshops == ["Lärlabb workshop 1"]
    else:  # the SQLite fallback has no trigram similarity: no error, just no match
        assert response.status_code == 200


def test_search_queries_are_constant(client, archive_world, staff, django_assert_max_num_queries):
    login(client, staff)
    # An error page would pass with fewer queries: each count is of the real results page,
    # one with results in several groups and one where no note has both words.
    # 12: session, user, the filter choices (years, organisations, tags, facilitators), one
    # per result group with its count, the notes' context (a count query per group, as when
    # a group had more than 20 matches before, would make it 16).
    with django_assert_max_num_queries(12):
        response = search(client, "stuprören")
    assert response.status_code == 200
    assert "Stuprör mellan förvaltningarna" in notes(response)
    assert [theme.name for theme in response.context["results"].themes.items] == ["Stuprör"]
    # Nothing matches both words: the typo fallback searches the four title groups again.
    with django_assert_max_num_queries(15):
        response = search(client, "stuprör finansiering")
    assert response.status_code == 200
    assert response.context["results"] is not None
    assert "stuprör finansiering" in response.content.decode()


def test_a_group_counts_every_match_beyond_the_rows_it_shows(archive_world, staff):
    # The count comes from the ranked query itself (COUNT(*) OVER ()), before its LIMIT.
    where = {"challenges": challenges_visible_to(staff), "workshops": workshops_visible_to(staff)}
    for query, key, at_least in (("stuprör", "notes", 3), ("workshop", "workshops", 2)):
        parsed = parse_query(query)
        every = search_archive(parsed, **where)
        first = search_archive(parsed, **where, limit=1)
        assert len(getattr(every, key).items) == getattr(every, key).count >= at_least
        for (name, _label, group), (_name, _label2, all_rows) in zip(
            first.groups, every.groups, strict=True
        ):
            assert group.count == all_rows.count, (query, name)
            assert group.items == all_rows.items[:1], (query, name)
            assert group.more == max(0, all_rows.count - 1), (query, name)


def test_the_filters_keep_the_choice_and_mark_an_invalid_one(client, archive_world, staff):
    login(client, staff)
    body = search(client, "stuprör", organisation="region-exempel").content.decode()
    assert '<option value="region-exempel" selected>' in body
    assert '<select name="year" id="id_year"><option value="" selected>' in body
    response = search(client, "stuprör", year="1066")
    assert response.status_code == 400
    body = response.content.decode()
    assert '<div class="field has-error"><label for="id_year">' in body.replace("\n", "")
    assert 'id="id_year" aria-invalid="true" aria-describedby="id_year_error">' in body
    assert '<p class="error" id="id_year_error">' in body
