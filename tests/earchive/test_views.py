"""Registration number and classification in the forms and pages, and requesting an
e-archive package from the export panels."""

import pytest
from django.utils import translation

from workshops.models import Export, Workshop
from workshops.services.phases import phase_set


@pytest.fixture
def export_root(settings, tmp_path):
    settings.EXPORT_ROOT = tmp_path / "exports"
    return settings.EXPORT_ROOT


def close(workshop) -> Workshop:
    phase_set(workshop=workshop, phase=Workshop.Phase.CLOSED)
    workshop.refresh_from_db()
    return workshop


def test_a_facilitator_records_the_workshops_registration_number_and_classification(
    facilitator_client, workshop
):
    response = facilitator_client.post(
        f"/workshops/{workshop.pk}/settings/",
        {
            "title": workshop.title,
            "question": workshop.question,
            "date": workshop.date.isoformat(),
            "group_assignment": workshop.group_assignment,
            "registration_number": " KS 2026/0412 ",
            "classification": "2.4.1",
        },
    )
    assert response.status_code == 302
    workshop.refresh_from_db()
    assert (workshop.registration_number, workshop.classification) == ("KS 2026/0412", "2.4.1")
    page = facilitator_client.get(f"/workshops/{workshop.pk}/").content.decode()
    assert "KS 2026/0412" in page
    assert "2.4.1" in page


def test_the_settings_form_labels_the_fields_in_swedish(facilitator_client, workshop):
    page = facilitator_client.get(
        f"/workshops/{workshop.pk}/", HTTP_ACCEPT_LANGUAGE="sv"
    ).content.decode()
    assert "Diarienummer" in page
    assert "Klassificering" in page


def test_a_facilitator_records_the_challenges_registration_number_and_classification(
    facilitator_client, challenge
):
    response = facilitator_client.post(
        f"/challenges/{challenge.pk}/edit/",
        {
            "organisation": challenge.organisation_id,
            "question": challenge.question,
            "status": challenge.status,
            "visibility": challenge.visibility,
            "registration_number": "RS 2026/7",
            "classification": "1.1",
        },
    )
    assert response.status_code == 302, response.content
    challenge.refresh_from_db()
    assert (challenge.registration_number, challenge.classification) == ("RS 2026/7", "1.1")
    page = facilitator_client.get(f"/challenges/{challenge.pk}/").content.decode()
    assert "RS 2026/7" in page


def test_both_export_panels_offer_the_e_archive_package(facilitator_client, workshop, challenge):
    for url in (f"/workshops/{workshop.pk}/", f"/challenges/{challenge.pk}/"):
        page = facilitator_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert '<option value="earchive">E-archive package (FGS/E-ARK SIP)</option>' in page, url


def test_an_open_workshop_is_refused_with_409_and_a_reason(facilitator_client, workshop):
    response = facilitator_client.post(
        f"/workshops/{workshop.pk}/exports/",
        {"kind": "earchive"},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="sv",
    )
    assert response.status_code == 409
    with translation.override("sv"):
        reason = translation.gettext(
            "Close the workshop before you make an e-archive package of it."
        )
    assert reason != "Close the workshop before you make an e-archive package of it."
    assert reason in response.content.decode()
    assert not Export.objects.exists()


def test_without_htmx_the_refusal_comes_back_as_a_message(facilitator_client, workshop):
    response = facilitator_client.post(
        f"/workshops/{workshop.pk}/exports/", {"kind": "earchive"}, follow=True
    )
    assert response.redirect_chain[0][0].endswith(f"/workshops/{workshop.pk}/#exports")
    assert (
        "e-archive" in response.content.decode().lower() or "e-arkiv" in response.content.decode()
    )
    assert not Export.objects.exists()


def test_a_challenge_with_an_open_workshop_is_refused(facilitator_client, workshop, challenge):
    response = facilitator_client.post(
        f"/challenges/{challenge.pk}/exports/",
        {"kind": "earchive"},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 409
    assert "1 workshop is not closed" in response.content.decode()
    assert not Export.objects.exists()


def test_a_closed_workshops_package_is_made_and_downloaded_as_tar(
    facilitator_client, workshop, export_root, django_capture_on_commit_callbacks
):
    close(workshop)
    with django_capture_on_commit_callbacks(execute=True):
        response = facilitator_client.post(
            f"/workshops/{workshop.pk}/exports/", {"kind": "earchive"}, HTTP_HX_REQUEST="true"
        )
    assert response.status_code == 200
    export = Export.objects.get()
    assert export.status == Export.Status.DONE, export.error
    download = facilitator_client.get(f"/exports/{export.pk}/download/")
    assert download["Content-Type"] == "application/x-tar"
    assert export.file_name == "labb-workshop-1-earchive.tar"


def test_read_only_staff_may_not_request_a_package(client, staff, workshop, challenge):
    close(workshop)
    client.force_login(staff)
    for url in (f"/workshops/{workshop.pk}/exports/", f"/challenges/{challenge.pk}/exports/"):
        assert client.post(url, {"kind": "earchive"}).status_code == 404, url
    assert not Export.objects.exists()
