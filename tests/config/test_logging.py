"""JSON logs with a request id (LOG_FORMAT=json), read as a log collector would."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

REQUEST = """
import django
django.setup()
from django.test import Client
client = Client()
response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="lb-7f3a")
print(response["X-Request-ID"])
print(Client().get("/healthz")["X-Request-ID"])
"""


@pytest.mark.django_db
def test_every_response_carries_a_request_id(client):
    first, second = client.get("/healthz")["X-Request-ID"], client.get("/healthz")["X-Request-ID"]
    assert first and second and first != second
    assert client.get("/healthz", HTTP_X_REQUEST_ID="from-the-proxy.42")["X-Request-ID"] == "from-the-proxy.42"
    odd = client.get("/healthz", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"]
    assert odd != "<script>" and len(odd) == 32


def test_json_logs_carry_the_request_id(tmp_path):
    test_only = {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {key: value for key, value in os.environ.items() if key not in test_only} | {
        "DJANGO_SETTINGS_MODULE": "config.settings", "LOG_FORMAT": "json",
        "SQLITE_PATH": str(tmp_path / "log.sqlite3"), "ALLOWED_HOSTS": "testserver",
    }
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    result = subprocess.run([sys.executable, "-c", REQUEST], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "lb-7f3a"
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    not_found = [line for line in lines if line["logger"] == "django.request"]
    assert not_found, result.stderr
    assert not_found[0]["request_id"] == "lb-7f3a"
    assert not_found[0]["level"] == "WARNING" and not_found[0]["status"] == 404
    assert "Not Found: /no-such-page/" in not_found[0]["message"]
