"""A newcomer's first minute: the start page, the demo data and the way to an ongoing
workshop."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from challenges.models import Challenge, Membership
from workshops import demo_large
from workshops.models import Note, Theme, Workshop


@pytest.fixture
def demo(db):
    call_command("seed_demo", verbosity=0)


def test_seed_demo_loads_the_large_workshop_revealed_and_without_themes(demo):
    workshop = Workshop.objects.get(title=demo_large.LARGE_WORKSHOP_TITLE)
    assert workshop.phase == Workshop.Phase.REVEAL
    assert workshop.kind == Workshop.Kind.LIVE
    assert [c.title for c in workshop.columns.all()] == ["Framgångsfaktorer", "Hinder"]
    groups = list(workshop.groups.all())
    assert len(groups) == 18
    notes = Note.objects.filter(workshop=workshop)
    assert 240 <= notes.count() <= 260
    assert not Theme.objects.filter(workshop=workshop).exists()
    assert not notes.exclude(theme=None).exists()
    for group in groups:
        per_column = {
            c.title: notes.filter(group=group, column=c).count() for c in workshop.columns.all()
        }
        assert min(per_column.values()) >= 5, (group.name, per_column)
    # Every note is on its group's board in the column the data puts it in.
    spec = demo_large.LARGE_WORKSHOP["groups"]
    success, obstacles = workshop.columns.all()
    for group, group_spec in zip(groups, spec, strict=True):
        assert group.name == group_spec["name"]
        assert sorted(
            notes.filter(group=group, column=success).values_list("text", flat=True)
        ) == sorted(group_spec["notes"]["success"])
        assert sorted(
            notes.filter(group=group, column=obstacles).values_list("text", flat=True)
        ) == sorted(group_spec["notes"]["obstacles"])


def test_seed_demo_twice_changes_nothing(demo):
    before = Note.objects.count(), Workshop.objects.count()
    call_command("seed_demo", verbosity=0)
    assert (Note.objects.count(), Workshop.objects.count()) == before


def test_start_page_offers_the_code_and_the_login_to_people_not_signed_in(db):
    response = Client().get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'action="{reverse("join")}"' in html
    assert 'name="code"' in html
    assert f'href="{reverse("login")}"' in html


def test_start_page_sends_signed_in_users_to_their_challenges(facilitator_client):
    response = facilitator_client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("challenge_list")


def test_the_demo_live_workshops_are_one_click_from_the_challenge_list(demo):
    client = Client()
    assert client.login(username="facilitator", password="labb-demo")
    response = client.get(reverse("challenge_list"))
    assert response.status_code == 200
    html = response.content.decode()
    for title in ("Prova själv: live-workshop", demo_large.LARGE_WORKSHOP_TITLE):
        workshop = Workshop.objects.get(title=title)
        assert f'href="{reverse("workshop_detail", args=[workshop.pk])}"' in html
    # The paper workshop and closed ones are not "ongoing".
    paper = Workshop.objects.filter(kind=Workshop.Kind.PAPER).first()
    assert f'href="{reverse("workshop_detail", args=[paper.pk])}"' not in html
    assert f'href="{reverse("archive_import")}"' in html


def test_ongoing_workshops_list_only_what_the_user_runs(workshop, staff, other_facilitator):
    detail = f'href="{reverse("workshop_detail", args=[workshop.pk])}"'
    for user in (staff, other_facilitator):
        client = Client()
        client.force_login(user)
        response = client.get(reverse("challenge_list"))
        assert response.status_code == 200
        assert detail not in response.content.decode()
    workshop.phase = Workshop.Phase.CLOSED
    workshop.save(update_fields=["phase"])
    owner = Client()
    owner.force_login(workshop.challenge.created_by)
    assert detail not in owner.get(reverse("challenge_list")).content.decode()


def test_a_facilitator_of_one_organisation_has_it_chosen_in_the_challenge_form(
    facilitator_client, facilitator, org_x
):
    html = facilitator_client.get(reverse("challenge_create")).content.decode()
    assert f'<option value="{org_x.pk}" selected>' in html
    assert "---------" not in html
    response = facilitator_client.post(
        reverse("challenge_create"),
        {
            "organisation": org_x.pk,
            "question": "Hur kan vi minska stuprören?",
            "description": "",
            "status": Challenge._meta.get_field("status").default,
            "visibility": Challenge._meta.get_field("visibility").default,
            "tag_names": "",
        },
    )
    assert response.status_code == 302
    assert Challenge.objects.filter(question="Hur kan vi minska stuprören?").exists()


def test_a_facilitator_of_two_organisations_must_choose(facilitator_client, facilitator, org_y):
    Membership.objects.create(
        user=facilitator, organisation=org_y, role=Membership.Role.FACILITATOR
    )
    html = facilitator_client.get(reverse("challenge_create")).content.decode()
    assert "---------" in html
