"""Exports: a snapshot read once from the database, pure renderers from it to bytes.

snapshot = build_workshop_snapshot(workshop)   # or build_challenge_snapshot(challenge)
render_poster(snapshot) -> list[bytes]          # PNG pages
render_pdf(snapshot) -> bytes
render_csv(snapshot) -> bytes                  # ZIP of notes, themes, next steps
render_xlsx(snapshot) -> bytes
render_archive(snapshot) -> bytes               # JSON, docs/archive-schema.json
import_archive(data, organisation=..., user=...) -> Workshop
"""

from .archive import import_archive, import_archive_workshops, render_archive, validate_archive
from .earchive import RecordsInfo, RetentionDecision, render_earchive
from .render.pdf import render_pdf
from .render.poster import render_poster
from .render.spreadsheet import render_csv, render_xlsx
from .snapshot import (
    ChallengeSnapshot,
    WorkshopSnapshot,
    build_challenge_snapshot,
    build_workshop_snapshot,
)

__all__ = [
    "RecordsInfo",
    "RetentionDecision",
    "render_earchive",
    "ChallengeSnapshot",
    "WorkshopSnapshot",
    "build_challenge_snapshot",
    "build_workshop_snapshot",
    "import_archive",
    "import_archive_workshops",
    "render_archive",
    "render_csv",
    "render_pdf",
    "render_poster",
    "render_xlsx",
    "validate_archive",
]
