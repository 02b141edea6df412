"""Stored Swedish tsvectors on workshops, themes and next steps (PostgreSQL only).

Computing `to_tsvector` for every workshop, theme and next step on each search cost more
than the ranked note search itself (docs/archive.md). Like notes' `search_sv` these
columns are not model fields: PostgreSQL fills them and only `archive.search` reads them.
"""

from django.db import migrations

_COLUMNS = {
    "workshops_workshop": "COALESCE(title, '') || ' ' || COALESCE(question, '') || ' ' || COALESCE(place, '')",
    "workshops_theme": "COALESCE(name, '')",
    "workshops_actionitem": "COALESCE(title, '') || ' ' || COALESCE(owner_name, '')",
}


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, source in _COLUMNS.items():
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS search_sv tsvector "
            f"GENERATED ALWAYS AS (to_tsvector('swedish'::regconfig, {source})) STORED"
        )
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_search_sv ON {table} USING GIN (search_sv)"
        )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in _COLUMNS:
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_sv")


class Migration(migrations.Migration):
    dependencies = [("workshops", "0003_note_search_vector")]

    operations = [migrations.RunPython(forward, backward)]
