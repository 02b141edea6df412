"""Membership changes made in Django's admin (by the server's superusers) are in the audit
trail too, like those on the organisation admin's pages."""

from __future__ import annotations

import pytest
from django.test import Client

from audit.models import AuditEvent
from challenges.models import Membership


@pytest.fixture
def superuser_client(django_user_model) -> tuple[Client, object]:
    root = django_user_model.objects.create_superuser("root", "root@example.se", "pw")
    client = Client()
    client.force_login(root)
    return client, root


def _trail(organisation) -> list[tuple[str, int, dict]]:
    return [
        (e.action, e.object_id, e.detail)
        for e in AuditEvent.objects.filter(organisation=organisation).order_by("pk")
        if e.action.startswith("member.")
    ]


@pytest.mark.django_db
def test_adding_changing_and_removing_a_member_in_the_django_admin_is_recorded(
    superuser_client, org_x, outsider
):
    client, root = superuser_client
    response = client.post(
        "/admin/challenges/membership/add/",
        {"user": outsider.pk, "organisation": org_x.pk, "role": "staff"},
    )
    assert response.status_code == 302, response.content[:500]
    membership = Membership.objects.get(user=outsider, organisation=org_x)
    response = client.post(
        f"/admin/challenges/membership/{membership.pk}/change/",
        {"user": outsider.pk, "organisation": org_x.pk, "role": "facilitator"},
    )
    assert response.status_code == 302
    response = client.post(f"/admin/challenges/membership/{membership.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    by = {"by": "django admin"}
    assert _trail(org_x) == [
        ("member.added", outsider.pk, {"role": "staff", **by}),
        ("member.role", outsider.pk, {"from": "staff", "to": "facilitator", **by}),
        ("member.removed", outsider.pk, {"role": "facilitator", **by}),
    ]
    assert set(
        AuditEvent.objects.filter(action__startswith="member.").values_list("actor", flat=True)
    ) == {root.pk}


@pytest.mark.django_db
def test_the_organisation_pages_membership_rows_are_recorded(
    superuser_client, org_x, facilitator, outsider
):
    """The memberships inline on an organisation's admin page: a row added, a role
    changed and a row deleted in one save."""
    client, _root = superuser_client
    existing = Membership.objects.get(user=facilitator, organisation=org_x)
    data = {
        "name": org_x.name,
        "slug": org_x.slug,
        "default_retention_days": org_x.default_retention_days,
        "memberships-TOTAL_FORMS": "2",
        "memberships-INITIAL_FORMS": "1",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-id": existing.pk,
        "memberships-0-organisation": org_x.pk,
        "memberships-0-user": facilitator.pk,
        "memberships-0-role": "admin",
        "memberships-1-organisation": org_x.pk,
        "memberships-1-user": outsider.pk,
        "memberships-1-role": "staff",
    }
    form = client.get(f"/admin/challenges/organisation/{org_x.pk}/change/")
    for name, value in form.context["adminform"].form.initial.items():
        data.setdefault(name, "" if value is None else value)
    response = client.post(f"/admin/challenges/organisation/{org_x.pk}/change/", data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    by = {"by": "django admin"}
    assert sorted(_trail(org_x)) == sorted(
        [
            ("member.role", facilitator.pk, {"from": "facilitator", "to": "admin", **by}),
            ("member.added", outsider.pk, {"role": "staff", **by}),
        ]
    )
    data.update({"memberships-0-role": "admin", "memberships-0-DELETE": "on"})
    data.update({"memberships-TOTAL_FORMS": "1"})
    for key in [k for k in data if k.startswith("memberships-1-")]:
        del data[key]
    response = client.post(f"/admin/challenges/organisation/{org_x.pk}/change/", data)
    assert response.status_code == 302
    assert _trail(org_x)[-1] == ("member.removed", facilitator.pk, {"role": "admin", **by})
