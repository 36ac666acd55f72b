"""Full-text structures the ORM cannot express: FTS5 on SQLite, a weighted tsvector on PostgreSQL."""

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE search_fts USING fts5("
    "title, summary, body, attachments, tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE VIRTUAL TABLE search_fts_vocab USING fts5vocab(search_fts, 'row')",
]
SQLITE_REVERSE = ["DROP TABLE IF EXISTS search_fts_vocab", "DROP TABLE IF EXISTS search_fts"]

POSTGRESQL = [
    "ALTER TABLE search_indexedrecord ADD COLUMN config regconfig NOT NULL DEFAULT 'simple', "
    "ADD COLUMN tsv tsvector",
    "CREATE INDEX search_rec_tsv ON search_indexedrecord USING GIN (tsv)",
    "CREATE INDEX search_rec_title_lower ON search_indexedrecord (lower(title) text_pattern_ops)",
    "CREATE INDEX search_term_pattern ON search_term (term text_pattern_ops)",
]
POSTGRESQL_REVERSE = [
    "DROP INDEX IF EXISTS search_term_pattern",
    "DROP INDEX IF EXISTS search_rec_title_lower",
    "DROP INDEX IF EXISTS search_rec_tsv",
    "ALTER TABLE search_indexedrecord DROP COLUMN IF EXISTS tsv, DROP COLUMN IF EXISTS config",
]


def run(statements_by_vendor):
    def apply(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        )
    ]
