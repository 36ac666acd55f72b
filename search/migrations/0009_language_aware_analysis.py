"""Language-aware analysis (search.analysis): the full-text structures hold each record's terms
as analysed in its own language (stemmed where Snowball has a stemmer, Serbian Cyrillic as Latin,
diacritics folded). SQLite's FTS5 table no longer stems (porter) nor folds: it only splits the
analysed terms. Every stored record is analysed again from its stored text (PostgreSQL: its
tsvector, length, postings and document frequencies), so no rebuild from the sources is needed."""

from django.db import migrations

COLUMNS = "title, summary, body, attachments, tiers"


def fts(tokenize):
    return [
        "DROP TABLE IF EXISTS search_fts_vocab",
        "DROP TABLE IF EXISTS search_fts",
        f"CREATE VIRTUAL TABLE search_fts USING fts5({COLUMNS}, tokenize='{tokenize}')",
        "CREATE VIRTUAL TABLE search_fts_vocab USING fts5vocab(search_fts, 'row')",
    ]


FORWARD = fts("unicode61 remove_diacritics 0")
BACKWARD = fts("porter unicode61 remove_diacritics 2")


def reanalyse(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for statement in statements:
                schema_editor.execute(statement)
        from search.backends.database import reanalyse_stored

        reanalyse_stored(apps, schema_editor)

    return apply


class Migration(migrations.Migration):
    dependencies = [("search", "0008_zero_results_by_tier_language_handled")]

    operations = [migrations.RunPython(reanalyse(FORWARD), reanalyse(BACKWARD))]
