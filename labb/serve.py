"""Start Labb's ASGI server: the one command behind `./run demo`, the image and compose.

    python -m labb.serve [--host H] [--port P] [--workers N]

One rule for client addresses everywhere: uvicorn never rewrites the peer address from
`X-Forwarded-For` (its own default trusts that header from 127.0.0.1, so behind a local
proxy a forged header would get around the join throttle). Labb reads the header itself,
and only when the direct peer is listed in `LABB_TRUSTED_PROXIES` (see
`workshops.throttle.client_address`). Running uvicorn by hand with its defaults would
break that rule; use this module.
"""

from __future__ import annotations

import argparse
import os

import uvicorn


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m labb.serve", description=__doc__)
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("WEB_WORKERS", "1")),
        help="web processes (about one per core); live updates cross them through Redis",
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
    uvicorn.run(
        "labb.asgi:application",
        host=options.host,
        port=options.port,
        workers=options.workers if options.workers > 1 else None,
        proxy_headers=False,
        server_header=False,
        access_log=False,
        headers=[tuple(h.split(":", 1)) for h in options.header],
        timeout_graceful_shutdown=options.timeout_graceful_shutdown,
    )


if __name__ == "__main__":
    main()
