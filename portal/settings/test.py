"""Strict, fast test settings: eager tasks, local services; worker tests use REDIS_URL."""

import atexit
import shutil
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .env import env_str

SECRET_KEY = "test-only-secret-key"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
# The benchmarks are tooling (not in production); their tests run the bench command's parts.
INSTALLED_APPS = [*INSTALLED_APPS, "benchmarks"]  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
MEDIA_ROOT = tempfile.mkdtemp(prefix="portal-test-media-")
STATIC_ROOT = tempfile.mkdtemp(prefix="portal-test-static-")
PRIVATE_MEDIA_ROOT = tempfile.mkdtemp(prefix="portal-test-private-")
WAGTAILADMIN_BASE_URL = "http://testserver"

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # The test database is a file, as the embedded default is (WAL, immediate transactions, a
    # busy timeout), not Django's shared-cache in-memory one. The browser tests' live server
    # serves each browser connection in a thread with a database connection of its own, and
    # connections to a shared-cache memory database lock table by table: while one request's
    # transaction (an autosave) had written to a table, another's read of it (a search as the
    # editor types) failed at once with "database table is locked", whatever the timeout.
    _TEST_DATABASE_DIR = tempfile.mkdtemp(prefix="portal-test-db-")
    atexit.register(shutil.rmtree, _TEST_DATABASE_DIR, ignore_errors=True)
    DATABASES["default"]["TEST"] = {"NAME": str(Path(_TEST_DATABASE_DIR) / "test.sqlite3")}  # noqa: F405

# Tests run tasks inline; the real-worker tests start their own worker against REDIS_URL.
TEST_REDIS_URL = env_str("REDIS_URL")
CELERY_BROKER_URL = ""
CELERY_TASK_ALWAYS_EAGER = True
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Off by default: a cached page could outlive a test's rolled-back data. Its tests turn it on.
PAGE_CACHE_SECONDS = 0
