import datetime
import zipfile
from io import BytesIO

import pytest
from django.test import Client
from django.utils import timezone

from workshops import exporting
from workshops.models import Export
from workshops.services.exports import export_request
from workshops.services.notes import notes_bulk_add
from workshops.services.phases import phase_set
from workshops.services.workshops import workshop_create


@pytest.fixture
def export_root(settings, tmp_path):
    settings.EXPORT_ROOT = tmp_path / "exports"
    return settings.EXPORT_ROOT


@pytest.fixture
def filled_workshop(workshop):
    for group in workshop.groups.all():
        for column in workshop.columns.all():
            notes_bulk_add(
                workshop=workshop, group=group, column=column, lines="Tillit\nStuprör\nResurser"
            )
    return workshop


@pytest.mark.parametrize("kind", [k for k, _label in Export.Kind.choices])
def test_requesting_an_export_renders_it_and_the_owner_can_download_it(
    kind, filled_workshop, facilitator_client, export_root, django_capture_on_commit_callbacks
):
    if kind == Export.Kind.EARCHIVE:  # only of closed workshops (tests/earchive/)
        phase_set(workshop=filled_workshop, phase="closed")
    with django_capture_on_commit_callbacks(execute=True):
        response = facilitator_client.post(
            f"/workshops/{filled_workshop.pk}/exports/", {"kind": kind}
        )
    assert response.status_code == 302
    export = Export.objects.get()
    assert export.status == Export.Status.DONE, export.error
    assert export.attempts == 1
    download = facilitator_client.get(f"/exports/{export.pk}/download/")
    assert download.status_code == 200
    body = b"".join(download.streaming_content)
    assert len(body) == export.size_bytes > 0
    disposition = download["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "workshop-1" in disposition
    assert download["Cache-Control"] == "private, no-store"
    assert not list(export_root.rglob(f"*{exporting.TEMP_MARK}*"))


def test_the_status_fragment_polls_until_done_then_offers_the_download(
    filled_workshop, facilitator_client, facilitator, export_root
):
    export = Export.objects.create(workshop=filled_workshop, kind="csv", requested_by=facilitator)
    queued = facilitator_client.get(f"/exports/{export.pk}/")
    assert 'hx-trigger="load delay:1s"' in queued.content.decode()
    exporting.export_run(export_id=export.pk)
    done = facilitator_client.get(f"/exports/{export.pk}/").content.decode()
    assert "hx-trigger" not in done
    assert f"/exports/{export.pk}/download/" in done


def test_an_export_that_always_crashes_fails_after_three_attempts(
    filled_workshop, facilitator, export_root, monkeypatch, django_capture_on_commit_callbacks
):
    def crash(export):
        raise RuntimeError("renderer exploded")

    monkeypatch.setattr(exporting, "render_bytes", crash)
    with django_capture_on_commit_callbacks(execute=True):
        export = export_request(kind="pdf", user=facilitator, workshop=filled_workshop)
    export.refresh_from_db()
    assert export.status == Export.Status.FAILED
    assert export.attempts == exporting.MAX_ATTEMPTS
    assert "renderer exploded" in export.error
    # Running the message again does nothing more: no fourth attempt.
    assert exporting.export_run(export_id=export.pk) is None
    export.refresh_from_db()
    assert export.attempts == exporting.MAX_ATTEMPTS


def test_a_failed_export_can_be_retried_from_the_page(
    filled_workshop,
    facilitator_client,
    facilitator,
    export_root,
    django_capture_on_commit_callbacks,
):
    export = Export.objects.create(
        workshop=filled_workshop, kind="csv", requested_by=facilitator, status="failed", attempts=3
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = facilitator_client.post(f"/exports/{export.pk}/retry/")
    assert response.status_code == 302
    export.refresh_from_db()
    assert export.status == Export.Status.DONE
    assert facilitator_client.post(f"/exports/{export.pk}/retry/").status_code == 409


def test_only_who_may_retry_a_failed_export_is_offered_the_button(
    filled_workshop, facilitator, staff, client, export_root, challenge
):
    """Read-only staff see a failed export's row (they may download the ones that work) but
    not the "Try again" button: the server would refuse them (404)."""
    challenge.visibility = "organisation"
    challenge.save()
    export = Export.objects.create(
        workshop=filled_workshop,
        kind="csv",
        requested_by=facilitator,
        status="failed",
        error="Renderer crashed",
        attempts=3,
    )
    retry = f'action="/exports/{export.pk}/retry/"'
    client.force_login(staff)
    row = client.get(f"/exports/{export.pk}/")
    assert row.status_code == 200
    assert "Renderer crashed" in row.content.decode()
    assert retry not in row.content.decode()
    assert "Try again" not in row.content.decode()
    assert client.post(f"/exports/{export.pk}/retry/").status_code == 404
    client.force_login(facilitator)
    for page in (f"/exports/{export.pk}/", f"/workshops/{filled_workshop.pk}/"):
        body = client.get(page).content.decode()
        assert "Renderer crashed" in body, page
        assert retry in body, page
        assert "Try again" in body, page


def test_a_finished_export_is_not_rendered_again(filled_workshop, facilitator, export_root):
    export = Export.objects.create(workshop=filled_workshop, kind="csv", requested_by=facilitator)
    exporting.export_run(export_id=export.pk)
    assert exporting.export_run(export_id=export.pk) is None
    export.refresh_from_db()
    assert export.attempts == 1


def test_a_job_being_rendered_is_not_claimed_twice_but_a_stale_one_is(
    filled_workshop, facilitator, export_root
):
    export = Export.objects.create(
        workshop=filled_workshop,
        kind="csv",
        requested_by=facilitator,
        status="running",
        attempts=1,
        started_at=timezone.now(),
    )
    with pytest.raises(exporting.ExportBusy) as busy:
        exporting.export_run(export_id=export.pk)
    assert 1 <= busy.value.retry_in <= exporting.stale_after().total_seconds() + 1
    export.refresh_from_db()
    assert export.attempts == 1
    Export.objects.filter(pk=export.pk).update(
        started_at=timezone.now() - datetime.timedelta(hours=1)
    )
    directory = exporting.export_dir(export)
    directory.mkdir(parents=True)
    leftover = directory / f"x.csv{exporting.TEMP_MARK}dead"
    leftover.write_bytes(b"half a file")
    done = exporting.export_run(export_id=export.pk)
    assert done.status == Export.Status.DONE
    assert done.attempts == 2
    assert not leftover.exists()


def test_large_posters_are_zipped_pages(workshop, facilitator, export_root, challenge):
    workshop_big = workshop_create(
        challenge=challenge,
        user=facilitator,
        title="Stor",
        template_key="success_obstacles",
        group_count=20,
    )
    for group in workshop_big.groups.all():
        for column in workshop_big.columns.all():
            notes_bulk_add(
                workshop=workshop_big,
                group=group,
                column=column,
                lines="\n".join(f"Lapp {n} om samverkan och tillit" for n in range(8)),
            )
    export = Export.objects.create(workshop=workshop_big, kind="poster", requested_by=facilitator)
    exporting.export_run(export_id=export.pk)
    export.refresh_from_db()
    path = exporting.export_file_path(export)
    if path.suffix == ".zip":
        names = zipfile.ZipFile(BytesIO(path.read_bytes())).namelist()
        assert len(names) > 1 and all(name.endswith(".png") for name in names)
    else:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_old_exports_are_removed_with_their_files(
    filled_workshop, facilitator, export_root, settings
):
    export = Export.objects.create(workshop=filled_workshop, kind="csv", requested_by=facilitator)
    exporting.export_run(export_id=export.pk)
    export.refresh_from_db()
    path = exporting.export_file_path(export)
    assert path.exists()
    later = timezone.now() + datetime.timedelta(days=settings.LABB_EXPORT_RETENTION_DAYS + 1)
    assert exporting.exports_expire(now=later) == 1
    assert not path.exists()
    assert not Export.objects.filter(pk=export.pk).exists()


def test_challenge_exports_cover_all_its_workshops(
    filled_workshop, facilitator_client, challenge, export_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = facilitator_client.post(f"/challenges/{challenge.pk}/exports/", {"kind": "csv"})
    assert response.status_code == 302
    export = Export.objects.get(challenge=challenge)
    with zipfile.ZipFile(exporting.export_file_path(export)) as archive:
        notes, themes, next_steps = archive.namelist()
        body = archive.read(notes).decode("utf-8-sig")
    assert body.count("Stuprör") == 6


class TestPermissions:
    def test_staff_of_the_organisation_may_download_but_not_request(
        self, filled_workshop, facilitator, staff, client, export_root, challenge
    ):
        challenge.visibility = "organisation"
        challenge.save()
        export = Export.objects.create(
            workshop=filled_workshop, kind="csv", requested_by=facilitator
        )
        exporting.export_run(export_id=export.pk)
        client.force_login(staff)
        assert client.get(f"/exports/{export.pk}/download/").status_code == 200
        assert (
            client.post(f"/workshops/{filled_workshop.pk}/exports/", {"kind": "csv"}).status_code
            == 404
        )
        assert client.post(f"/exports/{export.pk}/retry/").status_code == 404

    def test_outsiders_get_404_and_anonymous_must_log_in(
        self, filled_workshop, facilitator, other_facilitator, client, export_root
    ):
        export = Export.objects.create(
            workshop=filled_workshop, kind="csv", requested_by=facilitator
        )
        exporting.export_run(export_id=export.pk)
        assert client.get(f"/exports/{export.pk}/download/").status_code == 302
        client.force_login(other_facilitator)
        for url in (f"/exports/{export.pk}/download/", f"/exports/{export.pk}/"):
            assert client.get(url).status_code == 404
        assert (
            client.post(f"/workshops/{filled_workshop.pk}/exports/", {"kind": "csv"}).status_code
            == 404
        )

    def test_a_participant_cannot_download(
        self, filled_workshop, facilitator, participant_client, export_root
    ):
        export = Export.objects.create(
            workshop=filled_workshop, kind="csv", requested_by=facilitator
        )
        exporting.export_run(export_id=export.pk)
        client, _participant = participant_client
        assert client.get(f"/exports/{export.pk}/download/").status_code == 302

    def test_wrong_methods(self, filled_workshop, facilitator_client, facilitator, export_root):
        export = Export.objects.create(
            workshop=filled_workshop, kind="csv", requested_by=facilitator
        )
        assert (
            facilitator_client.get(f"/workshops/{filled_workshop.pk}/exports/").status_code == 405
        )
        assert facilitator_client.get(f"/exports/{export.pk}/retry/").status_code == 405
        assert facilitator_client.post(f"/exports/{export.pk}/download/").status_code == 405

    def test_an_unknown_kind_is_a_400_for_htmx(self, filled_workshop, facilitator_client):
        response = facilitator_client.post(
            f"/workshops/{filled_workshop.pk}/exports/", {"kind": "exe"}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 400
        assert not Export.objects.exists()
        assert "Choose what kind of export you want." in response.content.decode()


def test_every_htmx_request_answers_with_a_message_and_the_list(
    filled_workshop, facilitator_client, export_root
):
    for number in (1, 2):
        response = facilitator_client.post(
            f"/workshops/{filled_workshop.pk}/exports/", {"kind": "csv"}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert 'id="export-message"' in html
        assert "the export is being made" in html
        assert html.count('class="export export-') == number
    assert Export.objects.filter(workshop=filled_workshop).count() == 2


def test_the_challenge_page_offers_its_exports_to_who_may_request_them(
    filled_workshop, facilitator_client, challenge, staff
):
    action = f'hx-post="/challenges/{challenge.pk}/exports/"'
    page = facilitator_client.get(f"/challenges/{challenge.pk}/").content.decode()
    assert action in page
    for value in ("poster", "pdf", "xlsx", "csv", "archive"):
        assert f'<option value="{value}">' in page
    staff_client = Client()
    staff_client.force_login(staff)
    page = staff_client.get(f"/challenges/{challenge.pk}/")
    assert page.status_code == 200
    assert action not in page.content.decode()


def test_importing_an_archive_in_the_ui_recreates_the_workshop(
    filled_workshop, facilitator_client, export_root
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    export = Export.objects.create(workshop=filled_workshop, kind="archive")
    done = exporting.export_run(export_id=export.pk)
    data = exporting.export_file_path(done).read_bytes()
    filled_workshop.delete()
    response = facilitator_client.post(
        "/import/",
        {
            "organisation": filled_workshop.challenge.organisation_id,
            "file": SimpleUploadedFile("a.json", data, "application/json"),
        },
    )
    assert response.status_code == 302
    from workshops.models import Note, Workshop

    restored = Workshop.objects.get(title="Workshop 1")
    assert Note.objects.filter(workshop=restored).count() == 18
    bad = facilitator_client.post(
        "/import/",
        {
            "organisation": restored.challenge.organisation_id,
            "file": SimpleUploadedFile("a.json", b"not json", "application/json"),
        },
    )
    assert bad.status_code == 400
    assert "not valid JSON" in bad.content.decode()


def test_the_csv_export_downloads_as_a_zip_of_one_csv_per_table(
    filled_workshop, facilitator_client, facilitator, export_root
):
    export = Export.objects.create(workshop=filled_workshop, kind="csv", requested_by=facilitator)
    exporting.export_run(export_id=export.pk)
    export.refresh_from_db()
    assert export.file_name == "labb-workshop-1-csv.zip"
    download = facilitator_client.get(f"/exports/{export.pk}/download/")
    assert download["Content-Type"] == "application/zip"
    assert 'filename="labb-workshop-1-csv.zip"' in download["Content-Disposition"]
    with zipfile.ZipFile(BytesIO(b"".join(download.streaming_content))) as archive:
        # Named in the active language (English in the tests, LANGUAGE_CODE is "en").
        assert archive.namelist() == ["notes.csv", "themes.csv", "next-steps.csv"]
        notes = archive.read("notes.csv").decode("utf-8-sig").splitlines()
    assert len(notes) == 1 + filled_workshop.notes.count()
