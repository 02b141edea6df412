"""Start Labb's server: the one command behind `./run demo`, the image and compose.

    python -m labb.serve [--host H] [--port P] [--workers N]
    python -m labb.serve --interface wsgi [--workers N] [--threads T]

The default (ASGI, uvicorn) serves everything, pages, posts and live streams, in one
process; without Redis its live updates stay in that process (the embedded demo). Grown
past one server (README "Growing past one server"), a proxy sends the live streams to an
ASGI server and everything else to a WSGI server (granian) of the same project: Django
serves a post about 2.6x faster under WSGI (docs/benchmarks.md). The WSGI server cannot
hold a stream, so its notes reach the streams only through Redis: it refuses to start
without `REDIS_URL`.

One rule for client addresses everywhere: the server never rewrites the peer address from
`X-Forwarded-For`. uvicorn's own default trusts that header from 127.0.0.1, so behind a
local proxy a forged header would get around the join throttle; it is turned off here.
granian never reads forwarded headers (only its opt-in `granian.utils.proxies` wrappers
do, and Labb does not use them). Labb reads the header itself, and only when the direct
peer is listed in `LABB_TRUSTED_PROXIES` (see `workshops.throttle.client_address`).
Running uvicorn by hand with its defaults would break that rule; use this module.
"""

from __future__ import annotations

import argparse
import json
import os

RESPONSE_HEADERS_ENV = "LABB_RESPONSE_HEADERS"  # --header, handed to granian's workers


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m labb.serve",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument(
        "--interface",
        choices=["asgi", "wsgi"],
        default=os.environ.get("WEB_INTERFACE", "asgi"),
        help="asgi (uvicorn): everything, or the live streams behind a proxy; "
        "wsgi (granian): pages and posts behind a proxy that sends the streams elsewhere",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("WEB_WORKERS", "1")),
        help="web processes (about one per core); live updates cross them through Redis",
    )
    # 32 threads per WSGI process, for the default pool of 16 connections: admission
    # control (labb/admission.py) lets 12 requests (LABB_MAX_CONCURRENT_REQUESTS = pool - 4)
    # run at once, so at most 12 connections are ever in use and no thread waits for one
    # (the pool's timeout is 10 s, DATABASE_POOL_TIMEOUT). The other 20 threads hold no
    # connection: 18 wait their turn for a place (up to LABB_ADMISSION_WAIT = 2 s), so a
    # room of 30 phones posting in the same second is served without a 429, and 2 stay free
    # to answer 429 at once when the line is full. labb/admission.py refuses to start with
    # more admitted requests than pooled connections.
    parser.add_argument(
        "--threads",
        type=int,
        default=int(os.environ.get("WEB_THREADS", "32")),
        help="WSGI only: threads per process (admitted requests + a waiting line + 2)",
    )
    parser.add_argument(
        "--header",
        action="append",
        default=[],
        metavar="NAME:VALUE",
        help="a header added to every response (tests use it to recognise their server)",
    )
    parser.add_argument("--timeout-graceful-shutdown", type=int, default=5)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    options = _arguments(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "labb.settings")
    headers = [tuple(h.split(":", 1)) for h in options.header]
    if options.interface == "wsgi":
        _serve_wsgi(options, headers)
    else:
        _serve_asgi(options, headers)


def _serve_asgi(options: argparse.Namespace, headers: list[tuple[str, str]]) -> None:
    import uvicorn

    uvicorn.run(
        "labb.asgi:application",
        host=options.host,
        port=options.port,
        workers=options.workers if options.workers > 1 else None,
        proxy_headers=False,
        server_header=False,
        access_log=False,
        headers=headers,
        timeout_graceful_shutdown=options.timeout_graceful_shutdown,
    )


def _serve_wsgi(options: argparse.Namespace, headers: list[tuple[str, str]]) -> None:
    from granian import Granian
    from granian.constants import Interfaces
    from granian.log import LogLevels

    if not os.environ.get("REDIS_URL"):
        raise SystemExit(
            "python -m labb.serve --interface wsgi needs REDIS_URL: a WSGI server holds no "
            "live stream, so the notes it saves reach the streams only through Redis."
        )
    if options.threads < 3:
        raise SystemExit("--threads must be at least 3 (one place, 2 free to refuse)")
    from django.core.exceptions import ImproperlyConfigured

    from labb.admission import check_wsgi_pool

    try:
        check_wsgi_pool(options.threads)
    except ImproperlyConfigured as error:
        raise SystemExit(f"python -m labb.serve --interface wsgi: {error}") from None
    # Granian starts its workers as new processes that import the app: they learn the
    # thread count (for admission control) and the extra headers from the environment.
    os.environ["LABB_WSGI_THREADS"] = str(options.threads)
    os.environ[RESPONSE_HEADERS_ENV] = json.dumps(headers)
    Granian(
        "labb.serve:wsgi_application",
        factory=True,
        address=options.host,
        port=options.port,
        interface=Interfaces.WSGI,
        workers=options.workers,
        blocking_threads=options.threads,
        # Backpressure counts connections, not requests, and a proxy keeps its connections
        # open: at granian's default (backlog 1024 / workers) a proxy's idle keep-alive
        # connections never lock new ones out. The bound on work is the threads above.
        backlog=1024,
        log_level=LogLevels(os.environ.get("LOG_LEVEL", "INFO").lower()),
        log_access=False,
        workers_kill_timeout=max(1, options.timeout_graceful_shutdown),
        respawn_failed_workers=True,
    ).serve()


def wsgi_application():
    """granian's factory, called in each worker: `labb.wsgi.application` with `--header`'s
    headers added to every response."""
    from labb.wsgi import application

    extra = [
        (name, value) for name, value in json.loads(os.environ.get(RESPONSE_HEADERS_ENV, "[]"))
    ]
    if not extra:
        return application

    def with_headers(environ, start_response):
        def start(status, response_headers, exc_info=None):
            return start_response(status, [*response_headers, *extra], exc_info)

        return application(environ, start)

    return with_headers


if __name__ == "__main__":
    main()
