"""The audit trail page: one organisation's events, newest first, filtered, and the same
as CSV (with formula injection neutralised)."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.events import Action, record
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def audit_url(org) -> str:
    return reverse("orgadmin_audit", args=[org.slug])


def csv_of(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def events(org_x, org_y, facilitator, other_facilitator):
    mine = record(
        action=Action.PHASE_CHANGED,
        actor=facilitator,
        organisation_id=org_x.pk,
        label="Workshop 1",
        detail={"from": "write", "to": "reveal"},
    )
    old = record(action=Action.MEMBER_ADDED, actor=facilitator, organisation_id=org_x.pk)
    AuditEvent.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=40)
    )
    theirs = record(
        action=Action.PHASE_CHANGED,
        actor=other_facilitator,
        organisation_id=org_y.pk,
        label="Hemlig workshop i Y",
    )
    return mine, old, theirs


def test_the_trail_shows_this_organisations_events_only(admin_client, org_x, events):
    html = admin_client.get(audit_url(org_x)).content.decode()
    assert "Workshop 1" in html
    assert "from: write; to: reveal" in html
    assert "Member added" in html
    assert "Hemlig workshop i Y" not in html
    assert "yngve" not in html


def test_the_trail_filters_by_what_and_when(admin_client, org_x, events):
    html = admin_client.get(audit_url(org_x), {"action": "member.added"}).content.decode()
    assert "Member added" in html and "Workshop 1" not in html
    since = (timezone.localdate() - datetime.timedelta(days=7)).isoformat()
    html = admin_client.get(audit_url(org_x), {"since": since}).content.decode()
    assert "Workshop 1" in html and "<td>Member added</td>" not in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"since": "2026-05-01", "until": "2026-04-01"}, "The first day comes after the last."),
        ({"since": "yesterday"}, "Enter a valid date."),
        ({"action": "drop table"}, "Select a valid choice."),
    ],
)
def test_bad_filters_are_a_clear_400(admin_client, org_x, query, message):
    response = admin_client.get(audit_url(org_x), query)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_csv_holds_the_filtered_events_of_this_organisation(admin_client, org_x, events):
    response = admin_client.get(
        reverse("orgadmin_audit_csv", args=[org_x.slug]), {"action": "workshop.phase"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f"labb-audit-{org_x.slug}-" in response["Content-Disposition"]
    rows = csv_of(response)
    assert rows[0] == ["When", "Who", "What", "Object type", "Object id", "Object", "Detail"]
    assert [row[1:] for row in rows[1:]] == [
        ["frida", "Phase changed", "", "", "Workshop 1", "from: write; to: reveal"]
    ]
    # Exporting the trail is itself in the trail.
    exported = AuditEvent.objects.get(action="audit.exported")
    assert exported.detail == {"action": "workshop.phase"}


def test_the_csv_never_hands_a_spreadsheet_a_formula(admin_client, org_x, django_user_model):
    sneaky = django_user_model.objects.create_user(username="@SUM")
    record(
        action=Action.WORKSHOP_CHANGED,
        actor=sneaky,
        organisation_id=org_x.pk,
        label='=HYPERLINK("http://example.com","klicka")',
        detail={"changed": ["-1+1"]},
    )
    rows = csv_of(admin_client.get(reverse("orgadmin_audit_csv", args=[org_x.slug])))
    row = next(row for row in rows if row[2] == "Workshop changed")
    assert row[1] == "'@SUM"
    assert row[5] == '\'=HYPERLINK("http://example.com","klicka")'
    assert row[6] == "changed: -1+1"  # starts with "c": left as it is
    for cell in row:
        assert not cell.startswith(("=", "+", "-", "@"))


def test_the_trail_pages_50_events_at_a_time(admin_client, org_x, facilitator):
    AuditEvent.objects.bulk_create(
        AuditEvent(action=Action.SIGNED_IN, actor=facilitator, organisation=org_x)
        for _ in range(51)
    )
    html = admin_client.get(audit_url(org_x)).content.decode()
    # And the admin's own sign-in (the client logged in).
    assert "52 events" in html
    assert "Page 1 of 2" in html
    assert html.count("<tr>") == 1 + 50
