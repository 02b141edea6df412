"""Shared fixtures: named personas and realistic boards.

Personas: `facilitator` (organisation X), `other_facilitator` (organisation Y),
`staff` (read-only member of X), `outsider` (logged in, no organisation), and participants
who join from phones (`participant_client`).
"""

from __future__ import annotations

import pytest
from django.test import Client

from challenges.models import Challenge, Membership, Organisation
from labb.celery import app as celery_app
from tests.support.steps import fresh_window, join_as
from workshops.live import emit as live_emit
from workshops.models import Participant, Workshop
from workshops.services.workshops import workshop_create

# Fixtures that start real things (servers, browsers), one copy each: see tests/support/.
pytest_plugins = ["tests.support.servers", "tests.support.browser", "tests.support.identity"]


@pytest.fixture(autouse=True)
def _eager_celery_and_clean_cache(settings):
    """Tasks run in-process unless a test starts a real worker; throttles start empty.

    Tests speak English unless they ask for Swedish (Labb's default language) explicitly
    with `translation.override("sv")` or the language cookie (`django_language`).
    """
    from django.core.cache import cache
    from django.utils import translation

    celery_app.conf.task_always_eager = True
    settings.LANGUAGE_CODE = "en"
    cache.clear()
    with translation.override("en"):
        yield
    cache.clear()


@pytest.fixture
def org_x(db) -> Organisation:
    return Organisation.objects.create(name="Region Exempel", slug="region-exempel")


@pytest.fixture
def org_y(db) -> Organisation:
    return Organisation.objects.create(name="Kommun Ypsilon", slug="kommun-ypsilon")


def _user(django_user_model, username: str, org: Organisation | None, role: str | None):
    user = django_user_model.objects.create_user(username=username, password="pw-" + username)
    if org is not None:
        Membership.objects.create(user=user, organisation=org, role=role)
    return user


@pytest.fixture
def facilitator(django_user_model, org_x):
    return _user(django_user_model, "frida", org_x, Membership.Role.FACILITATOR)


@pytest.fixture
def other_facilitator(django_user_model, org_y):
    return _user(django_user_model, "yngve", org_y, Membership.Role.FACILITATOR)


@pytest.fixture
def staff(django_user_model, org_x):
    return _user(django_user_model, "sam", org_x, Membership.Role.STAFF)


@pytest.fixture
def outsider(django_user_model):
    return _user(django_user_model, "olle", None, None)


@pytest.fixture
def challenge(org_x, facilitator) -> Challenge:
    return Challenge.objects.create(
        organisation=org_x,
        question="Hur kan vi samverka bättre kring hållbar utveckling?",
        created_by=facilitator,
    )


@pytest.fixture
def workshop(challenge, facilitator) -> Workshop:
    workshop = workshop_create(
        challenge=challenge,
        user=facilitator,
        title="Workshop 1",
        template_key="success_obstacles",
        group_count=3,
        place="Växjö",
    )
    workshop.phase = Workshop.Phase.WRITE
    workshop.save(update_fields=["phase"])
    return workshop


@pytest.fixture
def facilitator_client(client, facilitator) -> Client:
    client.force_login(facilitator)
    return client


@pytest.fixture
def participant_client(workshop) -> tuple[Client, Participant]:
    client = Client()
    participant = join_as(client, workshop, name="Kim")
    return client, participant


@pytest.fixture
def fresh_note_window() -> None:
    """The note budgets (a minute) have at least 15 s left when the test starts."""
    fresh_window(60, 15)


@pytest.fixture
def captured_events():
    """The typed live events published in the test (`workshops.live.emit.Sent`: `id`,
    `audience`, `group_id`, `event`), like Zulip's `capture_send_event_calls`. Run the
    on-commit callbacks with `django_capture_on_commit_callbacks(execute=True)`."""
    with live_emit.capture() as captured:
        yield captured
