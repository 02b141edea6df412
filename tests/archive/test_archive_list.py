"""The archive list: who sees what, filters, sorting, paging and bad input."""

from __future__ import annotations

import pytest

from challenges.models import Challenge
from tests.archive.conftest import login, make_workshop
from workshops.models import Export

pytestmark = pytest.mark.django_db


def titles(response) -> set[str]:
    return {w.title for w in response.context["page"].object_list}


def test_it_requires_login(client, archive_world):
    response = client.get("/archive/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_a_participant_session_does_not_open_the_archive(participant_client, archive_world):
    client, _participant = participant_client
    response = client.get("/archive/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_it_rejects_post(client, archive_world, staff):
    assert login(client, staff).post("/archive/").status_code == 405


def test_facilitator_sees_own_private_and_organisation_and_shared(
    client, archive_world, facilitator
):
    response = login(client, facilitator).get("/archive/")
    assert response.status_code == 200
    assert titles(response) == {
        "Hemlig workshop",
        "Lärlabb workshop 1",
        "Delad workshop om lärande",
    }


def test_staff_sees_organisation_and_shared_but_not_private(client, archive_world, staff):
    response = login(client, staff).get("/archive/")
    assert titles(response) == {"Lärlabb workshop 1", "Delad workshop om lärande"}
    assert b"zebrafink" not in response.content.lower()
    assert b"kvarnhjul" not in response.content.lower()


def test_other_organisation_sees_its_own_and_shared(client, archive_world, other_facilitator):
    response = login(client, other_facilitator).get("/archive/")
    assert titles(response) == {"Ypsilons interna labb", "Delad workshop om lärande"}


def test_outsider_sees_only_shared(client, archive_world, outsider):
    response = login(client, outsider).get("/archive/")
    assert titles(response) == {"Delad workshop om lärande"}


def test_it_shows_figures_themes_next_steps(client, archive_world, staff):
    response = login(client, staff).get("/archive/")
    paper = next(w for w in response.context["page"].object_list if w.title == "Lärlabb workshop 1")
    assert (paper.group_count, paper.note_count, paper.theme_count) == (3, 10, 2)
    body = response.content.decode()
    assert "Växjö" in body
    assert "Ta fram en gemensam finansieringsmodell" in body
    assert "Finansiering" in body


def test_it_lists_ready_exports_only(client, archive_world, staff):
    paper = archive_world["paper"]
    done = Export.objects.create(workshop=paper, kind=Export.Kind.PDF, status=Export.Status.DONE)
    Export.objects.create(workshop=paper, kind=Export.Kind.POSTER, status=Export.Status.FAILED)
    body = login(client, staff).get("/archive/").content.decode()
    assert f"/exports/{done.pk}/download/" in body
    assert "Poster (PNG)" not in body


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("organisation=kommun-ypsilon", {"Delad workshop om lärande"}),
        ("tag=hållbarhet", {"Lärlabb workshop 1"}),
        ("status=testing", {"Lärlabb workshop 1"}),
        ("year=2024", {"Delad workshop om lärande"}),
        ("facilitator=frida", {"Lärlabb workshop 1"}),
        ("year=2022&organisation=region-exempel", {"Lärlabb workshop 1"}),
    ],
)
def test_it_filters(client, archive_world, staff, query, expected):
    response = login(client, staff).get(f"/archive/?{query}")
    assert response.status_code == 200
    assert titles(response) == expected


@pytest.mark.parametrize(
    "query",
    [
        "year=banana",
        "year=1999",
        "status=nonsense",
        "organisation=no-such-org",
        "facilitator=nobody",
        "page=abc",
        "sort=sideways",
        "show=everything",
    ],
)
def test_bad_filter_values_are_a_400_with_a_message(client, archive_world, staff, query):
    response = login(client, staff).get(f"/archive/?{query}")
    assert response.status_code == 400
    assert b'class="form-errors"' in response.content


def test_a_private_organisation_cannot_be_probed_through_the_filter(client, archive_world, staff):
    # Kommun Ypsilon is visible through its shared challenge; its private one stays hidden.
    response = login(client, staff).get("/archive/?organisation=kommun-ypsilon&show=challenges")
    assert [c.question for c in response.context["page"].object_list] == [
        "Hur delar vi lärdomar mellan kommuner?"
    ]


def test_it_sorts_by_date_and_activity(client, archive_world, facilitator):
    login(client, facilitator)
    oldest = client.get("/archive/?sort=oldest").context["page"].object_list
    assert [w.title for w in oldest][0] == "Lärlabb workshop 1"
    newest = client.get("/archive/").context["page"].object_list
    assert [w.title for w in newest][0] == "Delad workshop om lärande"
    busiest = client.get("/archive/?sort=activity").context["page"].object_list
    assert [w.title for w in busiest][0] == "Lärlabb workshop 1"


def test_challenges_view_lists_visible_challenges(client, archive_world, staff):
    response = login(client, staff).get("/archive/?show=challenges&sort=activity")
    questions = [c.question for c in response.context["page"].object_list]
    assert questions == [
        archive_world["x_org"].question,
        archive_world["y_shared"].question,
    ]
    assert response.context["page"].object_list[0].workshop_count == 1


def test_queries_do_not_grow_with_rows(
    client, archive_world, facilitator, django_assert_max_num_queries
):
    login(client, facilitator)
    with django_assert_max_num_queries(20) as few:
        response = client.get("/archive/")
    # The baseline must be the real page: an error page would set a lower bar.
    assert response.status_code == 200
    assert titles(response) == {
        "Hemlig workshop",
        "Lärlabb workshop 1",
        "Delad workshop om lärande",
    }
    challenge = archive_world["x_org"]
    for number in range(30):
        make_workshop(
            challenge,
            facilitator,
            title=f"Extra {number}",
            date=challenge.created_at.date(),
            place="Lund",
            notes=[("Tillit", "Stuprör")],
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/archive/")
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 25
    assert response.context["page"].paginator.num_pages == 2
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/archive/?show=challenges")
    assert response.status_code == 200
    assert {row.question for row in response.context["page"].object_list} == {
        archive_world["x_private"].question,
        archive_world["x_org"].question,
        archive_world["y_shared"].question,
    }
    assert Challenge.objects.count() == 4
