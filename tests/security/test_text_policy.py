"""The text policy (labb/text.py) and the archive import's value checks.

Findings of the outside probe (issue 10, items 1, 3, 4 and 5): a participant's control
character broke the spreadsheet exports for everyone; an imported date or position that the
database cannot read back made every page that shows it fail; NUL and very deep JSON gave
500 instead of a clear refusal.
"""

from __future__ import annotations

import copy
import io
import json
import unicodedata
import uuid
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from labb.text import clean_text
from workshops.exports import (
    build_challenge_snapshot,
    build_workshop_snapshot,
    render_archive,
    render_csv,
    render_pdf,
    render_xlsx,
)
from workshops.models import Group, Note, Theme, Workshop

CONTROL = "Vi\x0bbehöver\x1b[31m tid\x7f och\x85 stöd\tnu\r\nsen"
CLEAN = "Vibehöver[31m tid och stöd\tnu\nsen"


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


def test_the_policy_strips_control_characters_and_normalises():
    assert clean_text(CONTROL) == CLEAN
    decomposed = "a\u030angstro\u0308m"  # å and ö as base letter plus combining mark
    assert clean_text(decomposed) == "ångström"
    assert unicodedata.is_normalized("NFC", clean_text(decomposed))
    assert clean_text("lone \ud800 surrogate \ufffe") == "lone  surrogate "
    assert clean_text("a\x00b") == "ab"
    assert clean_text("a\x00b", keep_nul=True) == "a\x00b"


def _post_note(client, workshop, text):
    return client.post(
        f"/p/{workshop.pk}/notes/",
        {
            "column": workshop.columns.first().pk,
            "text": text,
            "client_id": str(uuid.uuid4()),
        },
        HTTP_HX_REQUEST="true",
    )


