"""A group or column name without a single space (100 characters, the longest the fields
allow) stays inside the screen on the facilitator's board and on the projector at
1920×1080, in every phase that shows it: the counts table while writing, the overview of
every group, the spotlight on that group and the cluster wall; and on the phone of
somebody in that group. Soft hyphens cannot help
here: there is no word to hyphenate, so the titles must break anywhere."""

from __future__ import annotations

import uuid

import pytest

from tests.support.browser import (
    PHONE,
    TIMEOUT,
    Watch,
    log_in,
    new_context,
)
from workshops.models import Workshop
from workshops.services.groups import group_rename
from workshops.services.joins import participant_join
from workshops.services.notes import note_create
from workshops.services.phases import phase_set, spotlight_set

pytestmark = [pytest.mark.browser, pytest.mark.services]

FULL_HD = {"viewport": {"width": 1920, "height": 1080}}
# Digits and capitals: no syllables for the hyphenator, no space for the browser.
LONG_GROUP = ("GRUPP" + "0123456789" * 10)[:100]
LONG_COLUMN = ("KOLUMN" + "9876543210" * 10)[:100]

# Every element of the page that reaches past the right edge of the window, and every
# heading or title whose text is wider than its box (clipped or spilling).
OVERFLOW = """(name) => {
  const vw = document.documentElement.clientWidth;
  const outside = [];
  document.querySelectorAll('main *').forEach((el) => {
    if (el.closest('.visually-hidden')) return;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) return;
    if (r.right > vw + 1) outside.push(el.tagName + '.' + el.className + ' right=' + Math.round(r.right));
  });
  const spilling = [];
  document.querySelectorAll('main h1, main h2, main h3, main h4, main th, .group-title, .column-title, .note-meta').forEach((el) => {
    if (el.closest('.visually-hidden')) return;
    if (el.scrollWidth > el.clientWidth + 1) spilling.push(el.tagName + '.' + el.className + ' ' + el.scrollWidth + '>' + el.clientWidth);
  });
  return {
    scrollW: document.documentElement.scrollWidth, vw,
    outside: outside.slice(0, 10), spilling: spilling.slice(0, 10),
    text: document.body.innerText.includes(name),
  };
}"""


def _problems(page, label: str) -> list:
    """What is wrong with the page as it is now, or [] if everything stays inside."""
    page.wait_for_timeout(300)  # the projector fits its type on the next animation frame
    found = page.evaluate(OVERFLOW, LONG_GROUP)
    if not found["text"]:
        return [(label, "the long group name is not on the page")]
    if found["scrollW"] > found["vw"] or found["outside"] or found["spilling"]:
        return [(label, found)]
    return []


def test_names_without_spaces_stay_on_the_board_and_the_projector(
    browser,
    labb_servers,
    workshop,
):
    group = workshop.groups.order_by("position").first()
    group_rename(group=group, name=LONG_GROUP)
    column = workshop.columns.first()
    column.title = LONG_COLUMN
    column.save(update_fields=["title"])
    participant = participant_join(workshop=workshop, display_name="", group=group)
    note_create(
        workshop=workshop,
        participant=participant,
        group=group,
        column=column,
        text="Tydligare ansvar",
        client_id=uuid.uuid4(),
    )
    server = labb_servers.start()
    watch = Watch(host=f"127.0.0.1:{server.port}")
    context = new_context(browser, watch, **FULL_HD)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    log_in(page, watch, server.url, "frida", "pw-frida")
    screens = {
        "board": f"{server.url}/workshops/{workshop.pk}/board/",
        "projector": f"{server.url}/workshops/{workshop.pk}/projector/",
    }

    problems = []

    def check_both(state: str) -> None:
        for name, url in screens.items():
            page.goto(url)
            problems.extend(_problems(page, f"{name}, {state}"))

    check_both("writing (counts table)")
    phase_set(workshop=workshop, phase=Workshop.Phase.REVEAL)
    check_both("reveal (every group)")
    workshop.refresh_from_db()
    spotlight_set(workshop=workshop, target=f"group:{group.pk}")
    check_both("spotlight on the group")
    workshop.refresh_from_db()
    phase_set(workshop=workshop, phase=Workshop.Phase.CLUSTER)
    check_both("cluster wall")
    page.goto(f"{server.url}/workshops/{workshop.pk}/groups/{group.pk}/")
    problems.extend(_problems(page, "the group's page"))
    page.goto(f"{server.url}/workshops/{workshop.pk}/")
    problems.extend(_problems(page, "control panel"))

    # The phone of somebody in that group: the name heads the page.
    phone_context = new_context(browser, watch, **PHONE)
    phone = phone_context.new_page()
    phone.set_default_timeout(TIMEOUT)
    phone.goto(f"{server.url}/g/{group.token}/")
    with phone.expect_navigation():
        phone.click("main form button[type=submit]")
    problems.extend(_problems(phone, "phone"))
    phone_context.close()
    assert problems == [], "\n".join(repr(problem) for problem in problems)
    watch.assert_clean()
    context.close()
