from django.test import Client

from tests.support.steps import add_note, set_phase
from workshops.models import Theme, Workshop
from workshops.services.themes import theme_create

Phase = Workshop.Phase


def _allow(workshop):
    workshop.participants_can_cluster = True
    workshop.save()


def test_participants_sort_their_groups_notes_when_allowed(workshop, phones):
    client, participant = phones[0]
    note = add_note(workshop, participant, "Stuprör")
    other_group_note = add_note(workshop, phones[2][1], "Pengar")
    _allow(workshop)
    set_phase(workshop, Phase.CLUSTER)
    page = client.get(f"/p/{workshop.pk}/").content.decode()
    assert f'id="ptheme-{note.pk}"' in page
    assert client.post(f"/p/{workshop.pk}/themes/", {"name": "Silos"}).status_code == 302
    theme = Theme.objects.get(name="Silos")
    response = client.post(f"/p/{workshop.pk}/notes/{note.pk}/theme/", {"theme": theme.pk})
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.theme == theme
    # Another group's note is not theirs to sort.
    response = client.post(
        f"/p/{workshop.pk}/notes/{other_group_note.pk}/theme/", {"theme": theme.pk}
    )
    assert response.status_code == 404
    response = client.post(f"/p/{workshop.pk}/notes/{note.pk}/theme/", {"theme": "x"})
    assert response.status_code == 400
    assert client.post(f"/p/{workshop.pk}/themes/", {"name": " "}).status_code == 400


def test_participants_cannot_sort_unless_allowed_and_clustering(workshop, phones):
    client, participant = phones[0]
    note = add_note(workshop, participant, "Stuprör")
    set_phase(workshop, Phase.CLUSTER)
    assert client.post(f"/p/{workshop.pk}/themes/", {"name": "Silos"}).status_code == 403
    _allow(workshop)
    set_phase(workshop, Phase.VOTE)
    assert client.post(f"/p/{workshop.pk}/themes/", {"name": "Silos"}).status_code == 403
    theme = theme_create(workshop=workshop, name="Facilitatorns")
    response = client.post(f"/p/{workshop.pk}/notes/{note.pk}/theme/", {"theme": theme.pk})
    assert response.status_code == 403
    note.refresh_from_db()
    assert note.theme is None
    assert Theme.objects.count() == 1


def test_participant_theme_views_permissions(
    workshop, phones, facilitator_client, client, other_facilitator
):
    note = add_note(workshop, phones[0][1], "Stuprör")
    _allow(workshop)
    set_phase(workshop, Phase.CLUSTER)
    for url in [f"/p/{workshop.pk}/themes/", f"/p/{workshop.pk}/notes/{note.pk}/theme/"]:
        assert Client().post(url, {"name": "X", "theme": ""}).status_code == 404
        assert facilitator_client.post(url, {"name": "X", "theme": ""}).status_code == 404
        assert phones[0][0].get(url).status_code == 405
    client.force_login(other_facilitator)
    assert client.post(f"/p/{workshop.pk}/themes/", {"name": "X"}).status_code == 404
    assert not Theme.objects.exists()
