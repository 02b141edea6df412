"""A small world for the security tests: two organisations, a workshop in each, a
participant in each, a note, and a client per persona."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from challenges.models import Challenge, Membership, Organisation
from tests.support.steps import join_as, post_note
from workshops.models import ActionItem, Export, Group, Note, Participant, Workshop
from workshops.services.workshops import workshop_create

PERSONAS = (
    "anonymous",
    "participant_a",
    "participant_b",
    "facilitator_x",
    "facilitator_y",
    "staff_x",
    "orgadmin_x",
    "outsider",
    "admin",
)


@dataclass
class World:
    org_x: Organisation
    staff_membership: Membership
    challenge_a: Challenge
    challenge_b: Challenge
    workshop_a: Workshop
    workshop_b: Workshop
    group_a: Group
    participant_a: Participant
    participant_b: Participant
    note_a: Note
    action_item_a: ActionItem
    export_a: Export
    failed_export_a: Export
    clients: dict[str, Client]


@pytest.fixture
def _fast_password_hashing(settings):
    """Seven users per test: PBKDF2 would spend seconds hashing their passwords."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _workshop(challenge, user, title) -> Workshop:
    workshop = workshop_create(
        challenge=challenge, user=user, title=title, template_key="success_obstacles", group_count=2
    )
    workshop.phase = Workshop.Phase.WRITE
    workshop.save(update_fields=["phase"])
    return workshop


def _export(workshop, user, *, status, export_root) -> Export:
    export = Export.objects.create(
        kind=Export.Kind.CSV, workshop=workshop, requested_by=user, status=status
    )
    if status == Export.Status.DONE:
        directory = export_root / str(export.pk)
        directory.mkdir(parents=True)
        (directory / "labb-workshop-a-csv.csv").write_text("text\nFler mötesplatser\n")
        export.file_path = f"{export.pk}/labb-workshop-a-csv.csv"
        export.file_name = "labb-workshop-a-csv.csv"
        export.save()
    return export


@pytest.fixture
def export_root(settings, tmp_path):
    settings.EXPORT_ROOT = tmp_path / "exports"
    settings.EXPORT_ROOT.mkdir()
    return settings.EXPORT_ROOT


@pytest.fixture
def world(
    _fast_password_hashing,
    db,
    export_root,
    django_user_model,
    org_x,
    org_y,
    facilitator,
    other_facilitator,
    staff,
    outsider,
) -> World:
    admin = django_user_model.objects.create_superuser(username="ada", password="pw-ada")
    orgadmin = django_user_model.objects.create_user(username="agnes", password="pw-agnes")
    Membership.objects.create(user=orgadmin, organisation=org_x, role=Membership.Role.ADMIN)
    challenge_a = Challenge.objects.create(
        organisation=org_x, question="Hur når vi fler unga?", created_by=facilitator
    )
    challenge_b = Challenge.objects.create(
        organisation=org_y, question="Hur minskar vi matsvinnet?", created_by=other_facilitator
    )
    workshop_a = _workshop(challenge_a, facilitator, "Workshop A")
    workshop_b = _workshop(challenge_b, other_facilitator, "Workshop B")
    clients = {name: Client() for name in PERSONAS}
    participant_a = join_as(clients["participant_a"], workshop_a, name="Alva")
    participant_b = join_as(clients["participant_b"], workshop_b, name="Bo")
    response = post_note(clients["participant_a"], workshop_a, text="Fler mötesplatser")
    assert response.status_code == 302, response.content
    for name, user in {
        "facilitator_x": facilitator,
        "facilitator_y": other_facilitator,
        "staff_x": staff,
        "orgadmin_x": orgadmin,
        "outsider": outsider,
        "admin": admin,
    }.items():
        clients[name].force_login(user)
    assert Membership.objects.filter(user=staff, role=Membership.Role.STAFF).exists()
    return World(
        org_x=org_x,
        staff_membership=Membership.objects.get(user=staff, organisation=org_x),
        challenge_a=challenge_a,
        challenge_b=challenge_b,
        workshop_a=workshop_a,
        workshop_b=workshop_b,
        group_a=workshop_a.groups.first(),
        participant_a=participant_a,
        participant_b=participant_b,
        note_a=Note.objects.get(workshop=workshop_a),
        action_item_a=ActionItem.objects.create(
            challenge=challenge_a, workshop=workshop_a, title="Pröva kvällsöppet"
        ),
        export_a=_export(
            workshop_a, facilitator, status=Export.Status.DONE, export_root=export_root
        ),
        failed_export_a=_export(
            workshop_a, facilitator, status=Export.Status.FAILED, export_root=export_root
        ),
        clients=clients,
    )


@pytest.fixture(scope="session", autouse=True)
def _close_connection_pools_before_the_test_database_goes(django_db_setup):
    """Async views (the live streams) leave pooled connections open; close the pools so the
    test database can be dropped at the end of the run."""
    yield
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        close_pool = getattr(connection, "close_pool", None)
        if close_pool is not None:
            close_pool()
