"""Every URL, every persona: who gets what.

`MATRIX` has one entry per URL name (namespaced names such as "admin:index" included).
A URL that the resolver knows but the matrix does not fails `test_every_url_is_in_the_matrix`,
so a new view cannot ship without deciding who may use it.

Adding a row (copy the nearest one):

    "my_view": {
        "method": "GET",                                   # or "POST" for POST-only views
        "kwargs": lambda w: {"pk": w.workshop_a.pk},       # URL kwargs from the World
        "data": lambda w: {"field": "value"},              # optional POST body
        "expect": facilitator_only(200),                   # status per persona
    },

The World (tests/security/conftest.py): organisation X has `challenge_a`, `workshop_a`
(`group_a`, `note_a` written by `participant_a`) and `action_item_a`; organisation Y has
`challenge_b` and `workshop_b` (with `participant_b`). Every request targets X's objects.
Personas: anonymous, participant_a, participant_b, facilitator_x, facilitator_y, staff_x
(read-only member of X), orgadmin_x (organisation admin of X: a facilitator who also
manages X's members, defaults and audit trail), outsider (logged in, no organisation),
admin (superuser).
Helpers build the usual rows; override single personas with `| {"staff_x": 200}`.
"""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncClient
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.security.conftest import PERSONAS

NOT_LOGGED_IN = ("anonymous", "participant_a", "participant_b")


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(PERSONAS, status)


def logged_in_only(ok: int) -> dict[str, int]:
    """@login_required, then open to every logged-in user."""
    return everyone(ok) | dict.fromkeys(NOT_LOGGED_IN, 302)


def facilitator_only(ok: int, *, denied: int = 404) -> dict[str, int]:
    """Facilitators of organisation X (and superusers); other users get `denied`; people
    who are not logged in are sent to the login page."""
    return {
        "anonymous": 302,
        "participant_a": 302,
        "participant_b": 302,
        "facilitator_x": ok,
        "facilitator_y": denied,
        "staff_x": denied,
        "orgadmin_x": ok,
        "outsider": denied,
        "admin": ok,
    }


def member_of_x(ok: int, *, denied: int = 404) -> dict[str, int]:
    """Anyone in organisation X (facilitators and read-only staff) and superusers."""
    return facilitator_only(ok, denied=denied) | {"staff_x": ok}


def org_admin_only(ok: int, *, denied: int = 404) -> dict[str, int]:
    """Organisation admins of X and superusers; every other user gets `denied` (a
    facilitator or staff member of X included); people not logged in go to the login page."""
    return facilitator_only(denied, denied=denied) | {"orgadmin_x": ok, "admin": ok}


def participant_a_only(ok: int) -> dict[str, int]:
    """Only the browser that joined workshop A as participant_a."""
    return everyone(404) | {"participant_a": ok}


