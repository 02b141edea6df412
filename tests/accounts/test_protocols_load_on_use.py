"""A web process imports the identity-provider protocols only when someone signs in through
one (`accounts/lazy.py`): they cost each process about 28 MB, and most processes only serve
phones and screens."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings

PROBE = """
import sys
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.test import Client
client = Client()
codes = [client.get(path).status_code for path in ("/join/", "/login/", "/no-such-page/")]
heavy = sorted({name.split(".")[0] for name in sys.modules} & {"saml2", "authlib", "requests"})
print(codes, heavy)
"""


def test_pages_and_url_resolving_do_not_import_the_sign_in_protocols():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "labb.settings",
        # Its own empty database, migrated by the probe: a fresh process, as a server starts.
        "DATABASE_URL": "sqlite:///:memory:",
        "REDIS_URL": "",
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    codes, heavy = result.stdout.strip().splitlines()[-1].rsplit("] ", 1)
    assert codes == "[200, 200, 404", result.stdout + result.stderr
    assert heavy == "[]", f"imported at start: {heavy}"
