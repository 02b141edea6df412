"""What keeps coming back: ranked words and themes, chart, and no leaks across organisations."""

from __future__ import annotations

import pytest

from tests.archive.conftest import login

pytestmark = pytest.mark.django_db


def words(response) -> dict[str, tuple[int, int, int]]:
    return {w.label: (w.workshops, w.groups, w.notes) for w in response.context["words"]}


def test_it_requires_login(client, archive_world):
    assert client.get("/archive/recurring/").status_code == 302


def test_a_participant_session_does_not_see_it(participant_client, archive_world):
    client, _participant = participant_client
    assert client.get("/archive/recurring/").status_code == 302


def test_it_rejects_post(client, archive_world, staff):
    assert login(client, staff).post("/archive/recurring/").status_code == 405


def test_words_recur_across_workshops_and_groups_in_any_inflection(client, archive_world, staff):
    response = login(client, staff).get("/archive/recurring/")
    assert response.status_code == 200
    counted = words(response)
    # stuprör / stuprören: 2 groups of the paper workshop (the compound is its own word)
    stupror = next(v for k, v in counted.items() if k.startswith("stupr") and "tänk" not in k)
    assert stupror == (1, 2, 2)
    finans = next(v for k, v in counted.items() if k.startswith("finansiering"))
    assert finans == (2, 3, 3)
    assert "och" not in counted and "på" not in counted  # stop words


def test_private_challenges_of_others_never_count(client, archive_world, staff):
    body = login(client, staff).get("/archive/recurring/").content.decode().lower()
    assert "kvarnhjul" not in body
    assert "zebrafink" not in body
    facilitator_view = words(client.get("/archive/recurring/?organisation=kommun-ypsilon"))
    assert not any("kvarnhjul" in word for word in facilitator_view)


def test_the_owner_sees_their_private_words(client, archive_world, other_facilitator):
    counted = words(login(client, other_facilitator).get("/archive/recurring/"))
    assert counted["kvarnhjulen"] == (1, 2, 3)


def test_themes_are_ranked_with_links_to_the_notes(client, archive_world, staff):
    response = login(client, staff).get("/archive/recurring/?tag=hållbarhet")
    themes = {t.label: (t.workshops, t.notes) for t in response.context["themes"]}
    assert themes == {"Stuprör": (1, 2), "Finansiering": (1, 0)}
    body = response.content.decode()
    assert "/archive/search/?tag=h%C3%A5llbarhet&amp;q=Stupr%C3%B6r" in body


def test_the_chart_is_accessible_svg(client, archive_world, staff):
    body = login(client, staff).get("/archive/recurring/").content.decode()
    assert '<svg class="chart" role="img" aria-labelledby="chart-title chart-desc"' in body
    assert '<title id="chart-title">' in body
    assert "<table" in body  # the same figures as a table


def test_a_search_narrows_the_selection(client, archive_world, staff):
    counted = words(login(client, staff).get("/archive/recurring/?q=finansiering"))
    assert set(counted) == {"finansiering"}
    assert not any(word.startswith("eldsj") for word in counted)


def test_bad_input_is_a_400(client, archive_world, staff):
    login(client, staff)
    assert client.get("/archive/recurring/?year=abc").status_code == 400
    assert client.get("/archive/recurring/?q=" + "x" * 300).status_code == 400


def test_queries_are_constant(client, archive_world, staff, django_assert_max_num_queries):
    login(client, staff)
    with django_assert_max_num_queries(15):
        response = client.get("/archive/recurring/")
    # An error page would pass with fewer queries: the count is of the real page.
    assert response.status_code == 200
    assert words(response)["stuprören"] == (1, 2, 2)


def test_function_words_and_filler_verbs_never_recur(
    client, archive_world, other_facilitator, staff
):
    """Issue 14: “samma”, “ihop”, “tar”, “olika”, “leder” came back as recurring words."""
    import datetime

    from tests.archive.conftest import make_workshop

    for year in (2023, 2024):
        make_workshop(
            archive_world["y_shared"],
            other_facilitator,
            title=f"Fyllnadsord {year}",
            date=datetime.date(year, 3, 3),
            place="Ypsilon",
            notes=[
                ("Samma ledare tar olika beslut", "Vi leder ihop och gör samma sak"),
                ("Olika ledare leder ihop", "Man tar samma väg och får göra olika"),
            ],
        )
    counted = words(login(client, staff).get("/archive/recurring/"))
    for filler in ("samma", "ihop", "tar", "olika", "leder", "gör", "får", "göra", "sak", "man"):
        assert filler not in counted, filler
    # The content word that shared a stem with “leder” still recurs, under its own name.
    assert counted["ledare"] == (2, 4, 4)
    assert counted["beslut"] == (2, 2, 2)
