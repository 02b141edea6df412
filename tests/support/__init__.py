"""Shared test support, registered once through `pytest_plugins` in tests/conftest.py.

One copy each of what tests (and bench/) need to start real things:
- `database.py`: the PostgreSQL URL of a Django database (the test database included);
- `servers.py`: a free port and the Labb server launcher (`python -m labb.serve`), guarded
  against another run taking the port first; fixtures `labb_servers`, `labb_server`,
  `module_server`;
- `celery.py`: a real Celery worker in its own process group, and ways to kill it;
- `browser.py`: Debian's Chromium with axe-core and watchers; fixtures `browser`,
  `live_workshop`; phone helpers;
- `http.py`: talking to a running server over HTTP and reading its SSE streams;
- `steps.py`: what people do in a workshop (join, post a note; add a note, set the phase);
- `boards.py`, `waiting.py`: a big board to render, waiting for another process.

Tests import helpers from here, never from another test module.
"""
