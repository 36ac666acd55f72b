"""/healthz: each component's state from its last background probe, answered at once whatever is
down; 503 only without the database, "degraded" (200) without the cache, the broker or the
search cluster. Cache outages for real (a redis-server stopped and started):
tests/reliability/test_cache_outage.py."""

import json
import logging
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from django.test import override_settings

from portal.health import NO_ANSWER_YET, check_broker, run_checks
from tests.workers import wait_for

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
CLOSED_PORT = 1  # nothing listens on port 1 of the loopback interface
COMPONENTS = ("database", "cache", "broker", "search")


def settled(client, component):
    """The answer once `component`'s first probe has answered: until then it reports "error",
    as "no answer yet"."""
    wait_for(
        lambda: run_checks()[1][component]["detail"] != NO_ANSWER_YET,
        20,
        f"the {component} probe never answered",
    )
    return client.get("/healthz")


def test_healthz_reports_each_component_and_answers_200(client):
    for component in COMPONENTS:
        response = settled(client, component)
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "status": "ok",
        "failing": [],
        "components": {name: {"status": "ok"} for name in COMPONENTS},
    }
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


UNREACHABLE_BROKER = override_settings(
    CELERY_BROKER_URL=f"redis://127.0.0.1:{CLOSED_PORT}/0", CELERY_TASK_ALWAYS_EAGER=False
)


@UNREACHABLE_BROKER
def test_without_its_broker_the_portal_serves_degraded_and_says_so_with_200(client):
    # Tasks are recorded with the change and dispatched when the broker is back: the portal still
    # serves, and a load balancer must not take every web server out for it.
    response = settled(client, "broker")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["failing"] == ["broker"]
    assert body["components"]["database"] == {"status": "ok"}


@override_settings(
    CACHES={
        "default": {
            "BACKEND": "portal.cache.TolerantRedisCache",
            "LOCATION": f"redis://127.0.0.1:{CLOSED_PORT}/0",
            "OPTIONS": {"RETRY_SECONDS": 60},
        }
    }
)
def test_without_its_cache_the_portal_serves_degraded_and_says_so_with_200(client):
    response = settled(client, "cache")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["failing"] == ["cache"]


@UNREACHABLE_BROKER
def test_a_failure_is_logged_once_with_its_error_and_told_to_anyone_by_name_only(client, caplog):
    ok, error = check_broker()
    assert not ok and f"127.0.0.1:{CLOSED_PORT}" in error  # the text that must not leak
    with caplog.at_level(logging.WARNING, logger="portal.health"):
        response = settled(client, "broker")
        for _ in range(5):
            client.get("/healthz")
    assert response.json()["components"] == {
        name: {"status": "error" if name == "broker" else "ok"} for name in COMPONENTS
    }
    text = response.content.decode()
    assert error not in text and f"127.0.0.1:{CLOSED_PORT}" not in text
    logged = [record.getMessage() for record in caplog.records if record.name == "portal.health"]
    assert logged == [f"healthz: broker failing: {error}"]


@UNREACHABLE_BROKER
def test_a_member_is_not_shown_component_details_either(member_client):
    body = settled(member_client, "broker").json()
    assert body["components"]["broker"] == {"status": "error"}


@UNREACHABLE_BROKER
def test_the_secretariat_is_shown_each_components_detail(secretariat_client):
    body = settled(secretariat_client, "broker").json()
    assert f"127.0.0.1:{CLOSED_PORT}" in body["components"]["broker"]["detail"]
    assert body["components"]["database"]["status"] == "ok"
    assert "ms" in body["components"]["database"]


@pytest.fixture
def hung_cluster():
    """A search cluster that accepts connections and never answers them."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()


def test_a_hung_search_cluster_is_answered_for_at_once_not_waited_for(
    secretariat_client, hung_cluster
):
    # The cluster's client gives up after 1.5 s; had the answer waited for the probe, it would
    # carry that error. It carries the probe's absence instead, and says the portal serves.
    # The database's own first probe may take longer than a request waits on a busy machine:
    # wait for it, so that only the cluster is unanswered.
    wait_for(
        lambda: run_checks()[1]["database"]["detail"] != NO_ANSWER_YET,
        20,
        "the database probe never answered",
    )
    with override_settings(ELASTICSEARCH_URL=hung_cluster):
        response = secretariat_client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert "search" in body["failing"]
    assert body["components"]["search"]["detail"] == NO_ANSWER_YET


def test_healthz_answers_503_naming_the_database_when_it_is_unreachable():
    # A separate process, so that its database settings point at a closed port from the start.
    script = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "from portal.health import NO_ANSWER_YET, run_checks;"
        "from tests.workers import wait_for;"
        "wait_for(lambda: run_checks()[1]['database']['detail'] != NO_ANSWER_YET, 30, 'no probe');"
        "r = Client().get('/healthz');"
        "print(json.dumps({'status': r.status_code, 'body': r.json()}))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{CLOSED_PORT}/portal",
    }
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["status"] == 503
    assert answer["body"]["status"] == "error"
    assert "database" in answer["body"]["failing"]
    assert answer["body"]["components"]["database"] == {"status": "error"}
    # The error's text is in the server's log, on one line, and not in the answer.
    [logged] = [line for line in result.stderr.splitlines() if "healthz: database" in line]
    assert f"port {CLOSED_PORT} failed" in logged
    assert f"port {CLOSED_PORT}" not in result.stdout


def test_healthz_refuses_other_methods(client):
    assert client.post("/healthz").status_code == 405
