"""The throwaway database of a bench part (benchmarks/throwaway.py): on SQLite, a file in a
temporary directory of its own, removed afterwards. Django's setup and teardown of test databases
are stood in for: this test runs inside the suite's own test database."""

import os

import pytest

from django.db import connection

from benchmarks import throwaway

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's file only")


@pytest.fixture
def databases(monkeypatch):
    """The test database names each setup would create, and the teardowns done."""
    calls = []
    monkeypatch.setattr(
        throwaway,
        "setup_databases",
        lambda **kwargs: calls.append(("setup", connection.settings_dict["TEST"]["NAME"])) or "old",
    )
    monkeypatch.setattr(
        throwaway, "teardown_databases", lambda old, **kwargs: calls.append(("teardown", old))
    )
    return calls


def test_each_run_has_a_database_file_of_its_own_removed_afterwards(databases):
    configured = connection.settings_dict["TEST"].get("NAME")

    with throwaway.database("portal-bench-"):
        first = connection.settings_dict["TEST"]["NAME"]
        open(first, "w").close()  # what Django would create there, and SQLite's journal
        open(first + "-wal", "w").close()
        with throwaway.database("portal-bench-"):  # a second run at the same time
            second = connection.settings_dict["TEST"]["NAME"]
            assert os.path.dirname(second) != os.path.dirname(first)
        assert not os.path.exists(os.path.dirname(second))
        assert os.path.exists(first)

    assert not os.path.exists(os.path.dirname(first))
    assert os.path.basename(os.path.dirname(first)).startswith("portal-bench-")
    assert databases == [
        ("setup", first),
        ("setup", second),
        ("teardown", "old"),
        ("teardown", "old"),
    ]
    assert connection.settings_dict["TEST"].get("NAME") == configured
