import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from django.test import override_settings

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


@override_settings(
    CELERY_BROKER_URL=f"redis://127.0.0.1:{CLOSED_PORT}/0", CELERY_TASK_ALWAYS_EAGER=False
)
def test_healthz_answers_503_naming_the_broker_when_it_is_unreachable(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["broker"]
    assert body["components"]["broker"]["status"] == "error"
    assert body["components"]["database"]["status"] == "ok"


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
    assert "Connection refused" in answer["body"]["components"]["database"]["detail"] or (
        "connect" in answer["body"]["components"]["database"]["detail"].lower()
    )


def test_healthz_refuses_other_methods(client):
    assert client.post("/healthz").status_code == 405
