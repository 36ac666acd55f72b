import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from django.test import override_settings

from portal.health import check_broker

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
CLOSED_PORT = 1  # nothing listens on port 1 of the loopback interface


def test_healthz_reports_each_component_and_answers_200(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["components"]) == {"database", "cache", "broker", "search"}
    assert all(part["status"] == "ok" for part in body["components"].values())
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


UNREACHABLE_BROKER = override_settings(
    CELERY_BROKER_URL=f"redis://127.0.0.1:{CLOSED_PORT}/0", CELERY_TASK_ALWAYS_EAGER=False
)


@UNREACHABLE_BROKER
def test_healthz_answers_503_naming_the_broker_when_it_is_unreachable(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["broker"]
    assert body["components"]["broker"]["status"] == "error"
    assert body["components"]["database"]["status"] == "ok"


@UNREACHABLE_BROKER
def test_healthz_tells_anyone_the_failing_component_but_logs_its_error_for_the_server_only(
    client, caplog
):
    ok, error = check_broker()
    assert not ok and f"127.0.0.1:{CLOSED_PORT}" in error  # the text that must not leak
    with caplog.at_level(logging.WARNING, logger="portal.health"):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["components"] == {
        name: {"status": "error" if name == "broker" else "ok"}
        for name in ("database", "cache", "broker", "search")
    }
    text = response.content.decode()
    assert error not in text and f"127.0.0.1:{CLOSED_PORT}" not in text
    [logged] = [record.getMessage() for record in caplog.records if record.name == "portal.health"]
    assert logged == f"healthz: broker failing: {error}"


@UNREACHABLE_BROKER
def test_a_member_is_not_shown_component_details_either(member_client):
    body = member_client.get("/healthz").json()
    assert body["components"]["broker"] == {"status": "error"}


@UNREACHABLE_BROKER
def test_the_secretariat_is_shown_each_components_detail(secretariat_client):
    body = secretariat_client.get("/healthz").json()
    assert f"127.0.0.1:{CLOSED_PORT}" in body["components"]["broker"]["detail"]
    assert body["components"]["database"]["status"] == "ok"
    assert "ms" in body["components"]["database"]


def test_healthz_answers_503_naming_the_database_when_it_is_unreachable():
    # A separate process, so that its database settings point at a closed port from the start.
    script = (
        "import django, json; django.setup();"
        "from django.test import Client;"
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
    assert "database" in answer["body"]["failing"]
    assert answer["body"]["components"]["database"] == {"status": "error"}
    # The error's text is in the server's log, on one line, and not in the answer.
    [logged] = [line for line in result.stderr.splitlines() if "healthz: database" in line]
    assert f"port {CLOSED_PORT} failed" in logged
    assert f"port {CLOSED_PORT}" not in result.stdout


def test_healthz_refuses_other_methods(client):
    assert client.post("/healthz").status_code == 405
