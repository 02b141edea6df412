"""The permission rule, written once in `challenges/access.py` and `workshops/access.py`."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from challenges import access
from challenges.models import Challenge
from workshops.access import can_edit_workshop, workshops_editable_by, workshops_visible_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(django_user_model):
    return django_user_model.objects.create_superuser(username="ada", password="pw-ada")


@pytest.fixture
def challenges_by_visibility(org_x, facilitator) -> dict[str, Challenge]:
    return {
        visibility: Challenge.objects.create(
            organisation=org_x,
            question=f"{visibility}?",
            visibility=visibility,
            created_by=facilitator,
        )
        for visibility in Challenge.Visibility.values
    }


def visible(user) -> set[str]:
    return set(access.challenges_visible_to(user).values_list("visibility", flat=True))


def test_a_facilitator_sees_every_challenge_of_their_organisation(
    challenges_by_visibility, facilitator
):
    assert visible(facilitator) == {"private", "organisation", "shared"}


def test_staff_see_the_organisations_challenges_but_not_private_ones(
    challenges_by_visibility, staff
):
    assert visible(staff) == {"organisation", "shared"}


def test_a_facilitator_of_another_organisation_sees_only_shared_ones(
    challenges_by_visibility, other_facilitator, outsider
):
    assert visible(other_facilitator) == {"shared"}
    assert visible(outsider) == {"shared"}


def test_anonymous_users_see_nothing(challenges_by_visibility):
    assert visible(AnonymousUser()) == set()
    assert not access.challenges_editable_by(AnonymousUser()).exists()
    assert not access.can_create_challenge(AnonymousUser())


def test_only_facilitators_of_the_organisation_and_superusers_may_edit(
    challenges_by_visibility, facilitator, other_facilitator, staff, outsider, admin
):
    shared = challenges_by_visibility["shared"]
    assert access.can_edit_challenge(facilitator, shared.pk)
    assert access.can_edit_challenge(admin, shared.pk)
    for user in (other_facilitator, staff, outsider):
        assert not access.can_edit_challenge(user, shared.pk)
    assert access.challenges_editable_by(facilitator).count() == 3


def test_workshops_follow_the_rule_of_their_challenge(workshop, staff, other_facilitator):
    assert can_edit_workshop(workshop.challenge.created_by, workshop)
    assert not can_edit_workshop(staff, workshop)
    workshop.challenge.visibility = Challenge.Visibility.PRIVATE
    workshop.challenge.save()
    assert list(workshops_visible_to(staff)) == []
    assert list(workshops_editable_by(other_facilitator)) == []


def test_who_may_create_a_challenge(org_x, facilitator, staff, outsider, admin):
    assert access.can_create_challenge(facilitator)
    assert access.can_create_challenge(admin)
    assert not access.can_create_challenge(staff)
    assert not access.can_create_challenge(outsider)


def test_a_superuser_without_challenges_is_offered_to_create_one(client, org_x, admin):
    """The list's "New challenge" button follows the same rule as the create view (before,
    a superuser with no membership saw it only once some challenge existed)."""
    client.force_login(admin)
    assert client.get("/challenges/").context["can_create"] is True
    assert client.get("/challenges/new/").status_code == 200


def test_staff_are_not_offered_to_create_a_challenge(client, org_x, staff):
    client.force_login(staff)
    assert client.get("/challenges/").context["can_create"] is False
    assert client.get("/challenges/new/").status_code == 403


@pytest.fixture
def org_admin(django_user_model, org_x):
    from challenges.models import Membership

    user = django_user_model.objects.create_user(username="agnes", password="pw-agnes")
    Membership.objects.create(user=user, organisation=org_x, role=Membership.Role.ADMIN)
    return user


def test_an_organisation_admin_sees_and_changes_like_a_facilitator(
    challenges_by_visibility, org_admin
):
    assert visible(org_admin) == {"private", "organisation", "shared"}
    assert access.challenges_editable_by(org_admin).count() == 3
    assert access.can_create_challenge(org_admin)


def test_who_administers_an_organisation(
    org_x, org_y, org_admin, facilitator, other_facilitator, staff, outsider, admin
):
    assert list(access.organisations_administered_by(org_admin)) == [org_x]
    assert set(access.organisations_administered_by(admin)) == {org_x, org_y}
    for user in (facilitator, other_facilitator, staff, outsider, AnonymousUser()):
        assert not access.organisations_administered_by(user).exists()
