"""The one server launcher (tests/support/servers.py) survives the port race: another run on
this machine may bind the port it chose before the server does, and may even answer
`/healthz` there."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from tests.support import servers

pytestmark = pytest.mark.services


class _OtherRunsServer(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the name http.server calls
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def other_run():
    """A healthy server of another test run, on a port our launcher is about to choose."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _OtherRunsServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_a_port_taken_before_the_server_binds_it_is_chosen_again(
    labb_servers, other_run, monkeypatch
):
    choose = servers.free_port
    chosen = []

    def first_the_taken_one(exclude=frozenset()):
        port = other_run if not chosen else choose(exclude)
        chosen.append(port)
        return port

    monkeypatch.setattr(servers, "free_port", first_the_taken_one)
    server = labb_servers.start()
    assert chosen[0] == other_run
    assert server.port != other_run
    response = httpx.get(f"{server.url}/healthz", timeout=5)
    assert response.status_code == 200
    assert servers.SERVER_TOKEN_HEADER in response.headers
