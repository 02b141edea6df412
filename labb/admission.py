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
screens never keeps a post out.

`WSGIAdmissionControl` gives the WSGI server (`labb/wsgi.py`, pages and posts when the
streams run on a separate ASGI server) the same rule, with one difference a thread makes:
under WSGI a request that waits for a place holds one of the server's threads, so the
waiting line has a length as well as a time. At most `threads - places - 2` requests wait;
the next one is refused at once, and the 2 threads left over keep answering 429s (about
0.1 ms each) however long the line is, so requests never pile up unseen in the server's
own queue. Refused and waiting requests hold no database connection, so the pool only ever
serves the `places` admitted ones. A WSGI server cannot hold a live stream (it would hold
a thread for hours), so it answers a stream's path with 421: the proxy sends those to the
ASGI server.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import ThreadSensitiveContext, iscoroutinefunction
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
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


def _language(cookies: str) -> str:
    """The language the person chose (the cookie only, as `ChosenLanguageMiddleware`)."""
    chosen = parse_cookie(cookies).get(settings.LANGUAGE_COOKIE_NAME, "")
    try:
        return translation.get_supported_language_variant(chosen)
    except LookupError:
        return settings.LANGUAGE_CODE


def _scope_cookies(scope: dict) -> str:
    cookies = b"; ".join(value for name, value in scope.get("headers", ()) if name == b"cookie")
    return cookies.decode("latin-1")


def busy_page(language: str) -> bytes:
    with translation.override(language):
        return loader.render_to_string("429_busy.html", {"LANGUAGE_CODE": language}).encode()


def busy_response(cookies: str, retry_after: int) -> tuple[bytes, list[tuple[str, str]]]:
    """The 429 page in the person's language and its headers (both servers send these)."""
    language = _language(cookies)
    body = busy_page(language)
    headers = [
        ("content-type", "text/html; charset=utf-8"),
        ("content-length", str(len(body))),
        ("retry-after", str(retry_after)),
        ("cache-control", "no-store"),
        ("content-language", language),
        ("vary", "Cookie"),
    ]
    return body, headers


# The synchronous parts of a live stream (middleware, the access check, a catch-up read, the
# slot's refresh each keep-alive) run on a few threads that all streams of the process
# share. Django runs each request's synchronous parts on a thread of its own
# (`ThreadSensitiveContext`), which lives as long as the request: an open stream held an
# idle thread for hours, and 1,000 screens were 1,014 threads and 223 MB in one process;
# sharing 4 threads took that to 13 threads and 156 MB (docs/benchmarks.md, issue 13, *d*).
# A stream's synchronous calls take milliseconds and at most `DATABASE_POOL_MAX` of them
# can use the database at once anyway, so 4 threads are plenty; each runs one call at a
# time, as a request's own thread does.
STREAM_THREADS = 4
_stream_executors: itertools.cycle | None = None
_stream_executors_lock = threading.Lock()


def _stream_executor() -> ThreadPoolExecutor:
    global _stream_executors
    with _stream_executors_lock:
        if _stream_executors is None:
            _stream_executors = itertools.cycle(
                [
                    ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"labb-streams-{n}")
                    for n in range(STREAM_THREADS)
                ]
            )
        return next(_stream_executors)


class AdmissionControl:
    """ASGI middleware: at most `places` ordinary requests at once in this process. Live
    streams are not counted, and share a few threads (`STREAM_THREADS`)."""

    def __init__(self, app, *, places: int, wait: float, retry_after: int) -> None:
        self.app = app
        self.places = places
        self.wait = wait
        self.retry_after = retry_after
        self._semaphores: dict[asyncio.AbstractEventLoop, asyncio.Semaphore] = {}

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if _is_async_view(scope["path"]):
            async with ThreadSensitiveContext(executor=_stream_executor()):
                await self.app(scope, receive, send)
            return
        if self.places <= 0:
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
        body, headers = busy_response(_scope_cookies(scope), self.retry_after)
        await send(
            {
                "type": "http.response.start",
                "status": 429,
                "headers": [(name.encode(), value.encode()) for name, value in headers],
            }
        )
        await send({"type": "http.response.body", "body": body})


FREE_FOR_REFUSALS = 2  # WSGI threads never used for waiting: they answer the 429s


