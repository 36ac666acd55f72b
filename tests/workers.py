"""
Real Celery workers for the tests that need one: a separate `celery worker` process on Redis,
running against the same PostgreSQL test database as the test. Used by the PostgreSQL + Redis
pass; on the embedded default (no broker, in-memory database) the tests skip visibly.
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def wait_for(condition, timeout, message, interval=0.1):
    """Poll `condition` until it is true; fail with `message` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise AssertionError(message)


def worker_redis_url():
    """The Redis URL the worker tests use, or a visible skip where they cannot run."""
    url = settings.TEST_REDIS_URL
    if not url:
        pytest.skip("REDIS_URL is not set: the real Celery worker runs in the PostgreSQL pass")
    if connection.vendor != "postgresql":
        pytest.skip("the worker needs a database it can share with the tests (PostgreSQL)")
    return url


def test_database_url():
    db = connection.settings_dict
    return (
        f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )


def start_worker(probe, name, queues, env, timeout=180):
    """Start a solo-pool worker named `name` on `queues` and wait until it answers `probe`'s
    ping. `env` is added to the worker's environment (broker, email, time limits...)."""
    hostname = f"{name}-{os.getpid()}@localhost"
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.dev",
        "DATABASE_URL": test_database_url(),
        "DATABASE_CONN_MAX_AGE": "0",
        **env,
    }
    # A file, not a pipe: nobody reads the worker's output while it runs, and a full pipe would
    # block it.
    log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - closed by stop_worker
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo",
         "-Q", ",".join(queues), "-n", hostname, "--without-mingle", "--without-gossip",
         "-l", "warning"],
        cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    process.log = log

    def answers_ping():
        if process.poll() is not None:
            log.seek(0)
            raise AssertionError(f"the worker exited early:\n{log.read()}")
        return bool(probe.control.ping(destination=[hostname], timeout=0.5))

    try:
        wait_for(answers_ping, timeout, f"the Celery worker did not come up within {timeout} s")
    except BaseException:
        stop_worker(process)
        raise
    return process


def stop_worker(process):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    process.log.close()
