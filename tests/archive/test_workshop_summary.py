"""The read-only workshop summary in the archive."""

from __future__ import annotations

import pytest

from tests.archive.conftest import login
from workshops.models import Export

pytestmark = pytest.mark.django_db


def url(workshop) -> str:
    return f"/archive/workshops/{workshop.pk}/"


def test_it_requires_login(client, archive_world):
    response = client.get(url(archive_world["paper"]))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_a_participant_session_cannot_open_it(participant_client, workshop):
    client, _participant = participant_client
    assert client.get(url(workshop)).status_code == 302


def test_staff_reads_it_without_edit_links(client, archive_world, staff):
    paper = archive_world["paper"]
    response = login(client, staff).get(url(paper))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Stuprör mellan förvaltningarna" in body
    assert "&lt;script&gt;" in body
    assert f'id="note-{paper.notes.first().pk}"' in body
    assert "Ta fram en gemensam finansieringsmodell" in body
    assert f"/workshops/{paper.pk}/paper/" not in body
    assert f'href="/workshops/{paper.pk}/"' not in body


def test_facilitator_gets_the_paper_entry_link(client, archive_world, facilitator):
    paper = archive_world["paper"]
    body = login(client, facilitator).get(url(paper)).content.decode()
    assert f'href="/workshops/{paper.pk}/paper/"' in body
    challenge_page = client.get(f"/challenges/{paper.challenge_id}/").content.decode()
    assert f'href="/workshops/{paper.pk}/paper/"' in challenge_page


def test_staff_cannot_open_the_editing_pages(client, archive_world, staff):
    paper = archive_world["paper"]
    login(client, staff)
    assert client.get(f"/workshops/{paper.pk}/").status_code == 404
    assert client.get(f"/workshops/{paper.pk}/paper/").status_code == 404


def test_private_workshop_of_another_organisation_is_404(client, archive_world, staff, facilitator):
    login(client, staff)
    assert client.get(url(archive_world["y_private_ws"])).status_code == 404
    assert client.get(url(archive_world["x_private_ws"])).status_code == 404
    login(client, facilitator)
    assert client.get(url(archive_world["x_private_ws"])).status_code == 200
    assert client.get(url(archive_world["y_private_ws"])).status_code == 404


def test_shared_workshop_is_open_to_any_user(client, archive_world, outsider):
    assert login(client, outsider).get(url(archive_world["y_shared_ws"])).status_code == 200


def test_it_rejects_post(client, archive_world, staff):
    assert login(client, staff).post(url(archive_world["paper"])).status_code == 405


def test_it_links_ready_exports(client, archive_world, staff):
    paper = archive_world["paper"]
    export = Export.objects.create(workshop=paper, kind=Export.Kind.CSV, status=Export.Status.DONE)
    body = login(client, staff).get(url(paper)).content.decode()
    assert f'href="/exports/{export.pk}/download/"' in body


def test_queries_are_constant(client, archive_world, facilitator, django_assert_max_num_queries):
    login(client, facilitator)
    with django_assert_max_num_queries(16):
        response = client.get(url(archive_world["paper"]))
    # An error page would pass with fewer queries: the count is of the real page.
    assert response.status_code == 200
    body = response.content.decode()
    assert "Lärlabb workshop 1" in body and "Tydligt mandat från ledningen" in body
