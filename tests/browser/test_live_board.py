"""A whole live workshop in a real browser: a facilitator's board and three phones.

The facilitator logs in through the login form and opens the board; three phone-sized
browsers join (by typing the code, by the join link, by a group's link) and post notes;
the notes appear on the board without a reload. A phone that is offline keeps its note,
says so, and delivers it exactly once when it is back online. axe-core checks every page.
"""

from __future__ import annotations

import pytest

from tests.support.browser import (
    TIMEOUT,
    Watch,
    check_axe,
    new_phone,
    open_board,
    send_note,
    take_part,
)
from workshops.models import Note, Workshop

pytestmark = [pytest.mark.browser, pytest.mark.services]


def _wait_on_board(board, text: str, group_pk: int, column_pk: int) -> None:
    cell = board.locator(f"#notes-g{group_pk}-c{column_pk}")
    cell.locator(".note-text", has_text=text).wait_for()


def test_notes_from_three_phones_appear_on_the_facilitators_board_without_a_reload(
    browser,
    labb_servers,
    live_workshop,
    facilitator,
):
    workshop = live_workshop
    server = labb_servers.start()
    watch = Watch(host=f"127.0.0.1:{server.port}")
    groups = list(workshop.groups.order_by("position"))
    column = workshop.columns.order_by("position").first()
    board = open_board(browser, watch, server, workshop)

    # Phone 1 types the code as people do: lower case, with the dash from the screen.
    _ctx1, phone_1 = new_phone(browser, watch)
    phone_1.goto(f"{server.url}/join/")
    check_axe(phone_1, watch, "join")
    code = workshop.join_code
    phone_1.fill("#id_code", f"{code[:3]}-{code[3:]}".lower())
    with phone_1.expect_navigation():
        phone_1.click("main form button[type=submit]")
    take_part(phone_1, watch, name="Kim", group_pk=groups[0].pk, label="join by code")

    # Phone 2 scans the QR code: the join link.
    _ctx2, phone_2 = new_phone(browser, watch)
    phone_2.goto(f"{server.url}/j/{workshop.join_code}/")
    take_part(phone_2, watch, name="", group_pk=groups[1].pk, label="join link")

    # Phone 3 gets its group's own link.
    _ctx3, phone_3 = new_phone(browser, watch)
    phone_3.goto(f"{server.url}/g/{groups[2].token}/")
    take_part(phone_3, watch, name="Alex", group_pk=None, label="group link")

    sent = [
        (phone_1, "Tydliga roller mellan kommunerna", groups[0]),
        (phone_2, "Gemensamma mätetal", groups[1]),
        (phone_3, "Tid för att ses på riktigt", groups[2]),
    ]
    for phone, text, _group in sent:
        send_note(phone, text)
    for phone, text, group in sent:
        _wait_on_board(board, text, group.pk, column.pk)
        phone.locator("#own-notes .note-text", has_text=text).wait_for()
        assert phone.input_value("#id_text") == ""

    assert board.evaluate("window.__labbNoReload") is True
    assert board.locator("#board-grid .note").count() == 3

    # The projector (same login, another window) shows them too, and gets the next one live.
    projector = board.context.new_page()
    projector.set_default_timeout(TIMEOUT)
    projector.goto(f"{server.url}/workshops/{workshop.pk}/projector/")
    projector.wait_for_selector("#live-status[data-state=connected]")
    for _phone, text, group in sent:
        _wait_on_board(projector, text, group.pk, column.pk)
    send_note(phone_2, "Fler mötesplatser")
    _wait_on_board(projector, "Fler mötesplatser", groups[1].pk, column.pk)
    _wait_on_board(board, "Fler mötesplatser", groups[1].pk, column.pk)
    check_axe(projector, watch, "projector with live notes")
    assert board.locator(".note-meta", has_text="Kim").count() == 1
    check_axe(board, watch, "board with live notes")
    check_axe(phone_1, watch, "phone after sending")
    assert Note.objects.filter(workshop=workshop).count() == 4
    assert {n.group_id for n in Note.objects.filter(workshop=workshop)} == {g.pk for g in groups}
    watch.assert_clean()


