"""Strict, fast test settings: eager tasks, local services; worker tests use REDIS_URL."""

import tempfile

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

# Tests run tasks inline; the real-worker tests start their own worker against REDIS_URL.
TEST_REDIS_URL = env_str("REDIS_URL")
CELERY_BROKER_URL = ""
CELERY_TASK_ALWAYS_EAGER = True
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Off by default: a cached page could outlive a test's rolled-back data. Its tests turn it on.
PAGE_CACHE_SECONDS = 0
