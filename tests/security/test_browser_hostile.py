"""In a real browser nothing of the hostile corpus runs: not on the facilitator's board, not
on the projector, not on the phone, not when it arrives live, not in names or titles."""

from __future__ import annotations

import re
import uuid

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from tests.security.hostile import hostile_strings
from tests.support.browser import DESKTOP, PHONE, Watch, log_in, new_context
from tests.support.servers import LabbServer, server_env
from workshops.models import Note, Workshop
from workshops.services.groups import group_rename
from workshops.services.joins import participant_join
from workshops.services.notes import note_create

pytestmark = [pytest.mark.browser, pytest.mark.services]
TIMEOUT = 20_000
LIVE_PAYLOADS = [
    "<img src=x onerror=window.__pwned=1>",
    "<script>window.__pwned=1</script>",
    "<svg onload=window.__pwned=1>",
    '"><img src=x onerror=alert(1)>',
    '<div hx-on:load="window.__pwned=1">x</div>',
    '<iframe srcdoc="<script>parent.window.__pwned=1</script>"></iframe>',
]


def _short_enough(text: str) -> bool:
    cleaned = text.replace("\x00", "").strip()
    return 0 < len(cleaned) <= settings.LABB_NOTE_MAX_LENGTH and "\x00" not in text


@pytest.fixture
def hostile_workshop(transactional_db, workshop, challenge):
    challenge.question = "<script>window.__pwned=1</script>Hur?"
    challenge.save()
    workshop.title = '<img src=x onerror="window.__pwned=1">Workshop'
    workshop.phase = Workshop.Phase.REVEAL
    workshop.save()
    group = workshop.groups.first()
    group_rename(group=group, name="<svg onload=window.__pwned=1>G")
    columns = list(workshop.columns.all())
    person = participant_join(
        workshop=workshop, display_name="<img src=x onerror=alert(1)>", group=group
    )
    for index, text in enumerate(t for t in hostile_strings() if _short_enough(t)):
        try:
            note_create(
                workshop=workshop,
                participant=None,
                group=group,
                column=columns[index % len(columns)],
                text=text,
                client_id=uuid.uuid4(),
                author_name=person.display_name,
            )
        except ValidationError:
            continue
    return workshop


def _watch_dialogs(page, dialogs: list[str]) -> None:
    def on_dialog(dialog):
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)


def _assert_nothing_ran(page, dialogs, label: str) -> None:
    page.wait_for_timeout(300)  # let onerror/onload handlers fire, if any could
    assert page.evaluate("typeof window.__pwned") == "undefined", label
    assert page.evaluate("Object.prototype.pwned") is None, label
    assert dialogs == [], (label, dialogs)
    # The text is on the page as text.
    # No inline script but Labb's own JSON data block (the live event names; never run).
    assert (
        page.locator('script:not([src]):not(#labb-live-events[type="application/json"])').count()
        == 0
    ), label


def test_hostile_notes_names_and_titles_never_run(browser, hostile_workshop, tmp_path):
    workshop = hostile_workshop
    server = LabbServer(server_env(DEBUG="1"), tmp_path / "uvicorn.log").start()
    dialogs: list[str] = []
    try:
        watch = Watch(host=f"127.0.0.1:{server.port}")
        desk = new_context(browser, watch, **DESKTOP)
        board = desk.new_page()
        board.set_default_timeout(TIMEOUT)
        _watch_dialogs(board, dialogs)
        log_in(board, watch, server.url, "frida", "pw-frida")
        board.goto(f"{server.url}/workshops/{workshop.pk}/board/")
        board.wait_for_selector("#live-status[data-state=connected]")
        shown = board.locator("#board-grid .note").count()
        assert shown >= 150, shown
        assert (
            board.locator(".note-text", has_text="<script>window.__pwned=1</script>").count() >= 1
        )
        _assert_nothing_ran(board, dialogs, "board")

        projector = desk.new_page()
        projector.set_default_timeout(TIMEOUT)
        _watch_dialogs(projector, dialogs)
        projector.goto(f"{server.url}/workshops/{workshop.pk}/projector/")
        projector.wait_for_selector("#live-status[data-state=connected]")
        _assert_nothing_ran(projector, dialogs, "projector")

        for path in (f"/workshops/{workshop.pk}/", f"/challenges/{workshop.challenge_id}/"):
            page = desk.new_page()
            _watch_dialogs(page, dialogs)
            page.goto(f"{server.url}{path}")
            _assert_nothing_ran(page, dialogs, path)

        # A phone joins with a hostile name and posts hostile notes; they arrive live.
        phone_context = new_context(browser, watch, **PHONE)
        phone = phone_context.new_page()
        phone.set_default_timeout(TIMEOUT)
        _watch_dialogs(phone, dialogs)
        phone.goto(f"{server.url}/j/{workshop.join_code}/")
        phone.fill("#id_display_name", '"><svg onload=alert(1)>')
        if phone.locator("#id_group").count():
            phone.select_option("#id_group", str(workshop.groups.first().pk))
        with phone.expect_navigation():
            phone.click("main form button[type=submit]")
        assert re.search(r"/p/\d+/$", phone.url), phone.url
        phone.wait_for_selector("form[data-note-form]")
        for payload in LIVE_PAYLOADS:
            phone.fill("#id_text", payload)
            phone.click("form[data-note-form] button[type=submit]")
            phone.locator("#own-notes .note-text", has_text=payload).wait_for()
        for page in (board, projector):
            for payload in LIVE_PAYLOADS:
                page.locator(".note-text", has_text=payload).first.wait_for()
        _assert_nothing_ran(board, dialogs, "board after live notes")
        _assert_nothing_ran(projector, dialogs, "projector after live notes")
        _assert_nothing_ran(phone, dialogs, "phone")
        phone.reload()
        _assert_nothing_ran(phone, dialogs, "phone reloaded")
        posted = Note.objects.filter(workshop=workshop, participant__isnull=False)
        assert sorted(posted.values_list("text", flat=True)) == sorted(LIVE_PAYLOADS)
        watch.assert_clean()
    finally:
        server.stop()
