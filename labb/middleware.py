"""Turn an unreachable database or Redis into 503 + Retry-After instead of a 500, and an
oversized request into a clear 413; and pick the UI language (Swedish unless the user
switched).

The database is the truth: when it is down nothing can be saved, and the client (a phone
with a queued note) should retry later with the same client id.
"""

from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.template import loader
from django.utils import translation
from django.utils.cache import patch_vary_headers
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

try:  # The pool raises its own timeout when every connection is busy or the server is gone.
    from psycopg_pool import PoolTimeout
except ImportError:  # pragma: no cover - psycopg_pool is a dependency
    PoolTimeout = OperationalError

logger = logging.getLogger(__name__)

UNAVAILABLE = (
    OperationalError,
    InterfaceError,
    PoolTimeout,
    RedisConnectionError,
    RedisTimeoutError,
)
RETRY_AFTER_SECONDS = "5"
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def is_unavailable(exception: BaseException | None) -> bool:
    return isinstance(exception, UNAVAILABLE) or (
        isinstance(exception, DatabaseError) and _is_connection_problem(exception)
    )


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """503 page; rendered without touching the database or the session."""
    try:
        response = render(request, "503.html", status=503)
    except Exception:  # noqa: BLE001 - the page itself must never turn into a 500
        response = HttpResponse("Service unavailable", status=503, content_type="text/plain")
    response["Retry-After"] = RETRY_AFTER_SECONDS
    response["Cache-Control"] = "no-store"
    return response


def too_large_response(request: HttpRequest) -> HttpResponse:
    limit_kb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024
    response = render(request, "413.html", {"limit_kb": limit_kb}, status=413)
    response["Connection"] = "close"
    return response


class ServiceUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in BODY_METHODS:
            # Read the form once, here, so a body over DATA_UPLOAD_MAX_MEMORY_SIZE becomes a
            # translated 413 instead of Django's generic 400 from the CSRF check.
            try:
                _too_big_by_header(request)
                request.POST  # noqa: B018 - parse (and size-check) the body now
            except (RequestDataTooBig, TooManyFieldsSent):
                logger.info("Request too large for %s", request.path)
                return too_large_response(request)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_unavailable(exception):
            logger.warning("Service unavailable for %s: %s", request.path, exception)
            return unavailable_response(request)
        return None


def _too_big_by_header(request: HttpRequest) -> None:
    if request.content_type == "multipart/form-data":
        # File uploads (the archive import) have their own limit; the parser still checks
        # the form fields against DATA_UPLOAD_MAX_MEMORY_SIZE.
        return
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if limit is not None and length > limit:
        raise RequestDataTooBig


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """handler500: an outage that surfaced outside a view (say, while saving the session in
    the session middleware) is still a 503 with Retry-After, never a 500."""
    if is_unavailable(sys.exc_info()[1]):
        logger.warning("Service unavailable (outside a view) for %s", request.path)
        return unavailable_response(request)
    try:
        template = loader.get_template(template_name)
    except Exception:  # noqa: BLE001
        return HttpResponseServerError("Server error", content_type="text/plain")
    return HttpResponseServerError(template.render())


def _is_connection_problem(exception: DatabaseError) -> bool:
    text = str(exception).lower()
    return any(
        word in text
        for word in ("connection", "terminating", "server closed", "shutting down", "starting up")
    )


class ChosenLanguageMiddleware(LocaleMiddleware):
    """The UI speaks Swedish unless the user picked another language with the switcher.

    Django's LocaleMiddleware follows the browser's Accept-Language, so a Swedish authority's
    facilitators on English-language browsers got English. Only the language cookie that
    `set_language` writes (the switcher) counts here; it is remembered for a year.
    """

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        try:
            language = translation.get_supported_language_variant(chosen or "")
        except LookupError:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        # The page depends on the cookie, not on Accept-Language (no i18n URL prefixes).
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
