"""The organisation admin's members page: add, change the role of and remove members, see
when they last signed in; each change is in the audit trail."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from challenges.models import Membership

pytestmark = pytest.mark.django_db


def members_url(org) -> str:
    return reverse("orgadmin_members", args=[org.slug])


def test_an_admin_adds_a_member_by_user_name_and_it_is_audited(
    admin_client, org_x, org_admin, outsider
):
    response = admin_client.post(members_url(org_x), {"user": "olle", "role": "facilitator"})
    assert response.status_code == 302
    membership = Membership.objects.get(user=outsider, organisation=org_x)
    assert membership.role == "facilitator"
    event = AuditEvent.objects.get(action="member.added")
    assert (event.actor, event.actor_name, event.organisation) == (org_admin, "agnes", org_x)
    assert (event.object_type, event.object_id, event.object_label) == ("user", outsider.pk, "olle")
    assert event.detail == {"role": "facilitator"}


def test_an_admin_adds_a_member_by_email_address(admin_client, org_x, django_user_model):
    user = django_user_model.objects.create_user(username="bea", email="Bea@Example.se")
    response = admin_client.post(members_url(org_x), {"user": "bea@example.se", "role": "staff"})
    assert response.status_code == 302
    assert Membership.objects.get(user=user, organisation=org_x).role == "staff"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("nobody", "No one with this user name or email has signed in."),
        ("frida", "This person is already a member."),
        ("", "This field is required."),
    ],
)
def test_adding_someone_who_cannot_be_added_is_a_clear_400(
    admin_client, org_x, facilitator, value, message
):
    response = admin_client.post(members_url(org_x), {"user": value, "role": "staff"})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not AuditEvent.objects.filter(action="member.added").exists()


def test_adding_with_an_unknown_role_is_a_400(admin_client, org_x, outsider):
    response = admin_client.post(members_url(org_x), {"user": "olle", "role": "owner"})
    assert response.status_code == 400
    assert not Membership.objects.filter(user=outsider).exists()


def test_the_error_is_in_swedish_for_a_swedish_page(admin_client, org_x):
    admin_client.cookies["django_language"] = "sv"
    response = admin_client.post(members_url(org_x), {"user": "nobody", "role": "staff"})
    assert response.status_code == 400
    assert "Ingen med det här användarnamnet eller e-postadressen" in response.content.decode()


def test_an_admin_changes_a_role_and_the_trail_says_from_what_to_what(admin_client, org_x, staff):
    membership = Membership.objects.get(user=staff)
    response = admin_client.post(
        reverse("orgadmin_role", args=[org_x.slug, membership.pk]), {"role": "facilitator"}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == "facilitator"
    event = AuditEvent.objects.get(action="member.role")
    assert event.detail == {"from": "staff", "to": "facilitator"}
    assert event.object_label == "sam"


def test_an_admin_removes_a_member(admin_client, org_x, staff):
    membership = Membership.objects.get(user=staff)
    response = admin_client.post(
        reverse("orgadmin_member_remove", args=[org_x.slug, membership.pk])
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    event = AuditEvent.objects.get(action="member.removed")
    assert (event.object_label, event.detail) == ("sam", {"role": "staff"})


def test_the_last_admin_can_neither_step_down_nor_leave(admin_client, org_x, org_admin):
    own = Membership.objects.get(user=org_admin)
    response = admin_client.post(
        reverse("orgadmin_role", args=[org_x.slug, own.pk]), {"role": "staff"}
    )
    assert response.status_code == 400
    assert "An organisation keeps at least one admin." in response.content.decode()
    response = admin_client.post(reverse("orgadmin_member_remove", args=[org_x.slug, own.pk]))
    assert response.status_code == 400
    own.refresh_from_db()
    assert own.role == "admin"
    assert not AuditEvent.objects.filter(action__startswith="member.").exists()


def test_with_a_second_admin_the_first_may_step_down(admin_client, org_x, org_admin, staff):
    Membership.objects.filter(user=staff).update(role="admin")
    own = Membership.objects.get(user=org_admin)
    response = admin_client.post(
        reverse("orgadmin_role", args=[org_x.slug, own.pk]), {"role": "facilitator"}
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.role == "facilitator"
    # No longer an admin: the pages are closed to them now.
    assert admin_client.get(members_url(org_x)).status_code == 404


def test_the_page_lists_members_with_their_last_sign_in(org_x, org_admin, staff, facilitator):
    client = Client()
    client.post(reverse("login"), {"username": "sam", "password": "pw-sam"})
    client = Client()
    client.force_login(org_admin)
    staff.refresh_from_db()
    html = client.get(members_url(org_x)).content.decode()
    row = html[html.index('<th scope="row">sam</th>') :].split("</tr>")[0]
    assert timezone.localtime(staff.last_login).strftime("%Y-%m-%d %H:%M") in row
    row = html[html.index('<th scope="row">frida</th>') :].split("</tr>")[0]
    assert "Never" in row


def test_an_admin_of_one_organisation_cannot_touch_anothers_members(
    admin_client, org_y, other_facilitator, org_x
):
    """Agnes administers X. Y's pages, and Y's memberships reached through X's address,
    are 404: she learns nothing about Y."""
    membership = Membership.objects.get(user=other_facilitator)
    assert admin_client.get(members_url(org_y)).status_code == 404
    assert admin_client.get(reverse("orgadmin_audit", args=[org_y.slug])).status_code == 404
    assert admin_client.get(reverse("orgadmin_audit_csv", args=[org_y.slug])).status_code == 404
    for slug in (org_x.slug, org_y.slug):
        response = admin_client.post(
            reverse("orgadmin_role", args=[slug, membership.pk]), {"role": "staff"}
        )
        assert response.status_code == 404
        response = admin_client.post(reverse("orgadmin_member_remove", args=[slug, membership.pk]))
        assert response.status_code == 404
    membership.refresh_from_db()
    assert membership.role == "facilitator"


def test_facilitators_and_staff_get_404_on_the_admin_pages(org_x, facilitator, staff):
    for user in (facilitator, staff):
        client = Client()
        client.force_login(user)
        for name in ("orgadmin_members", "orgadmin_defaults", "orgadmin_audit"):
            assert client.get(reverse(name, args=[org_x.slug])).status_code == 404
        assert client.get(reverse("orgadmin_list")).status_code == 404


def test_the_menu_links_the_admin_pages_only_for_admins(admin_client, facilitator_client):
    link = f'href="{reverse("orgadmin_list")}"'
    assert link in admin_client.get(reverse("challenge_list")).content.decode()
    assert link not in facilitator_client.get(reverse("challenge_list")).content.decode()


def test_an_admin_leads_the_organisation_like_a_facilitator(admin_client, challenge):
    """An organisation admin is a facilitator too: they may change its challenges."""
    response = admin_client.get(reverse("challenge_edit", args=[challenge.pk]))
    assert response.status_code == 200
