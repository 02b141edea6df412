"""The phone's vote list with the large demo (18 groups, ~250 notes) at 360 px wide. The
field report: 196 items, about 26,000 px tall. Themes now come first; loose notes sit in
collapsed sections per group and column, with a text filter; the facilitator can have the
room vote on themes only."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.support.browser import (
    PHONE,
    Watch,
    check_axe,
    new_context,
    take_part,
)
from workshops import demo_large
from workshops.models import Note, Vote, Workshop
from workshops.services.phases import phase_set
from workshops.services.themes import theme_create
from workshops.services.votes import voting_configure

pytestmark = [pytest.mark.browser, pytest.mark.services]

TIMEOUT = 15_000
# Four themes, then 36 collapsed sections of ~44 px each: about 3,000 px at 360 px wide.
MAX_LIST_PX = 4_000
THEMES = {"Stuprör": "stupr", "Tid": "tid", "Pengar": "pengar", "Tillit": "tillit"}


def _large_demo_in_vote_phase() -> tuple[Workshop, list[Note]]:
    call_command("seed_demo", verbosity=0)
    workshop = Workshop.objects.get(title=demo_large.LARGE_WORKSHOP_TITLE)
    notes = list(Note.objects.filter(workshop=workshop).order_by("pk"))
    taken: set[int] = set()
    for name, word in THEMES.items():
        ids = [n.pk for n in notes if word in n.text.lower() and n.pk not in taken]
        taken.update(ids)
        theme_create(workshop=workshop, name=name, note_ids=ids)
    return workshop, [n for n in notes if n.pk not in taken]


def test_the_vote_list_of_the_large_demo_is_short_and_filterable_on_a_phone(
    browser,
    labb_servers,
):
    workshop, loose = _large_demo_in_vote_phase()
    server = labb_servers.start()
    watch = Watch(host=f"127.0.0.1:{server.port}")
    context = new_context(browser, watch, locale="sv-SE", **PHONE)
    phone = context.new_page()
    phone.set_default_timeout(TIMEOUT)
    phone.goto(f"{server.url}/j/{workshop.join_code}/")
    group = workshop.groups.order_by("position").first()
    take_part(phone, watch, name="Kim", group_pk=group.pk, label="join the large demo")
    phase_set(workshop=workshop, phase=Workshop.Phase.VOTE)
    phone.reload()
    phone.wait_for_selector("#vote-heading")

    height = phone.evaluate("document.documentElement.scrollHeight")
    print(f"\nvote list at 360 px: {height} px, {len(loose)} loose notes")
    assert height <= MAX_LIST_PX
    items = phone.locator(".vote-item")
    theme_ids = phone.eval_on_selector_all(
        ".vote-item", "els => els.filter(e => e.id.startsWith('vote-theme-')).length"
    )
    assert theme_ids == len(THEMES)
    assert phone.get_attribute(".vote-item >> nth=0", "id").startswith("vote-theme-")
    assert items.count() == len(THEMES) + len(loose)
    sections = phone.locator("details.vote-section")
    assert sections.count() == 36
    assert phone.locator("details.vote-section[open]").count() == 0
    check_axe(phone, watch, "phone vote list, large demo")

    # The filter opens the sections that hold a match and hides the rest.
    word = "mötas"
    expected = [n for n in loose if word in n.text.lower()]
    assert expected
    phone.fill("#vote-filter", word.upper())
    visible = phone.locator(".vote-section .vote-item:visible")
    expect(visible).to_have_count(len(expected))
    expect(phone.locator("#vote-filter-status")).to_contain_text(str(len(expected)))
    check_axe(phone, watch, "phone vote list, filtered")

    # A vote swaps the stage: the filter, the open sections and the focus stay.
    target = expected[0]
    phone.click(f"#vote-add-note-{target.pk}")
    expect(phone.locator(f"#vote-remove-note-{target.pk}")).to_be_visible()
    assert Vote.objects.filter(note=target).count() == 1
    assert phone.input_value("#vote-filter") == word.upper()
    expect(visible).to_have_count(len(expected))
    expect(phone.locator(f"#vote-add-note-{target.pk}")).to_be_focused()

    # Cleared: every section collapsed again but the one the participant opened.
    phone.fill("#vote-filter", "")
    expect(phone.locator("details.vote-section[open]")).to_have_count(0)
    first = sections.nth(3)
    first.locator("summary").click()
    second = first.locator(".vote-item").first.get_attribute("id")[10:]
    phone.click(f"#vote-add-note-{second}")
    # Saved before the page is reloaded below (a reload would cancel the vote in flight).
    expect(phone.locator(f"#vote-remove-note-{second}")).to_be_visible()
    expect(phone.locator("details.vote-section[open]")).to_have_count(1)
    assert phone.locator("details.vote-section").nth(3).get_attribute("open") is not None

    # Votes on themes only: the notes leave the list, but the notes with this phone's votes
    # stay with a Take back button only.
    voting_configure(workshop=workshop, budget=5, stackable=True, hidden=True, themes_only=True)
    phone.reload()
    phone.wait_for_selector("#vote-heading")
    assert phone.locator("[id^=vote-add-note-]").count() == 0
    assert phone.locator("[id^=vote-remove-note-]").count() == 2
    assert phone.locator("[id^=vote-add-theme-]").count() == len(THEMES)
    check_axe(phone, watch, "phone vote list, themes only")
    watch.assert_clean()
    context.close()
