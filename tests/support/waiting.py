"""Waiting for something another process does."""

from __future__ import annotations

import time


def wait_for(predicate, timeout: float, what: str = "condition", *, interval: float = 0.05):
    """Poll `predicate` until it returns something true, and return that; fail after
    `timeout` seconds, naming `what` was awaited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout}s waiting for {what}")
