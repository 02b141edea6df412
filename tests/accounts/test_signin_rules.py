"""The sign-in page, the password switch, the mapping rules and the configuration check."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client

from accounts.checks import identity_providers_check
from accounts.failures import Failure, SignInFailed
from accounts.models import IdentityProvider, MappingRule
from accounts.providers import get_provider
from accounts.signin import Person, user_sign_in
from audit.models import AuditEvent
from challenges.models import Membership, Organisation

REGION = {
    "slug": "region-x",
    "name": "Region X",
    "protocol": "oidc",
    "discovery_url": "https://idp.invalid/.well-known/openid-configuration",
    "client_id": "labb",
    "rules": [
        {"organisation": "region-x", "role": "facilitator", "group": "labb-facilitators"},
        {"organisation": "region-x", "role": "staff", "email_domain": "region-x.example"},
    ],
}


@pytest.fixture
def configured(settings, region_x):
    settings.LABB_IDENTITY_PROVIDERS = [REGION]


def person(groups=(), email="fia@region-x.example") -> Person:
    return Person(subject="sub-1", email=email, groups=frozenset(groups))


def test_the_sign_in_page_offers_each_provider_and_the_password_form(configured):
    html = Client().get("/login/?next=/challenges/").content.decode()
    assert 'href="/signin/region-x/?next=/challenges/"' in html
    assert "Sign in with Region X" in html
    assert 'name="password"' in html


def test_password_sign_in_can_be_switched_off(configured, settings):
    User.objects.create_user("local", password="a-long-local-password")
    settings.LABB_PASSWORD_LOGIN = False
    settings.AUTHENTICATION_BACKENDS = ["accounts.backends.ExternalIdentityBackend"]
    client = Client()
    assert 'name="password"' not in client.get("/login/").content.decode()
    response = client.post("/login/", {"username": "local", "password": "a-long-local-password"})
    assert response.status_code == 403
    assert 'data-signin-failure="password_login_off"' in response.content.decode()
    assert "_auth_user_id" not in client.session
    # The admin's own login form checks passwords through the backends: none is left, and
    # the admin sends people to the sign-in page instead.
    assert not client.login(username="local", password="a-long-local-password")
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/admin/"
    assert client.get("/admin/").url == "/admin/login/?next=/admin/"


def test_the_stronger_role_wins_and_memberships_follow_the_provider(configured, region_x):
    other = Organisation.objects.create(name="Kommun Y", slug="kommun-y")
    provider = get_provider("region-x")
    user = user_sign_in(provider=provider, person=person(groups={"labb-facilitators"}))
    Membership.objects.create(user=user, organisation=other, role="facilitator")
    assert Membership.objects.get(user=user, organisation=region_x).role == "facilitator"

    # Left the group: still staff by the address; the admin-given membership stays.
    assert user_sign_in(provider=provider, person=person()) == user
    assert Membership.objects.get(user=user, organisation=region_x).role == "staff"
    assert Membership.objects.get(user=user, organisation=other).role == "facilitator"

    # Moved away: no rule maps them any more, and the sign-in is refused.
    with pytest.raises(SignInFailed) as refused:
        user_sign_in(provider=provider, person=person(email="fia@elsewhere.example"))
    assert refused.value.failure == Failure.NOT_MAPPED


def test_a_switched_off_account_cannot_sign_in(configured):
    provider = get_provider("region-x")
    user = user_sign_in(provider=provider, person=person())
    User.objects.filter(pk=user.pk).update(is_active=False)
    with pytest.raises(SignInFailed) as refused:
        user_sign_in(provider=provider, person=person())
    assert refused.value.failure == Failure.ACCOUNT_DISABLED


def test_no_email_no_sign_in(configured):
    with pytest.raises(SignInFailed) as refused:
        user_sign_in(provider=get_provider("region-x"), person=person(email=""))
    assert refused.value.failure == Failure.MISSING_EMAIL


def test_a_new_user_never_takes_over_a_local_account_with_the_same_address(configured):
    local = User.objects.create_user("fia@region-x.example", email="fia@region-x.example")
    user = user_sign_in(provider=get_provider("region-x"), person=person())
    assert user != local
    assert not Membership.objects.filter(user=local).exists()


def test_providers_and_rules_from_the_admin_are_used(db, region_x):
    row = IdentityProvider.objects.create(
        slug="kommun",
        name="Kommunen",
        protocol="oidc",
        discovery_url="https://idp.invalid/.well-known/openid-configuration",
        client_id="labb",
    )
    MappingRule.objects.create(
        provider=row, organisation=region_x, role="staff", email_domain="kommun.example"
    )
    provider = get_provider("kommun")
    assert provider.rules[0].email_domain == "kommun.example"
    assert "Sign in with Kommunen" in Client().get("/login/").content.decode()
    row.enabled = False
    row.save()
    assert get_provider("kommun") is None


def test_a_rule_without_a_condition_is_refused_in_the_admin(db, region_x):
    row = IdentityProvider(slug="k", name="K", protocol="oidc")
    with pytest.raises(ValidationError):
        row.clean()
    rule = MappingRule(provider=row, organisation=region_x, role="staff")
    with pytest.raises(ValidationError):
        rule.clean()


@pytest.mark.parametrize(
    "broken",
    [
        {**REGION, "rules": [{"organisation": "region-x", "role": "staff"}]},
        {**REGION, "rules": [{"organisation": "region-x", "role": "owner", "group": "g"}]},
        {**REGION, "protocol": "ldap"},
        {**REGION, "client_id": ""},
        {**REGION, "secret": "typo in a key"},
    ],
)
def test_a_broken_environment_configuration_fails_the_start_up_check(settings, broken):
    settings.LABB_IDENTITY_PROVIDERS = [broken]
    assert [e.id for e in identity_providers_check(None)] == ["accounts.E001"]


def test_membership_changes_by_the_rules_are_in_the_audit_trail(settings, region_x):
    kommun = Organisation.objects.create(name="Kommun Y", slug="kommun-y")
    settings.LABB_IDENTITY_PROVIDERS = [
        {
            **REGION,
            "rules": [
                *REGION["rules"],
                {"organisation": "kommun-y", "role": "staff", "group": "y-staff"},
            ],
        }
    ]
    provider = get_provider("region-x")
    user = user_sign_in(provider=provider, person=person(groups={"labb-facilitators", "y-staff"}))
    user_sign_in(provider=provider, person=person())  # left both groups: staff by address

    def trail(organisation):
        return [
            (e.action, e.object_id, e.detail)
            for e in AuditEvent.objects.filter(organisation=organisation).order_by("pk")
        ]

    by_rules = {"by": "sign-in rules", "provider": "region-x"}
    assert trail(region_x) == [
        ("member.added", user.pk, {"role": "facilitator", **by_rules}),
        ("member.role", user.pk, {"from": "facilitator", "to": "staff", **by_rules}),
    ]
    assert trail(kommun) == [
        ("member.added", user.pk, {"role": "staff", **by_rules}),
        ("member.removed", user.pk, {"role": "staff", **by_rules}),
    ]
    assert not Membership.objects.filter(user=user, organisation=kommun).exists()