class WSGIAdmissionControl:
    """WSGI middleware: at most `places` ordinary requests at once in this process, at most
    `threads - places - FREE_FOR_REFUSALS` waiting for a place (each waiter is a thread)."""

    def __init__(self, app, *, places: int, wait: float, retry_after: int, threads: int) -> None:
        self.app = app
        self.places = places
        self.wait = wait
        self.retry_after = retry_after
        self.line = max(0, threads - places - FREE_FOR_REFUSALS)
        self._places = threading.BoundedSemaphore(max(1, places))
        self._lock = threading.Lock()
        self._waiting = 0

    def __call__(self, environ, start_response):
        # PATH_INFO is the raw path decoded as latin-1 (PEP 3333); Django's resolver wants text.
        path = environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8", "replace")
        if _is_async_view(path):
            return self._misdirected(environ, start_response)
        if self.places <= 0:
            return self.app(environ, start_response)
        if not self._take_place():
            return self._refuse(environ, start_response)
        try:
            result = self.app(environ, start_response)
        except BaseException:
            self._places.release()
            raise
        # The place is held until the server has sent the whole body and closed it.
        return _ReleaseOnClose(result, self._places.release)

    def _take_place(self) -> bool:
        if self._places.acquire(blocking=False):
            return True
        with self._lock:
            if self._waiting >= self.line:
                return False  # the line is full: refuse now rather than hold a thread
            self._waiting += 1
        try:
            return self._places.acquire(timeout=self.wait)
        finally:
            with self._lock:
                self._waiting -= 1

    def _refuse(self, environ, start_response):
        logger.info(
            "Busy: %s %s refused with 429", environ.get("REQUEST_METHOD"), environ["PATH_INFO"]
        )
        body, headers = busy_response(environ.get("HTTP_COOKIE", ""), self.retry_after)
        start_response("429 Too Many Requests", headers)
        return [body]

    def _misdirected(self, environ, start_response):
        logger.warning(
            "Live stream %s reached the WSGI server: route it to the ASGI server (docs/"
            "architecture.md, 'Two servers')",
            environ["PATH_INFO"],
        )
        body = b"Live streams are served by the ASGI server.\n"
        start_response(
            "421 Misdirected Request",
            [("content-type", "text/plain; charset=utf-8"), ("content-length", str(len(body)))],
        )
        return [body]


class _ReleaseOnClose:
    """A WSGI response body that calls `release` once, when the server closes it."""

    def __init__(self, result, release) -> None:
        self._result = result
        self._release = release
        self._released = False

    def __iter__(self):
        return iter(self._result)

    def close(self) -> None:
        try:
            close = getattr(self._result, "close", None)
            if close is not None:
                close()
        finally:
            if not self._released:
                self._released = True
                self._release()


def with_admission_control(app):
    """`app` behind admission control with the settings' numbers."""
    return AdmissionControl(
        app,
        places=settings.LABB_MAX_CONCURRENT_REQUESTS,
        wait=settings.LABB_ADMISSION_WAIT,
        retry_after=settings.LABB_BUSY_RETRY_AFTER,
    )


def check_wsgi_pool(threads: int) -> None:
    """Refuse to start if more requests could run at once in a WSGI process than the
    database pool has connections: the surplus would wait the pool's timeout (10 s) and
    come back as 503. `labb.serve` calls it before starting, so the error is one line."""
    places = settings.LABB_MAX_CONCURRENT_REQUESTS
    admitted = places if places > 0 else threads
    pool = settings.DATABASES["default"].get("OPTIONS", {}).get("pool")
    if isinstance(pool, dict) and admitted > pool.get("max_size", admitted):
        raise ImproperlyConfigured(
            f"{admitted} requests may run at once per WSGI process but the database pool "
            f"holds {pool['max_size']} connections: lower LABB_MAX_CONCURRENT_REQUESTS (or "
            "--threads when it is 0) or raise DATABASE_POOL_MAX"
        )


def with_wsgi_admission_control(app, *, threads: int):
    """The WSGI `app` behind admission control with the settings' numbers; `threads` is the
    server's thread count per process (`python -m labb.serve --interface wsgi --threads`)."""
    check_wsgi_pool(threads)
    return WSGIAdmissionControl(
        app,
        places=settings.LABB_MAX_CONCURRENT_REQUESTS,
        wait=settings.LABB_ADMISSION_WAIT,
        retry_after=settings.LABB_BUSY_RETRY_AFTER,
        threads=threads,
    )
