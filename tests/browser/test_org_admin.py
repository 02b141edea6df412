"""An organisation admin in Chromium: adds a member, changes their role, and finds both in
the audit trail. axe-core (WCAG 2.1 AA) passes on every organisation admin page, error
states included."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from challenges.models import Membership
from tests.support.browser import DESKTOP, Watch, check_axe, log_in, new_context

pytestmark = [pytest.mark.browser, pytest.mark.services]

TIMEOUT = 15_000


@pytest.fixture
def org_admin(django_user_model, org_x):
    user = django_user_model.objects.create_user(username="agnes", password="pw-agnes")
    Membership.objects.create(user=user, organisation=org_x, role=Membership.Role.ADMIN)
    return user


def test_an_admin_adds_a_member_changes_the_role_and_finds_both_in_the_trail(
    browser, labb_servers, org_x, org_admin, outsider, facilitator
):
    server = labb_servers.start()
    watch = Watch(host=f"127.0.0.1:{server.port}")
    page = new_context(browser, watch, **DESKTOP).new_page()
    page.set_default_timeout(TIMEOUT)
    log_in(page, watch, server.url, "agnes", "pw-agnes")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Organisation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Organisations you manage")
    check_axe(page, watch, "organisations")
    page.get_by_role("link", name="Members").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Members of Region Exempel")
    check_axe(page, watch, "members")

    # Someone who never signed in cannot be added: the form says why.
    page.get_by_label("User name or email address").fill("nobody@example.se")
    page.get_by_role("button", name="Add member").click()
    expect(page.locator("#form-errors")).to_contain_text(
        "No one with this user name or email has signed in."
    )
    check_axe(page, watch, "members, refused")

    page.get_by_label("User name or email address").fill("olle")
    page.locator("#id_role").select_option("staff")
    page.get_by_role("button", name="Add member").click()
    expect(page.locator(".messages")).to_contain_text("Member added.")
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="olle"))
    expect(row.get_by_label("Role of olle")).to_have_value("staff")
    expect(row).to_contain_text("Never")

    row.get_by_label("Role of olle").select_option("facilitator")
    row.get_by_role("button", name="Change role (olle)").click()
    expect(page.locator(".messages")).to_contain_text("Role changed for olle.")
    expect(row.get_by_label("Role of olle")).to_have_value("facilitator")
    check_axe(page, watch, "members, after the changes")
    assert Membership.objects.get(user=outsider, organisation=org_x).role == "facilitator"

    page.get_by_role("link", name="Defaults").click()
    check_axe(page, watch, "defaults")
    page.get_by_label("Default votes per participant").fill("0")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#form-errors")).to_contain_text("Between 1 and 20 votes.")
    check_axe(page, watch, "defaults, refused")

    page.get_by_role("link", name="Audit trail").click()
    trail = page.get_by_role("table")
    added = trail.get_by_role("row").filter(has_text="Member added")
    expect(added).to_contain_text("agnes")
    expect(added).to_contain_text("olle")
    expect(added).to_contain_text("role: staff")
    changed = trail.get_by_role("row").filter(has_text="Role changed")
    expect(changed).to_contain_text("agnes")
    expect(changed).to_contain_text("from: staff; to: facilitator")
    check_axe(page, watch, "audit trail")

    page.locator("#id_action").select_option("member.role")
    page.get_by_role("button", name="Filter").click()
    expect(trail.get_by_role("row")).to_have_count(2)  # the header and the one change
    check_axe(page, watch, "audit trail, filtered")

    page.locator("#id_since").fill("2026-05-02")
    page.locator("#id_until").fill("2026-05-01")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#form-errors")).to_contain_text("The first day comes after the last.")
    check_axe(page, watch, "audit trail, refused filter")
    watch.assert_clean()


def test_the_admin_pages_pass_axe_in_swedish(browser, labb_servers, org_x, org_admin):
    server = labb_servers.start()
    watch = Watch(host=f"127.0.0.1:{server.port}")
    page = new_context(browser, watch, "sv-SE", **DESKTOP).new_page()
    page.set_default_timeout(TIMEOUT)
    log_in(page, watch, server.url, "agnes", "pw-agnes")
    for path, heading in [
        ("/org/", "Organisationer som du administrerar"),
        (f"/org/{org_x.slug}/members/", "Medlemmar i Region Exempel"),
        (f"/org/{org_x.slug}/defaults/", "Standardval för Region Exempel"),
        (f"/org/{org_x.slug}/audit/", "Händelselogg för Region Exempel"),
    ]:
        page.goto(server.url + path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        check_axe(page, watch, path)
    watch.assert_clean()
