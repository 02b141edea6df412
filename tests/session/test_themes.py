import pytest

from tests.support.steps import add_note, set_phase
from workshops.models import LiveEvent, Note, Theme, Workshop
from workshops.services.themes import note_set_theme, theme_create
from workshops.services.workshops import workshop_create

Phase = Workshop.Phase


@pytest.fixture
def cluster(workshop, phones):
    texts = [
        "Stuprör mellan förvaltningarna",
        "Alla jobbar i sina egna stuprör",
        "Stuprörstänk hos myndigheterna",
        "Pengar saknas",
        "Finansiering saknas för långsiktigt arbete",
    ]
    notes = [add_note(workshop, phones[i % 4][1], text) for i, text in enumerate(texts)]
    set_phase(workshop, Phase.CLUSTER)
    workshop.refresh_from_db()
    return workshop, notes


def test_themes_span_groups_and_can_be_renamed_merged_and_dissolved(facilitator_client, cluster):
    workshop, notes = cluster
    base = f"/workshops/{workshop.pk}"
    response = facilitator_client.post(
        f"{base}/themes/", {"name": "Silos", "note": [notes[0].pk, notes[2].pk]}
    )
    assert response.status_code == 302
    silos = Theme.objects.get(name="Silos")
    assert len({n.group_id for n in silos.notes.all()}) == 2
    facilitator_client.post(f"{base}/themes/", {"name": "Pengar", "note": [notes[3].pk]})
    money = Theme.objects.get(name="Pengar")
    assert (
        facilitator_client.post(
            f"{base}/themes/{silos.pk}/rename/", {"name": "Stuprör"}
        ).status_code
        == 302
    )
    silos.refresh_from_db()
    assert silos.name == "Stuprör"
    assert (
        facilitator_client.post(f"{base}/themes/{money.pk}/merge/", {"into": silos.pk}).status_code
        == 302
    )
    assert not Theme.objects.filter(pk=money.pk).exists()
    assert silos.notes.count() == 3
    assert facilitator_client.post(f"{base}/themes/{silos.pk}/dissolve/").status_code == 302
    assert not Theme.objects.exists()
    assert Note.objects.filter(theme__isnull=False).count() == 0


