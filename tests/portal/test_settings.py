"""Settings come from the environment with the embedded defaults; production is strict."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from portal.celery import app as celery_app
from portal.settings.env import env_bool, env_int, env_list

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "SECRET_KEY": "p7Rk2vXq9LmZ4tBw8NcY1sHd6FgJ3aQe5UoIxTyVbKnMr0EzWlCjPhSiDuGf",
    "ALLOWED_HOSTS": "portal.example.org",
    "DATABASE_URL": "postgres://portal@db.internal:5432/portal",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "EMAIL_HOST": "smtp.example.org",
}
PRINT_SETTINGS = (
    "import django, json; django.setup(); from django.conf import settings as s;"
    "print(json.dumps({'db': s.DATABASES['default']['ENGINE'],"
    " 'cache': s.CACHES['default']['BACKEND'], 'eager': s.CELERY_TASK_ALWAYS_EAGER,"
    " 'broker': s.CELERY_BROKER_URL, 'email': s.EMAIL_BACKEND, 'debug': s.DEBUG,"
    " 'tasks': s.TASKS['default']['BACKEND'], 'hsts': getattr(s, 'SECURE_HSTS_SECONDS', 0)}))"
)


def run_python(code, module, extra_env, unset=()):
    """Run `code` in a fresh interpreter under settings `module` (None: DJANGO_SETTINGS_MODULE
    unset, as a server started without it)."""
    return run_command([sys.executable, "-c", code], module, extra_env, unset)


def run_command(command, module, extra_env, unset=(), timeout=60):
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    if module is not None:
        env["DJANGO_SETTINGS_MODULE"] = module
    env.update(extra_env)
    return subprocess.run(  # noqa: S603
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


SERVICE_VARS = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CACHE_URL", "EMAIL_HOST")


def test_embedded_defaults_need_no_services():
    result = run_python(PRINT_SETTINGS, "portal.settings.dev", {}, unset=SERVICE_VARS)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["db"] == "django.db.backends.sqlite3"
    assert values["cache"].endswith("LocMemCache")
    assert values["eager"] is True
    assert values["email"].endswith("console.EmailBackend")
    assert values["tasks"].endswith("ImmediateBackend")


def test_production_services_come_from_the_environment():
    result = run_python(PRINT_SETTINGS, "portal.settings.production", PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["db"] == "django.db.backends.postgresql"
    assert values["cache"].endswith("RedisCache")
    assert values["eager"] is False
    assert values["broker"] == "redis://cache.internal:6379/0"
    assert values["email"].endswith("smtp.EmailBackend")
    assert values["tasks"] == "portal.tasks_backend.CeleryTaskBackend"
    assert values["debug"] is False
    assert values["hsts"] >= 31536000


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = run_python(PRINT_SETTINGS, "portal.settings.production", env, unset=("SECRET_KEY",))
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = run_python(
        PRINT_SETTINGS, "portal.settings.production", {**PRODUCTION_ENV, "SECRET_KEY": "short"}
    )
    assert result.returncode != 0
    assert "at least 50 characters" in result.stderr


def test_production_passes_the_deployment_checks():
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings.production",
            **PRODUCTION_ENV,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# What a server imports: gunicorn and uvicorn the application object, `celery -A portal` the app.
ENTRY_POINTS = {
    "wsgi": "import portal.wsgi",
    "asgi": "import portal.asgi",
    "celery": "from portal.celery import app; app.loader.import_default_modules()",
}
PRINT_SELECTED = (
    "; from django.conf import settings as s; import json;"
    "print(json.dumps({'module': s.SETTINGS_MODULE, 'debug': s.DEBUG,"
    " 'mfa': s.MFA_REQUIRED_FOR_SECRETARIAT, 'key': s.SECRET_KEY}))"
)


@pytest.mark.parametrize("entry_point", ENTRY_POINTS)
def test_entry_points_started_without_a_settings_module_use_production(entry_point):
    result = run_python(ENTRY_POINTS[entry_point] + PRINT_SELECTED, None, PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    selected = json.loads(result.stdout.strip().splitlines()[-1])
    assert selected == {
        "module": "portal.settings.production",
        "debug": False,
        "mfa": True,
        "key": PRODUCTION_ENV["SECRET_KEY"],
    }


@pytest.mark.parametrize("entry_point", ENTRY_POINTS)
def test_entry_points_without_a_settings_module_or_secret_key_refuse_to_start(entry_point):
    result = run_python(
        ENTRY_POINTS[entry_point] + PRINT_SELECTED, None, {}, unset=("SECRET_KEY", "DEBUG")
    )
    assert result.returncode != 0, f"started with {result.stdout}"
    assert "SECRET_KEY must be set in the environment for production" in result.stderr
    assert "DJANGO_SETTINGS_MODULE=portal.settings.dev" in result.stderr


def test_a_celery_worker_started_without_a_settings_module_or_secret_key_exits_at_once():
    command = [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo"]
    # A broker nobody answers on: under development settings the worker would wait on it.
    broker = {"CELERY_BROKER_URL": "redis://127.0.0.1:1/0"}
    try:
        result = run_command(command, None, broker, unset=("SECRET_KEY", "REDIS_URL"), timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail("the worker started instead of refusing to run without a secret key")
    assert result.returncode != 0
    assert "SECRET_KEY must be set in the environment for production" in result.stderr


def test_manage_py_keeps_the_development_default():
    code = (
        "import runpy, sys; sys.argv = ['manage.py', 'shell', '-c',"
        " 'from django.conf import settings; print(settings.SETTINGS_MODULE)'];"
        " runpy.run_path('manage.py', run_name='__main__')"
    )
    result = run_python(code, None, {}, unset=("SECRET_KEY",))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "portal.settings.dev"


def test_bad_environment_values_name_the_variable(monkeypatch):
    monkeypatch.setenv("DEBUG", "perhaps")
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        env_bool("DEBUG")
    monkeypatch.setenv("EMAIL_PORT", "twenty-five")
    with pytest.raises(ImproperlyConfigured, match="EMAIL_PORT"):
        env_int("EMAIL_PORT", 25)
    monkeypatch.setenv("ALLOWED_HOSTS", "a.example, b.example,")
    assert env_list("ALLOWED_HOSTS") == ["a.example", "b.example"]


def test_celery_uses_json_only_and_late_acknowledgement():
    conf = celery_app.conf
    assert conf.task_serializer == "json"
    assert conf.result_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1


def test_visibility_timeout_outlasts_the_longest_task():
    conf = celery_app.conf
    assert conf.task_soft_time_limit < conf.task_time_limit
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit


def test_named_queues_and_routes_exist():
    names = {queue.name for queue in celery_app.conf.task_queues}
    assert names == {"default", "indexing", "extraction", "notifications"}
    routes = settings.CELERY_TASK_ROUTES
    assert routes["search.tasks.*"]["queue"] == "indexing"
    assert routes["library.tasks.extract_*"]["queue"] == "extraction"


def test_beat_schedule_names_registered_tasks():
    celery_app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in celery_app.tasks, entry["task"]


def test_tests_run_wagtail_background_tasks_immediately():
    assert settings.TASKS["default"]["BACKEND"].endswith("ImmediateBackend")
