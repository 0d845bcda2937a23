"""The search index: PostgreSQL full-text search with unaccent, or an SQLite FTS5 table.

PostgreSQL: a text-search configuration `loa_vi` (simple + unaccent, which folds đ to d too)
and a GIN index on Document.search_vector. Creating the unaccent extension needs a role
allowed to (the database owner on PostgreSQL 13+ for trusted extensions, or a superuser).
SQLite: an FTS5 table keyed by the document id, holding text already folded by Loa (FTS5's
own diacritic removal leaves đ alone).
"""

from django.db import migrations

POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    """DO $$ BEGIN
         IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'loa_vi') THEN
           CREATE TEXT SEARCH CONFIGURATION loa_vi (COPY = simple);
           ALTER TEXT SEARCH CONFIGURATION loa_vi
             ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;
         END IF;
       END $$""",
    "CREATE INDEX IF NOT EXISTS library_document_search ON library_document "
    "USING GIN (search_vector)",
]
POSTGRES_DOWN = ["DROP INDEX IF EXISTS library_document_search"]
SQLITE_UP = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS library_document_fts USING fts5("
    "head, body, tokenize = 'unicode61 remove_diacritics 2')",
]
SQLITE_DOWN = ["DROP TABLE IF EXISTS library_document_fts"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("library", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_UP, "sqlite": SQLITE_UP}),
            _run({"postgresql": POSTGRES_DOWN, "sqlite": SQLITE_DOWN}),
        )
    ]
