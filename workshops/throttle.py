"""Throttle guessing of join codes without locking a room out of joining.

A typed join code is short (34.7 bits), so looking one up must cost a guesser budget: a
client address (an IPv6 /64 counts as one) may have at most `LABB_JOIN_FAILURES_PER_ADDRESS`
wrong codes looked up per window, and the whole site `LABB_JOIN_FAILURES_SITEWIDE`; once
that is spent, only networks that have not failed in this window are still looked up (an
IPv4 address, an IPv6 /48). A locked-out client gets 429 *without* its code being looked
up, whether the code is right or wrong: if right codes were served while wrong ones got
429, every request would be a free guess with a yes/no answer.

So that one guessing device cannot stop a room behind the same address from joining, three
ways in never need the budget, because none of them lets a guesser learn anything:
- a group link (`/g/<token>/`): 96 random bits, so looking it up is no useful oracle;
- a signed join link (`/j/<code>/?k=…`, what the QR codes hold): the key is an HMAC of
  the code, which only Labb can make, so a guesser cannot sign the codes it tries;
- a code that somebody at this address has already joined with: the address already knows
  it. After each successful join the throttle remembers (address, code) for
  `LABB_JOIN_REMEMBER_SECONDS` under a keyed hash, which holds neither in clear (the
  failure counters, too, are keyed by a hash of the address).
In a room, one person scanning the QR code is enough for everyone to type the code.

A lookup first reserves a unit of every budget and gives it back if the code was right, so
parallel requests cannot overdraw the budget. The counters live in the cache (Redis); if
Redis is unreachable the throttle lets joins through rather than stopping a running
workshop: a guesser cannot make Redis go away. docs/security.md has the arithmetic.
"""

from __future__ import annotations

import base64
import ipaddress
import logging
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.crypto import constant_time_compare, salted_hmac
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

CACHE_ERRORS = (RedisError, OSError)
LINK_KEY_PARAMETER = "k"


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


def _bucket(address: str, *, v4_prefix: int, v6_prefix: int) -> str:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    prefix = v4_prefix if ip.version == 4 else v6_prefix
    if prefix == ip.max_prefixlen:
        return str(ip)
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def address_bucket(address: str) -> str:
    """One household, phone or NAT: an IPv4 address or an IPv6 /64."""
    return _bucket(address, v4_prefix=32, v6_prefix=64)


def network_bucket(address: str) -> str:
    """What one guesser can cheaply hold: an IPv6 /48 (65,536 /64s, free with a tunnel
    broker), or one IPv4 address (a /24 would also catch a mobile carrier's NAT pool)."""
    return _bucket(address, v4_prefix=32, v6_prefix=48)


# --- Signed join links --------------------------------------------------------------------


def link_key(code: str) -> str:
    """The key of the signed join link for `code` (96 bits of an HMAC with SECRET_KEY)."""
    digest = salted_hmac("labb.workshops.join-link", code, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest[:12]).decode()


def link_is_signed(code: str, key: str | None) -> bool:
    return bool(key) and constant_time_compare(key, link_key(code))


# --- Budgets ------------------------------------------------------------------------------


def _window() -> tuple[int, int]:
    size = settings.LABB_JOIN_FAILURE_WINDOW
    now = int(time.time())
    return now // size, size - now % size


def _opaque(kind: str, value: str) -> str:
    """A cache key part for an address: keyed, so Redis never holds addresses in clear."""
    return salted_hmac(f"labb.workshops.throttle.{kind}", value).hexdigest()[:32]


def _failure_keys(request: HttpRequest) -> tuple[str, str, str]:
    window, _remaining = _window()
    address = client_address(request)
    return (
        f"join-fail:a:{_opaque('address', address_bucket(address))}:{window}",
        f"join-fail:n:{_opaque('network', network_bucket(address))}:{window}",
        f"join-fail:site:{window}",
    )


