"""Limits with clear messages: note length, notes per minute, request size (413)."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from tests.support.steps import post_note


@pytest.mark.django_db
def test_a_note_over_the_length_limit_is_refused_with_a_reason(participant_client, workshop):
    client, _participant = participant_client
    response = post_note(client, workshop, text="x" * 501, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert b"at most 500 characters" in response.content
    assert post_note(client, workshop, text="x" * 500).status_code == 302
    assert workshop.notes.count() == 1


@pytest.mark.usefixtures("fresh_note_window")
@pytest.mark.django_db
def test_posting_too_fast_gets_429_with_retry_after(settings, participant_client, workshop):
    settings.LABB_NOTES_PER_MINUTE = 3
    client, _participant = participant_client
    for n in range(3):
        assert post_note(client, workshop, text=f"Idé {n}").status_code == 302
    response = post_note(client, workshop, text="En för mycket", HTTP_HX_REQUEST="true")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert b"posting very fast" in response.content
    assert workshop.notes.count() == 3


@pytest.mark.usefixtures("fresh_note_window")
@pytest.mark.django_db
def test_a_retry_with_the_same_client_id_is_not_rate_limited_twice(
    settings, participant_client, workshop
):
    settings.LABB_NOTES_PER_MINUTE = 1
    client, _participant = participant_client
    client_id = uuid.uuid4()
    assert post_note(client, workshop, text="Ett", client_id=client_id).status_code == 302
    assert post_note(client, workshop, text="Ett", client_id=client_id).status_code == 302
    assert workshop.notes.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("where", ["note", "join", "login"])
def test_an_oversized_request_gets_a_clear_413(settings, workshop, participant_client, where):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    client, _participant = participant_client
    url = {
        "note": reverse("phone_note_create", args=[workshop.pk]),
        "join": reverse("join_workshop", args=[workshop.join_code]),
        "login": reverse("login"),
    }[where]
    response = client.post(
        url,
        {"text": "x" * 20_000, "column": workshop.columns.first().pk, "client_id": uuid.uuid4()},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 413
    assert b"larger than Labb accepts (9 KB)" in response.content
    assert workshop.notes.count() == 0


@pytest.mark.django_db
def test_an_oversized_raw_body_without_form_encoding_gets_413(settings, workshop):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = Client().post(
        reverse("join"), data=b"a" * 5000, content_type="application/octet-stream"
    )
    assert response.status_code == 413


@pytest.mark.django_db
def test_too_many_fields_gets_413(settings, workshop):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 50
    body = "&".join(f"f{n}=1" for n in range(200))
    response = Client().post(
        reverse("join"), data=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413


@pytest.mark.django_db
def test_a_request_under_the_limit_is_unaffected(settings, participant_client, workshop):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    client, _participant = participant_client
    assert post_note(client, workshop, text="Kort").status_code == 302
