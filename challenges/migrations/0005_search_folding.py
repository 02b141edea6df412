"""Search without diacritics, through every stored vector (PostgreSQL only).

- The `unaccent` extension, and `labb_unaccent(text)`: an IMMUTABLE wrapper (unaccent()
  itself is only STABLE) so generated columns and indexes may use it.
- The text search configuration `labb_sv`: a copy of `swedish` whose words go through
  Swedish stop words, then unaccent, then `simple` (lower-case): “Hållbar” and “hallbar”
  give the lexeme “hallbar”. Words are stored unstemmed: the query's roots are stemmed in
  Python (archive.search.root) and matched as prefixes. Stemming after unaccent would
  split one word's forms (“stupror” loses “or” like a plural, “stuproren” only “en”).
  Stop words are dropped *before* unaccent, so “för” does not become the lexeme “for”.
- Every stored `search_sv` column (notes, workshops, themes, next steps, challenges:
  workshops 0003/0004, challenges 0003) is dropped and added again with `labb_sv`
  (PostgreSQL 15 cannot change a generated expression in place), with its GIN index.
- The trigram indexes of the typo fallback are rebuilt on the folded titles.

On a managed PostgreSQL the migrating role must be allowed to create `unaccent` (a trusted
extension on PostgreSQL 13+; allowed on the usual managed services); see docs/archive.md.
SQLite migrates through this as a no-op and folds text with `labb_fold` (archive.search).
"""

from django.db import migrations

_VECTORS = {
    "workshops_note": "COALESCE(text, '')",
    "workshops_workshop": "COALESCE(title, '') || ' ' || COALESCE(question, '') || ' ' || COALESCE(place, '')",
    "workshops_theme": "COALESCE(name, '')",
    "workshops_actionitem": "COALESCE(title, '') || ' ' || COALESCE(owner_name, '')",
    "challenges_challenge": "COALESCE(question, '') || ' ' || COALESCE(description, '')",
}

# Trigram index name → (table, column); the names are those of workshops 0002.
_TRIGRAMS = {
    "workshops_workshop_title_trgm": ("workshops_workshop", "title"),
    "workshops_theme_name_trgm": ("workshops_theme", "name"),
    "workshops_actionitem_title_trgm": ("workshops_actionitem", "title"),
    "challenges_challenge_question_trgm": ("challenges_challenge", "question"),
}


def _vectors(schema_editor, config):
    for table, source in _VECTORS.items():
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search_sv")
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_sv")
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN search_sv tsvector "
            f"GENERATED ALWAYS AS (to_tsvector('{config}'::regconfig, {source})) STORED"
        )
        schema_editor.execute(
            f"CREATE INDEX {table}_search_sv ON {table} USING GIN (search_sv)"
        )


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    execute = schema_editor.execute
    execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE extname = 'unaccent'"
        )
        schema = cursor.fetchone()[0]
    execute(
        "CREATE OR REPLACE FUNCTION labb_unaccent(text) RETURNS text "
        "LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS "
        f"$$ SELECT \"{schema}\".unaccent('\"{schema}\".unaccent'::regdictionary, $1) $$"
    )
    execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS labb_sv")
    execute("DROP TEXT SEARCH DICTIONARY IF EXISTS labb_sv_stop")
    execute(
        "CREATE TEXT SEARCH DICTIONARY labb_sv_stop "
        "(TEMPLATE = pg_catalog.simple, STOPWORDS = swedish, ACCEPT = false)"
    )
    execute("CREATE TEXT SEARCH CONFIGURATION labb_sv (COPY = pg_catalog.swedish)")
    execute(
        "ALTER TEXT SEARCH CONFIGURATION labb_sv "
        "ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part "
        f"WITH labb_sv_stop, \"{schema}\".unaccent, pg_catalog.simple"
    )
    _vectors(schema_editor, "labb_sv")
    for index, (table, column) in _TRIGRAMS.items():
        execute(f"DROP INDEX IF EXISTS {index}")
        execute(f"CREATE INDEX {index} ON {table} USING GIN (labb_unaccent({column}) gin_trgm_ops)")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    execute = schema_editor.execute
    for index, (table, column) in _TRIGRAMS.items():
        execute(f"DROP INDEX IF EXISTS {index}")
        execute(f"CREATE INDEX {index} ON {table} USING GIN ({column} gin_trgm_ops)")
    _vectors(schema_editor, "swedish")
    execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS labb_sv")
    execute("DROP TEXT SEARCH DICTIONARY IF EXISTS labb_sv_stop")
    execute("DROP FUNCTION IF EXISTS labb_unaccent(text)")


class Migration(migrations.Migration):
    dependencies = [
        ("challenges", "0004_text_policy"),
        ("workshops", "0006_text_policy"),
    ]

    operations = [migrations.RunPython(forward, backward)]
