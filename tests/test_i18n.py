"""Translations: the Swedish catalogue is complete, compiled, used, and switchable.

Swedish is Labb's default language; English is the source language. The compiled `.mo` is
committed, so these tests also guard against forgetting `compilemessages`.
"""

from __future__ import annotations

import gettext
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings as django_settings

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "sv" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def _entries(path: Path = PO) -> list[polib.POEntry]:
    return [entry for entry in polib.pofile(str(path)) if not entry.obsolete]


def _key(entry: polib.POEntry) -> str:
    return f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid


def test_catalogue_declares_swedish_plural_forms():
    catalogue = polib.pofile(str(PO))
    assert catalogue.metadata["Language"] == "sv"
    assert catalogue.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert not catalogue.metadata_is_fuzzy


def test_every_msgid_has_a_swedish_translation_and_none_is_fuzzy():
    entries = _entries()
    assert len(entries) > 100
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    untranslated = [
        e.msgid
        for e in entries
        if (
            (len(e.msgstr_plural) != 2 or not all(e.msgstr_plural.values()))
            if e.msgid_plural
            else not e.msgstr
        )
    ]
    assert fuzzy == []
    assert untranslated == []


def test_catalogue_passes_msgfmt_format_checks(tmp_path):
    """Placeholders (%(name)s, %s, %d) match between msgid and msgstr."""
    result = subprocess.run(
        ["msgfmt", "--check-format", "-c", "-o", str(tmp_path / "x.mo"), str(PO)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_committed_mo_matches_the_po():
    """Someone edited the .po but did not run `compilemessages -l sv` (or did not commit)."""
    with MO.open("rb") as fp:
        compiled = gettext.GNUTranslations(fp)._catalog
    expected: dict = {}
    for entry in _entries():
        if entry.msgid_plural:
            for index, text in entry.msgstr_plural.items():
                expected[(_key(entry), int(index))] = text
        else:
            expected[_key(entry)] = entry.msgstr
    compiled = {key: value for key, value in compiled.items() if key != ""}
    assert compiled == expected


@pytest.fixture
def swedish_default(settings):
    # tests/conftest.py makes tests speak English; here Labb's real default applies.
    settings.LANGUAGE_CODE = "sv"
    return settings


@pytest.mark.django_db
def test_default_language_is_swedish(client, swedish_default):
    response = client.get("/join/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="sv">' in html
    assert "Gå med i en workshop" in html
    assert "Join a workshop" not in html


@pytest.mark.django_db
def test_an_english_browser_still_gets_swedish(client, swedish_default):
    """A Swedish authority's facilitators on English-language browsers expect Swedish."""
    response = client.get("/join/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    html = response.content.decode()
    assert '<html lang="sv">' in html
    assert "Gå med i en workshop" in html
    assert "Join a workshop" not in html
    assert response["Content-Language"] == "sv"
    assert "Cookie" in response["Vary"]


@pytest.mark.django_db
def test_the_language_switch_is_remembered(client, swedish_default):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/join/"})
    assert response.status_code == 302
    assert response.cookies["django_language"]["max-age"] == 365 * 24 * 60 * 60
    english = client.get("/join/", HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert '<html lang="en">' in english
    assert "Join a workshop" in english

    client.post("/i18n/setlang/", {"language": "sv", "next": "/join/"})
    swedish = client.get("/join/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Gå med i en workshop" in swedish


@pytest.mark.django_db
def test_an_unknown_language_cookie_falls_back_to_swedish(client, swedish_default):
    client.cookies["django_language"] = "xx"
    assert "Gå med i en workshop" in client.get("/join/").content.decode()


def test_swedish_terminology():
    from django.utils import translation
    from django.utils.translation import gettext, ngettext

    with translation.override("sv"):
        assert gettext("Success factors") == "Framgångsfaktorer"
        assert gettext("Obstacles") == "Hinder"
        assert gettext("Dot voting") == "Prickröstning"
        assert ngettext("%(count)s note", "%(count)s notes", 1) % {"count": 1} == "1 lapp"
        assert ngettext("%(count)s note", "%(count)s notes", 3) % {"count": 3} == "3 lappar"


def test_catalogue_has_every_translatable_string_in_the_source(tmp_path):
    """Every `gettext`/`{% translate %}` string in the code is in the committed catalogue.

    Runs makemessages on a copy of the source (so the real catalogue is untouched) and
    compares. When this fails: run makemessages, translate, compilemessages (DEVELOPERS.md).
    """
    copy = tmp_path / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo")
    # Labb's own apps (every installed app that is a folder here), templates, catalogue.
    from django.conf import settings

    apps = [app for app in settings.INSTALLED_APPS if (ROOT / app).is_dir()]
    for name in [*apps, "templates", "locale"]:
        shutil.copytree(ROOT / name, copy / name, ignore=ignore)
    shutil.copy2(ROOT / "manage.py", copy / "manage.py")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "labb.settings", "PYTHONPATH": str(copy)}
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "sv", "--no-obsolete"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    extracted = {_key(e) for e in _entries(copy / "locale" / "sv" / "LC_MESSAGES" / "django.po")}
    committed = {_key(e) for e in _entries()}
    assert sorted(extracted - committed) == []


def test_languages_setting():
    assert [code for code, _name in django_settings.LANGUAGES] == ["sv", "en"]