def _over_budget(address: int, network: int, site: int) -> bool:
    """With these failure counts (this attempt included), is the attempt refused?"""
    return address > settings.LABB_JOIN_FAILURES_PER_ADDRESS or (
        site > settings.LABB_JOIN_FAILURES_SITEWIDE and network > 1
    )


def _add(keys: tuple[str, ...], delta: int) -> list[int]:
    timeout = settings.LABB_JOIN_FAILURE_WINDOW + 5
    counts = []
    for key in keys:
        if delta > 0 and cache.add(key, delta, timeout=timeout):
            counts.append(delta)
            continue
        try:
            counts.append(cache.incr(key, delta))
        except ValueError:  # expired in between
            if delta > 0:
                cache.set(key, delta, timeout=timeout)
            counts.append(max(delta, 0))
    return counts


def _remember_key(request: HttpRequest, code: str) -> str:
    return f"join-ok:{_opaque('remember', address_bucket(client_address(request)) + '|' + code)}"


def _is_remembered(request: HttpRequest, code: str) -> bool:
    return bool(cache.get(_remember_key(request, code)))


def remember_code(request: HttpRequest, code: str | None) -> None:
    """Somebody at this address joined with `code`: others here may type it while locked."""
    if not code:
        return
    try:
        cache.set(_remember_key(request, code), 1, timeout=settings.LABB_JOIN_REMEMBER_SECONDS)
    except CACHE_ERRORS:
        logger.warning("Join throttle unavailable (cache down); join not remembered")


@dataclass
class Attempt:
    """One lookup of a join code or group token; `finish()` says whether it was found."""

    request: HttpRequest
    code: str
    kind: str  # "guess" (budget reserved), "free" (cannot be a guess), "unmetered" (no cache)
    keys: tuple[str, ...] = field(default=())

    def finish(self, *, found: bool, join_code: str | None = None) -> None:
        try:
            if found:
                if self.kind == "guess":
                    _add(self.keys, -1)  # a right code costs nothing
                remember_code(self.request, join_code or self.code)
        except CACHE_ERRORS:
            logger.warning("Join throttle unavailable (cache down); budget not refunded")


def start_code_attempt(request: HttpRequest, code: str, *, signed: bool = False) -> Attempt | None:
    """May `code` be looked up for this client? None means: answer 429, do not look it up."""
    if signed:
        return Attempt(request, code, "free")
    try:
        if _is_remembered(request, code):
            return Attempt(request, code, "free")
        keys = _failure_keys(request)
        address, network, site = (cache.get_many(keys).get(key, 0) for key in keys)
        # Already refused: do not count again, or one locked-out device would burn the
        # site-wide budget for everybody.
        if _over_budget(address + 1, network + 1, site + 1):
            return None
        counts = _add(keys, 1)
        if _over_budget(*counts):  # a parallel request took the last unit
            _add(keys, -1)
            return None
    except CACHE_ERRORS:
        logger.warning("Join throttle unavailable (cache down); letting the join through")
        return Attempt(request, code, "unmetered")
    return Attempt(request, code, "guess", keys)


def token_failure_record(request: HttpRequest) -> bool:
    """A group link that leads nowhere was tried; True if this client is now over budget.

    Group tokens are always looked up (96 bits: a yes/no answer per lookup is worthless to
    a guesser), but wrong ones still count, so scanning them is throttled like codes.
    """
    try:
        keys = _failure_keys(request)
        address, network, site = (cache.get_many(keys).get(key, 0) for key in keys)
        if _over_budget(address + 1, network + 1, site + 1):
            return True
        counts = _add(keys, 1)
    except CACHE_ERRORS:
        logger.warning("Join throttle unavailable (cache down); failure not counted")
        return False
    return _over_budget(*counts)


def throttled_response(request: HttpRequest) -> HttpResponse:
    _window_id, remaining = _window()
    response = render(request, "workshops/join_throttled.html", status=429)
    response["Retry-After"] = str(remaining)
    return response
