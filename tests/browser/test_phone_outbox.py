"""The phone's note outbox on slow and flaky networks: nothing typed is lost, nothing is sent
twice, and a retry left over from an outage does not post an empty note afterwards."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.browser import (
    Watch,
    check_axe,
    new_phone,
    send_note,
    take_part,
)
from workshops.models import Note

pytestmark = [pytest.mark.browser, pytest.mark.services]

# A note the server has acknowledged (a queued one is drawn as an .outbox-note).
SAVED = "#own-notes .own-note:not(.outbox-note) .note-text"


def _phone(browser, labb_servers, workshop):
    server = labb_servers.start()
    watch = Watch(host=f"127.0.0.1:{server.port}")
    context, phone = new_phone(browser, watch)
    phone.goto(f"{server.url}/j/{workshop.join_code}/")
    group = workshop.groups.order_by("position").first()
    take_part(phone, watch, name="Kim", group_pk=group.pk, label="join link")
    return watch, context, phone


def _form_text(phone, attribute: str) -> str:
    return phone.get_attribute("form[data-note-form]", attribute)


def test_a_note_typed_while_the_previous_one_is_on_its_way_is_kept(
    browser,
    labb_servers,
    live_workshop,
    facilitator,
):
    workshop = live_workshop
    watch, context, phone = _phone(browser, labb_servers, workshop)
    cdp = context.new_cdp_session(phone)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 1500, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    send_note(phone, "Den första")
    phone.locator("[data-send-status]").filter(
        has_text=_form_text(phone, "data-msg-sending")
    ).wait_for()
    phone.fill("#id_text", "Den andra, skriven medan den första skickades")
    phone.locator("[data-send-status]").filter(
        has_text=_form_text(phone, "data-msg-sent")
    ).wait_for()

    assert phone.input_value("#id_text") == "Den andra, skriven medan den första skickades"
    assert list(Note.objects.filter(workshop=workshop).values_list("text", flat=True)) == [
        "Den första"
    ]
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    phone.click("form[data-note-form] button[type=submit]")
    phone.locator(SAVED, has_text="Den andra").wait_for()
    assert sorted(Note.objects.filter(workshop=workshop).values_list("text", flat=True)) == [
        "Den andra, skriven medan den första skickades",
        "Den första",
    ]
    watch.assert_clean()


def test_a_retry_left_over_from_an_outage_does_not_post_the_empty_form(
    browser,
    labb_servers,
    live_workshop,
    facilitator,
):
    workshop = live_workshop
    watch, context, phone = _phone(browser, labb_servers, workshop)
    posts = []
    phone.on(
        "request",
        lambda request: (
            posts.append(request.post_data)
            if request.method == "POST" and request.url.endswith("/notes/")
            else None
        ),
    )
    context.set_offline(True)
    send_note(phone, "Skickad i hissen")
    phone.locator("[data-send-status]").filter(
        has_text=_form_text(phone, "data-msg-queued")
    ).wait_for()
    phone.wait_for_timeout(2000)  # two attempts fail; the next one is scheduled
    context.set_offline(False)  # the browser's "online" event sends it at once
    phone.locator(SAVED, has_text="Skickad i hissen").wait_for()
    phone.wait_for_timeout(6000)  # past the retry that was scheduled while offline

    assert phone.locator("#form-errors").count() == 0
    assert phone.inner_text("[data-send-status]") == _form_text(phone, "data-msg-sent")
    assert Note.objects.filter(workshop=workshop).count() == 1
    sent_online = [body for body in posts if body is not None and "Skickad i hissen" in body]
    assert len(posts) == len(sent_online), "a post without the note's text was sent"
    check_axe(phone, watch, "phone after the outage")
    watch.assert_clean()


def _latency(context, phone, ms: int):
    cdp = context.new_cdp_session(phone)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": ms, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    return cdp


def _saved_texts(workshop) -> list[str]:
    return list(
        Note.objects.filter(workshop=workshop)
        .order_by("created_at", "pk")
        .values_list("text", flat=True)
    )


def test_three_notes_sent_in_quick_succession_on_a_slow_network_all_arrive_once_in_order(
    browser,
    labb_servers,
    live_workshop,
    facilitator,
):
    """The field report: with 2.5 s of latency, Send pressed while a note was on its way did
    nothing, and the second note stayed unsent in the box. Every press now queues a note."""
    workshop = live_workshop
    watch, context, phone = _phone(browser, labb_servers, workshop)
    _latency(context, phone, 2500)
    texts = ["Första tanken", "Andra tanken", "Tredje tanken"]
    for text in texts:
        send_note(phone, text)
        # The box is cleared at once, ready for the next note.
        assert phone.input_value("#id_text") == ""
    queued = phone.locator("#own-notes .outbox-note")
    assert queued.count() == 3
    # Newest first, like the saved notes; the first one is on its way, the others wait.
    assert [t.strip() for t in queued.locator(".note-text").all_inner_texts()] == texts[::-1]
    assert phone.get_attribute("#own-notes .outbox-note >> nth=2", "data-state") == "sending"
    assert phone.get_attribute("#own-notes .outbox-note >> nth=0", "data-state") == "waiting"
    check_axe(phone, watch, "phone with a queue")

    expect(phone.locator("#own-notes .outbox-note")).to_have_count(0, timeout=30_000)
    assert _saved_texts(workshop) == texts
    saved = phone.locator("#own-notes .own-note .note-text").all_inner_texts()
    assert [t.strip() for t in saved] == texts[::-1]
    assert phone.inner_text("[data-send-status]") == _form_text(phone, "data-msg-sent")
    assert (
        phone.evaluate("Object.keys(localStorage).filter(k => k.startsWith('labb-outbox:'))") == []
    )
    watch.assert_clean()


def test_a_reload_keeps_the_queue_and_sends_it_once_the_network_is_back(
    browser,
    labb_servers,
    live_workshop,
    facilitator,
):
    workshop = live_workshop
    watch, context, phone = _phone(browser, labb_servers, workshop)
    blocked = {"on": True}

    def posts(route):
        if blocked["on"]:
            route.abort("internetdisconnected")
        else:
            route.continue_()

    phone.route("**/notes/", posts)
    send_note(phone, "Skriven i tunneln")
    send_note(phone, "Också i tunneln")
    phone.locator("#own-notes .outbox-note").nth(1).wait_for()
    phone.locator("[data-send-status]").filter(
        has_text=_form_text(phone, "data-msg-queued")
    ).wait_for()
    assert _saved_texts(workshop) == []

    phone.reload()
    phone.wait_for_selector("form[data-note-form]")
    queued = phone.locator("#own-notes .outbox-note .note-text")
    queued.nth(1).wait_for()
    assert [t.strip() for t in queued.all_inner_texts()] == [
        "Också i tunneln",
        "Skriven i tunneln",
    ]
    assert _saved_texts(workshop) == []
    check_axe(phone, watch, "phone with a queue after a reload")

    blocked["on"] = False
    phone.locator("#own-notes .outbox-note").first.locator("[data-outbox-action=retry]").click()
    expect(phone.locator("#own-notes .outbox-note")).to_have_count(0, timeout=30_000)
    assert _saved_texts(workshop) == ["Skriven i tunneln", "Också i tunneln"]
    phone.reload()
    phone.wait_for_selector("form[data-note-form]")
    phone.wait_for_timeout(500)
    assert phone.locator("#own-notes .outbox-note").count() == 0
    assert _saved_texts(workshop) == ["Skriven i tunneln", "Också i tunneln"]
    watch.assert_clean()


def test_a_refused_note_stays_with_the_reason_and_can_be_tried_again(
    browser,
    labb_servers,
    live_workshop,
    facilitator,
):
    workshop = live_workshop
    watch, context, phone = _phone(browser, labb_servers, workshop)
    workshop.accepting_notes = False
    workshop.save(update_fields=["accepting_notes"])
    send_note(phone, "Kom för sent")
    failed = phone.locator("#own-notes .outbox-note[data-state=failed]")
    failed.wait_for()
    assert "not taking new notes" in failed.locator(".outbox-error").inner_text()
    assert phone.inner_text("[data-send-status]") == _form_text(phone, "data-msg-failed")
    # Later notes are not held up behind a refused one.
    send_note(phone, "Också för sent")
    phone.locator("#own-notes .outbox-note[data-state=failed]").nth(1).wait_for()
    check_axe(phone, watch, "phone with a refused note")

    workshop.accepting_notes = True
    workshop.save(update_fields=["accepting_notes"])
    failed.filter(has_text="Kom för sent").locator("[data-outbox-action=retry]").click()
    phone.locator(SAVED, has_text="Kom för sent").wait_for()
    assert _saved_texts(workshop) == ["Kom för sent"]
    # Edit puts the refused text back in the box and takes it out of the queue.
    phone.locator("#own-notes .outbox-note").locator("[data-outbox-action=edit]").click()
    assert phone.input_value("#id_text") == "Också för sent"
    assert phone.locator("#own-notes .outbox-note").count() == 0
    watch.assert_clean()


def test_deleting_a_note_asks_first_and_cancel_keeps_it(browser, labb_servers, live_workshop):
    watch, _context, phone = _phone(browser, labb_servers, live_workshop)
    send_note(phone, "Lappen som ska bort")
    phone.locator(SAVED, has_text="Lappen som ska bort").wait_for()
    note = Note.objects.get(workshop=live_workshop, text="Lappen som ska bort")
    questions = []

    def answer(dialog, accept):
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    phone.once("dialog", lambda dialog: answer(dialog, False))
    phone.click(f"#own-note-{note.pk} button.danger")
    phone.wait_for_timeout(500)
    assert questions == ["Delete this note? This cannot be undone."]
    assert Note.objects.filter(pk=note.pk).exists()
    expect(phone.locator(f"#own-note-{note.pk}")).to_have_count(1)

    phone.once("dialog", lambda dialog: answer(dialog, True))
    with phone.expect_navigation():
        phone.click(f"#own-note-{note.pk} button.danger")
    expect(phone.locator(f"#own-note-{note.pk}")).to_have_count(0)
    assert len(questions) == 2
    assert not Note.objects.filter(pk=note.pk).exists()
    watch.assert_clean()
