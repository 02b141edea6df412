"""A worker killed while it writes the export file leaves no partial file under the final
name, and the next attempt leaves nothing but the finished file.

The kill is real and lands inside the write: the worker runs in its own process with a
file-size limit of half the export (RLIMIT_FSIZE) and the kernel's default action for
SIGXFSZ, so the kernel kills it as the write crosses the limit, with half the bytes on
disk. (The killed-worker test in test_worker_killed.py kills during rendering, before any
byte is written, so it cannot tell an atomic write from a direct one.)
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.database import postgres_url
from workshops import exporting
from workshops.models import Export
from workshops.services.notes import notes_bulk_add

ROOT = Path(__file__).resolve().parents[2]

WORKER = """
import resource, signal, sys
import django
django.setup()
from workshops import exporting
limit = int(sys.argv[2])
# Python ignores SIGXFSZ (a write past the limit would raise); a killed worker is what this
# test is about, so let the kernel kill the process, as it would for SIGKILL.
signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
exporting.export_run(export_id=int(sys.argv[1]))
"""


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_while_writing_leaves_no_partial_file_under_the_final_name(
    workshop, facilitator, tmp_path, settings, monkeypatch
):
    settings.EXPORT_ROOT = tmp_path / "data" / "exports"
    for group in workshop.groups.all():
        for column in workshop.columns.all():
            notes_bulk_add(
                workshop=workshop,
                group=group,
                column=column,
                lines="\n".join(f"Samverkan över gränserna, punkt {n}" for n in range(20)),
            )
    export = Export.objects.create(workshop=workshop, kind="csv", requested_by=facilitator)
    data, extension = exporting.render_bytes(export)
    final_name = exporting.download_name(export, extension)
    limit = len(data) // 2
    assert limit > 4096, "the export should be big enough to be cut in the middle"

    worker = subprocess.run(
        [sys.executable, "-c", WORKER, str(export.pk), str(limit)],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "labb.settings",
            "DATABASE_URL": postgres_url(),
            "DATABASE_POOL": "0",
            "REDIS_URL": settings.REDIS_URL or "",
            "LABB_DATA_DIR": str(tmp_path / "data"),
            # No file but the export may grow in that process (the size limit is per file).
            "PYTHONDONTWRITEBYTECODE": "1",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert worker.returncode == -signal.SIGXFSZ, worker.stderr[-3000:]

    export.refresh_from_db()
    assert (export.status, export.attempts) == (Export.Status.RUNNING, 1)
    directory = exporting.export_dir(export)
    on_disk = {path.name: path.stat().st_size for path in directory.iterdir()}
    # Killed in the middle of the write: half the bytes are on disk, but not as the export.
    assert sorted(on_disk.values()) == [limit], on_disk
    assert final_name not in on_disk, "a partial file was written under the final name"
    assert exporting.export_file_path(export) is None

    # The next attempt (the claim of the dead worker has gone stale) finishes the job and
    # clears what the killed attempt left.
    monkeypatch.setenv("LABB_EXPORT_STALE_SECONDS", "0")
    exporting.export_run(export_id=export.pk)
    export.refresh_from_db()
    assert (export.status, export.attempts) == (Export.Status.DONE, 2), export.error
    assert sorted(path.name for path in directory.iterdir()) == [final_name]
    written = exporting.export_file_path(export).read_bytes()
    assert written == data
    assert export.size_bytes == len(data)
    assert not list(Path(settings.EXPORT_ROOT).rglob(f"*{exporting.TEMP_MARK}*"))
