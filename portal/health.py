"""
Component checks for /healthz, probed in the background so that an answer never waits on a
component that is down or hung.

Each component has a probe: a check run in a thread of its own, never more than one at a time,
whose result the process keeps. A request starts a fresh run of every probe whose result is older
than FRESH_SECONDS and waits for them at most WAIT_SECONDS in all: a component that answers at
once (the usual case) is reported as it is now, one that does not as it was at its last probe. A
probe still running after HUNG_SECONDS makes its component fail ("no answer within ...") whatever
it said before; a probe that has never answered yet is reported failing too. So the answer takes
WAIT_SECONDS at most, whatever is down.

Each check returns (ok, detail) and never raises. A failing component's detail (an exception's
text: host names, ports, versions) goes to the server's log, one line when it starts failing or
its error changes, one when it is back; the answer shows it to the secretariat only (see
portal.views.healthz).
"""

import logging
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.db import connection, connections
from django.dispatch import receiver

logger = logging.getLogger(__name__)

FRESH_SECONDS = 2.0
WAIT_SECONDS = 0.05
HUNG_SECONDS = 1.0
NO_ANSWER_YET = "no answer yet"


def _error_text(exc):
    return f"{type(exc).__name__}: {exc}".strip()[:200]


def check_database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "down", reported by name
        return False, _error_text(exc)
    return True, connection.vendor


def check_cache():
    if hasattr(cache, "status"):  # portal.cache.TolerantRedisCache: its outage, or one PING
        return cache.status()
    key = "healthz:probe"
    try:
        cache.set(key, "ok", 10)
        if cache.get(key) != "ok":
            return False, "value written was not read back"
    except Exception as exc:  # noqa: BLE001
        return False, _error_text(exc)
    return True, settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]


def check_broker():
    """The Celery broker, when one is configured (eager mode has none to check)."""
    url = settings.CELERY_BROKER_URL
    if not url or settings.CELERY_TASK_ALWAYS_EAGER:
        return True, "eager (tasks run inline)"
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=HUNG_SECONDS) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=HUNG_SECONDS)
    except Exception as exc:  # noqa: BLE001
        return False, _error_text(exc)
    return True, url.split("://", 1)[0]


def check_search():
    """The search cluster when one is configured (down: the database answers searches, so the
    portal is degraded, not down), else the database backend."""
    from search import pending
    from search.service import database_backend, elasticsearch_backend

    try:
        es = elasticsearch_backend()
        if es is None:
            return database_backend().status()
        ok, detail = es.status()
        if not ok:
            return False, f"{detail}; the database answers searches meanwhile"
        if pending.exist(es.name):
            return True, f"database until the cluster catches up; {detail}"
        return True, detail
    except Exception as exc:  # noqa: BLE001 - health reports any failure
        return False, _error_text(exc)


# Without its database the portal cannot serve (503); without the cache, the broker or the search
# cluster it serves, degraded (pages uncached, tasks recorded for later, searches from the
# database).
CRITICAL = ("database",)

CHECKS = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "search": check_search,
}


class Probe:
    """One component's check, run in the background; see the module docstring."""

    def __init__(self, name, check):
        self.name = name
        self.check = check
        self.lock = threading.Lock()
        self.result = None
        self.checked_at = None
        self.running = None  # (started, Event set when it ends) while a run is in flight
        self.logged = None  # the failure last logged, None while the component is ok

    def refresh(self, now):
        """Start a run unless one is in flight or the last result is fresh; the run's Event."""
        with self.lock:
            if self.running is not None:
                return self.running[1]
            if self.checked_at is not None and now - self.checked_at < FRESH_SECONDS:
                return None
            self.running = (now, threading.Event())
            finished = self.running[1]
        threading.Thread(target=self._run, name=f"healthz-{self.name}", daemon=True).start()
        return finished

    def _run(self):
        started = time.monotonic()
        try:
            ok, detail = self.check()
        except Exception as exc:  # noqa: BLE001 - a broken check reports, never breaks /healthz
            ok, detail = False, _error_text(exc)
        finally:
            # The thread's own database connection (checks open one): not left to leak.
            connections.close_all()
        ended = time.monotonic()
        result = {
            "status": "ok" if ok else "error",
            "detail": detail,
            "ms": round((ended - started) * 1000, 1),
        }
        with self.lock:
            self.result, self.checked_at = result, ended
            _, finished = self.running
            self.running = None
        self._log(result)
        finished.set()

    def state(self, now):
        with self.lock:
            result, running = self.result, self.running
        if running is not None and now - running[0] > HUNG_SECONDS:
            result = {
                "status": "error",
                "detail": f"no answer within {HUNG_SECONDS:g} s",
                "ms": round((now - running[0]) * 1000, 1),
            }
            self._log(result)
        elif result is None:
            # Only a process's first answers, before its probes have run: not worth a log line.
            result = {"status": "error", "detail": NO_ANSWER_YET, "ms": None}
        return result

    def _log(self, result):
        failure = None if result["status"] == "ok" else " ".join(str(result["detail"]).split())
        with self.lock:
            if failure == self.logged:
                return
            was_failing, self.logged = self.logged is not None, failure
        if failure is not None:
            # One line, whatever the exception's text holds (psycopg's span several).
            logger.warning("healthz: %s failing: %s", self.name, failure)
        elif was_failing:
            logger.warning("healthz: %s ok again", self.name)


_probes = {}
_probes_lock = threading.Lock()


def probes():
    with _probes_lock:
        for name, check in CHECKS.items():
            if name not in _probes or _probes[name].check is not check:
                _probes[name] = Probe(name, check)
        return [_probes[name] for name in CHECKS]


@receiver(setting_changed)
def _forget_probes(**kwargs):
    # Tests change the services' settings: a result probed under the old ones no longer holds.
    with _probes_lock:
        _probes.clear()


def run_checks():
    """(healthy, {name: {"status", "detail", "ms"}}) within WAIT_SECONDS; see the docstring."""
    started = time.monotonic()
    deadline = started + WAIT_SECONDS
    current = probes()
    runs = [probe.refresh(started) for probe in current]
    for finished in runs:
        if finished is not None:
            finished.wait(max(0.0, deadline - time.monotonic()))
    now = time.monotonic()
    results = {probe.name: probe.state(now) for probe in current}
    healthy = all(results[name]["status"] == "ok" for name in CRITICAL)
    return healthy, results


def public_view(results):
    """What anyone may be told: each component's name and status, nothing of its detail."""
    return {name: {"status": result["status"]} for name, result in results.items()}
