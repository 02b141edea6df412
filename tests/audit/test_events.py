"""What goes into the audit trail, from the actions people take: sign-ins, phase changes,
moderation, exports and downloads, imports, challenge and workshop changes, disposals. And
what never does: who a participant is, or what they wrote."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.events import Action, record
from audit.models import AuditEvent
from audit.retention import audit_purge
from tests.support.steps import add_note, join_as
from workshops import exporting
from workshops.models import Export, Note, Workshop
from workshops.retention import retention_sweep

pytestmark = pytest.mark.django_db

PARTICIPANT_NAME = "Kim Participantsson"
NOTE_TEXT = "Hemlig tanke om chefen"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def export_root(settings, tmp_path):
    settings.EXPORT_ROOT = tmp_path / "exports"
    return settings.EXPORT_ROOT


def only(action: str) -> AuditEvent:
    return AuditEvent.objects.get(action=action)


def trail_as_text() -> str:
    """Every stored field of every event, as one string to search."""
    return json.dumps(list(AuditEvent.objects.values()), default=str, ensure_ascii=False)


# --- Sign-ins ------------------------------------------------------------------------------


def test_a_sign_in_is_recorded_for_each_organisation_of_the_user(facilitator, org_x, org_y, client):
    from challenges.models import Membership

    Membership.objects.create(user=facilitator, organisation=org_y, role="staff")
    response = client.post(reverse("login"), {"username": "frida", "password": "pw-frida"})
    assert response.status_code == 302
    events = AuditEvent.objects.filter(action=Action.SIGNED_IN, actor=facilitator)
    assert {event.organisation for event in events} == {org_x, org_y}
    assert {event.actor_name for event in events} == {"frida"}


def test_a_failed_sign_in_names_the_account_not_as_the_actor(facilitator, org_x, client):
    response = client.post(reverse("login"), {"username": "Frida", "password": "wrong"})
    assert response.status_code == 200
    event = only(Action.SIGN_IN_FAILED)
    assert event.actor is None
    assert (event.organisation, event.object_type, event.object_id) == (
        org_x,
        "user",
        facilitator.pk,
    )
    assert "wrong" not in trail_as_text()


def test_a_failed_sign_in_for_an_unknown_account_keeps_nothing_typed(db, client):
    client.post(reverse("login"), {"username": "hunter2-oops", "password": "x"})
    event = only(Action.SIGN_IN_FAILED)
    assert (event.actor, event.organisation, event.object_label) == (None, None, "")
    assert "hunter2" not in trail_as_text()


# --- Workshops, phases, moderation ---------------------------------------------------------


def test_a_phase_change_records_who_from_what_to_what(workshop, facilitator_client, facilitator):
    response = facilitator_client.post(
        reverse("phase_set", args=[workshop.pk]), {"phase": "reveal"}
    )
    assert response.status_code == 302
    event = only(Action.PHASE_CHANGED)
    assert (event.actor, event.organisation_id) == (facilitator, workshop.challenge.organisation_id)
    assert (event.object_type, event.object_id, event.object_label) == (
        "workshop",
        workshop.pk,
        "Workshop 1",
    )
    assert event.detail == {"from": "write", "to": "reveal"}


@pytest.mark.parametrize(
    ("action", "recorded"),
    [("hide", Action.NOTE_HIDDEN), ("delete", Action.NOTE_DELETED)],
)
def test_moderation_is_recorded_by_note_id_without_text_or_author(
    workshop, facilitator_client, facilitator, action, recorded
):
    participant = join_as(Client(), workshop, name=PARTICIPANT_NAME)
    note = add_note(workshop, participant, NOTE_TEXT)
    response = facilitator_client.post(
        reverse("note_moderate", args=[workshop.pk, note.pk]), {"action": action}
    )
    assert response.status_code == 302
    event = only(recorded)
    assert (event.actor, event.object_type, event.object_id) == (facilitator, "note", note.pk)
    assert event.object_label == ""
    assert event.detail == {"workshop": workshop.pk}
    text = trail_as_text()
    assert NOTE_TEXT not in text
    assert PARTICIPANT_NAME not in text
    assert str(participant.pk) not in json.dumps(event.detail)


def test_a_facilitators_edit_is_recorded_and_a_participants_own_edit_is_not(
    workshop, facilitator_client, facilitator
):
    phone = Client()
    participant = join_as(phone, workshop, name=PARTICIPANT_NAME)
    note = add_note(workshop, participant, "Första versionen")
    response = phone.post(
        reverse("phone_note_edit", args=[workshop.pk, note.pk]), {"text": NOTE_TEXT}
    )
    assert response.status_code in (200, 302)
    assert Note.objects.get(pk=note.pk).text == NOTE_TEXT
    phone.post(reverse("phone_note_delete", args=[workshop.pk, note.pk]))
    assert not AuditEvent.objects.filter(action__startswith="note.").exists()

    other = add_note(workshop, participant, "Andra lappen")
    response = facilitator_client.post(
        reverse("note_edit", args=[workshop.pk, other.pk]), {"text": "Rättad"}
    )
    assert response.status_code == 302
    event = only(Action.NOTE_EDITED)
    assert (event.actor, event.object_id) == (facilitator, other.pk)
    assert "Rättad" not in trail_as_text()
    assert PARTICIPANT_NAME not in trail_as_text()


def test_screening_records_each_note_approved(workshop, facilitator_client):
    workshop.screening = True
    workshop.save()
    participant = join_as(Client(), workshop)
    notes = [add_note(workshop, participant, f"Lapp {n}") for n in range(2)]
    assert {note.status for note in notes} == {Note.Status.PENDING}
    response = facilitator_client.post(
        reverse("screening", args=[workshop.pk]),
        {"action": "approve", "note": [note.pk for note in notes]},
    )
    assert response.status_code == 302
    assert sorted(
        AuditEvent.objects.filter(action=Action.NOTE_SHOWN).values_list("object_id", flat=True)
    ) == sorted(note.pk for note in notes)


def test_creating_and_changing_a_workshop_and_a_challenge_are_recorded(
    challenge, facilitator_client, facilitator, org_x
):
    response = facilitator_client.post(
        reverse("workshop_create", args=[challenge.pk]),
        {"title": "Vårens workshop", "template": "brainstorm", "group_count": 2, "kind": "live"},
    )
    assert response.status_code == 302
    workshop = Workshop.objects.get(title="Vårens workshop")
    created = only(Action.WORKSHOP_CREATED)
    assert (created.actor, created.organisation, created.object_id) == (
        facilitator,
        org_x,
        workshop.pk,
    )
    response = facilitator_client.post(
        reverse("challenge_status", args=[challenge.pk]), {"status": "testing"}
    )
    assert response.status_code == 302
    changed = only(Action.CHALLENGE_CHANGED)
    assert (changed.object_id, changed.detail) == (challenge.pk, {"changed": ["status"]})
    # Saving without a change records nothing more.
    facilitator_client.post(reverse("challenge_status", args=[challenge.pk]), {"status": "testing"})
    assert AuditEvent.objects.filter(action=Action.CHALLENGE_CHANGED).count() == 1


def test_creating_a_challenge_is_recorded(facilitator_client, facilitator, org_x):
    response = facilitator_client.post(
        reverse("challenge_create"),
        {
            "organisation": org_x.pk,
            "question": "Hur når vi fler?",
            "status": "exploring",
            "visibility": "organisation",
        },
    )
    assert response.status_code == 302
    event = only(Action.CHALLENGE_CREATED)
    assert (event.actor, event.organisation, event.object_label) == (
        facilitator,
        org_x,
        "Hur når vi fler?",
    )


# --- Exports, downloads, imports -----------------------------------------------------------


def test_an_export_request_and_each_download_are_recorded(
    workshop, facilitator_client, facilitator, staff, export_root
):
    response = facilitator_client.post(
        reverse("workshop_export_create", args=[workshop.pk]), {"kind": "csv"}
    )
    assert response.status_code == 302
    export = Export.objects.get(workshop=workshop)
    requested = only(Action.EXPORT_REQUESTED)
    assert (requested.actor, requested.object_id, requested.detail) == (
        facilitator,
        workshop.pk,
        {"export": export.pk, "kind": "csv"},
    )
    exporting.export_run(export_id=export.pk)  # done already when tasks run eagerly
    staff_client = Client()
    staff_client.force_login(staff)
    download = staff_client.get(reverse("export_download", args=[export.pk]))
    assert download.status_code == 200
    b"".join(download.streaming_content)
    # A HEAD (a link checker) is no download.
    staff_client.head(reverse("export_download", args=[export.pk]))
    downloaded = only(Action.EXPORT_DOWNLOADED)
    assert (downloaded.actor, downloaded.detail) == (staff, {"export": export.pk, "kind": "csv"})


def test_an_import_is_recorded(workshop, facilitator_client, facilitator, org_x, export_root):
    export = Export.objects.create(workshop=workshop, kind="archive")
    done = exporting.export_run(export_id=export.pk)
    data = exporting.export_file_path(done).read_bytes()
    workshop.delete()
    response = facilitator_client.post(
        reverse("archive_import"),
        {"organisation": org_x.pk, "file": SimpleUploadedFile("a.json", data, "application/json")},
    )
    assert response.status_code == 302
    event = only(Action.IMPORTED)
    restored = Workshop.objects.get(title="Workshop 1")
    assert (event.actor, event.organisation) == (facilitator, org_x)
    assert event.detail == {"workshops": [restored.pk]}


# --- Retention -----------------------------------------------------------------------------


def test_a_disposal_is_recorded_with_what_was_removed(workshop, org_x, export_root):
    participant = join_as(Client(), workshop, name=PARTICIPANT_NAME)
    add_note(workshop, participant, NOTE_TEXT)
    workshop.retain_until = timezone.localdate() - datetime.timedelta(days=1)
    workshop.save()
    result = retention_sweep()
    assert result.disposed == [workshop.pk]
    event = only(Action.DISPOSED)
    assert (event.actor, event.actor_name, event.organisation, event.object_id) == (
        None,
        "",
        org_x,
        workshop.pk,
    )
    assert event.detail == {"notes": 1, "participants": 1, "exports": 0}
    assert PARTICIPANT_NAME not in trail_as_text()


def test_the_trail_keeps_its_own_retention(settings, org_x, facilitator):
    settings.LABB_AUDIT_RETENTION_DAYS = 30
    old = record(action=Action.SIGNED_IN, actor=facilitator, organisation_id=org_x.pk)
    recent = record(action=Action.SIGNED_IN, actor=facilitator, organisation_id=org_x.pk)
    AuditEvent.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=31)
    )
    AuditEvent.objects.filter(pk=recent.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=29)
    )
    assert audit_purge() == 1
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [recent.pk]


def test_the_hourly_sweep_purges_the_trail(settings, org_x, facilitator):
    settings.LABB_AUDIT_RETENTION_DAYS = 1
    old = record(action=Action.SIGNED_IN, actor=facilitator, organisation_id=org_x.pk)
    AuditEvent.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=2)
    )
    from workshops.tasks import retention_sweep as retention_sweep_task

    result = retention_sweep_task.delay().get()
    assert result["audit_events_removed"] == 1
    assert not AuditEvent.objects.filter(pk=old.pk).exists()


def test_an_event_survives_its_actors_account(facilitator, org_x):
    event = record(action=Action.SIGNED_IN, actor=facilitator, organisation_id=org_x.pk)
    facilitator.delete()
    event.refresh_from_db()
    assert (event.actor, event.actor_name) == (None, "frida")


def test_a_new_join_code_and_voting_settings_are_workshop_changes(
    workshop, facilitator_client, facilitator
):
    old_code = workshop.join_code
    response = facilitator_client.post(reverse("join_code_regenerate", args=[workshop.pk]))
    assert response.status_code == 302
    event = only(Action.WORKSHOP_CHANGED)
    assert (event.actor, event.detail) == (facilitator, {"changed": ["join_code"]})
    workshop.refresh_from_db()
    # Neither code is in the trail: a code is what lets people in.
    assert old_code not in trail_as_text() and workshop.join_code not in trail_as_text()
    AuditEvent.objects.all().delete()
    response = facilitator_client.post(
        reverse("voting_settings", args=[workshop.pk]),
        {"vote_budget": "3", "votes_stackable": "on"},
    )
    assert response.status_code == 302
    assert only(Action.WORKSHOP_CHANGED).detail == {
        "vote_budget": 3,
        "votes_stackable": True,
        "votes_hidden": False,
        "votes_on_themes_only": False,
    }
