"""Hypothesis drives the join, note, workshop and search forms and posts raw bodies in odd
encodings: the server may refuse, but never answers with a server error.

Examples per test: LABB_FUZZ_EXAMPLES (500 by default; CI sets 150).
"""

from __future__ import annotations

import os
import uuid
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security.hostile import hostile_strings
from tests.support.steps import join_as

EXAMPLES = int(os.environ.get("LABB_FUZZ_EXAMPLES", "500"))
settings.register_profile(
    "labb-fuzz",
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=False,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
FUZZ = settings.get_profile("labb-fuzz")

# Any text (NUL and control characters included), the hostile corpus, and numbers as text.
texts = st.one_of(
    st.text(max_size=700),
    st.sampled_from(hostile_strings()),
    st.integers().map(str),
    st.just(""),
)
ids = st.one_of(st.integers(min_value=-(2**63), max_value=2**63).map(str), texts)
ALLOWED = {200, 201, 302, 400, 403, 404, 405, 409, 413, 429}


def _ok(response) -> None:
    assert response.status_code < 500, response.status_code
    assert response.status_code in ALLOWED, response.status_code


@pytest.fixture
def lenient(settings):
    settings.LABB_JOIN_FAILURES_PER_ADDRESS = 10**9
    settings.LABB_JOIN_FAILURES_SITEWIDE = 10**9
    settings.LABB_NOTES_PER_MINUTE = 10**9


@pytest.mark.django_db
def test_fuzz_join_forms(lenient, workshop):
    group = workshop.groups.first()

    @FUZZ
    @given(code=texts, name=texts, group_id=st.one_of(st.just(str(group.pk)), ids))
    def check(code, name, group_id):
        client = Client()
        _ok(client.post(reverse("join"), {"code": code}))
        _ok(client.get(reverse("join"), {"code": code}))
        _ok(
            client.post(
                reverse("join_workshop", args=[workshop.join_code]),
                {"display_name": name, "group": group_id},
            )
        )
        _ok(client.get(f"/j/{quote(code, safe='') or 'x'}/"))
        _ok(client.get(f"/g/{quote(name, safe='') or 'x'}/"))

    check()


@pytest.mark.django_db
def test_fuzz_note_forms(lenient, workshop):
    client = Client()
    join_as(client, workshop)
    column = workshop.columns.first()

    @FUZZ
    @given(
        text=texts,
        column_id=st.one_of(st.just(str(column.pk)), ids),
        client_id=st.one_of(st.uuids().map(str), texts),
        fragment=st.booleans(),
    )
    def check(text, column_id, client_id, fragment):
        extra = {"HTTP_HX_REQUEST": "true"} if fragment else {}
        _ok(
            client.post(
                reverse("phone_note_create", args=[workshop.pk]),
                {"text": text, "column": column_id, "client_id": client_id},
                **extra,
            )
        )

    check()
    note = workshop.notes.first()
    if note is not None:

        @FUZZ
        @given(text=texts)
        def edit(text):
            _ok(
                client.post(reverse("phone_note_edit", args=[workshop.pk, note.pk]), {"text": text})
            )

        edit()


@pytest.mark.django_db
def test_fuzz_workshop_forms(lenient, facilitator_client, challenge, workshop):
    @FUZZ
    @given(
        title=texts,
        template=st.one_of(st.sampled_from(["success_obstacles", "custom"]), texts),
        question=texts,
        columns=texts,
        group_count=st.one_of(st.integers(min_value=-5, max_value=40).map(str), texts),
        kind=st.one_of(st.sampled_from(["live", "paper"]), texts),
        date=st.one_of(st.dates().map(str), texts),
        retain=st.one_of(st.dates().map(str), texts),
    )
    def check(title, template, question, columns, group_count, kind, date, retain):
        _ok(
            facilitator_client.post(
                reverse("workshop_create", args=[challenge.pk]),
                {
                    "title": title,
                    "template": template,
                    "question": question,
                    "custom_columns": columns,
                    "group_count": group_count,
                    "kind": kind,
                    "date": date,
                    "place": title,
                },
            )
        )
        _ok(
            facilitator_client.post(
                reverse("workshop_settings", args=[workshop.pk]),
                {
                    "title": title,
                    "question": question,
                    "date": date,
                    "place": title,
                    "group_assignment": kind,
                    "retain_until": retain,
                },
            )
        )

    check()


@pytest.mark.django_db
def test_fuzz_search(lenient, facilitator_client, workshop):
    url = reverse("archive_search")

    @FUZZ
    @given(
        query=texts,
        extra_key=st.sampled_from(["page", "tag", "organisation", "status", "sort"]),
        extra_value=texts,
        htmx=st.booleans(),
    )
    def check(query, extra_key, extra_value, htmx):
        headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
        _ok(facilitator_client.get(url, {"q": query, extra_key: extra_value}, **headers))

    check()


CONTENT_TYPES = [
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=latin-1",
    "application/x-www-form-urlencoded; charset=utf-16",
    "application/x-www-form-urlencoded; charset=no-such-charset",
    "multipart/form-data; boundary=xyz",
    "multipart/form-data",
    "application/json",
    "text/plain; charset=utf-8",
    "application/octet-stream",
    "",
]


@pytest.mark.django_db
def test_fuzz_raw_posts_with_odd_encodings(lenient, workshop, facilitator):
    phone = Client()
    join_as(phone, workshop)
    facilitator_client = Client()
    facilitator_client.force_login(facilitator)
    targets = [
        (Client(), reverse("join")),
        (Client(), reverse("join_workshop", args=[workshop.join_code])),
        (phone, reverse("phone_note_create", args=[workshop.pk])),
        (Client(), reverse("login")),
        (facilitator_client, reverse("workshop_settings", args=[workshop.pk])),
    ]
    form_like = st.lists(
        st.tuples(st.binary(max_size=30), st.binary(max_size=200)), max_size=6
    ).map(lambda pairs: b"&".join(k + b"=" + v for k, v in pairs))
    multipart = st.binary(max_size=300).map(
        lambda b: (
            b'--xyz\r\nContent-Disposition: form-data; name="text"\r\n\r\n' + b + b"\r\n--xyz--"
        )
    )

    @FUZZ
    @given(
        target=st.sampled_from(range(len(targets))),
        body=st.one_of(st.binary(max_size=2000), form_like, multipart),
        content_type=st.sampled_from(CONTENT_TYPES),
    )
    def check(target, body, content_type):
        client, url = targets[target]
        _ok(client.generic("POST", url, data=body, content_type=content_type))

    check()
    assert phone.get(reverse("phone", args=[workshop.pk])).status_code == 200
    assert uuid  # client ids above are uuid strings or arbitrary text
