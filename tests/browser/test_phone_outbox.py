"""The phone's note outbox on slow and flaky networks: nothing typed is lost, nothing is sent
twice, and a retry left over from an outage does not post an empty note afterwards."""

from __future__ import annotations

import pytest

from tests.browser.browser import (
    Watch,
    browser,  # noqa: F401 - fixture
    check_axe,
)
from tests.browser.test_live_board import _new_phone, _send, _take_part, live_workshop  # noqa: F401
from tests.live.server import labb_servers  # noqa: F401 - fixture
from workshops.models import Note

pytestmark = [pytest.mark.browser, pytest.mark.services]


def _phone(browser, labb_servers, workshop):  # noqa: F811
    server = labb_servers.start()
    watch = Watch(host=f"127.0.0.1:{server.port}")
    context, phone = _new_phone(browser, watch)
    phone.goto(f"{server.url}/j/{workshop.join_code}/")
    group = workshop.groups.order_by("position").first()
    _take_part(phone, watch, name="Kim", group_pk=group.pk, label="join link")
    return watch, context, phone


def _form_text(phone, attribute: str) -> str:
    return phone.get_attribute("form[data-note-form]", attribute)


def test_a_note_typed_while_the_previous_one_is_on_its_way_is_kept(
    browser,  # noqa: F811
    labb_servers,  # noqa: F811
    live_workshop,  # noqa: F811
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
    _send(phone, "Den första")
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
    phone.locator("#own-notes .note-text", has_text="Den andra").wait_for()
    assert sorted(Note.objects.filter(workshop=workshop).values_list("text", flat=True)) == [
        "Den andra, skriven medan den första skickades",
        "Den första",
    ]
    watch.assert_clean()


def test_a_retry_left_over_from_an_outage_does_not_post_the_empty_form(
    browser,  # noqa: F811
    labb_servers,  # noqa: F811
    live_workshop,  # noqa: F811
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
    _send(phone, "Skickad i hissen")
    phone.locator("[data-send-status]").filter(
        has_text=_form_text(phone, "data-msg-queued")
    ).wait_for()
    phone.wait_for_timeout(2000)  # two attempts fail; the next one is scheduled
    context.set_offline(False)  # the browser's "online" event sends it at once
    phone.locator("#own-notes .note-text", has_text="Skickad i hissen").wait_for()
    phone.wait_for_timeout(6000)  # past the retry that was scheduled while offline

    assert phone.locator("#form-errors").count() == 0
    assert phone.inner_text("[data-send-status]") == _form_text(phone, "data-msg-sent")
    assert Note.objects.filter(workshop=workshop).count() == 1
    sent_online = [body for body in posts if body is not None and "Skickad i hissen" in body]
    assert len(posts) == len(sent_online), "a post without the note's text was sent"
    check_axe(phone, watch, "phone after the outage")
    watch.assert_clean()
