"""The registry of live event names (workshops/live_events.py) is the one list: services
emit only its names, every registered name is emitted somewhere, and every live page hands
the list to labb.js, which has no list of its own."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.support.steps import join_as
from workshops import services
from workshops.live_events import NAMES, LiveEventName
from workshops.models import LiveEvent

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.django_db
def test_an_event_outside_the_registry_is_refused(workshop):
    with pytest.raises(ValueError):
        services.live_event_emit(
            workshop=workshop,
            name="reveal",
            audience=LiveEvent.Audience.BOARD,
            template="workshops/live/refresh.html",
            context={},
        )
    assert not LiveEvent.objects.filter(workshop=workshop).exists()


def _names_used_in_code() -> tuple[set[str], list[str]]:
    """`LiveEventName.X` members referenced by the app code, and string literals handed to
    the emit helpers as an event name."""
    used, literals = set(), []
    for path in [*ROOT.glob("workshops/**/*.py"), *ROOT.glob("labb/**/*.py")]:
        if "migrations" in path.parts or path.name == "live_events.py":
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "LiveEventName"
            ):
                used.add(node.attr)
            if isinstance(node, ast.Call):
                func = getattr(node.func, "id", getattr(node.func, "attr", ""))
                if func in ("live_event_emit", "_emit", "_note_event", "encode_frame"):
                    index = {"_emit": 1, "_note_event": 1, "encode_frame": 1}.get(func)
                    candidates = (
                        [node.args[index]] if index is not None and len(node.args) > index else []
                    )
                    candidates += [k.value for k in node.keywords if k.arg == "name"]
                    for candidate in candidates:
                        if isinstance(candidate, ast.Constant) and isinstance(candidate.value, str):
                            literals.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return used, literals


def test_every_registered_name_is_sent_and_no_name_is_a_free_string():
    used, literals = _names_used_in_code()
    assert literals == [], "event names must come from LiveEventName"
    assert used == {member.name for member in LiveEventName}, (
        "registered but never sent",
        {member.name for member in LiveEventName} - used,
    )


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
