"""The WSGI entry point: pages and posts, when the live streams run on a separate ASGI
server (`python -m labb.serve --interface wsgi`, README "Growing past one server").

Django under WSGI serves ordinary requests 3-6x faster than under ASGI (a post: about
1,140/s per core against 430/s, docs/benchmarks.md), because ASGI runs every synchronous
view through one thread per process. The streams stay on ASGI (`labb/asgi.py`): an open
stream there costs a queue, not a thread.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "labb.settings")

django_application = get_wsgi_application()

from labb.admission import with_wsgi_admission_control  # noqa: E402 - needs the settings loaded

# The names a server itself puts in a WSGI environ (PEP 3333, CGI).
_SERVER_NAMES = frozenset(
    {
        "REQUEST_METHOD",
        "SCRIPT_NAME",
        "PATH_INFO",
        "QUERY_STRING",
        "CONTENT_TYPE",
        "CONTENT_LENGTH",
        "SERVER_NAME",
        "SERVER_PORT",
        "SERVER_PROTOCOL",
        "SERVER_SOFTWARE",
        "GATEWAY_INTERFACE",
        "REMOTE_ADDR",
        "REMOTE_HOST",
        "REMOTE_PORT",
    }
)


def without_process_environment(app):
    """Granian starts every WSGI environ from a copy of the process environment
    (granian/wsgi.py: `basic_env = dict(os.environ)`), so `request.META` would hold
    DATABASE_URL with its password (Django's error reports hide only names with KEY,
    SECRET, PASS, TOKEN...) and an `HTTP_*` variable of the process would read as a header
    the client never sent. Drop what came from the process, keep what came from the request.
    """
    process = dict(os.environ)
    names = [name for name in process if name not in _SERVER_NAMES]

    def application(environ, start_response):
        for name in names:
            if environ.get(name) == process[name]:
                del environ[name]
        return app(environ, start_response)

    return application


# Admission control in front of Django, as under ASGI (labb/admission.py): a bounded number
# of ordinary requests at once, 429 + Retry-After beyond a short wait, never a request
# queueing on the database pool. The thread count comes from `labb.serve`.
application = without_process_environment(
    with_wsgi_admission_control(
        django_application, threads=int(os.environ.get("LABB_WSGI_THREADS", "16"))
    )
)
