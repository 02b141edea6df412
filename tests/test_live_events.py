"""The registry of live event names (workshops/live/names.py) is the one list: every typed
event (workshops/live/events.py) carries one of its names, only registered event kinds can
be emitted, every kind is emitted somewhere, and every live page hands the list to labb.js,
which has no list of its own."""

from __future__ import annotations

import ast
import dataclasses
import json
import re
from pathlib import Path
from typing import ClassVar

import pytest
from django.test import Client
from django.urls import reverse

from tests.support.steps import join_as
from workshops.live.emit import emit
from workshops.live.events import KINDS, LiveChange, from_row
from workshops.live.names import NAMES, LiveEventName
from workshops.models import LiveEvent

ROOT = Path(__file__).resolve().parents[1]


@dataclasses.dataclass(frozen=True, slots=True)
class Unregistered(LiveChange):
    name: ClassVar[LiveEventName] = LiveEventName.NOTE


@pytest.mark.django_db
def test_an_event_outside_the_registry_is_refused(workshop):
    with pytest.raises(TypeError):
        emit(workshop=workshop, event=Unregistered())
    assert not LiveEvent.objects.filter(workshop=workshop).exists()


def _constructed_in_app_code() -> tuple[set[str], list[str]]:
    """Event classes the app code outside `workshops/live/` uses (constructs, or hands to a
    helper that does), and calls that hand the emitter anything but an event object."""
    built, loose = set(), []
    for path in [*ROOT.glob("workshops/**/*.py"), *ROOT.glob("labb/**/*.py")]:
        if "migrations" in path.parts or "live" in path.relative_to(ROOT).parts[1:2]:
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id in KINDS:
                built.add(node.id)
            if not isinstance(node, ast.Call):
                continue
            func = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if func == "emit":
                for keyword in node.keywords:
                    if keyword.arg == "event" and not isinstance(
                        keyword.value, ast.Call | ast.Name
                    ):
                        loose.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return built, loose


def test_every_event_kind_is_emitted_and_every_name_belongs_to_a_kind():
    built, loose = _constructed_in_app_code()
    assert loose == []
    assert set(KINDS) - built == set(), "registered but never emitted"
    # Every registered name is some event's, or the stream's own (hello, reload).
    names = {kind.name for kind in KINDS.values()} | {LiveEventName.HELLO, LiveEventName.RELOAD}
    assert names == set(LiveEventName)


def test_a_stored_event_turns_back_into_the_same_typed_event():
    for kind in KINDS.values():
        fields = {f.name: 1 for f in dataclasses.fields(kind)}
        event = kind(**fields)
        assert from_row(event.kind, event.payload()) == event
    assert from_row("Reveal", {}) is None
    assert from_row("NoteAdded", {"note": 1}) is None


def test_labb_js_keeps_no_list_of_event_names_of_its_own():
    script = (ROOT / "static" / "labb" / "labb.js").read_text()
    listed = re.findall(r"\[\s*'hello'|\[\s*\"hello\"", script)
    assert listed == []
    assert "labb-live-events" in script


def _registry(html: str) -> list[str]:
    match = re.search(
        r'<script id="labb-live-events" type="application/json">(.*?)</script>', html, re.S
    )
    assert match, "the page does not hand the event names to labb.js"
    return json.loads(match.group(1))


@pytest.mark.django_db
def test_every_live_page_hands_the_registry_to_the_browser(facilitator_client, workshop):
    group = workshop.groups.first()
    for url in (
        reverse("workshop_board", args=[workshop.pk]),
        reverse("workshop_projector", args=[workshop.pk]),
        reverse("group_view", args=[workshop.pk, group.pk]),
    ):
        response = facilitator_client.get(url)
        assert response.status_code == 200, url
        assert _registry(response.content.decode()) == list(NAMES), url
    phone = Client()
    join_as(phone, workshop, name="Kim")
    response = phone.get(reverse("phone", args=[workshop.pk]))
    assert response.status_code == 200
    assert _registry(response.content.decode()) == list(NAMES)