MATRIX: dict[str, dict] = {
    # --- Core ----------------------------------------------------------------------------
    "home": {
        "method": "GET",
        "kwargs": None,
        "expect": everyone(302) | dict.fromkeys(NOT_LOGGED_IN, 200),
    },
    "healthz": {"method": "GET", "kwargs": None, "expect": everyone(200)},
    "accessibility": {"method": "GET", "kwargs": None, "expect": everyone(200)},
    "login": {"method": "GET", "kwargs": None, "expect": everyone(200)},
    "logout": {"method": "POST", "kwargs": None, "expect": everyone(302)},
    # --- Sign-in (accounts/): open to everyone; a provider that is not set up is a 404 page.
    # With a provider, tests/accounts/ follows each flow against a real provider process.
    "signin_start": {
        "method": "GET",
        "kwargs": lambda w: {"slug": "nowhere"},
        "expect": everyone(404),
    },
    "oidc_callback": {
        "method": "GET",
        "kwargs": lambda w: {"slug": "nowhere"},
        "expect": everyone(404),
    },
    "saml_acs": {
        "method": "POST",
        "kwargs": lambda w: {"slug": "nowhere"},
        "data": lambda w: {"SAMLResponse": "PHNhbWw+"},
        "expect": everyone(404),
    },
    "admin_login": {"method": "GET", "kwargs": None, "expect": everyone(200) | {"admin": 302}},
    "saml_sls": {
        "method": "GET",
        "kwargs": lambda w: {"slug": "nowhere"},
        "expect": everyone(404),
    },
    "saml_metadata": {
        "method": "GET",
        "kwargs": lambda w: {"slug": "nowhere"},
        "expect": everyone(404),
    },
    "set_language": {
        "method": "POST",
        "kwargs": None,
        "data": lambda w: {"language": "en", "next": "/"},
        "expect": everyone(302),
    },
    "admin:index": {
        "method": "GET",
        "kwargs": None,
        "expect": everyone(302) | {"admin": 200},
    },
    # --- Challenges ------------------------------------------------------------------------
    "challenge_list": {"method": "GET", "kwargs": None, "expect": logged_in_only(200)},
    "challenge_create": {
        "method": "GET",
        "kwargs": None,
        "expect": logged_in_only(200) | {"staff_x": 403, "outsider": 403},
    },
    "challenge_detail": {
        "method": "GET",
        "kwargs": lambda w: {"pk": w.challenge_a.pk},
        "expect": member_of_x(200),
    },
    "challenge_edit": {
        "method": "GET",
        "kwargs": lambda w: {"pk": w.challenge_a.pk},
        "expect": facilitator_only(200),
    },
    "challenge_status": {
        "method": "POST",
        "kwargs": lambda w: {"pk": w.challenge_a.pk},
        "data": lambda w: {"status": "testing"},
        "expect": facilitator_only(302),
    },
    "learning_add": {
        "method": "POST",
        "kwargs": lambda w: {"pk": w.challenge_a.pk},
        "data": lambda w: {"learned": "Unga vill ses på kvällar", "next_test": ""},
        "expect": facilitator_only(302),
    },
    "next_step_toggle": {
        "method": "POST",
        "kwargs": lambda w: {"pk": w.challenge_a.pk, "item_pk": w.action_item_a.pk},
        "expect": facilitator_only(302),
    },
    # --- Archive ---------------------------------------------------------------------------
    "archive": {"method": "GET", "kwargs": None, "expect": logged_in_only(200)},
    "archive_search": {
        "method": "GET",
        "kwargs": None,
        "query": {"q": "mötesplatser"},
        "expect": logged_in_only(200),
    },
    "archive_recurring": {"method": "GET", "kwargs": None, "expect": logged_in_only(200)},
    "archive_workshop": {
        "method": "GET",
        "kwargs": lambda w: {"pk": w.workshop_a.pk},
        "expect": member_of_x(200),
    },
    # --- Workshops, facilitator side -------------------------------------------------------
    "workshop_create": {
        "method": "GET",
        "kwargs": lambda w: {"challenge_pk": w.challenge_a.pk},
        "expect": facilitator_only(200),
    },
    "workshop_detail": {
        "method": "GET",
        "kwargs": lambda w: {"pk": w.workshop_a.pk},
        "expect": facilitator_only(200),
    },
    "workshop_settings": {
        "method": "POST",
        "kwargs": lambda w: {"pk": w.workshop_a.pk},
        "data": lambda w: {"title": "Ny titel"},
        "expect": facilitator_only(400),
    },
    "workshop_board": {
        "method": "GET",
        "kwargs": lambda w: {"pk": w.workshop_a.pk},
        "expect": facilitator_only(200),
    },
    "workshop_projector": {
        "method": "GET",
        "kwargs": lambda w: {"pk": w.workshop_a.pk},
        "expect": facilitator_only(200),
    },
    "workshop_qr": {
        "method": "GET",
        "kwargs": lambda w: {"pk": w.workshop_a.pk},
        "expect": facilitator_only(200),
    },
    "board_stream": {
        "method": "GET",
        "stream": True,
        "kwargs": lambda w: {"pk": w.workshop_a.pk},
        # An EventSource cannot follow a login redirect: everyone else simply gets 404.
        "expect": everyone(404) | {"facilitator_x": 200, "orgadmin_x": 200, "admin": 200},
    },
    "paper_entry": {
        "method": "GET",
        "kwargs": lambda w: {"pk": w.workshop_a.pk},
        "expect": facilitator_only(200),
    },
    "group_add": {
        "method": "POST",
        "kwargs": lambda w: {"pk": w.workshop_a.pk},
        "data": lambda w: {"name": "Grupp 3"},
        "expect": facilitator_only(302),
    },
    "group_rename": {
        "method": "POST",
        "kwargs": lambda w: {"pk": w.workshop_a.pk, "group_pk": w.group_a.pk},
        "data": lambda w: {"name": "Gruppen"},
        "expect": facilitator_only(302),
    },
    "workshop_accepting": {
        "method": "POST",
        "kwargs": lambda w: {"pk": w.workshop_a.pk},
        "data": lambda w: {"accepting": "0"},
        "expect": facilitator_only(302),
    },
    "join_code_regenerate": {
        "method": "POST",
        "kwargs": lambda w: {"pk": w.workshop_a.pk},
        "expect": facilitator_only(302),
    },
    "notes_bulk_add": {
        "method": "POST",
        "kwargs": lambda w: {"pk": w.workshop_a.pk},
        "data": lambda w: {
            "group": w.group_a.pk,
            "column": w.workshop_a.columns.first().pk,
            "lines": "Ett\nTvå",
        },
        "expect": facilitator_only(302),
    },
    "note_edit": {
        "method": "GET",
        "kwargs": lambda w: {"pk": w.workshop_a.pk, "note_pk": w.note_a.pk},
        "expect": facilitator_only(200),
    },
    "note_moderate": {
        "method": "POST",
        "kwargs": lambda w: {"pk": w.workshop_a.pk, "note_pk": w.note_a.pk},
        "data": lambda w: {"action": "hide"},
        "expect": facilitator_only(302),
    },
    # --- Exports ---------------------------------------------------------------------------
    "workshop_export_create": {
        "method": "POST",
        "kwargs": lambda w: {"pk": w.workshop_a.pk},
        "data": lambda w: {"kind": "csv"},
        "expect": facilitator_only(302),
    },
    "challenge_export_create": {
        "method": "POST",
        "kwargs": lambda w: {"pk": w.challenge_a.pk},
        "data": lambda w: {"kind": "pdf"},
        "expect": facilitator_only(302),
    },
    "export_status": {
        "method": "GET",
        "kwargs": lambda w: {"pk": w.export_a.pk},
        "expect": member_of_x(200),
    },
    "export_download": {
        "method": "GET",
        "kwargs": lambda w: {"pk": w.export_a.pk},
        "expect": member_of_x(200),
    },
    "export_retry": {
        "method": "POST",
        "kwargs": lambda w: {"pk": w.failed_export_a.pk},
        "expect": facilitator_only(302),
    },
    "archive_import": {
        "method": "GET",
        "kwargs": None,
        # Facilitators of any organisation import into their own; others see nothing.
        "expect": facilitator_only(200) | {"facilitator_y": 200},
    },
    # --- Participants ----------------------------------------------------------------------
    "join": {"method": "GET", "kwargs": None, "expect": everyone(200)},
    "join_workshop": {
        "method": "GET",
        "kwargs": lambda w: {"code": w.workshop_a.join_code},
        # participant_a has joined already and is sent on to the phone page.
        "expect": everyone(200) | {"participant_a": 302},
    },
    "join_group": {
        "method": "GET",
        "kwargs": lambda w: {"token": w.group_a.token},
        "expect": everyone(200) | {"participant_a": 302},
    },
    "phone": {
        "method": "GET",
        "kwargs": lambda w: {"pk": w.workshop_a.pk},
        "expect": participant_a_only(200),
    },
    "phone_choose_group": {
        "method": "POST",
        "kwargs": lambda w: {"pk": w.workshop_a.pk},
        "data": lambda w: {"group": w.group_a.pk},
        "expect": participant_a_only(302),
    },
    "phone_note_create": {
        "method": "POST",
        "kwargs": lambda w: {"pk": w.workshop_a.pk},
        "data": lambda w: {
            "column": w.workshop_a.columns.first().pk,
            "text": "Bibliotek öppet på kvällen",
            "client_id": "6f1c3b52-3a0e-4c35-9a37-0f6f8f1d9c11",
        },
        "expect": participant_a_only(302),
    },
    "phone_note_edit": {
        "method": "GET",
        "kwargs": lambda w: {"pk": w.workshop_a.pk, "note_pk": w.note_a.pk},
        "expect": participant_a_only(200),
    },
    "phone_note_delete": {
        "method": "POST",
        "kwargs": lambda w: {"pk": w.workshop_a.pk, "note_pk": w.note_a.pk},
        "expect": participant_a_only(302),
    },
    "phone_stream": {
        "method": "GET",
        "stream": True,
        "kwargs": lambda w: {"pk": w.workshop_a.pk},
        "expect": participant_a_only(200),
    },
    # --- Steering a live session (tests/session/) -------------------------------------------
    "spotlight_set": {
        "method": "POST",
        "kwargs": lambda w: {"pk": w.workshop_a.pk},
        "data": lambda w: {"step": "next"},
        "expect": facilitator_only(302),
    },
    "phase_set": {
        "method": "POST",
        "kwargs": lambda w: {"pk": w.workshop_a.pk},
        "data": lambda w: {"phase": "write"},
        "expect": facilitator_only(302),
    },
    "timer_control": {
        "method": "POST",
        "kwargs": lambda w: {"pk": w.workshop_a.pk},
        "data": lambda w: {"action": "stop"},
        "expect": facilitator_only(302),
    },
    "voting_settings": {
        "method": "POST",
        "kwargs": lambda w: {"pk": w.workshop_a.pk},
        "data": lambda w: {"vote_budget": 5, "votes_hidden": "on"},
        "expect": facilitator_only(302),
    },
    "screening": {
        "method": "GET",
        "kwargs": lambda w: {"pk": w.workshop_a.pk},
        "expect": facilitator_only(200),
    },
    "group_view": {
        "method": "GET",
        "kwargs": lambda w: {"pk": w.workshop_a.pk, "group_pk": w.group_a.pk},
        "expect": facilitator_only(200),
    },
    "group_qr": {
        "method": "GET",
        "kwargs": lambda w: {"pk": w.workshop_a.pk, "group_pk": w.group_a.pk},
        "expect": facilitator_only(200),
    },
    "participant_move": {
        "method": "POST",
        "kwargs": lambda w: {"pk": w.workshop_a.pk, "participant_pk": w.participant_a.pk},
        "data": lambda w: {"group": w.group_a.pk},
        "expect": facilitator_only(302),
    },
    "theme_create": {
        "method": "POST",
        "kwargs": lambda w: {"pk": w.workshop_a.pk},
        "data": lambda w: {"name": "Mötesplatser"},
        "expect": facilitator_only(302),
    },
    "theme_rename": {
        "method": "POST",
        "kwargs": lambda w: {"pk": w.workshop_a.pk, "theme_pk": _themes(w)[0].pk},
        "data": lambda w: {"name": "Nytt namn"},
        "expect": facilitator_only(302),
    },
    "theme_merge": {
        "method": "POST",
        "kwargs": lambda w: {"pk": w.workshop_a.pk, "theme_pk": _themes(w)[0].pk},
        "data": lambda w: {"into": _themes(w)[1].pk},
        "expect": facilitator_only(302),
    },
    "theme_dissolve": {
        "method": "POST",
        "kwargs": lambda w: {"pk": w.workshop_a.pk, "theme_pk": _themes(w)[0].pk},
        "expect": facilitator_only(302),
    },
    "suggestion_accept": {
        "method": "POST",
        "kwargs": lambda w: {"pk": w.workshop_a.pk},
        "data": lambda w: {"name": "Kvällar", "note": [w.note_a.pk]},
        "expect": facilitator_only(302),
    },
    "suggestion_reject": {
        "method": "POST",
        "kwargs": lambda w: {"pk": w.workshop_a.pk},
        "data": lambda w: {"key": f"{w.note_a.pk}"},
        "expect": facilitator_only(302),
    },
    "note_theme": {
        "method": "POST",
        "kwargs": lambda w: {"pk": w.workshop_a.pk, "note_pk": w.note_a.pk},
        "data": lambda w: {"theme": _themes(w)[0].pk},
        "expect": facilitator_only(302),
    },
    "notes_move": {
        "method": "POST",
        "kwargs": lambda w: {"pk": w.workshop_a.pk},
        "data": lambda w: {"note": [w.note_a.pk], "theme": _themes(w)[0].pk},
        "expect": facilitator_only(302),
    },
    "notes_merge": {
        "method": "POST",
        "kwargs": lambda w: {"pk": w.workshop_a.pk},
        "data": lambda w: {"note": [w.note_a.pk, _second_note(w).pk]},
        "expect": facilitator_only(302),
    },
    "move_undo": {
        "method": "POST",
        "kwargs": lambda w: {"pk": w.workshop_a.pk, "move_pk": _move(w).pk},
        "expect": facilitator_only(302),
    },
    "note_duplicate": {
        "method": "POST",
        "kwargs": lambda w: {"pk": w.workshop_a.pk, "note_pk": w.note_a.pk},
        "data": lambda w: {"of": ""},
        "expect": facilitator_only(302),
    },
    "action_item_create": {
        "method": "POST",
        "kwargs": lambda w: {"pk": w.workshop_a.pk},
        "data": lambda w: {"title": "Pröva kvällsöppet i Ljungby", "owner_name": "Kim"},
        "expect": facilitator_only(302),
    },
    "action_item_delete": {
        "method": "POST",
        "kwargs": lambda w: {"pk": w.workshop_a.pk, "item_pk": w.action_item_a.pk},
        "expect": facilitator_only(302),
    },
    "phone_vote": {
        "method": "POST",
        "kwargs": lambda w: {"pk": w.workshop_a.pk},
        "data": lambda w: {"target": f"note:{w.note_a.pk}"},
        # workshop_a is in the Write phase: its participant is told voting is not open.
        "expect": participant_a_only(403),
    },
    "phone_theme_create": {
        "method": "POST",
        "kwargs": lambda w: {"pk": w.workshop_a.pk},
        "data": lambda w: {"name": "Kvällar"},
        # Participants may sort into themes only in the Cluster phase, when allowed.
        "expect": participant_a_only(403),
    },
    "phone_note_theme": {
        "method": "POST",
        "kwargs": lambda w: {"pk": w.workshop_a.pk, "note_pk": w.note_a.pk},
        "data": lambda w: {"theme": ""},
        "expect": participant_a_only(403),
    },
    # --- Organisation admin (orgadmin/) ----------------------------------------------------
    "orgadmin_list": {"method": "GET", "kwargs": None, "expect": org_admin_only(200)},
    "orgadmin_members": {
        "method": "GET",
        "kwargs": lambda w: {"slug": w.org_x.slug},
        "expect": org_admin_only(200),
    },
    "orgadmin_role": {
        "method": "POST",
        "kwargs": lambda w: {"slug": w.org_x.slug, "pk": w.staff_membership.pk},
        "data": lambda w: {"role": "facilitator"},
        "expect": org_admin_only(302),
    },
    "orgadmin_member_remove": {
        "method": "POST",
        "kwargs": lambda w: {"slug": w.org_x.slug, "pk": w.staff_membership.pk},
        "expect": org_admin_only(302),
    },
    "orgadmin_defaults": {
        "method": "GET",
        "kwargs": lambda w: {"slug": w.org_x.slug},
        "expect": org_admin_only(200),
    },
    "orgadmin_audit": {
        "method": "GET",
        "kwargs": lambda w: {"slug": w.org_x.slug},
        "expect": org_admin_only(200),
    },
    "orgadmin_audit_csv": {
        "method": "GET",
        "kwargs": lambda w: {"slug": w.org_x.slug},
        "expect": org_admin_only(200),
    },
}


