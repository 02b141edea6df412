"""Talking to a running Labb server over HTTP, as a browser or phone would, and reading its
server-sent event streams. Start servers with `tests.support.servers`.
"""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass

import httpx
from django.conf import settings
from django.test import Client

from tests.support.servers import LabbServer

# --- Sessions made in the test process, used against a real server ------------------------


def session_cookies_for(user) -> dict[str, str]:
    """Cookies of a logged-in session, stored in the (committed) test database."""
    client = Client()
    client.force_login(user)
    return {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}


def http_client(server: LabbServer, cookies: dict[str, str] | None = None) -> httpx.Client:
    return httpx.Client(base_url=server.url, cookies=cookies or {}, timeout=10)


def csrf_token(client: httpx.Client, path: str) -> str:
    """GET a page with a form so the server sets the CSRF cookie; return the token."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return client.cookies[settings.CSRF_COOKIE_NAME]


def join_over_http(server: LabbServer, workshop, *, name: str = "", group=None):
    """Join a workshop through the server's join page, as a phone does (first group by
    default). Returns the phone's client and the workshop id it was sent to."""
    group = group or workshop.groups.order_by("position").first()
    client = http_client(server)
    code = workshop.join_code
    token = csrf_token(client, f"/j/{code}/")
    data = {"csrfmiddlewaretoken": token, "display_name": name, "group": str(group.pk)}
    response = client.post(f"/j/{code}/", data=data)
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    return client, int(location.strip("/").split("/")[-1])


def post_note_over_http(
    client: httpx.Client, workshop_pk: int, *, column_pk: int, text: str, client_id: str
) -> httpx.Response:
    token = client.cookies.get(settings.CSRF_COOKIE_NAME) or csrf_token(
        client, f"/p/{workshop_pk}/"
    )
    return client.post(
        f"/p/{workshop_pk}/notes/",
        data={"column": str(column_pk), "text": text, "client_id": client_id},
        headers={"X-CSRFToken": token, "HX-Request": "true"},
    )


def vote_over_http(
    client: httpx.Client, workshop_pk: int, *, target: str, action: str = "add"
) -> httpx.Response:
    """A dot from a phone, as its vote list posts it (`target` is "theme:<pk>" or
    "note:<pk>")."""
    token = client.cookies.get(settings.CSRF_COOKIE_NAME) or csrf_token(
        client, f"/p/{workshop_pk}/"
    )
    return client.post(
        f"/p/{workshop_pk}/votes/",
        data={"target": target, "action": action},
        headers={"X-CSRFToken": token, "HX-Request": "true"},
    )


# --- Reading a server-sent event stream ---------------------------------------------------


@dataclass(frozen=True)
class SSEFrame:
    id: str | None
    event: str
    data: str


class SSEReader:
    """Reads an SSE stream in a thread; `next_event()` waits for the next named event."""

    def __init__(self, client: httpx.Client, path: str, headers: dict[str, str] | None = None):
        self.client = client
        self.path = path
        self.headers = {"Accept": "text/event-stream", **(headers or {})}
        self.frames: queue.Queue[SSEFrame] = queue.Queue()
        self.status: int | None = None
        self.content_type: str = ""
        self.response_headers: httpx.Headers = httpx.Headers()
        self._opened = threading.Event()
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._response: httpx.Response | None = None

    def __enter__(self) -> SSEReader:
        self._thread.start()
        if not self._opened.wait(15):
            raise TimeoutError(f"Stream {self.path} did not open")
        return self

    def __exit__(self, *exc) -> None:
        self._closed.set()
        if self._response is not None:
            self._response.close()
        self._thread.join(5)

    def _run(self) -> None:
        try:
            with self.client.stream(
                "GET", self.path, headers=self.headers, timeout=httpx.Timeout(10, read=None)
            ) as response:
                self._response = response
                self.status = response.status_code
                self.content_type = response.headers.get("content-type", "")
                self.response_headers = response.headers
                self._opened.set()
                if response.status_code != 200:
                    response.read()
                    return
                fields: dict[str, list[str]] = {}
                for line in response.iter_lines():
                    if self._closed.is_set():
                        return
                    if line == "":
                        if "event" in fields or "data" in fields:
                            self.frames.put(
                                SSEFrame(
                                    id=fields.get("id", [None])[-1],
                                    event=fields.get("event", ["message"])[-1],
                                    data="\n".join(fields.get("data", [])),
                                )
                            )
                        fields = {}
                        continue
                    if line.startswith(":"):
                        continue
                    name, _sep, value = line.partition(":")
                    fields.setdefault(name, []).append(
                        value[1:] if value.startswith(" ") else value
                    )
        except (httpx.HTTPError, RuntimeError, ValueError):
            if not self._closed.is_set():
                raise
        finally:
            self._opened.set()

    def next_event(self, timeout: float = 10.0) -> SSEFrame:
        return self.frames.get(timeout=timeout)

    def next_named(self, name: str, timeout: float = 10.0) -> SSEFrame:
        """The next frame of event `name`, passing over the others (hello, counts …)."""
        deadline = time.monotonic() + timeout
        while True:
            frame = self.next_event(timeout=max(0.1, deadline - time.monotonic()))
            if frame.event == name:
                return frame

    def events_within(self, seconds: float) -> list[SSEFrame]:
        """Every frame that arrives within `seconds` (for asserting that nothing else came)."""
        frames = []
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                frames.append(self.frames.get(timeout=left))
            except queue.Empty:
                break
        return frames


def in_language(client, code: str):
    """The client as a browser whose person chose `code` with the language switch (Labb
    reads only that cookie, never Accept-Language)."""
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = code
    return client
