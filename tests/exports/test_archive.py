import datetime as dt
import json
import uuid

import jsonschema
import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command

from challenges.models import Challenge, Organisation
from workshops.exports import (
    build_workshop_snapshot,
    import_archive,
    render_archive,
    validate_archive,
)
from workshops.exports.archive import archive_schema
from workshops.models import ActionItem, Column, Group, Note, Participant, Theme, Vote, Workshop

from .factories import LONG_NOTE, RTL


def test_the_archive_validates_against_its_schema(board):
    data = json.loads(render_archive(board))
    jsonschema.validate(data, archive_schema())
    validate_archive(data)
    assert data["version"] == 1
    assert len(data["workshops"][0]["notes"]) == 300


def test_a_broken_reference_is_a_clear_error(small_board):
    data = json.loads(render_archive(small_board))
    data["workshops"][0]["notes"][0]["group"] = "g99"
    with pytest.raises(ValidationError) as error:
        validate_archive(data)
    assert "g99" in error.value.messages[0]


def test_a_schema_violation_names_the_path(small_board):
    data = json.loads(render_archive(small_board))
    data["workshops"][0]["notes"][0]["status"] = "shouting"
    with pytest.raises(ValidationError) as error:
        validate_archive(data)
    assert "workshops/0/notes/0/status" in error.value.messages[0]


def test_another_file_is_refused():
    with pytest.raises(ValidationError, match="not a Labb archive"):
        validate_archive({"hello": "world"})


def test_a_newer_version_is_refused(small_board):
    data = json.loads(render_archive(small_board))
    data["version"] = 2
    with pytest.raises(ValidationError, match="version 2"):
        validate_archive(data)


# --- Database: snapshot builder and round trip -------------------------------------------


@pytest.fixture
def facilitator(db):
    return get_user_model().objects.create_user("lena", first_name="Lena", last_name="Holm")


@pytest.fixture
def workshop(db, facilitator):
    organisation = Organisation.objects.create(name="Region Exempelland", slug="exempelland")
    challenge = Challenge.objects.create(
        organisation=organisation,
        question="Hur gör vi hållbar utveckling till vardag?",
        description="Lärlabb för region och kommuner.",
    )
    workshop = Workshop.objects.create(
        challenge=challenge,
        title="Lärlabb, workshop 1",
        question="Vad krävs för att det ska hända?",
        template="success-obstacles",
        date=dt.date(2025, 3, 12),
        place="Regionens hus",
        phase="closed",
    )
    workshop.facilitators.add(facilitator)
    success = Column.objects.create(workshop=workshop, title="Framgångsfaktorer", colour="green")
    obstacles = Column.objects.create(workshop=workshop, title="Hinder", colour="pink", position=1)
    groups = [
        Group.objects.create(workshop=workshop, name=f"Grupp {i}", position=i, token=f"tok{i}")
        for i in range(1, 4)
    ]
    people = [
        Participant.objects.create(workshop=workshop, group=g, display_name=name)
        for g, name in zip(groups, ["Anna", "", "Omar"], strict=True)
    ]
    theme = Theme.objects.create(workshop=workshop, name="Samverkan")
    base = dt.datetime(2025, 3, 12, 9, 0, tzinfo=dt.UTC)
    notes = []
    for i, text in enumerate(["Öppen dialog", "=1+1", LONG_NOTE, RTL, "Stuprör", "Resurser"]):
        group = groups[i % 3]
        notes.append(
            Note.objects.create(
                workshop=workshop,
                group=group,
                column=success if i % 2 == 0 else obstacles,
                participant=people[i % 3],
                author_name=people[i % 3].display_name,
                text=text,
                theme=theme if i < 3 else None,
                created_at=base + dt.timedelta(minutes=i),
            )
        )
    Note.objects.create(
        workshop=workshop, group=groups[0], column=success, text="Öppen dialog, igen",
        merged_into=notes[0], created_at=base + dt.timedelta(minutes=9),
    )  # fmt: skip
    Note.objects.create(
        workshop=workshop, group=groups[1], column=obstacles, text="Olämpligt",
        status=Note.Status.HIDDEN, created_at=base + dt.timedelta(minutes=10),
    )  # fmt: skip
    Vote.objects.create(workshop=workshop, participant=people[0], note=notes[0])
    Vote.objects.create(workshop=workshop, participant=people[1], note=notes[0])
    Vote.objects.create(workshop=workshop, participant=people[2], theme=theme)
    step = ActionItem.objects.create(
        workshop=workshop,
        challenge=challenge,
        title="Bjud in kommunerna",
        owner_name="Karin",
        due_date=dt.date(2025, 4, 1),
    )
    step.notes.add(notes[0])
    step.themes.add(theme)
    return workshop


def test_the_snapshot_takes_a_fixed_number_of_queries(workshop, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        snapshot = build_workshop_snapshot(workshop)
    assert snapshot.note_count == 7  # six notes and one duplicate; the hidden one is left out
    assert len(snapshot.withheld_notes) == 1
    first = snapshot.groups[0].columns[0].notes[0]
    assert first.text == "Öppen dialog" and first.votes == 2
    assert [d.text for d in first.duplicates] == ["Öppen dialog, igen"]
    theme = snapshot.themes[0]
    assert (theme.votes, theme.note_votes, theme.group_count) == (1, 2, 3)
    assert snapshot.facilitator_names == ("Lena Holm",)


def strip_volatile(data: dict) -> dict:
    data = json.loads(json.dumps(data))
    data.pop("exported_at")
    for w in data["workshops"]:
        w.pop("created_at")
    return data


def test_import_then_export_round_trips_without_loss(workshop, facilitator):
    first = json.loads(render_archive(build_workshop_snapshot(workshop)))
    target = Organisation.objects.create(name="Region Annat", slug="annat")
    imported = import_archive(first, organisation=target, user=facilitator)
    assert imported.pk != workshop.pk
    second = json.loads(render_archive(build_workshop_snapshot(imported)))
    second["organisation"] = first["organisation"]
    assert strip_volatile(second) == strip_volatile(first)


def test_importing_twice_does_not_duplicate(workshop, facilitator):
    data = json.loads(render_archive(build_workshop_snapshot(workshop)))
    target = Organisation.objects.create(name="Region Annat", slug="annat")
    once = import_archive(data, organisation=target, user=facilitator)
    twice = import_archive(data, organisation=target, user=facilitator)
    assert once.pk == twice.pk
    assert Workshop.objects.filter(challenge__organisation=target).count() == 1


def test_a_bad_file_creates_nothing(workshop, facilitator):
    data = json.loads(render_archive(build_workshop_snapshot(workshop)))
    data["workshops"][0]["votes"][0]["note"] = str(uuid.uuid4())
    target = Organisation.objects.create(name="Region Annat", slug="annat")
    with pytest.raises(ValidationError):
        import_archive(data, organisation=target, user=facilitator)
    assert not Challenge.objects.filter(organisation=target).exists()


def test_the_commands_export_and_import(workshop, tmp_path, capsys):
    path = tmp_path / "workshop.json"
    call_command("export_workshop", str(workshop.pk), "-o", str(path))
    Organisation.objects.create(name="Region Annat", slug="annat")
    call_command("import_workshop", str(path), "--organisation", "annat")
    out = capsys.readouterr().out
    assert "Lärlabb, workshop 1" in out
    assert Workshop.objects.filter(challenge__organisation__slug="annat").count() == 1
