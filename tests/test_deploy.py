"""The production layout (docker-compose.yml, deploy/nginx/labb.conf) agrees with the code:
the proxy sends exactly the asynchronous views (the live streams) to the ASGI server and
everything else to the WSGI server, which answers a stream with 421 (labb/admission.py)."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import yaml
from asgiref.sync import iscoroutinefunction
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, UUIDConverter

ROOT = Path(__file__).resolve().parents[1]
NGINX = ROOT / "deploy" / "nginx" / "labb.conf"


def _stream_location() -> re.Pattern:
    locations = re.findall(r"location ~ (\S+) \{([^}]*)\}", NGINX.read_text())
    assert len(locations) == 1, "one regex location: the streams"
    regex, body = locations[0]
    assert "proxy_pass http://labb_live;" in body
    assert "proxy_buffering off;" in body
    return re.compile(regex)


def _named_views(patterns=None, namespace: str = ""):
    """(name, kwargs for reverse, view) of every named URL pattern."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _named_views(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            converters = getattr(entry.pattern, "converters", {})
            kwargs = {}
            for key, converter in converters.items():
                if isinstance(converter, IntConverter):
                    kwargs[key] = 7
                elif isinstance(converter, UUIDConverter):
                    kwargs[key] = uuid.uuid4()
                else:
                    kwargs[key] = "x"
            yield f"{namespace}{entry.name}", kwargs, entry.callback


def _sample_path(name: str, kwargs: dict) -> str | None:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:  # a pattern whose sample values do not fit its regex
        return None


def test_the_proxy_sends_exactly_the_async_views_to_the_asgi_server():
    streams = _stream_location()
    routed_to_live, async_views = set(), set()
    for name, kwargs, view in _named_views():
        path = _sample_path(name, kwargs)
        if path is not None and streams.match(path):
            routed_to_live.add(name)
        if iscoroutinefunction(view):
            async_views.add(name)
    assert async_views == {"board_stream", "phone_stream"}
    assert routed_to_live == async_views


def test_compose_runs_pages_on_wsgi_streams_on_asgi_behind_the_proxy():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    web = services["web"]["command"]
    assert web[:3] == ["python", "-m", "labb.serve"] and "--interface" in web
    assert web[web.index("--interface") + 1] == "wsgi"
    live = services["live"]["command"]
    assert live[:3] == ["python", "-m", "labb.serve"] and "--interface" not in live
    proxy = services["proxy"]
    assert proxy["image"].startswith("nginx:")
    assert "./deploy/nginx/labb.conf:/etc/nginx/conf.d/default.conf:ro" in proxy["volumes"]
    conf = NGINX.read_text()
    assert "server web:8000;" in conf and "server live:8000;" in conf
    # Only the proxy is published; the servers are reached through it.
    assert "ports" not in services["web"] and "ports" not in services["live"]
    trusted = services["migrate"]["environment"]["LABB_TRUSTED_PROXIES"]
    assert proxy["networks"]["default"]["ipv4_address"] in trusted
