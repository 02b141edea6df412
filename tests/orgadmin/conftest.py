"""Organisation admins: `org_admin` manages organisation X (`org_x`); `other_org_admin`
manages Y."""

from __future__ import annotations

import pytest
from django.test import Client

from challenges.models import Membership


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def org_admin(django_user_model, org_x):
    user = django_user_model.objects.create_user(
        username="agnes", password="pw-agnes", email="agnes@example.se"
    )
    Membership.objects.create(user=user, organisation=org_x, role=Membership.Role.ADMIN)
    return user


@pytest.fixture
def other_org_admin(django_user_model, org_y):
    user = django_user_model.objects.create_user(username="yvonne", password="pw-yvonne")
    Membership.objects.create(user=user, organisation=org_y, role=Membership.Role.ADMIN)
    return user


@pytest.fixture
def admin_client(org_admin) -> Client:
    client = Client()
    client.force_login(org_admin)
    return client
