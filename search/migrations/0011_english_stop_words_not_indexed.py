"""English stop words are no longer indexed (search.analysis, as PostgreSQL's english
configuration did before 0009): every stored record is analysed again from its stored text."""

from django.db import migrations

from search.backends.database import reanalyse_stored


class Migration(migrations.Migration):
    dependencies = [("search", "0010_thesaurus")]

    operations = [migrations.RunPython(reanalyse_stored, reanalyse_stored)]
