"""Fixtures for the session tests: a workshop with participants in groups, moved by phase."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.support.steps import join_as


@pytest.fixture
def phones(workshop) -> list[tuple[Client, object]]:
    """Four phones: two in the first group, two in the second."""
    result = []
    for index, name in enumerate(["Kim", "Alex", "Robin", ""]):
        client = Client()
        participant = join_as(client, workshop, group_index=index // 2, name=name)
        result.append((client, participant))
    return result


@pytest.fixture
def other_client(client, other_facilitator) -> Client:
    client.force_login(other_facilitator)
    return client


@pytest.fixture
def server_url(labb_server) -> str:
    """The base URL of a Labb server that serves this test's (committed) rows."""
    return labb_server.url
