"""
The database under requests served at once, as the live server of the browser tests serves them
(a thread and a connection per browser connection) and as threaded or several server processes
do: while one request's transaction has written to a table, another connection still reads it.

On the embedded SQLite default that is WAL's promise. Django's in-memory test database broke it:
its connections share one cache locked table by table, and a read of a table another connection
has written in an open transaction failed at once ("database table is locked"), whatever the busy
timeout, which failed the editor's search-as-you-type requests while an autosave was saving.
"""

import pytest

from django.db import connections

# Transactional, so that what the test's connection sees is committed; the pages the migrations
# seeded are put back after the flush, for this test and those that follow.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_table_written_in_an_open_transaction_is_still_read_by_another_connection():
    from wagtail.models import Page

    titles = dict(Page.objects.values_list("pk", "title"))
    root = Page.objects.get(depth=1)
    writer = connections.create_connection("default")
    reader = connections.create_connection("default")
    try:
        writer.set_autocommit(False)
        with writer.cursor() as cursor:
            cursor.execute(
                "UPDATE wagtailcore_page SET title = %s WHERE id = %s", ["Being renamed", root.pk]
            )
        with reader.cursor() as cursor:
            cursor.execute("SELECT id, title FROM wagtailcore_page")
            seen = dict(cursor.fetchall())
        # The reader sees what was committed, not the writer's work in progress.
        assert seen == titles
    finally:
        writer.rollback()
        writer.close()
        reader.close()
