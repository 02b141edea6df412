"""Admission control: a web process takes on only as much work as it can finish quickly.

Under ASGI, Django runs each request's synchronous part (middleware, the view, the ORM) in
a thread of its own, and each of those threads soon wants a pooled database connection.
Without a bound, an overload turned into hundreds of threads queueing for 16 connections:
posts waited the pool's whole timeout and came back as 503 (`docs/benchmarks.md`,
"Overload"). Here at most `LABB_MAX_CONCURRENT_REQUESTS` ordinary requests run at once per
process; the next ones wait up to `LABB_ADMISSION_WAIT` seconds for a place, in order of
arrival, and beyond that are answered at once with 429 and `Retry-After`, which the phone's
outbox honours (it keeps the note and sends it again with the same client id). Latency
under overload is then bounded by the wait, and threads and memory by the places.

It wraps the ASGI application (`labb/asgi.py`), in front of Django: a refused request
costs no thread, no session and no query. Asynchronous views (the live streams) hold no
thread and no connection while they run, so they are not counted: a room full of open
screens never keeps a post out. Under WSGI the server's own thread count is the bound.
"""

from __future__ import annotations

import asyncio
import logging

from asgiref.sync import iscoroutinefunction
from django.conf import settings
from django.http.cookie import parse_cookie
from django.template import loader
from django.urls import Resolver404, resolve
from django.utils import translation

logger = logging.getLogger(__name__)


def _is_async_view(path: str) -> bool:
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return iscoroutinefunction(match.func)


def _language(scope: dict) -> str:
    """The language the person chose (the cookie only, as `ChosenLanguageMiddleware`)."""
    cookies = b"; ".join(value for name, value in scope.get("headers", ()) if name == b"cookie")
    chosen = parse_cookie(cookies.decode("latin-1")).get(settings.LANGUAGE_COOKIE_NAME, "")
    try:
        return translation.get_supported_language_variant(chosen)
    except LookupError:
        return settings.LANGUAGE_CODE


def busy_page(language: str) -> bytes:
    with translation.override(language):
        return loader.render_to_string("429_busy.html", {"LANGUAGE_CODE": language}).encode()


class AdmissionControl:
    """ASGI middleware: at most `places` ordinary requests at once in this process."""

    def __init__(self, app, *, places: int, wait: float, retry_after: int) -> None:
        self.app = app
        self.places = places
        self.wait = wait
        self.retry_after = retry_after
        self._semaphores: dict[asyncio.AbstractEventLoop, asyncio.Semaphore] = {}

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or self.places <= 0 or _is_async_view(scope["path"]):
            await self.app(scope, receive, send)
            return
        places = self._places()
        try:
            async with asyncio.timeout(self.wait):
                await places.acquire()
        except TimeoutError:
            await self._refuse(scope, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            places.release()

    def _places(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        places = self._semaphores.get(loop)
        if places is None:
            places = self._semaphores[loop] = asyncio.Semaphore(self.places)
        return places

    async def _refuse(self, scope, send) -> None:
        logger.info("Busy: %s %s refused with 429", scope.get("method"), scope["path"])
        language = _language(scope)
        body = busy_page(language)
        await send(
            {
                "type": "http.response.start",
                "status": 429,
                "headers": [
                    (b"content-type", b"text/html; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                    (b"retry-after", str(self.retry_after).encode()),
                    (b"cache-control", b"no-store"),
                    (b"content-language", language.encode()),
                    (b"vary", b"Cookie"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def with_admission_control(app):
    """`app` behind admission control with the settings' numbers."""
    return AdmissionControl(
        app,
        places=settings.LABB_MAX_CONCURRENT_REQUESTS,
        wait=settings.LABB_ADMISSION_WAIT,
        retry_after=settings.LABB_BUSY_RETRY_AFTER,
    )