def _csv_notes(data: bytes) -> str:
    """The notes file (the first) of the CSV export's ZIP."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(archive.namelist()[0]).decode("utf-8-sig")


def _xlsx_notes(data: bytes) -> list[str]:
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    return [row[3] for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_a_note_with_control_characters_is_stored_clean_and_every_export_renders(
    participant_client, workshop
):
    client, _participant = participant_client
    response = _post_note(client, workshop, CONTROL)
    assert response.status_code == 201
    note = Note.objects.get(workshop=workshop)
    assert note.text == CLEAN

    snapshot = build_workshop_snapshot(workshop)
    assert _xlsx_notes(render_xlsx(snapshot)) == [CLEAN]
    assert CLEAN.replace("\n", "\r\n") in _csv_notes(render_csv(snapshot)) or (
        '"' + CLEAN + '"' in _csv_notes(render_csv(snapshot))
    )
    assert render_pdf(snapshot).startswith(b"%PDF")
    assert _xlsx_notes(render_xlsx(build_challenge_snapshot(workshop.challenge))) == [CLEAN]


def test_a_row_stored_before_the_policy_still_exports(participant_client, workshop):
    """Rows written before the policy existed (or by raw SQL) hold what openpyxl refuses."""
    client, _participant = participant_client
    assert _post_note(client, workshop, "placeholder").status_code == 201
    note = Note.objects.get(workshop=workshop)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE workshops_note SET text = %s WHERE id = %s", [CONTROL, note.pk])
    note.refresh_from_db()
    assert note.text == CONTROL  # the raw value really is in the database
    snapshot = build_workshop_snapshot(workshop)
    assert _xlsx_notes(render_xlsx(snapshot)) == [CLEAN]
    assert _xlsx_notes(render_xlsx(build_challenge_snapshot(workshop.challenge))) == [CLEAN]
    assert "\x1b" not in _csv_notes(render_csv(snapshot))


def test_a_nul_in_a_note_is_refused_with_a_message(participant_client, workshop):
    client, _participant = participant_client
    response = _post_note(client, workshop, "a\x00b")
    assert response.status_code == 400
    assert "Null characters are not allowed" in response.content.decode()
    assert not Note.objects.filter(workshop=workshop).exists()


def test_a_new_group_named_with_a_nul_is_refused_not_a_server_error(facilitator_client, workshop):
    before = workshop.groups.count()
    response = facilitator_client.post(
        f"/workshops/{workshop.pk}/groups/add/", {"name": "a\x00b"}, follow=True
    )
    assert response.status_code == 200
    assert "Null characters are not allowed" in response.content.decode()
    assert workshop.groups.count() == before
    # A name with control characters is stored clean, a missing one gets a default.
    facilitator_client.post(f"/workshops/{workshop.pk}/groups/add/", {"name": "Blå\x1b grupp"})
    assert workshop.groups.order_by("-position").first().name == "Blå grupp"


def test_a_phone_theme_name_is_stored_clean(facilitator_client, workshop, participant_client):
    workshop.participants_can_cluster = True
    workshop.phase = Workshop.Phase.CLUSTER
    workshop.save(update_fields=["participants_can_cluster", "phase"])
    client, _participant = participant_client
    response = client.post(f"/p/{workshop.pk}/themes/", {"name": "Tid\x0b och\x00 rum"})
    assert response.status_code in (200, 302)
    assert list(Theme.objects.filter(workshop=workshop).values_list("name", flat=True)) == [
        "Tid och rum"
    ]


def test_every_model_write_path_applies_the_policy(workshop):
    """bulk_create and update() go round forms and save(): the model field still cleans."""
    Group.objects.filter(pk=workshop.groups.first().pk).update(name="Upp\x1bdaterad")
    assert workshop.groups.filter(name="Uppdaterad").exists()
    group = workshop.groups.first()
    Note.objects.bulk_create(
        [
            Note(
                workshop=workshop,
                group=group,
                column=workshop.columns.first(),
                text="Massvis\x0b",
                client_id=uuid.uuid4(),
            )
        ]
    )
    assert Note.objects.get(workshop=workshop).text == "Massvis"


# --- Import ----------------------------------------------------------------------------


@pytest.fixture
def archive(workshop, participant_client) -> dict:
    client, _participant = participant_client
    for text in ("Tid att mötas", "Gemensamma mål"):
        assert _post_note(client, workshop, text).status_code == 201
    return json.loads(render_archive(build_workshop_snapshot(workshop)))


def _import(client, document, *, raw: bytes | None = None):
    from challenges.models import Organisation

    body = raw if raw is not None else json.dumps(document).encode()
    return client.post(
        reverse("archive_import"),
        {
            "organisation": Organisation.objects.order_by("pk").first().pk,
            "file": SimpleUploadedFile("archive.json", body, content_type="application/json"),
        },
    )


def _workshop_count() -> int:
    return Workshop.objects.count()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda w: w["notes"][0].update(created_at="9999-12-31T23:59:59-14:00"), "created_at"),
        (lambda w: w["notes"][0].update(created_at="1899-12-31T10:00:00+00:00"), "created_at"),
        (lambda w: w["notes"][0].update(position=10**30), "position"),
        (lambda w: w["notes"][0].update(position=2**31), "position"),
        (lambda w: w.update(date="9999-01-01"), "date"),
        (lambda w: w["participants"][0].update(joined_at="0001-01-01T00:00:00+14:00"), "joined_at"),
        (lambda w: w["settings"].update(retain_until="2999-01-01"), "retain_until"),
        (lambda w: w["notes"][0].update(text="a\x00b"), "text"),
        (lambda w: w["groups"][0].update(name="G\x00"), "name"),
    ],
)
def test_an_archive_value_no_database_can_read_back_is_refused_naming_the_field(
    facilitator_client, archive, change, field
):
    document = copy.deepcopy(archive)
    change(document["workshops"][0])
    before = _workshop_count()
    response = _import(facilitator_client, document)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Invalid archive at workshops/0/" in body
    assert field in body
    assert _workshop_count() == before


def test_a_nul_in_the_challenge_question_is_refused(facilitator_client, archive):
    document = copy.deepcopy(archive)
    document["challenge"]["question"] = "Hur\x00?"
    before = _workshop_count()
    response = _import(facilitator_client, document)
    assert response.status_code == 400
    assert "challenge/question" in response.content.decode()
    assert _workshop_count() == before


@pytest.mark.parametrize("depth", [40, 5_000, 50_000])
def test_deeply_nested_json_is_refused(facilitator_client, archive, depth):
    document = copy.deepcopy(archive)
    text = json.dumps(document)
    nested = "[" * depth + "]" * depth
    raw = text[:-1] + ', "extra": ' + nested + "}"
    before = _workshop_count()
    response = _import(facilitator_client, None, raw=raw.encode())
    assert response.status_code == 400
    assert "nested too deeply" in response.content.decode()
    assert _workshop_count() == before


def test_imported_texts_are_stored_under_the_policy(facilitator_client, archive, workshop):
    document = copy.deepcopy(archive)
    w = document["workshops"][0]
    w["title"] = "Importerad\x1b"
    w["notes"][0]["text"] = CONTROL
    w["groups"][0]["name"] = "Gru\x0bpp"
    document["challenge"]["question"] = "Hur kan vi\x85 göra mer?"
    response = _import(facilitator_client, document)
    assert response.status_code == 302, response.content.decode()[:2000]
    imported = Workshop.objects.get(title="Importerad")
    assert imported.challenge.question == "Hur kan vi göra mer?"
    assert imported.groups.filter(name="Grupp").exists()
    assert set(imported.notes.values_list("text", flat=True)) == {CLEAN, "Gemensamma mål"}
    # and it renders: the pages and the spreadsheet
    assert facilitator_client.get(imported.get_absolute_url()).status_code == 200
    assert CLEAN in _xlsx_notes(render_xlsx(build_workshop_snapshot(imported)))


def test_a_date_at_the_edge_of_the_range_imports_and_reads_back(facilitator_client, archive):
    document = copy.deepcopy(archive)
    w = document["workshops"][0]
    w["title"] = "Kanten"
    w["notes"][0]["created_at"] = "2199-12-31T23:59:59-14:00"
    w["notes"][1]["created_at"] = "1900-01-01T00:00:00+14:00"
    response = _import(facilitator_client, document)
    assert response.status_code == 302
    imported = Workshop.objects.get(title="Kanten")
    years = sorted(n.created_at.year for n in imported.notes.all())
    assert years == [1899, 2200]
    assert facilitator_client.get(f"/workshops/{imported.pk}/board/").status_code == 200
    assert facilitator_client.get(reverse("archive_search") + "?q=Tid").status_code == 200


def test_length_limits_count_what_is_stored(participant_client, workshop, settings):
    """Invisible characters do not count: a full-length note padded with them is accepted."""
    client, _participant = participant_client
    text = "å" * settings.LABB_NOTE_MAX_LENGTH + "\x1b" * 10
    response = _post_note(client, workshop, text)
    assert response.status_code == 201, response.content.decode()
    assert Note.objects.get(workshop=workshop).text == "å" * settings.LABB_NOTE_MAX_LENGTH
