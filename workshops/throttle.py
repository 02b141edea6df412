"""Throttle guessing of join codes.

Only *failed* joins count, so 300 people behind one town-hall address all get in. A client
address is the direct peer, or the X-Forwarded-For entry added by a configured proxy; an
IPv6 address counts by its /64, since one household or phone usually holds a whole /64.
A site-wide budget stops a guesser who spreads over many addresses; while it is spent,
only addresses that have themselves failed in this window are turned away, so an attacker
cannot lock every room out of joining by burning the budget.

The counters live in the cache (Redis). If Redis is unreachable the throttle lets joins
through rather than stopping a running workshop: a guesser cannot make Redis go away.
"""

from __future__ import annotations

import ipaddress
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def client_address(request: HttpRequest) -> str:
    peer = request.META.get("REMOTE_ADDR", "") or "unknown"
    trusted = settings.LABB_TRUSTED_PROXIES
    if trusted and peer in trusted:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        # The right-most address not added by one of our own proxies is the client.
        for hop in reversed([h.strip() for h in forwarded.split(",") if h.strip()]):
            if hop not in trusted:
                return hop
    return peer


def address_bucket(address: str) -> str:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _window() -> tuple[int, int]:
    size = settings.LABB_JOIN_FAILURE_WINDOW
    now = int(time.time())
    return now // size, size - now % size


def _keys(request: HttpRequest) -> tuple[str, str]:
    window, _remaining = _window()
    bucket = address_bucket(client_address(request))
    return f"join-fail:{bucket}:{window}", f"join-fail:site:{window}"


def join_throttle_check(request: HttpRequest) -> HttpResponse | None:
    """A 429 response if this client (or the whole site) failed too often, else None."""
    address_key, site_key = _keys(request)
    try:
        counts = cache.get_many([address_key, site_key])
    except (RedisError, OSError):
        logger.warning("Join throttle unavailable (cache down); letting the join through")
        return None
    address_failures = counts.get(address_key, 0)
    if address_failures >= settings.LABB_JOIN_FAILURES_PER_ADDRESS or (
        address_failures > 0 and counts.get(site_key, 0) >= settings.LABB_JOIN_FAILURES_SITEWIDE
    ):
        _window_id, remaining = _window()
        response = render(request, "workshops/join_throttled.html", status=429)
        response["Retry-After"] = str(remaining)
        return response
    return None


def join_failure_record(request: HttpRequest) -> None:
    address_key, site_key = _keys(request)
    timeout = settings.LABB_JOIN_FAILURE_WINDOW + 5
    try:
        for key in (address_key, site_key):
            if not cache.add(key, 1, timeout=timeout):
                try:
                    cache.incr(key)
                except ValueError:
                    cache.set(key, 1, timeout=timeout)
    except (RedisError, OSError):
        logger.warning("Join throttle unavailable (cache down); failure not counted")
