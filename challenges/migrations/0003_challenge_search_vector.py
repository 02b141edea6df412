"""A stored Swedish tsvector on challenges (PostgreSQL only); see workshops 0004."""

from django.db import migrations

_FORWARD = [
    "ALTER TABLE challenges_challenge ADD COLUMN IF NOT EXISTS search_sv tsvector "
    "GENERATED ALWAYS AS (to_tsvector('swedish'::regconfig, "
    "COALESCE(question, '') || ' ' || COALESCE(description, ''))) STORED",
    "CREATE INDEX IF NOT EXISTS challenges_challenge_search_sv ON challenges_challenge "
    "USING GIN (search_sv)",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in _FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE challenges_challenge DROP COLUMN IF EXISTS search_sv")


class Migration(migrations.Migration):
    dependencies = [("challenges", "0002_initial")]

    operations = [migrations.RunPython(forward, backward)]
