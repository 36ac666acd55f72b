"""The index leaves out PostgreSQL's english stop words, no more (0011 also left out generic
verbs such as "use", which a query still drops from its ranked terms): every stored record is
analysed again from its stored text."""

from django.db import migrations

from search.backends.database import reanalyse_stored


class Migration(migrations.Migration):
    dependencies = [("search", "0011_english_stop_words_not_indexed")]

    operations = [migrations.RunPython(reanalyse_stored, reanalyse_stored)]
