"""
Faults, injected for real: a private `redis-server` each test starts on its own port (so stopping
it disturbs nobody else), the PostgreSQL test database, a real Celery worker (tests/workers.py)
and a real SMTP server (tests/notifications/conftest.py). These tests run in the PostgreSQL pass;
on the embedded default they skip visibly.
"""

import shutil
import subprocess
import tempfile

import pytest
import redis

from django.db import connection

from tests.notifications.conftest import free_port
from tests.workers import wait_for


class PrivateRedis:
    """A redis-server of the test's own, stopped and started at will on the same port."""

    def __init__(self):
        self.port = free_port()
        self.directory = tempfile.mkdtemp(prefix="portal-redis-")
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def answers(self):
        try:
            return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=0.5).ping()
        except redis.RedisError:
            return False

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", self.directory],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for(self.answers, 20, f"redis-server did not start on port {self.port}")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        wait_for(lambda: not self.answers(), 20, "redis-server did not stop")


def needs_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("the reliability tests run in the PostgreSQL pass")


@pytest.fixture
def private_redis():
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is not installed (.ci/run installs the services)")
    server = PrivateRedis()
    server.start()
    yield server
    server.stop()
    shutil.rmtree(server.directory, ignore_errors=True)
