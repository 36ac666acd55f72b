"""PostgreSQL covering indexes: tier/date/facet checks over thousands of candidates read only
the index (index-only scans), never the wide record rows."""

from django.db import migrations

POSTGRESQL = [
    "CREATE INDEX search_rec_cover ON search_indexedrecord (id) "
    "INCLUDE (audience_bits, date, kind, year)",
    "CREATE INDEX search_facet_cover ON search_recordfacet (record_id, facet) "
    "INCLUDE (value, label)",
]
POSTGRESQL_REVERSE = [
    "DROP INDEX IF EXISTS search_facet_cover",
    "DROP INDEX IF EXISTS search_rec_cover",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("search", "0002_fulltext")]

    operations = [migrations.RunPython(run(POSTGRESQL), run(POSTGRESQL_REVERSE))]
