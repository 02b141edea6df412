"""WCAG 1.4.10 Reflow and 1.4.12 Text spacing, measured in Chromium over the pages of a
workshop in every phase: no page scrolls sideways at 320 CSS px (a phone, and a 1280 px
window zoomed to 400 %), nor at 1280 px with the text-spacing bookmarklet applied; the
phone's targets stay at least 24 × 24 px."""

from __future__ import annotations

import pytest
from django.test import Client
from playwright.sync_api import expect

from tests.support.a11y import (
    PHONE,
    TIMEOUT,
    Axe,
    apply_text_spacing,
    desk,
    overflow,
    small_targets,
    watch_for,
)
from tests.support.browser import new_context
from tests.support.steps import add_note, join_as, set_phase
from workshops.models import Workshop
from workshops.services import actions, themes, workshops

pytestmark = [pytest.mark.browser, pytest.mark.services]

PHASES = ["prepare", "write", "reveal", "cluster", "vote", "next_steps", "closed"]
NARROW = {
    "320 px phone": {"viewport": {"width": 320, "height": 640}},
    "1280 px at 400 %": {"viewport": {"width": 320, "height": 225}, "device_scale_factor": 4},
}


@pytest.fixture
def full_workshop(challenge, facilitator) -> Workshop:
    """Two groups with notes, two themes, votes and a next step: every phase has content."""
    workshop = workshops.workshop_create(
        challenge=challenge,
        user=facilitator,
        title="Samverkan över förvaltningsgränserna",
        template_key="success_obstacles",
        group_count=2,
        place="Växjö",
    )
    set_phase(workshop, "write")
    people = [join_as(Client(), workshop, group_index=i % 2, name=f"Person {i}") for i in range(2)]
    notes = [
        add_note(workshop, people[0], "Alla jobbar i sina egna stuprör"),
        add_note(workshop, people[1], "Finansiering saknas för långsiktigt arbete"),
    ]
    theme = themes.theme_create(workshop=workshop, name="Stuprör", note_ids=[notes[0].pk])
    themes.theme_create(workshop=workshop, name="Pengar", note_ids=[notes[1].pk])
    actions.action_item_create(
        workshop=workshop,
        title="Gemensam träff för förvaltningarna",
        owner_name="Anna, regionen",
        due_date=None,
        theme_ids=[theme.pk],
        note_ids=[],
    )
    return set_phase(Workshop.objects.get(pk=workshop.pk), "prepare")


def _phone(browser, base, workshop, options):
    context = new_context(browser, watch_for(base), "en-GB", **options)
    context.set_default_timeout(TIMEOUT)
    phone = context.new_page()
    phone.goto(f"{base}/j/{workshop.join_code}/")
    phone.get_by_label("Your group").select_option(label="Group 1")
    phone.get_by_role("button", name="Take part").click()
    expect(phone.locator("#phone-stage")).to_be_visible()
    return phone


def _visit_every_phase(browser, base, workshop, facilitator, options, prepare=None, axe=None):
    """Each screen of the workshop in each phase: (label, measured overflow) for each."""
    pages = desk(browser, base, facilitator, **options)
    phone = _phone(browser, base, workshop, options)
    screens = {
        "board": f"{base}/workshops/{workshop.pk}/board/",
        "projector": f"{base}/workshops/{workshop.pk}/projector/",
        "control panel": f"{base}/workshops/{workshop.pk}/",
        "challenge": f"{base}/challenges/{workshop.challenge_id}/",
    }
    page = pages.new_page()
    results = []
    for phase in PHASES:
        set_phase(Workshop.objects.get(pk=workshop.pk), phase)
        for name, url in screens.items():
            page.goto(url)
            if prepare:
                prepare(page)
            page.wait_for_timeout(150)  # the projector fits its type on the next frames
            results.append((f"{name}, {phase}", overflow(page)))
            if axe:
                axe.check(page, f"{name}, {phase}")
        phone.reload()
        if prepare:
            prepare(phone)
        results.append((f"phone, {phase}", overflow(phone)))
        if axe:
            axe.check(phone, f"phone, {phase}")
    return results


def _lines(wide) -> str:
    return "".join(
        f"\n  {label}: {r['scroll']} px > {r['window']} px; {r['out']}" for label, r in wide
    )


@pytest.mark.parametrize("size", list(NARROW))
def test_no_page_scrolls_sideways_at_320_css_pixels(
    server_url, browser, full_workshop, facilitator, size
):
    # axe once, at the phone size: the narrow layout is what this file changes.
    axe = Axe(server_url) if size == "320 px phone" else None
    results = _visit_every_phase(
        browser, server_url, full_workshop, facilitator, NARROW[size], axe=axe
    )
    wide = [(label, r) for label, r in results if r["scroll"] > r["window"]]
    assert wide == [], f"pages wider than the window at {size}: {_lines(wide)}"


def test_no_page_scrolls_sideways_with_text_spacing_at_1280_px(
    server_url, browser, full_workshop, facilitator
):
    results = _visit_every_phase(
        browser,
        server_url,
        full_workshop,
        facilitator,
        {"viewport": {"width": 1280, "height": 900}},
        prepare=apply_text_spacing,
    )
    wide = [(label, r) for label, r in results if r["scroll"] > r["window"]]
    assert wide == [], f"pages wider than the window with text spacing: {_lines(wide)}"


def test_the_phone_keeps_its_targets_and_width_with_text_spacing(
    server_url, browser, full_workshop
):
    phone = _phone(browser, server_url, full_workshop, PHONE)
    problems = []
    for phase in PHASES:
        set_phase(Workshop.objects.get(pk=full_workshop.pk), phase)
        phone.reload()
        apply_text_spacing(phone)
        measured = overflow(phone)
        if measured["scroll"] > measured["window"]:
            problems.append((phase, measured))
        if small := small_targets(phone):
            problems.append((phase, small))
    assert problems == [], problems
