"""Turn an unreachable database or Redis into 503 + Retry-After instead of a 500.

The database is the truth: when it is down nothing can be saved, and the client (a phone
with a queued note) should retry later with the same client id.
"""

import logging

from django.db import DatabaseError, InterfaceError, OperationalError
from django.shortcuts import render
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

try:  # The pool raises its own timeout when every connection is busy or the server is gone.
    from psycopg_pool import PoolTimeout
except ImportError:  # pragma: no cover - psycopg_pool is a dependency
    PoolTimeout = OperationalError

logger = logging.getLogger(__name__)

UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeout, RedisConnectionError, RedisTimeoutError)


class ServiceUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, UNAVAILABLE) or (
            isinstance(exception, DatabaseError) and _is_connection_problem(exception)
        ):
            logger.warning("Service unavailable for %s: %s", request.path, exception)
            response = render(request, "503.html", status=503)
            response["Retry-After"] = "5"
            return response
        return None


def _is_connection_problem(exception: DatabaseError) -> bool:
    text = str(exception).lower()
    return any(
        word in text
        for word in ("connection", "terminating", "server closed", "shutting down", "starting up")
    )
