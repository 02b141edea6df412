"""The organisation's defaults: retention, visibility, vote budget, templates offered. New
challenges and workshops start from them."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from workshops.services.workshops import workshop_create

pytestmark = pytest.mark.django_db


def defaults_url(org) -> str:
    return reverse("orgadmin_defaults", args=[org.slug])


DEFAULTS = {
    "default_retention_days": "90",
    "default_visibility": "private",
    "default_vote_budget": "3",
    "templates_offered": ["brainstorm", "custom"],
}


def test_an_admin_sets_the_defaults_and_the_trail_says_what_changed(admin_client, org_x, org_admin):
    response = admin_client.post(defaults_url(org_x), DEFAULTS)
    assert response.status_code == 302
    org_x.refresh_from_db()
    assert org_x.default_retention_days == 90
    assert org_x.default_visibility == "private"
    assert org_x.default_vote_budget == 3
    assert org_x.templates_offered == ["brainstorm", "custom"]
    event = AuditEvent.objects.get(action="organisation.defaults")
    assert event.actor == org_admin
    assert event.detail == {
        "default_retention_days": 90,
        "default_visibility": "private",
        "default_vote_budget": 3,
        "templates_offered": ["brainstorm", "custom"],
    }


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("default_vote_budget", "0", "Between 1 and 20 votes."),
        # A workshop takes at most 20 votes per participant (services/votes.py).
        ("default_vote_budget", "21", "Between 1 and 20 votes."),
        ("default_retention_days", "0", "Between 1 and 3650 days."),
        ("default_visibility", "everyone", "Select a valid choice."),
        ("templates_offered", ["nope"], "Select a valid choice."),
    ],
)
def test_bad_defaults_are_a_clear_400_and_change_nothing(
    admin_client, org_x, field, value, message
):
    response = admin_client.post(defaults_url(org_x), DEFAULTS | {field: value})
    assert response.status_code == 400
    assert message in response.content.decode()
    org_x.refresh_from_db()
    assert org_x.default_vote_budget == 5
    assert not AuditEvent.objects.filter(action="organisation.defaults").exists()


def test_new_workshops_start_from_the_defaults(org_x, challenge, facilitator):
    org_x.default_vote_budget = 3
    org_x.default_retention_days = 30
    org_x.templates_offered = ["brainstorm"]
    org_x.save()
    challenge.refresh_from_db()
    workshop = workshop_create(
        challenge=challenge,
        user=facilitator,
        title="Idéer",
        template_key="brainstorm",
        group_count=2,
        date=datetime.date(2026, 3, 1),
    )
    assert workshop.vote_budget == 3
    assert workshop.retain_until == datetime.date(2026, 3, 31)
    with pytest.raises(ValidationError):
        workshop_create(
            challenge=challenge,
            user=facilitator,
            title="Hinder",
            template_key="success_obstacles",
            group_count=2,
        )


def test_the_workshop_form_offers_only_the_chosen_templates(org_x, challenge, facilitator_client):
    org_x.templates_offered = ["brainstorm", "now_future"]
    org_x.save()
    url = reverse("workshop_create", args=[challenge.pk])
    html = facilitator_client.get(url).content.decode()
    assert 'value="brainstorm"' in html
    assert 'value="now_future"' in html
    assert 'value="success_obstacles"' not in html
    response = facilitator_client.post(
        url, {"title": "T", "template": "success_obstacles", "group_count": 2, "kind": "live"}
    )
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()


def test_a_new_challenge_starts_with_the_default_visibility(org_x, facilitator_client):
    org_x.default_visibility = "private"
    org_x.save()
    html = facilitator_client.get(reverse("challenge_create")).content.decode()
    assert '<option value="private" selected>' in html
