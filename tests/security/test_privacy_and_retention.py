"""Participants are anonymous by default, nothing identifying is stored with a note, the join
page says what is kept, and expired workshops lose their personal data exactly once."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from challenges.models import Challenge
from tests.support.steps import join_as, post_note
from workshops import retention
from workshops.models import DisposalLog, Export, LiveEvent, Note, Participant, Vote, Workshop
from workshops.services.phases import workshop_set_accepting
from workshops.services.workshops import workshop_create
from workshops.tasks import retention_sweep as retention_sweep_task

IDENTIFYING = ("ip", "addr", "agent", "user_agent", "useragent", "device", "fingerprint", "host")


@pytest.mark.parametrize("model", [Note, Participant, Vote, LiveEvent])
def test_no_model_a_participant_writes_has_address_or_device_fields(model):
    for field in model._meta.get_fields():
        name = field.name.lower()
        assert not any(word == name or word in name.split("_") for word in IDENTIFYING), (
            model.__name__,
            field.name,
        )


@pytest.mark.django_db
def test_a_posted_note_row_holds_no_address_or_user_agent(workshop):
    client = Client(REMOTE_ADDR="198.51.100.23", HTTP_USER_AGENT="Mozilla/5.0 (Telefon) Unik/1.0")
    join_as(client, workshop)
    assert post_note(client, workshop, text="Mer grönska i centrum").status_code == 302
    with connection.cursor() as cursor:
        for table in (Note._meta.db_table, Participant._meta.db_table, LiveEvent._meta.db_table):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - table names from models
            dump = repr(cursor.fetchall())
            assert "198.51.100.23" not in dump, table
            assert "Telefon" not in dump and "Mozilla" not in dump, table
    # The session holds only which participant this browser is.
    session = client.session
    assert "198.51.100.23" not in repr(dict(session.items()))


@pytest.mark.django_db
def test_joining_without_a_name_is_anonymous(workshop, facilitator_client):
    client = Client()
    participant = join_as(client, workshop, name="")
    assert participant.display_name == ""
    post_note(client, workshop, text="Anonym idé")
    assert Note.objects.get(text="Anonym idé").author_name == ""
    assert Participant.objects.get(pk=participant.pk).display_name == ""


@pytest.mark.django_db
def test_the_join_page_says_what_is_kept_and_that_notes_may_become_public(workshop):
    response = Client().get(
        reverse("join_workshop", args=[workshop.join_code]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="privacy"' in html
    assert "allmän handling" in html
    assert "does not store your IP address" in html
    assert workshop.retain_until.isoformat() in html or str(workshop.retain_until.year) in html
    group = workshop.groups.first()
    assert (
        'class="privacy"'
        in Client().get(reverse("join_group", args=[group.token])).content.decode()
    )


@pytest.mark.django_db
def test_retention_date_defaults_from_the_organisation(challenge, facilitator):
    challenge.organisation.default_retention_days = 90
    challenge.organisation.save()
    workshop = workshop_create(
        challenge=challenge,
        user=facilitator,
        title="W",
        template_key="success_obstacles",
        group_count=1,
        date=datetime.date(2026, 3, 1),
    )
    assert workshop.retain_until == datetime.date(2026, 5, 30)


@pytest.mark.django_db
def test_a_participant_deletes_their_own_note_while_open(participant_client, workshop):
    client, participant = participant_client
    post_note(client, workshop, text="Ångrar mig")
    note = Note.objects.get(participant=participant)
    response = client.post(reverse("phone_note_delete", args=[workshop.pk, note.pk]))
    assert response.status_code == 302
    assert not Note.objects.filter(pk=note.pk).exists()


@pytest.mark.django_db
def test_a_participant_cannot_delete_once_the_workshop_stops_taking_notes(
    participant_client, workshop
):
    client, participant = participant_client
    post_note(client, workshop, text="Står kvar")
    note = Note.objects.get(participant=participant)
    workshop_set_accepting(workshop=workshop, accepting=False)
    assert client.post(reverse("phone_note_delete", args=[workshop.pk, note.pk])).status_code == 403
    assert Note.objects.filter(pk=note.pk).exists()


@pytest.mark.django_db
def test_a_participant_cannot_delete_somebody_elses_note(participant_client, workshop):
    client, _participant = participant_client
    other = Client()
    join_as(other, workshop, name="Annan")
    post_note(other, workshop, text="Min")
    note = Note.objects.get(text="Min")
    assert client.post(reverse("phone_note_delete", args=[workshop.pk, note.pk])).status_code == 404
    assert Note.objects.filter(pk=note.pk).exists()


def _expired_workshop_with_data(workshop, export_root, *, days_ago=1):
    clients = [Client(), Client()]
    for n, client in enumerate(clients):
        join_as(client, workshop, name=f"Person {n}")
        post_note(client, workshop, text=f"Idé {n}")
    export = Export.objects.create(
        kind=Export.Kind.CSV, workshop=workshop, status=Export.Status.DONE
    )
    directory = export_root / str(export.pk)
    directory.mkdir(parents=True)
    file = directory / "labb-w-csv.csv"
    file.write_text("Idé 0\nIdé 1\n")
    export.file_path = f"{export.pk}/labb-w-csv.csv"
    export.save()
    workshop.retain_until = timezone.localdate() - datetime.timedelta(days=days_ago)
    workshop.save()
    return clients, export, file


@pytest.fixture
def export_root(settings, tmp_path):
    settings.EXPORT_ROOT = tmp_path / "exports"
    settings.EXPORT_ROOT.mkdir()
    return settings.EXPORT_ROOT


@pytest.mark.django_db
def test_the_sweep_removes_notes_names_exports_and_files_and_logs_it(workshop, export_root):
    clients, export, file = _expired_workshop_with_data(workshop, export_root)
    assert LiveEvent.objects.filter(workshop=workshop).exists()
    result = retention_sweep_task.delay().get()
    assert result["disposed"] == [workshop.pk]
    workshop.refresh_from_db()
    assert workshop.disposed_at is not None
    assert workshop.join_code is None
    assert not Note.objects.filter(workshop=workshop).exists()
    assert not Participant.objects.filter(workshop=workshop).exists()
    assert not Export.objects.filter(pk=export.pk).exists()
    assert not file.exists()
    assert not LiveEvent.objects.filter(workshop=workshop).exists()
    log = DisposalLog.objects.get()
    assert (
        log.workshop_id_ref,
        log.notes_removed,
        log.participants_removed,
        log.exports_removed,
    ) == (
        workshop.pk,
        2,
        2,
        1,
    )
    # The phones that were in it get nothing any more.
    assert clients[0].get(reverse("phone", args=[workshop.pk])).status_code == 404


@pytest.mark.django_db
def test_running_the_sweep_twice_changes_nothing_more(workshop, export_root):
    _expired_workshop_with_data(workshop, export_root)
    retention.retention_sweep()
    workshop.refresh_from_db()
    first = (workshop.disposed_at, DisposalLog.objects.count(), Workshop.objects.count())
    second = retention.retention_sweep()
    workshop.refresh_from_db()
    assert second.disposed == []
    assert (workshop.disposed_at, DisposalLog.objects.count(), Workshop.objects.count()) == first
    assert retention.workshop_dispose(workshop=workshop) is None


@pytest.mark.django_db
def test_kept_and_unexpired_workshops_are_left_alone(workshop, export_root, challenge, facilitator):
    _expired_workshop_with_data(workshop, export_root)
    workshop.keep = True
    workshop.save()
    current = workshop_create(
        challenge=challenge,
        user=facilitator,
        title="Pågår",
        template_key="success_obstacles",
        group_count=1,
    )
    current.phase = Workshop.Phase.WRITE
    current.save()
    join_as(Client(), current)
    today_expiring = workshop_create(
        challenge=challenge,
        user=facilitator,
        title="Sista dagen",
        template_key="success_obstacles",
        group_count=1,
    )
    today_expiring.retain_until = timezone.localdate()
    today_expiring.save()
    result = retention.retention_sweep()
    assert result.disposed == []
    assert Note.objects.filter(workshop=workshop).count() == 2
    assert Participant.objects.filter(workshop=current).count() == 1
    assert not DisposalLog.objects.exists()


@pytest.mark.django_db
def test_the_sweep_purges_live_events_older_than_a_day(workshop, participant_client):
    client, _participant = participant_client
    post_note(client, workshop, text="Ny")
    post_note(client, workshop, text="Gammal")
    old = LiveEvent.objects.filter(workshop=workshop).order_by("pk").first()
    LiveEvent.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=2)
    )
    result = retention.retention_sweep()
    assert result.live_events_removed == 1
    assert not LiveEvent.objects.filter(pk=old.pk).exists()
    assert LiveEvent.objects.filter(workshop=workshop).exists()


@pytest.mark.django_db
def test_an_export_path_outside_the_export_root_is_never_deleted(workshop, export_root, tmp_path):
    outside = tmp_path / "precious.txt"
    outside.write_text("keep me")
    Export.objects.create(
        kind=Export.Kind.CSV,
        workshop=workshop,
        status=Export.Status.DONE,
        file_path="../precious.txt",
    )
    workshop.retain_until = timezone.localdate() - datetime.timedelta(days=3)
    workshop.save()
    retention.retention_sweep()
    assert outside.read_text() == "keep me"
    assert not Export.objects.filter(workshop=workshop).exists()


def test_the_sweep_is_scheduled_hourly(settings):
    entries = {e["task"]: e for e in settings.CELERY_BEAT_SCHEDULE.values()}
    assert entries["workshops.tasks.retention_sweep"]["schedule"] <= 24 * 3600
    assert retention_sweep_task.name == "workshops.tasks.retention_sweep"


@pytest.mark.django_db
def test_the_challenge_and_learning_survive_disposal(workshop, export_root):
    _expired_workshop_with_data(workshop, export_root)
    retention.retention_sweep()
    assert Challenge.objects.filter(pk=workshop.challenge_id).exists()
    assert Workshop.objects.filter(pk=workshop.pk).exists()
