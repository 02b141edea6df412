"""WCAG 2.4.2 page titles and 3.1.2 language of parts, read from the pages in Chromium:
each screen of a workshop has its own short title, and what people wrote (Swedish here)
is marked lang="sv" in the English interface, live arrivals included."""

from __future__ import annotations

import pytest
from django.test import Client
from playwright.sync_api import expect

from tests.support.a11y import desk, join_phone, open_board
from tests.support.steps import add_note, join_as, set_phase
from workshops.services import actions, themes

pytestmark = [pytest.mark.browser, pytest.mark.services]

# Elements with people's text whose language (the nearest lang=) is not Swedish.
NOT_SWEDISH = """(selector) => [...document.querySelectorAll(selector)]
  .filter((el) => (el.closest('[lang]') || document.documentElement).lang !== 'sv')
  .map((el) => el.tagName + ' ' + el.textContent.trim().slice(0, 40))"""
USER_TEXT = ".note-text, .theme-name > span:first-child, h1, .next-steps strong, .vote-label strong"


def test_screens_have_distinct_short_titles(server_url, browser, workshop, facilitator):
    pages = desk(browser, server_url, facilitator).new_page()
    titles = {}
    for name, path in {
        "control panel": f"/workshops/{workshop.pk}/",
        "board": f"/workshops/{workshop.pk}/board/",
        "projector": f"/workshops/{workshop.pk}/projector/",
        "challenge": f"/challenges/{workshop.challenge_id}/",
    }.items():
        pages.goto(server_url + path)
        titles[name] = pages.title()
    titles["phone"] = join_phone(browser, server_url, workshop).title()
    assert len(set(titles.values())) == len(titles), titles
    assert titles["challenge"] == "Hur kan vi samverka bättre kring hållba… – Challenge · Labb"
    assert titles["phone"] == "Take part – Workshop 1 · Labb"
    assert titles["control panel"] == "Set-up – Workshop 1 · Labb"


def test_swedish_content_is_marked_in_the_english_interface(
    server_url, browser, workshop, facilitator
):
    person = join_as(Client(), workshop, group_index=0, name="Kim")
    first = add_note(workshop, person, "Alla jobbar i sina egna stuprör")
    themes.theme_create(workshop=workshop, name="Stuprör", note_ids=[first.pk])
    workshop = set_phase(workshop, "reveal")
    board = open_board(desk(browser, server_url, facilitator), server_url, workshop)
    phone = join_phone(browser, server_url, workshop, group="Group 1")
    phone.locator("#id_text").fill("Mer samarbete mellan förvaltningarna")
    phone.get_by_role("button", name="Send").click()
    add_note(workshop, person, "Pengar saknas")  # arrives live
    expect(board.locator(".note-text", has_text="Pengar saknas")).to_be_visible()
    expect(phone.locator(".note-text", has_text="Pengar saknas")).to_be_visible()
    saved = phone.locator(
        "#own-notes .own-note:not(.outbox-note) .note-text", has_text="Mer samarbete"
    )
    expect(saved).to_be_visible()
    for page in (board, phone):
        assert page.evaluate("document.documentElement.lang") == "en"
        assert page.locator(".note-text").count() >= 2
        assert page.evaluate(NOT_SWEDISH, USER_TEXT) == []
    # The phone's queued note (before the server has it) is marked too.
    phone.context.set_offline(True)
    phone.locator("#id_text").fill("Skriven utan nät")
    phone.get_by_role("button", name="Send").click()
    queued = phone.locator(".outbox-note .note-text", has_text="Skriven utan nät")
    expect(queued).to_have_attribute("lang", "sv")
    phone.context.set_offline(False)

    for phase in ["cluster", "vote", "next_steps"]:
        set_phase(workshop, phase)
        if phase == "next_steps":
            actions.action_item_create(
                workshop=workshop,
                title="Gemensam träff",
                owner_name="",
                due_date=None,
                theme_ids=[],
                note_ids=[],
            )
        for page in (board, phone):
            page.reload()
            assert page.evaluate(NOT_SWEDISH, USER_TEXT) == [], phase
