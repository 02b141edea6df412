"""Labb's SAML key pair is configuration: a half-given or missing pair stops the start."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.support.identity import write_signing_key


def start_with(**env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; settings.LABB_SAML_KEY_FILE"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "labb.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_key_pair_in_place_starts(tmp_path):
    key, cert = write_signing_key(tmp_path, "labb")
    assert start_with(LABB_SAML_KEY_FILE=key, LABB_SAML_CERT_FILE=cert).returncode == 0


def test_a_key_without_its_certificate_stops_the_start(tmp_path):
    key, _cert = write_signing_key(tmp_path, "labb")
    result = start_with(LABB_SAML_KEY_FILE=key, LABB_SAML_CERT_FILE="")
    assert result.returncode != 0
    assert "LABB_SAML_KEY_FILE and LABB_SAML_CERT_FILE go together" in result.stderr


def test_a_missing_key_file_stops_the_start(tmp_path):
    _key, cert = write_signing_key(tmp_path, "labb")
    missing = str(tmp_path / "nowhere.key")
    result = start_with(LABB_SAML_KEY_FILE=missing, LABB_SAML_CERT_FILE=cert)
    assert result.returncode != 0
    assert f"SAML key or certificate file not found: {missing}" in result.stderr
