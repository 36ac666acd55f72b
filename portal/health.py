"""Component checks for /healthz: each returns (ok, detail) and never raises. A failing
component's detail (an exception's text: host names, ports, versions) goes to the server's log,
one line each; the answer shows it to the secretariat only (see portal.views.healthz)."""

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection

logger = logging.getLogger(__name__)


def check_database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "down", reported by name
        return False, f"{type(exc).__name__}: {exc}".strip()[:200]
    return True, connection.vendor


def check_cache():
    key = "healthz:probe"
    try:
        cache.set(key, "ok", 10)
        if cache.get(key) != "ok":
            return False, "value written was not read back"
    except Exception as exc:  # noqa: BLE001
        return False, f"{type(exc).__name__}: {exc}"[:200]
    return True, settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]


def check_broker():
    """The Celery broker, when one is configured (eager mode has none to check)."""
    url = settings.CELERY_BROKER_URL
    if not url or settings.CELERY_TASK_ALWAYS_EAGER:
        return True, "eager (tasks run inline)"
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # noqa: BLE001
        return False, f"{type(exc).__name__}: {exc}"[:200]
    return True, url.split("://", 1)[0]


def check_search():
    from search.service import backend_status

    return backend_status()


# Components whose failure means the portal cannot serve (503). Search degrades gracefully.
CRITICAL = ("database", "broker")

CHECKS = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "search": check_search,
}


def run_checks():
    results = {}
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            ok, detail = check()
        except Exception as exc:  # noqa: BLE001 - a broken check reports, never breaks /healthz
            ok, detail = False, f"{type(exc).__name__}: {exc}"[:200]
        if not ok:
            # One line, whatever the exception's text holds (psycopg's span several).
            logger.warning("healthz: %s failing: %s", name, " ".join(str(detail).split()))
        results[name] = {
            "status": "ok" if ok else "error",
            "detail": detail,
            "ms": round((time.monotonic() - started) * 1000, 1),
        }
    healthy = all(results[name]["status"] == "ok" for name in CRITICAL)
    return healthy, results


def public_view(results):
    """What anyone may be told: each component's name and status, nothing of its detail."""
    return {name: {"status": result["status"]} for name, result in results.items()}
