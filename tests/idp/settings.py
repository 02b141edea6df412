"""A tiny OpenID provider for the sign-in tests: django-oidc-provider in its own Django
project and its own process (tests/idp/serve.py), with its own SQLite database. Nothing
of Labb runs here."""

import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
SECRET_KEY = "test-idp-only-not-a-secret"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oidc_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "tests.idp.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [HERE / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
DATABASES = {
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["IDP_DATABASE"]}
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True
LOGIN_URL = "/login/"
SESSION_COOKIE_NAME = "idp_session"  # both servers run on 127.0.0.1: keep the cookies apart
CSRF_COOKIE_NAME = "idp_csrftoken"
SITE_URL = os.environ["IDP_URL"]
OIDC_IDTOKEN_INCLUDE_CLAIMS = True
OIDC_USERINFO = "tests.idp.hooks.userinfo"
OIDC_IDTOKEN_PROCESSING_HOOK = "tests.idp.hooks.id_token"
OIDC_SKIP_CONSENT_EXPIRE = 0
LOGGING = {"version": 1, "root": {"level": "WARNING"}}