def _themes(world):
    """Two themes of workshop A (made on first use)."""
    from workshops.models import Theme

    themes = list(Theme.objects.filter(workshop=world.workshop_a).order_by("pk"))
    while len(themes) < 2:
        themes.append(Theme.objects.create(workshop=world.workshop_a, name=f"Tema {len(themes)}"))
    return themes


def _second_note(world):
    """Another visible note of workshop A, in note A's group (made on first use)."""
    from workshops.models import Note

    note = Note.objects.filter(workshop=world.workshop_a).exclude(pk=world.note_a.pk).first()
    if note is None:
        note = Note.objects.create(
            workshop=world.workshop_a,
            group=world.note_a.group,
            column=world.note_a.column,
            text="Samma sak igen",
        )
    return note


def _move(world):
    """A move of note A into a theme of workshop A (made on first use), to be undone."""
    from workshops.models import ThemeMove

    move = ThemeMove.objects.filter(workshop=world.workshop_a).first()
    if move is None:
        move = ThemeMove.objects.create(
            workshop=world.workshop_a,
            theme=_themes(world)[0],
            previous={str(world.note_a.pk): None},
        )
    return move


def resolver_url_names(resolver: URLResolver | None = None, namespace: str = "") -> set[str]:
    """Every named URL, walking included URLconfs. Of the admin only its index counts: the
    admin's own views are Django's, guarded by `is_staff`."""
    resolver = resolver or get_resolver()
    names: set[str] = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            if pattern.namespace == "admin":
                names.add("admin:index")
                continue
            names |= resolver_url_names(pattern, inner)
        elif isinstance(pattern, URLPattern):
            assert pattern.name, (
                f"URL pattern {pattern.pattern} has no name: name it and add it here"
            )
            names.add(namespace + pattern.name)
    return names


