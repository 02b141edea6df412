"""An archive of four challenges across two organisations, one of each visibility that matters.

Region Exempel (org X: facilitator frida, staff sam)
  - `x_private`: private, one live workshop; its notes hold the secret word “zebrafinkar”.
  - `x_org`: organisation-wide, a paper workshop (2022) with silos/funding/mandate notes.
Kommun Ypsilon (org Y: facilitator yngve)
  - `y_private`: private; notes hold the secret word “kvarnhjulen” and “stuprören”.
  - `y_shared`: shared with every user of the server; a 2024 workshop.
"""

from __future__ import annotations

import datetime

import pytest

from challenges.models import Challenge, Tag
from workshops.models import ActionItem, Theme, Workshop
from workshops.services.notes import notes_bulk_add
from workshops.services.workshops import workshop_create


def make_workshop(challenge, user, *, title, date, place, notes, kind=Workshop.Kind.PAPER):
    """A workshop with two columns; `notes` maps group index → (successes, obstacles)."""
    workshop = workshop_create(
        challenge=challenge,
        user=user,
        title=title,
        template_key="success_obstacles",
        group_count=len(notes),
        date=date,
        place=place,
        kind=kind,
    )
    groups = list(workshop.groups.all())
    success, obstacles = list(workshop.columns.all())[:2]
    for group, (good, bad) in zip(groups, notes, strict=True):
        notes_bulk_add(workshop=workshop, group=group, column=success, lines=good)
        notes_bulk_add(workshop=workshop, group=group, column=obstacles, lines=bad)
    if kind == Workshop.Kind.LIVE:
        # A workshop of the past: its notes were revealed (before that the archive hides
        # their texts, tests/archive/test_private_writing.py).
        workshop.phase = Workshop.Phase.CLOSED
        workshop.save(update_fields=["phase"])
    return workshop


@pytest.fixture
def archive_world(db, org_x, org_y, facilitator, other_facilitator, staff):
    tag = Tag.objects.create(name="hållbarhet")
    x_private = Challenge.objects.create(
        organisation=org_x,
        question="Hur minskar vi zebrafinkarnas hemliga problem?",
        visibility=Challenge.Visibility.PRIVATE,
    )
    x_private_ws = make_workshop(
        x_private,
        facilitator,
        title="Hemlig workshop",
        date=datetime.date(2023, 3, 1),
        place="Halmstad",
        notes=[("Zebrafinkar överallt", "Stuprören hindrar zebrafinkar")],
        kind=Workshop.Kind.LIVE,
    )
    x_org = Challenge.objects.create(
        organisation=org_x,
        question="Hur får vi samverkan kring hållbar utveckling att hända?",
        visibility=Challenge.Visibility.ORGANISATION,
        status=Challenge.Status.TESTING,
    )
    x_org.tags.add(tag)
    paper = make_workshop(
        x_org,
        facilitator,
        title="Lärlabb workshop 1",
        date=datetime.date(2022, 10, 5),
        place="Växjö",
        notes=[
            (
                "Tydligt mandat från ledningen\nGemensam målbild",
                "Stuprör mellan förvaltningarna\nFinansieringen saknas",
            ),
            ("Engagerade eldsjälar", "Stuprören är tydliga\nOtydligt mandat"),
            ("Tid för reflektion", "Kortsiktig finansiering\nSilos <script>alert(1)</script>"),
        ],
    )
    theme = Theme.objects.create(workshop=paper, name="Stuprör", position=1)
    paper.notes.filter(text__icontains="stupr").update(theme=theme)
    Theme.objects.create(workshop=paper, name="Finansiering", position=2)
    ActionItem.objects.create(
        challenge=x_org,
        workshop=paper,
        title="Ta fram en gemensam finansieringsmodell",
        owner_name="Region Exempel",
    )
    y_private = Challenge.objects.create(
        organisation=org_y,
        question="Hur hanterar vi kvarnhjulen?",
        visibility=Challenge.Visibility.PRIVATE,
    )
    y_private_ws = make_workshop(
        y_private,
        other_facilitator,
        title="Ypsilons interna labb",
        date=datetime.date(2024, 2, 2),
        place="Ypsilon",
        notes=[("Kvarnhjulen snurrar", "Stuprören i kvarnhjulen"), ("Kvarnhjulen igen", "Stuprör")],
    )
    Theme.objects.create(workshop=y_private_ws, name="Kvarnhjulen", position=1)
    ActionItem.objects.create(challenge=y_private, title="Kvarnhjulen ska utredas")
    y_shared = Challenge.objects.create(
        organisation=org_y,
        question="Hur delar vi lärdomar mellan kommuner?",
        visibility=Challenge.Visibility.SHARED,
    )
    y_shared_ws = make_workshop(
        y_shared,
        other_facilitator,
        title="Delad workshop om lärande",
        date=datetime.date(2024, 5, 20),
        place="Ypsilon",
        notes=[("Mötesplatser mellan kommuner", "Brist på finansiering\nStuprörstänk")],
    )
    return {
        "tag": tag,
        "x_private": x_private,
        "x_private_ws": x_private_ws,
        "x_org": x_org,
        "paper": paper,
        "y_private": y_private,
        "y_private_ws": y_private_ws,
        "y_shared": y_shared,
        "y_shared_ws": y_shared_ws,
    }


def login(client, user):
    client.force_login(user)
    return client
