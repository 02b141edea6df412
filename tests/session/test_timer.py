import datetime
import re
from pathlib import Path

from django.utils import timezone

from tests.support.live import event_html
from tests.support.steps import add_note
from workshops.live.events import TimerChanged
from workshops.models import LiveEvent
from workshops.services.phases import timer_extend, timer_remaining, timer_start


def test_start_pause_resume_extend_stop(facilitator_client, workshop):
    url = f"/workshops/{workshop.pk}/timer/"
    assert facilitator_client.post(url, {"action": "start", "minutes": "5"}).status_code == 302
    workshop.refresh_from_db()
    left = timer_remaining(workshop)
    assert 298 <= left <= 300
    assert facilitator_client.post(url, {"action": "pause"}).status_code == 302
    workshop.refresh_from_db()
    assert workshop.timer_ends_at is None and 298 <= timer_remaining(workshop) <= 300
    assert facilitator_client.post(url, {"action": "extend", "minutes": "1"}).status_code == 302
    workshop.refresh_from_db()
    assert 358 <= timer_remaining(workshop) <= 360
    assert facilitator_client.post(url, {"action": "resume"}).status_code == 302
    workshop.refresh_from_db()
    assert workshop.timer_paused_remaining is None and workshop.timer_ends_at > timezone.now()
    assert facilitator_client.post(url, {"action": "stop"}).status_code == 302
    workshop.refresh_from_db()
    assert timer_remaining(workshop) is None


def test_bad_timer_input_is_refused_with_a_reason(facilitator_client, workshop):
    url = f"/workshops/{workshop.pk}/timer/"
    response = facilitator_client.post(url, {"action": "start"})
    assert response.status_code == 400
    assert b"Say how many minutes." in response.content
    assert facilitator_client.post(url, {"action": "explode", "minutes": "1"}).status_code == 400
    response = facilitator_client.post(url, {"action": "pause"})
    assert response.status_code == 400
    assert b"No timer is running." in response.content


def test_timer_event_carries_server_time_and_end_to_every_screen(
    workshop, captured_events, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        timer_start(workshop=workshop, seconds=120)
    event = captured_events[0]
    assert (event.name, event.audience) == ("timer", LiveEvent.Audience.ALL)
    ends_ms = int(workshop.timer_ends_at.timestamp() * 1000)
    assert event.event == TimerChanged()
    html = event_html(event)
    assert f'data-ends-at="{ends_ms}"' in html
    assert "data-server-now=" in html
    assert 'hx-swap-oob="outerHTML"' in html


def test_an_ended_timer_that_locks_writing_stops_new_notes(workshop, phones):
    client, participant = phones[0]
    timer_start(workshop=workshop, seconds=60, locks_writing=True)
    add_note(workshop, participant, "Hann i tid")
    workshop.timer_ends_at = timezone.now() - datetime.timedelta(seconds=1)
    workshop.save()
    response = client.post(
        f"/p/{workshop.pk}/notes/",
        {
            "column": workshop.columns.first().pk,
            "text": "För sent",
            "client_id": "0b7e4c1a-3a55-4f0e-8f7e-0d5f2b7a9c11",
        },
    )
    assert response.status_code == 403
    assert workshop.notes.count() == 1
    # Extending the timer opens writing again.
    timer_extend(workshop=workshop, seconds=60)
    add_note(workshop, participant, "Nu går det igen")


def test_a_timer_that_does_not_lock_lets_writing_go_on(workshop, phones):
    timer_start(workshop=workshop, seconds=60, locks_writing=False)
    workshop.timer_ends_at = timezone.now() - datetime.timedelta(seconds=5)
    workshop.save()
    add_note(workshop, phones[0][1], "Fortfarande öppet")


def test_timer_permissions(client, workshop, other_facilitator, phones):
    url = f"/workshops/{workshop.pk}/timer/"
    data = {"action": "start", "minutes": "1"}
    assert client.post(url, data).status_code == 302
    assert phones[0][0].post(url, data).status_code == 302
    client.force_login(other_facilitator)
    assert client.post(url, data).status_code == 404
    assert client.get(url).status_code == 405
    workshop.refresh_from_db()
    assert workshop.timer_ends_at is None


def test_phones_and_projector_show_the_timer(facilitator_client, workshop, phones):
    timer_start(workshop=workshop, seconds=90)
    assert b'role="timer"' in phones[0][0].get(f"/p/{workshop.pk}/").content
    assert b'role="timer"' in facilitator_client.get(f"/workshops/{workshop.pk}/projector/").content


def test_a_run_out_timer_says_time_is_up_without_a_time_left_label(
    facilitator_client, workshop, phones
):
    """Not "Time left Time is up": once the time has run out, the label goes."""
    timer_start(workshop=workshop, seconds=60)
    running = facilitator_client.get(f"/workshops/{workshop.pk}/projector/").content.decode()
    timer = re.search(r'<div id="timer".*?</div>', running, re.S).group(0)
    assert "Time left" in timer and "timer-ended" not in timer
    workshop.timer_ends_at = timezone.now() - datetime.timedelta(seconds=1)
    workshop.save(update_fields=["timer_ends_at"])
    for page in (
        facilitator_client.get(f"/workshops/{workshop.pk}/projector/"),
        phones[0][0].get(f"/p/{workshop.pk}/"),
    ):
        timer = re.search(r'<div id="timer".*?</div>', page.content.decode(), re.S).group(0)
        assert 'class="timer timer-ended"' in timer
        assert ">Time is up</span>" in timer
        # The label is hidden for an ended timer (labb.js sets the same class when the
        # time runs out on screen).
        css = (Path(__file__).resolve().parents[2] / "static/labb/labb.css").read_text()
        assert ".timer-ended .timer-label { display: none; }" in css
