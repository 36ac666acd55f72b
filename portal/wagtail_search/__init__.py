"""
Wagtail's own search backend (WAGTAILSEARCH_BACKENDS): what the admin's page search, the
explorer's search and the choosers ask. It is Wagtail's database backend for the active
database, with relevance ranking done in one pass on SQLite (see .sqlite).

The portal's own search (search/) is a separate service and does not use this backend.
"""

from wagtail.search.backends.database import SearchBackend as DatabaseSearchBackend


def SearchBackend(params):  # noqa: N802 - the name Wagtail looks up in a backend module
    backend = DatabaseSearchBackend(params)
    if type(backend).__name__ == "SQLiteSearchBackend":
        # Imported here: the SQLite modules need the FTS5 model, which exists on SQLite only.
        from .sqlite import RankedSQLiteSearchBackend

        return RankedSQLiteSearchBackend(params)
    return backend
