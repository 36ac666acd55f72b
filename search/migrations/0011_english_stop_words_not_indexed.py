"""English stop words are no longer indexed (search.analysis, as PostgreSQL's english
configuration did before 0009): every stored record is analysed again from its stored text."""

from django.db import migrations


def reanalyse(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor not in ("sqlite", "postgresql"):
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM search_indexedrecord LIMIT 1")
        if cursor.fetchone() is None:
            return
    from search.backends.database import for_connection

    for_connection(connection).reanalyse()


class Migration(migrations.Migration):
    dependencies = [("search", "0010_thesaurus")]

    operations = [migrations.RunPython(reanalyse, reanalyse)]