def test_every_url_is_in_the_matrix():
    names = resolver_url_names()
    assert names - MATRIX.keys() == set(), "URLs missing from MATRIX (add a row)"
    assert MATRIX.keys() - names == set(), "MATRIX rows for URLs that no longer exist"


def test_every_row_names_every_persona():
    for name, row in MATRIX.items():
        assert set(row["expect"]) == set(PERSONAS), name
        assert row["method"] in {"GET", "POST"}, name


CASES = [
    pytest.param(name, persona, id=f"{name}-{persona}")
    for name, row in MATRIX.items()
    if not row.get("stream")
    for persona in PERSONAS
]
STREAM_CASES = [
    pytest.param(name, persona, id=f"{name}-{persona}")
    for name, row in MATRIX.items()
    if row.get("stream")
    for persona in PERSONAS
]


def _url(world, row: dict, name: str) -> str:
    kwargs = row["kwargs"](world) if row["kwargs"] else None
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize(("name", "persona"), CASES)
def test_persona_gets_expected_status(world, name, persona):
    row = MATRIX[name]
    url = _url(world, row, name)
    client = world.clients[persona]
    if row["method"] == "GET":
        response = client.get(url, row.get("query", {}))
    else:
        data = row["data"](world) if row.get("data") else {}
        response = client.post(url, data)
    expected = row["expect"][persona]
    assert response.status_code == expected, (
        f"{persona} {row['method']} {url}: {response.status_code}, expected {expected}"
    )
    if (
        response.status_code == 200
        and not response.streaming
        and not url.startswith("/admin/")  # Django's admin has pages of its own
        and response.content[:15].lower() == b"<!doctype html>"
    ):
        # Every whole page links the accessibility statement from its footer (the law asks
        # for it to be reachable from every page).
        assert b'<footer class="site-footer">' in response.content, url
        assert b'href="/accessibility/"' in response.content, url
    if expected == 302 and persona in NOT_LOGGED_IN and row["expect"]["admin"] != 302:
        # A page for logged-in users sends everyone else to the login page, nowhere else.
        assert response["Location"].startswith(("/login/", "/admin/login/", "/p/")), response[
            "Location"
        ]


