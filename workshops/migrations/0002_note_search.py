"""Search indexes for the archive (PostgreSQL only; SQLite uses a simpler fallback).

- A GIN index on the Swedish full-text vector of a note's text. The expression matches
  what `SearchVector("text", config="swedish")` generates, so the planner uses it.
- pg_trgm and trigram indexes on the short titles (challenge question, workshop title,
  theme name, next step title) so a typo still finds them.

Written as vendor-conditional RunPython so no model state changes and SQLite still migrates.
"""

from django.db import migrations

_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS workshops_note_text_swedish_fts ON workshops_note "
    "USING GIN (to_tsvector('swedish'::regconfig, COALESCE(text, '')))",
    "CREATE INDEX IF NOT EXISTS workshops_workshop_title_trgm ON workshops_workshop "
    "USING GIN (title gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS workshops_theme_name_trgm ON workshops_theme "
    "USING GIN (name gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS workshops_actionitem_title_trgm ON workshops_actionitem "
    "USING GIN (title gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS challenges_challenge_question_trgm ON challenges_challenge "
    "USING GIN (question gin_trgm_ops)",
]

_BACKWARD = [
    "DROP INDEX IF EXISTS challenges_challenge_question_trgm",
    "DROP INDEX IF EXISTS workshops_actionitem_title_trgm",
    "DROP INDEX IF EXISTS workshops_theme_name_trgm",
    "DROP INDEX IF EXISTS workshops_workshop_title_trgm",
    "DROP INDEX IF EXISTS workshops_note_text_swedish_fts",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in _FORWARD:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in _BACKWARD:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("workshops", "0001_initial"),
        ("challenges", "0002_initial"),
    ]

    operations = [migrations.RunPython(forward, backward)]
