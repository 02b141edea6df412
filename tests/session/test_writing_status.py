"""One status of writing (writing_state), worded for each role: the facilitator's
page and the phones never contradict it or each other."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from tests.support.live import event_html
from workshops.live.events import StatusChanged
from workshops.models import Workshop
from workshops.services.phases import timer_start, workshop_set_accepting, writing_state

PHONE = {
    "open": "Open for notes",
    "paused": "Writing is paused",
    "timer": "Time is up: writing has stopped",
    "vote": "Time to vote",
    "next_steps": "Agreeing next steps",
    "closed": "The workshop is closed",
}
FACILITATOR = {
    "open": "Participants can write notes",
    "paused": "Writing paused: participants cannot post or change notes",
    "timer": "Time is up: writing has stopped",
    "vote": "Participants are voting: no new notes",
    "next_steps": "Agreeing next steps: no new notes",
    "closed": "Closed: no join code and no new notes",
}


def _arrange(workshop: Workshop, state: str) -> None:
    workshop.phase = Workshop.Phase.WRITE
    if state == "paused":
        workshop.accepting_notes = False
    elif state == "timer":
        timer_start(workshop=workshop, seconds=60, locks_writing=True)
        workshop.refresh_from_db()
        workshop.timer_ends_at = timezone.now() - datetime.timedelta(seconds=1)
    elif state in ("vote", "next_steps", "closed"):
        workshop.phase = state
    workshop.save()


def _status(html: str) -> str:
    match = re.search(r'<p id="workshop-status"[^>]*data-state="([^"]+)"[^>]*>(.*?)</p>', html)
    assert match, "no status"
    return f"{match.group(1)}: {match.group(2)}"


@pytest.mark.django_db
@pytest.mark.parametrize("state", list(PHONE))
def test_each_role_sees_the_same_status_in_its_own_words(
    state, workshop, phones, facilitator_client
):
    _arrange(workshop, state)
    assert writing_state(workshop) == state
    detail = facilitator_client.get(f"/workshops/{workshop.pk}/").content.decode()
    assert _status(detail) == f"{state}: {FACILITATOR[state]}"
    pause = "Pause writing" in detail
    resume = "Let participants write again" in detail
    # One button, and the one that changes what the status says; none once closed.
    assert (pause, resume) == {
        "closed": (False, False),
        "paused": (False, True),
    }.get(state, (True, False))
    phone = phones[0][0].get(f"/p/{workshop.pk}/")
    if state == "closed":
        assert "The workshop is closed" in phone.content.decode()
        return
    html = phone.content.decode()
    assert _status(html) == f"{state}: {PHONE[state]}"
    if state != "open":
        assert "Open for notes" not in html
    # The stage a phone fetches after a live change carries the status too.
    stage = phones[0][0].get(f"/p/{workshop.pk}/?stage=1", HTTP_HX_REQUEST="true")
    assert _status(stage.content.decode()) == f"{state}: {PHONE[state]}"


@pytest.mark.django_db
def test_pausing_writing_tells_the_phones_in_their_words(
    workshop, captured_events, django_capture_on_commit_callbacks
):
    workshop.phase = Workshop.Phase.WRITE
    workshop.save()
    with django_capture_on_commit_callbacks(execute=True):
        workshop_set_accepting(workshop=workshop, accepting=False)
    (event,) = [e for e in captured_events if e.name == "status"]
    assert event.event == StatusChanged()
    html = event_html(event, screen="phone")
    assert _status(html) == "paused: Writing is paused"
    assert 'hx-swap-oob="outerHTML"' in html
