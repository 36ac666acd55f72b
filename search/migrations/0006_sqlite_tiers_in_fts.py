"""SQLite: the FTS5 table gains a `tiers` column holding a token per tier, the tier's own where it
may see the record and `tiernone` elsewhere (as DatabaseBackend writes it), so a search filters by
tier inside FTS5 and ranks only what the user may see, without reading each candidate's record
row; a covering index serves the record checks that remain (facet filters, newest first, facet
counts). PostgreSQL is unchanged."""

from django.db import migrations

COLUMNS = "title, summary, body, attachments"
TOKENIZE = "tokenize='porter unicode61 remove_diacritics 2'"


def tier_tokens(column):
    # "public,members" -> "tierpublic tiermembers tiernone", as DatabaseBackend writes it.
    return " || ' ' || ".join(
        f"CASE WHEN instr(',' || {column} || ',', ',{tier},') > 0 THEN 'tier{tier}' "
        "ELSE 'tiernone' END"
        for tier in ("public", "members", "secretariat")
    )


FORWARD = [
    "DROP TABLE IF EXISTS search_fts_vocab",
    "DROP TABLE IF EXISTS search_fts",
    f"CREATE VIRTUAL TABLE search_fts USING fts5({COLUMNS}, tiers, {TOKENIZE})",
    f"INSERT INTO search_fts (rowid, {COLUMNS}, tiers) SELECT id, {COLUMNS}, "
    f"{tier_tokens('audiences')} FROM search_indexedrecord",
    "CREATE VIRTUAL TABLE search_fts_vocab USING fts5vocab(search_fts, 'row')",
    "CREATE INDEX search_rec_cover ON search_indexedrecord (id, audience_bits, date, kind, year)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS search_rec_cover",
    "DROP TABLE IF EXISTS search_fts_vocab",
    "DROP TABLE IF EXISTS search_fts",
    f"CREATE VIRTUAL TABLE search_fts USING fts5({COLUMNS}, {TOKENIZE})",
    f"INSERT INTO search_fts (rowid, {COLUMNS}) SELECT id, {COLUMNS} FROM search_indexedrecord",
    "CREATE VIRTUAL TABLE search_fts_vocab USING fts5vocab(search_fts, 'row')",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for statement in statements:
                schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("search", "0005_fewer_duplicate_indexes")]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
