"""The challenge page: history, themes, next steps, learning log and status."""

from __future__ import annotations

import pytest

from challenges.models import Challenge, LearningEntry
from tests.archive.conftest import login
from workshops.models import ActionItem

pytestmark = pytest.mark.django_db


def test_it_gathers_the_history_for_staff(client, archive_world, staff):
    x_org = archive_world["x_org"]
    LearningEntry.objects.create(
        challenge=x_org,
        workshop=archive_world["paper"],
        learned="Stuprören är kulturella",
        next_test="Gemensam budget i en pilot",
    )
    response = login(client, staff).get(f"/challenges/{x_org.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Lärlabb workshop 1" in body
    assert "Stupr\u00f6r (2)" in body  # theme with its note count
    assert "Stuprören är kulturella" in body and "Gemensam budget i en pilot" in body
    assert "Mark as done" not in body  # staff reads only
    assert f"/challenges/{x_org.pk}/status/" not in body


def test_facilitator_changes_the_status(client, archive_world, facilitator):
    x_org = archive_world["x_org"]
    response = login(client, facilitator).post(
        f"/challenges/{x_org.pk}/status/", {"status": "implementing"}
    )
    assert response.status_code == 302
    x_org.refresh_from_db()
    assert x_org.status == Challenge.Status.IMPLEMENTING


def test_a_bad_status_is_a_400(client, archive_world, facilitator):
    x_org = archive_world["x_org"]
    response = login(client, facilitator).post(f"/challenges/{x_org.pk}/status/", {"status": "x"})
    assert response.status_code == 400


def test_staff_cannot_edit(client, archive_world, staff):
    x_org = archive_world["x_org"]
    item = ActionItem.objects.get(challenge=x_org)
    login(client, staff)
    assert client.post(f"/challenges/{x_org.pk}/status/", {"status": "done"}).status_code == 404
    assert client.post(f"/challenges/{x_org.pk}/learnings/", {"learned": "x"}).status_code == 404
    assert client.post(f"/challenges/{x_org.pk}/next-steps/{item.pk}/toggle/").status_code == 404
    x_org.refresh_from_db()
    assert x_org.status == Challenge.Status.TESTING
    assert not LearningEntry.objects.exists()


def test_another_organisation_cannot_see_or_edit_a_private_challenge(
    client, archive_world, other_facilitator
):
    x_private = archive_world["x_private"]
    login(client, other_facilitator)
    assert client.get(f"/challenges/{x_private.pk}/").status_code == 404
    assert client.post(f"/challenges/{x_private.pk}/status/", {"status": "done"}).status_code == 404


def test_anonymous_is_sent_to_login(client, archive_world):
    x_org = archive_world["x_org"]
    for path in ("/", "status/", "learnings/"):
        response = client.post(f"/challenges/{x_org.pk}/{path}".replace("//", "/"))
        assert response.status_code in (302, 405)
    assert client.post(f"/challenges/{x_org.pk}/status/")["Location"].startswith("/login/")


def test_edits_reject_get(client, archive_world, facilitator):
    x_org = archive_world["x_org"]
    item = ActionItem.objects.get(challenge=x_org)
    login(client, facilitator)
    assert client.get(f"/challenges/{x_org.pk}/status/").status_code == 405
    assert client.get(f"/challenges/{x_org.pk}/learnings/").status_code == 405
    assert client.get(f"/challenges/{x_org.pk}/next-steps/{item.pk}/toggle/").status_code == 405


def test_facilitator_toggles_a_next_step(client, archive_world, facilitator):
    x_org = archive_world["x_org"]
    item = ActionItem.objects.get(challenge=x_org)
    login(client, facilitator)
    client.post(f"/challenges/{x_org.pk}/next-steps/{item.pk}/toggle/")
    item.refresh_from_db()
    assert item.status == ActionItem.Status.DONE
    client.post(f"/challenges/{x_org.pk}/next-steps/{item.pk}/toggle/")
    item.refresh_from_db()
    assert item.status == ActionItem.Status.OPEN


def test_a_next_step_of_another_challenge_is_404(client, archive_world, facilitator):
    other = ActionItem.objects.get(challenge=archive_world["y_private"])
    x_org = archive_world["x_org"]
    response = login(client, facilitator).post(
        f"/challenges/{x_org.pk}/next-steps/{other.pk}/toggle/"
    )
    assert response.status_code == 404


def test_facilitator_writes_the_learning_log(client, archive_world, facilitator):
    x_org = archive_world["x_org"]
    login(client, facilitator)
    response = client.post(
        f"/challenges/{x_org.pk}/learnings/",
        {
            "workshop": archive_world["paper"].pk,
            "learned": "Mandatet måste förankras",
            "next_test": "Ledningsdialog",
        },
    )
    assert response.status_code == 302
    entry = LearningEntry.objects.get()
    assert (entry.challenge, entry.author, entry.workshop) == (
        x_org,
        facilitator,
        archive_world["paper"],
    )
    assert client.post(f"/challenges/{x_org.pk}/learnings/", {"learned": ""}).status_code == 400
    foreign = archive_world["y_shared_ws"].pk
    response = client.post(
        f"/challenges/{x_org.pk}/learnings/", {"workshop": foreign, "learned": "x"}
    )
    assert response.status_code == 400


def test_queries_are_constant(client, archive_world, facilitator, django_assert_max_num_queries):
    login(client, facilitator)
    with django_assert_max_num_queries(16):
        response = client.get(f"/challenges/{archive_world['x_org'].pk}/")
    # An error page would pass with fewer queries: the count is of the real page.
    assert response.status_code == 200
    assert archive_world["x_org"].question in response.content.decode()
    assert "Lärlabb workshop 1" in response.content.decode()