def test_moving_a_note_with_the_menu_and_back(facilitator_client, cluster):
    workshop, notes = cluster
    theme = theme_create(workshop=workshop, name="Pengar")
    url = f"/workshops/{workshop.pk}/notes/{notes[4].pk}/theme/"
    assert facilitator_client.post(url, {"theme": theme.pk}).status_code == 302
    notes[4].refresh_from_db()
    assert notes[4].theme == theme
    assert facilitator_client.post(url, {"theme": ""}).status_code == 302
    notes[4].refresh_from_db()
    assert notes[4].theme is None
    # The wall (HX-Request) gets the changed card and counts only, with an Undo ...
    response = facilitator_client.post(url, {"theme": theme.pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="cnote-{notes[4].pk}"' in html and "Undo" in html
    assert "<html" not in html
    notes[4].refresh_from_db()
    assert notes[4].theme == theme
    # ... and a form boosted by htmx gets the board back.
    response = facilitator_client.post(
        url, {"theme": ""}, HTTP_HX_REQUEST="true", HTTP_HX_BOOSTED="true"
    )
    assert response.status_code == 302
    notes[4].refresh_from_db()
    assert notes[4].theme is None


def test_a_theme_of_another_workshop_is_refused(
    facilitator_client, cluster, challenge, facilitator
):
    workshop, notes = cluster

    other = workshop_create(
        challenge=challenge, user=facilitator, title="B", template_key="brainstorm", group_count=1
    )
    foreign = theme_create(workshop=other, name="Annat")
    url = f"/workshops/{workshop.pk}/notes/{notes[0].pk}/theme/"
    response = facilitator_client.post(url, {"theme": foreign.pk})
    assert response.status_code == 400
    assert b"That theme is not in this workshop." in response.content
    response = facilitator_client.post(
        f"/workshops/{workshop.pk}/themes/{foreign.pk}/rename/", {"name": "x"}
    )
    assert response.status_code == 404


def test_an_empty_theme_name_is_refused(facilitator_client, cluster):
    workshop, _notes = cluster
    response = facilitator_client.post(f"/workshops/{workshop.pk}/themes/", {"name": "  "})
    assert response.status_code == 400
    assert not Theme.objects.exists()


def test_duplicates_keep_both_texts_and_follow_their_note(facilitator_client, cluster):
    workshop, notes = cluster
    theme = theme_create(workshop=workshop, name="Pengar", note_ids=[notes[3].pk, notes[4].pk])
    url = f"/workshops/{workshop.pk}/notes/{notes[4].pk}/duplicate/"
    assert facilitator_client.post(url, {"of": notes[3].pk}).status_code == 302
    notes[4].refresh_from_db()
    assert notes[4].merged_into == notes[3] and notes[4].text.startswith("Finansiering")
    board = facilitator_client.get(f"/workshops/{workshop.pk}/board/").content.decode()
    assert "Finansiering saknas" in board and "Pengar saknas" in board
    # Moving the note moves its duplicate with it.
    note_set_theme(note=notes[3], theme=None)
    notes[4].refresh_from_db()
    assert notes[4].theme is None
    assert facilitator_client.post(url, {"of": ""}).status_code == 302
    notes[4].refresh_from_db()
    assert notes[4].merged_into is None
    assert facilitator_client.post(url, {"of": notes[4].pk}).status_code == 400
    assert theme.pk


def test_theme_changes_tell_board_screens_only(
    cluster, captured_events, django_capture_on_commit_callbacks
):
    workshop, notes = cluster
    with django_capture_on_commit_callbacks(execute=True):
        theme_create(workshop=workshop, name="Silos", note_ids=[notes[0].pk])
    # A new theme is `theme-saved` (the wall swaps it in place); boards only.
    assert [(e.name, e.audience) for e in captured_events] == [
        ("theme-saved", LiveEvent.Audience.BOARD)
    ]


def test_suggestions_are_offered_accepted_and_rejected(facilitator_client, cluster):
    workshop, notes = cluster
    board = facilitator_client.get(f"/workshops/{workshop.pk}/board/").content.decode()
    assert "suggested themes" in board
    # What suggestions cannot do is said where they are offered.
    assert "They miss notes that say the same thing in other words" in board
    from workshops.screens import stage_context

    suggestions = stage_context(workshop, screen="facilitator")["suggestions"]
    silos = next(s for s in suggestions if notes[0].pk in s["note_ids"])
    assert notes[1].pk in silos["note_ids"]
    # Reject: it is no longer offered, to anyone (stored in the database).
    response = facilitator_client.post(
        f"/workshops/{workshop.pk}/suggestions/reject/", {"key": silos["key"]}
    )
    assert response.status_code == 302
    board = facilitator_client.get(f"/workshops/{workshop.pk}/board/").content.decode()
    assert f'value="{silos["key"]}"' not in board
    # Accept: a theme with those notes.
    response = facilitator_client.post(
        f"/workshops/{workshop.pk}/suggestions/accept/",
        {"name": silos["label"], "note": list(silos["note_ids"])},
    )
    assert response.status_code == 302
    theme = Theme.objects.get(workshop=workshop)
    assert set(theme.notes.values_list("pk", flat=True)) == set(silos["note_ids"])


def test_projector_does_not_show_cluster_controls(facilitator_client, cluster):
    workshop, notes = cluster
    theme_create(workshop=workshop, name="Silos", note_ids=[notes[0].pk])
    projector = facilitator_client.get(f"/workshops/{workshop.pk}/projector/").content.decode()
    assert "Silos" in projector
    assert "Suggested themes" not in projector and "Dissolve" not in projector


@pytest.mark.parametrize(
    "path,data",
    [
        ("themes/", {"name": "X"}),
        ("themes/{theme}/rename/", {"name": "X"}),
        ("themes/{theme}/merge/", {"into": "{theme}"}),
        ("themes/{theme}/dissolve/", {}),
        ("notes/{note}/theme/", {"theme": ""}),
        ("notes/{note}/duplicate/", {"of": ""}),
        ("suggestions/accept/", {"name": "X"}),
        ("suggestions/reject/", {"key": "1-2"}),
    ],
)
def test_cluster_views_permissions(path, data, client, cluster, other_facilitator, phones):
    workshop, notes = cluster
    theme = theme_create(workshop=workshop, name="Kvar")
    fill = {"theme": theme.pk, "note": notes[0].pk}
    url = f"/workshops/{workshop.pk}/" + path.format(**fill)
    data = {k: str(v).format(**fill) for k, v in data.items()}
    assert client.post(url, data).status_code == 302  # anonymous: to login
    assert phones[0][0].post(url, data).status_code == 302  # participant: to login
    client.force_login(other_facilitator)
    assert client.post(url, data).status_code == 404
    assert client.get(url).status_code in {404, 405}
    theme.refresh_from_db()
    assert theme.name == "Kvar"
    assert Theme.objects.count() == 1