def test_a_note_sent_offline_waits_and_arrives_exactly_once_when_back_online(
    browser,
    labb_servers,
    live_workshop,
    facilitator,
):
    workshop = live_workshop
    server = labb_servers.start()
    watch = Watch(host=f"127.0.0.1:{server.port}")
    group = workshop.groups.order_by("position").first()
    column = workshop.columns.order_by("position").first()
    board = open_board(browser, watch, server, workshop)

    context, phone = new_phone(browser, watch)
    phone.goto(f"{server.url}/j/{workshop.join_code}/")
    take_part(phone, watch, name="Kim", group_pk=group.pk, label="join link")

    text = "Skickad i en tunnel"
    context.set_offline(True)
    send_note(phone, text)
    status = phone.locator("[data-send-status]")
    queued = phone.get_attribute("form[data-note-form]", "data-msg-queued")
    status.filter(has_text=queued).wait_for()
    # The box is free for the next note; this one waits in "Your notes".
    assert phone.input_value("#id_text") == ""
    assert phone.get_attribute("#own-notes .outbox-note", "data-state") == "waiting"
    assert phone.inner_text("#own-notes .outbox-note .note-text") == text
    check_axe(phone, watch, "phone with a note waiting")
    phone.wait_for_timeout(1500)  # a retry or two fail while offline
    assert Note.objects.filter(workshop=workshop).count() == 0
    assert board.locator(".note-text", has_text=text).count() == 0

    context.set_offline(False)
    _wait_on_board(board, text, group.pk, column.pk)
    phone.locator("#own-notes .own-note:not(.outbox-note) .note-text", has_text=text).wait_for()
    sent = phone.get_attribute("form[data-note-form]", "data-msg-sent")
    status.filter(has_text=sent).wait_for()
    assert phone.input_value("#id_text") == ""
    # Let any retry still in flight land: it must not make a second note.
    phone.wait_for_timeout(2500)

    assert board.locator(".note-text", has_text=text).count() == 1
    assert phone.locator("#own-notes .note-text", has_text=text).count() == 1
    assert Note.objects.filter(workshop=workshop).count() == 1
    assert board.evaluate("window.__labbNoReload") is True
    watch.assert_clean()


def test_a_note_left_in_the_outbox_is_sent_when_the_phone_page_is_opened_again(
    browser,
    labb_servers,
    live_workshop,
    facilitator,
):
    """The phone went offline and the page was closed: the note is sent on the next visit,
    with the same client id, once."""
    workshop = live_workshop
    server = labb_servers.start()
    watch = Watch(host=f"127.0.0.1:{server.port}")
    group = workshop.groups.order_by("position").first()
    column = workshop.columns.order_by("position").first()
    board = open_board(browser, watch, server, workshop)
    context, phone = new_phone(browser, watch)
    phone.goto(f"{server.url}/j/{workshop.join_code}/")
    take_part(phone, watch, name="", group_pk=group.pk, label="join link")

    text = "Skrevs innan batteriet tog slut"
    context.set_offline(True)
    send_note(phone, text)
    phone.locator("[data-send-status]").filter(
        has_text=phone.get_attribute("form[data-note-form]", "data-msg-queued")
    ).wait_for()
    phone.close()
    context.set_offline(False)
    again = context.new_page()
    again.set_default_timeout(TIMEOUT)
    again.goto(f"{server.url}/p/{workshop.pk}/")

    _wait_on_board(board, text, group.pk, column.pk)
    again.locator("#own-notes .note-text", has_text=text).wait_for()
    again.wait_for_timeout(1500)
    assert Note.objects.filter(workshop=workshop).count() == 1
    assert board.locator(".note-text", has_text=text).count() == 1
    watch.assert_clean()


def test_in_the_cluster_phase_new_changed_and_removed_notes_reach_the_wall_live(
    browser,
    labb_servers,
    workshop,
    facilitator,
):
    """Phones may still write while the facilitator clusters. The wall of themes has no
    board grid for the note events' fragments, so the screen fetches its stage with them."""
    from workshops.services.notes import note_delete, note_update

    workshop.phase = Workshop.Phase.CLUSTER
    workshop.save(update_fields=["phase"])
    server = labb_servers.start()
    watch = Watch(host=f"127.0.0.1:{server.port}")
    group = workshop.groups.order_by("position").first()
    column = workshop.columns.order_by("position").first()
    board = open_board(browser, watch, server, workshop)
    projector = board.context.new_page()
    projector.set_default_timeout(TIMEOUT)
    projector.goto(f"{server.url}/workshops/{workshop.pk}/projector/")
    projector.wait_for_selector("#live-status[data-state=connected]")
    projector.evaluate("window.__labbNoReload = true")
    assert board.locator("#stage .board-grid").count() == 0  # the wall, not the grid

    _ctx, phone = new_phone(browser, watch)
    phone.goto(f"{server.url}/j/{workshop.join_code}/")
    take_part(phone, watch, name="Kim", group_pk=group.pk, label="cluster phase")
    send_note(phone, "Gemensamma mål för hela regionen")
    for screen in (board, projector):
        screen.locator(".cluster-note .note-text", has_text="Gemensamma mål").wait_for()

    note = Note.objects.get(workshop=workshop, text="Gemensamma mål för hela regionen")
    assert note.group_id == group.pk and note.column_id == column.pk
    note_update(note=note, text="Gemensamma mål, mätbara för hela regionen")
    for screen in (board, projector):
        screen.locator(".cluster-note .note-text", has_text="mätbara för hela").wait_for()
    note_delete(note=note)
    for screen in (board, projector):
        screen.locator(f"#cnote-{note.pk}").wait_for(state="detached")
    assert board.evaluate("window.__labbNoReload") is True
    assert projector.evaluate("window.__labbNoReload") is True
    watch.assert_clean()
