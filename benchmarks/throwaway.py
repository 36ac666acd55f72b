"""
The throwaway database a bench part runs in (`manage.py bench`): Django's test databases, set up
when the part starts and destroyed when it ends. On SQLite the database is a file (not memory,
so that timings reflect a real database, and so that the servers and workers a part starts can
open it too) in a temporary directory of its own: two runs at once never share or delete each
other's, and nothing is left behind.
"""

import contextlib
import os
import shutil
import tempfile

from django.db import connection
from django.test.utils import setup_databases, teardown_databases


@contextlib.contextmanager
def database(prefix="portal-bench-"):
    """The test databases for the block; `prefix` names the SQLite file's temporary directory."""
    test_settings = connection.settings_dict.setdefault("TEST", {})
    configured_name = test_settings.get("NAME")
    directory = None
    if connection.vendor == "sqlite":
        directory = tempfile.mkdtemp(prefix=prefix)
        test_settings["NAME"] = os.path.join(directory, "bench.sqlite3")
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        yield
    finally:
        teardown_databases(old_config, verbosity=0)
        if directory is not None:
            test_settings["NAME"] = configured_name
            shutil.rmtree(directory, ignore_errors=True)
