"""A stored, generated Swedish tsvector on notes (PostgreSQL only), replacing the expression index.

Ranking needs the vector of every matching row; reading a stored one is several times
cheaper than recomputing `to_tsvector` (measured in docs/archive.md). The column is not a
model field: PostgreSQL fills it, Django never writes it, and only `archive.search`
reads it. SQLite migrates through this as a no-op and uses the substring fallback.
"""

from django.db import migrations

_FORWARD = [
    "ALTER TABLE workshops_note ADD COLUMN IF NOT EXISTS search_sv tsvector "
    "GENERATED ALWAYS AS (to_tsvector('swedish'::regconfig, COALESCE(text, ''))) STORED",
    "CREATE INDEX IF NOT EXISTS workshops_note_search_sv ON workshops_note USING GIN (search_sv)",
    "DROP INDEX IF EXISTS workshops_note_text_swedish_fts",
]

_BACKWARD = [
    "CREATE INDEX IF NOT EXISTS workshops_note_text_swedish_fts ON workshops_note "
    "USING GIN (to_tsvector('swedish'::regconfig, COALESCE(text, '')))",
    "DROP INDEX IF EXISTS workshops_note_search_sv",
    "ALTER TABLE workshops_note DROP COLUMN IF EXISTS search_sv",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in _FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in _BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("workshops", "0002_note_search")]

    operations = [migrations.RunPython(forward, backward)]