@pytest.mark.parametrize(("name", "persona"), STREAM_CASES)
@pytest.mark.django_db(transaction=True)
def test_persona_gets_expected_stream_status(world, name, persona):
    """Live streams are async views: ask through the async client, check the status, and
    close the stream without reading it."""
    row = MATRIX[name]
    url = _url(world, row, name)
    sync_client = world.clients[persona]
    client = AsyncClient()
    client.cookies = sync_client.cookies
    response = async_to_sync(client.get)(url)
    try:
        assert response.status_code == row["expect"][persona], (
            f"{persona} GET {url}: {response.status_code}"
        )
        if response.status_code == 200:
            assert response["Content-Type"] == "text/event-stream"
            assert response.streaming
    finally:
        response.close()


@pytest.mark.parametrize(
    "name", [n for n, row in MATRIX.items() if row["method"] == "GET" and not row.get("stream")]
)
def test_head_gets_what_get_gets(world, name):
    """Health and link checkers ask with HEAD: every page that answers GET answers HEAD
    with the same status (and, for a redirect, the same place), for every persona. One
    world per URL, not per persona: HEAD changes nothing."""
    row = MATRIX[name]
    url = _url(world, row, name)
    for persona in PERSONAS:
        client = world.clients[persona]
        response = client.head(url, row.get("query", {}))
        expected = row["expect"][persona]
        assert response.status_code == expected, (
            f"{persona} HEAD {url}: {response.status_code}, expected {expected}"
        )
        if expected == 302:
            get = client.get(url, row.get("query", {}))
            assert response["Location"] == get["Location"], persona


