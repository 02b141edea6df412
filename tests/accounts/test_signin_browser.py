"""In Chromium: a facilitator, a staff member and someone no rule maps sign in through the
real test provider (tests/idp/) to a real Labb server; signing out ends both sessions."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User

from challenges.models import Membership, Organisation
from tests.support.browser import DESKTOP, Watch, check_axe, new_context
from tests.support.identity import PASSWORD, oidc_rules

pytestmark = [pytest.mark.browser, pytest.mark.services]


def sign_in_through_the_provider(
    page, watch, server_url: str, username: str, *, button: str = "Sign in with Region X"
) -> None:
    page.goto(f"{server_url}/login/")
    check_axe(page, watch, "login with providers")
    with page.expect_navigation():
        page.get_by_role("link", name=button).click()
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation(url=f"{server_url}/**"):
        page.get_by_role("button", name="Sign in").click()


def test_facilitator_staff_and_an_unmapped_person_sign_in_through_the_provider(
    browser, labb_servers, oidc_idp
):
    Organisation.objects.create(name="Region X", slug="region-x")
    config = [oidc_idp.provider_config(rules=oidc_rules("region-x"))]
    server = labb_servers.start(env={"LABB_IDENTITY_PROVIDERS": json.dumps(config)})
    watch = Watch(host=server.url.removeprefix("http://"))

    # The facilitator lands on the challenges and may create one.
    context = new_context(browser, watch, **DESKTOP)
    page = context.new_page()
    sign_in_through_the_provider(page, watch, server.url, "fia")
    assert page.url == f"{server.url}/challenges/"
    check_axe(page, watch, "challenges after sign-in")
    assert page.get_by_role("link", name="New challenge").count() == 1
    fia = User.objects.get(email="fia@region-x.example")
    assert Membership.objects.get(user=fia).role == "facilitator"

    # The provider has a session of its own: signing in again asks for no password.
    page.goto(f"{server.url}/signin/region-x/")
    page.wait_for_url(f"{server.url}/challenges/")

    # Signing out ends Labb's session and the provider's (single logout): the next sign-in
    # asks for the password again instead of coming straight back.
    with page.expect_navigation(url=f"{server.url}/login/"):
        page.get_by_role("button", name="Log out").click()
    page.goto(f"{server.url}/challenges/")
    assert "/login/" in page.url
    with page.expect_navigation():
        page.get_by_role("link", name="Sign in with Region X").click()
    assert page.url.startswith(oidc_idp.url)
    assert page.locator("#id_password").count() == 1
    context.close()

    # Staff by their address: read only, no "New challenge".
    context = new_context(browser, watch, **DESKTOP)
    page = context.new_page()
    sign_in_through_the_provider(page, watch, server.url, "sture")
    assert page.url == f"{server.url}/challenges/"
    assert page.get_by_role("link", name="New challenge").count() == 0
    assert Membership.objects.get(user__email="sture@region-x.example").role == "staff"
    context.close()

    # Nobody's rule: a clear refusal page, in Swedish for a browser that never chose.
    context = new_context(browser, watch, locale="sv-SE", chosen=False, **DESKTOP)
    page = context.new_page()
    sign_in_through_the_provider(page, watch, server.url, "nils", button="Logga in med Region X")
    assert page.get_by_role("heading", level=1).inner_text() == "Du har ingen roll i Labb"
    check_axe(page, watch, "refusal page")
    assert not User.objects.filter(email="nils@elsewhere.example").exists()
    context.close()

    assert watch.console_errors == []
    assert all(url.startswith(oidc_idp.url) for url in watch.foreign_requests)


def test_a_facilitator_signs_in_through_the_saml_provider_and_out_again(
    browser, labb_servers, saml_idp
):
    Organisation.objects.create(name="Kommun Y", slug="kommun-y")
    config = [saml_idp.provider_config(rules=oidc_rules("kommun-y"))]
    server = labb_servers.start(env={"LABB_IDENTITY_PROVIDERS": json.dumps(config)})
    watch = Watch(host=server.url.removeprefix("http://"))
    context = new_context(browser, watch, **DESKTOP)
    page = context.new_page()

    page.goto(f"{server.url}/challenges/")
    check_axe(page, watch, "login with a SAML provider")
    with page.expect_navigation():
        page.get_by_role("link", name="Sign in with Kommun Y").click()
    page.fill("#id_username", "fia")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # The IdP's page posts the signed answer to Labb, which signs fia in and goes on.
    page.wait_for_url(f"{server.url}/challenges/")
    assert page.get_by_role("link", name="New challenge").count() == 1
    assert Membership.objects.get(user__email="fia@region-x.example").role == "facilitator"

    # The IdP has a session of its own: signing in again asks for no password.
    page.goto(f"{server.url}/signin/kommun-y/")
    page.wait_for_url(f"{server.url}/challenges/")

    # Single logout: Labb's session ends, then the IdP's (a LogoutRequest, and back with
    # its LogoutResponse); the next sign-in asks for the password again.
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{server.url}/login/")
    page.goto(f"{server.url}/challenges/")
    assert page.url.startswith(f"{server.url}/login/")
    with page.expect_navigation():
        page.get_by_role("link", name="Sign in with Kommun Y").click()
    assert page.url.startswith(saml_idp.url)
    assert page.locator("#id_password").count() == 1
    context.close()
    assert watch.console_errors == []
    assert all(url.startswith(saml_idp.url) for url in watch.foreign_requests)
