"""The archive's filter dropdowns offer only what the viewer may see.

The results are filtered again after the form, so a dropdown built from too wide a set
would not show in the results; it would show in the dropdown itself: the usernames of
another organisation's facilitators, the years and tags of its private labs. Each private
challenge here has a facilitator, a year and a tag of its own, so any leak names itself.

Region Exempel (X): `x_private` (xena, 2018, tag "x-hemlig"), `x_org` (frida, 2022,
"samverkan"). Kommun Ypsilon (Y): `y_private` (ylva, 2019, "y-hemlig"), `y_shared`
(yngve, 2024, "lärande"). Zeta (Z): only `z_private` (zorro, 2017, "z-hemlig").
"""

from __future__ import annotations

import datetime
from html.parser import HTMLParser

import pytest

from challenges.models import Challenge, Membership, Organisation, Tag
from tests.archive.conftest import login, make_workshop

pytestmark = pytest.mark.django_db

FILTERS = ("organisation", "tag", "year", "facilitator")
PAGES = ("/archive/", "/archive/search/?q=stuprör", "/archive/recurring/")


class _Selects(HTMLParser):
    """The options (value, label) of every <select> of the archive's filter form."""

    def __init__(self):
        super().__init__()
        self.options: dict[str, list[tuple[str, str]]] = {}
        self._select = None
        self._value = None
        self._in_form = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and "archive-filters" in (attrs.get("class") or ""):
            self._in_form = True
        elif tag == "select" and self._in_form:
            self._select = attrs["name"]
            self.options[self._select] = []
        elif tag == "option" and self._select:
            self._value = attrs.get("value", "")
            self.options[self._select].append((self._value, ""))

    def handle_data(self, data):
        if self._select and self._value is not None:
            value, label = self.options[self._select][-1]
            self.options[self._select][-1] = (value, label + data.strip())

    def handle_endtag(self, tag):
        if tag == "option":
            self._value = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._in_form = False


def dropdowns(html: str) -> dict[str, set[str]]:
    """Every filter's choices (option values and labels), without the "All …" entry."""
    parser = _Selects()
    parser.feed(html)
    return {
        name: {value for value, _label in options if value}
        | {label for value, label in options if value}
        for name, options in parser.options.items()
        if name in FILTERS
    }


def _facilitator(django_user_model, username, org):
    user = django_user_model.objects.create_user(username=username, password="x")
    Membership.objects.create(user=user, organisation=org, role=Membership.Role.FACILITATOR)
    return user


def _challenge(org, visibility, tag, facilitator, year, title):
    challenge = Challenge.objects.create(
        organisation=org, question=f"Hur gör vi {title}?", visibility=visibility
    )
    challenge.tags.add(Tag.objects.create(name=tag))
    make_workshop(
        challenge,
        facilitator,
        title=title,
        date=datetime.date(year, 4, 1),
        place="Lund",
        notes=[("Stuprör", "Stuprören")],
    )
    return challenge


@pytest.fixture
def _fast_password_hashing(settings):
    """Eight users per test: PBKDF2 would spend seconds hashing their passwords."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def three_organisations(
    _fast_password_hashing, django_user_model, org_x, org_y, facilitator, other_facilitator, staff
):
    org_z = Organisation.objects.create(name="Zeta", slug="zeta")
    xena = _facilitator(django_user_model, "xena", org_x)
    ylva = _facilitator(django_user_model, "ylva", org_y)
    zorro = _facilitator(django_user_model, "zorro", org_z)
    private, org_wide, shared = (
        Challenge.Visibility.PRIVATE,
        Challenge.Visibility.ORGANISATION,
        Challenge.Visibility.SHARED,
    )
    _challenge(org_x, private, "x-hemlig", xena, 2018, "X hemligt")
    _challenge(org_x, org_wide, "samverkan", facilitator, 2022, "X internt")
    _challenge(org_y, private, "y-hemlig", ylva, 2019, "Y hemligt")
    _challenge(org_y, shared, "lärande", other_facilitator, 2024, "Y delat")
    _challenge(org_z, private, "z-hemlig", zorro, 2017, "Z hemligt")


def _options(*, organisations, tags, years, facilitators) -> dict[str, set[str]]:
    """The expected choices: slugs and names, tag names, years, usernames."""
    names = {"region-exempel": "Region Exempel", "kommun-ypsilon": "Kommun Ypsilon"}
    names["zeta"] = "Zeta"
    return {
        "organisation": set(organisations) | {names[slug] for slug in organisations},
        "tag": set(tags),
        "year": {str(year) for year in years},
        "facilitator": set(facilitators),
    }


EXPECTED = {
    # Read-only staff of X: X's organisation-wide challenge and the shared one.
    "staff": _options(
        organisations=["region-exempel", "kommun-ypsilon"],
        tags=["samverkan", "lärande"],
        years=[2022, 2024],
        facilitators=["frida", "yngve"],
    ),
    # A facilitator of X also sees X's private challenge.
    "facilitator": _options(
        organisations=["region-exempel", "kommun-ypsilon"],
        tags=["x-hemlig", "samverkan", "lärande"],
        years=[2018, 2022, 2024],
        facilitators=["frida", "xena", "yngve"],
    ),
    "other_facilitator": _options(
        organisations=["kommun-ypsilon"],
        tags=["y-hemlig", "lärande"],
        years=[2019, 2024],
        facilitators=["ylva", "yngve"],
    ),
    # Logged in, no organisation: the shared challenge only.
    "outsider": _options(
        organisations=["kommun-ypsilon"], tags=["lärande"], years=[2024], facilitators=["yngve"]
    ),
}


@pytest.mark.parametrize("persona", EXPECTED)
def test_every_filter_dropdown_offers_only_what_the_viewer_may_see(
    request, client, three_organisations, persona
):
    login(client, request.getfixturevalue(persona))
    seen = set().union(*EXPECTED[persona].values())
    hidden = (
        set().union(
            *_options(
                organisations=["region-exempel", "kommun-ypsilon", "zeta"],
                tags=["x-hemlig", "samverkan", "y-hemlig", "lärande", "z-hemlig"],
                years=[],
                facilitators=["frida", "xena", "ylva", "yngve", "zorro"],
            ).values()
        )
        - seen
    )
    for page in PAGES:
        response = client.get(page)
        assert response.status_code == 200, page
        html = response.content.decode()
        assert dropdowns(html) == EXPECTED[persona], page
        # Nor anywhere else on the page: the names of what the viewer may not see.
        assert [name for name in hidden if f">{name}<" in html] == [], page


def test_a_superuser_is_offered_everything(client, django_user_model, three_organisations):
    admin = django_user_model.objects.create_superuser(username="admin", password="x")
    login(client, admin)
    response = client.get("/archive/")
    assert response.status_code == 200
    assert dropdowns(response.content.decode()) == _options(
        organisations=["region-exempel", "kommun-ypsilon", "zeta"],
        tags=["x-hemlig", "samverkan", "y-hemlig", "lärande", "z-hemlig"],
        years=[2017, 2018, 2019, 2022, 2024],
        facilitators=["frida", "xena", "ylva", "yngve", "zorro"],
    )