@pytest.mark.parametrize("name", [n for n, row in MATRIX.items() if row.get("stream")])
@pytest.mark.django_db(transaction=True)
def test_head_on_a_stream_gets_the_status_and_no_stream(world, name):
    """A HEAD on a live stream is answered at once, with the stream's status and headers,
    instead of holding a connection open for events nobody will read."""
    row = MATRIX[name]
    url = _url(world, row, name)
    for persona in PERSONAS:
        client = AsyncClient()
        client.cookies = world.clients[persona].cookies
        response = async_to_sync(client.head)(url)
        assert response.status_code == row["expect"][persona], (
            f"{persona} HEAD {url}: {response.status_code}"
        )
        if response.status_code == 200:
            assert response["Content-Type"] == "text/event-stream"
            assert not response.streaming


# Django's set_language answers a GET with a redirect and changes nothing.
@pytest.mark.parametrize(
    "name", [n for n, row in MATRIX.items() if row["method"] == "POST" and n != "set_language"]
)
def test_post_only_views_refuse_get(world, name):
    row = MATRIX[name]
    response = world.clients["facilitator_x"].get(_url(world, row, name))
    assert response.status_code == 405


def test_denied_writes_change_nothing(world):
    """The outsiders' POSTs above were refused; check that none of them had an effect."""
    for persona in ("facilitator_y", "staff_x", "outsider", "participant_b", "anonymous"):
        client = world.clients[persona]
        client.post(
            reverse("note_moderate", args=[world.workshop_a.pk, world.note_a.pk]),
            {"action": "delete"},
        )
        client.post(reverse("join_code_regenerate", args=[world.workshop_a.pk]))
        client.post(reverse("phone_note_delete", args=[world.workshop_a.pk, world.note_a.pk]))
        client.post(reverse("workshop_accepting", args=[world.workshop_a.pk]), {"accepting": "0"})
    code = world.workshop_a.join_code
    world.workshop_a.refresh_from_db()
    world.note_a.refresh_from_db()
    assert world.workshop_a.join_code == code
    assert world.workshop_a.accepting_notes is True
    assert world.note_a.status == "visible"


def test_denied_member_changes_change_nothing(world):
    """Facilitators and staff of X, others' facilitators and outsiders cannot change X's
    members: the staff member keeps their role and membership, and nothing is audited."""
    from audit.models import AuditEvent

    membership = world.staff_membership
    for persona in ("facilitator_x", "staff_x", "facilitator_y", "outsider", "participant_a"):
        client = world.clients[persona]
        client.post(
            reverse("orgadmin_role", args=[world.org_x.slug, membership.pk]), {"role": "admin"}
        )
        client.post(reverse("orgadmin_member_remove", args=[world.org_x.slug, membership.pk]))
        client.post(
            reverse("orgadmin_members", args=[world.org_x.slug]),
            {"user": "olle", "role": "admin"},
        )
    membership.refresh_from_db()
    assert membership.role == "staff"
    assert not world.org_x.memberships.filter(user__username="olle").exists()
    assert not AuditEvent.objects.filter(action__startswith="member.").exists()
