"""Production settings, checked in a fresh process with the environment a deployment
sets (README, "Security")."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def production_env(tmp_path, **extra) -> dict:
    # A deployment has none of the test run's own variables (the browser tests set
    # DJANGO_ALLOW_ASYNC_UNSAFE for Playwright's event loop).
    test_only = {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {key: value for key, value in os.environ.items() if key not in test_only}
    return env | {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "example.org",
        "CSRF_TRUSTED_ORIGINS": "https://example.org",
        "SQLITE_PATH": str(tmp_path / "never-used.sqlite3"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    } | extra


def run(args, env):
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_deploy_check_passes_without_a_warning(tmp_path):
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("key", ["short", "x" * 60, "ab" * 40, secrets.token_urlsafe(30)])
def test_the_app_refuses_to_start_with_a_weak_secret_key(tmp_path, key):
    """Under 50 characters, or fewer than 5 different ones: the server does not start."""
    result = run(["manage.py", "check"], production_env(tmp_path, SECRET_KEY=key))
    assert result.returncode != 0
    assert "SECRET_KEY is too weak" in result.stderr


@pytest.mark.parametrize("key", [None, "", "factmark-development-only-not-secret"])
def test_the_app_refuses_to_start_without_a_real_secret_key(tmp_path, key):
    env = production_env(tmp_path)
    env.pop("SECRET_KEY")
    if key is not None:
        env["SECRET_KEY"] = key
    result = run(["manage.py", "check"], env)
    assert result.returncode != 0
    assert "Set SECRET_KEY in the environment when DEBUG is off." in result.stderr


SHOW_SETTINGS = """
import json
import django
from django.conf import settings
django.setup()
names = ["SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER",
         "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "CSRF_TRUSTED_ORIGINS",
         "ALLOWED_HOSTS", "SESSION_COOKIE_AGE", "SESSION_SAVE_EVERY_REQUEST", "AXES_FAILURE_LIMIT",
         "AXES_LOCKOUT_PARAMETERS", "TRUSTED_PROXY_COUNT", "AXES_CLIENT_IP_CALLABLE"]
values = {name: getattr(settings, name, None) for name in names}
values["AXES_COOLOFF_SECONDS"] = settings.AXES_COOLOFF_TIME.total_seconds()
print(json.dumps(values, default=list))
"""


def production_settings(tmp_path, **extra) -> dict:
    result = run(["-c", SHOW_SETTINGS], production_env(tmp_path, **extra))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_settings(tmp_path):
    values = production_settings(tmp_path)
    assert values["SECURE_HSTS_SECONDS"] >= 365 * 24 * 60 * 60
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SESSION_COOKIE_SECURE"] is True and values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://example.org"]
    assert values["ALLOWED_HOSTS"] == ["example.org"]
    assert values["SESSION_COOKIE_AGE"] == 8 * 60 * 60 and values["SESSION_SAVE_EVERY_REQUEST"] is True
    assert values["AXES_FAILURE_LIMIT"] == 5
    assert values["AXES_LOCKOUT_PARAMETERS"] == [["username", "ip_address"]]
    assert values["AXES_COOLOFF_SECONDS"] == 15 * 60
    assert values["TRUSTED_PROXY_COUNT"] == 0  # no proxy header trusted by default
    assert values["AXES_CLIENT_IP_CALLABLE"] == "config.middleware.client_address"


def test_timeouts_and_proxies_come_from_the_environment(tmp_path):
    values = production_settings(tmp_path, SESSION_IDLE_SECONDS="900", LOGIN_COOLOFF_MINUTES="60",
                                 TRUSTED_PROXY_COUNT="1",
                                 CSRF_TRUSTED_ORIGINS="https://example.org,https://annotate.example.org")
    assert values["SESSION_COOKIE_AGE"] == 900
    assert values["AXES_COOLOFF_SECONDS"] == 3600
    assert values["TRUSTED_PROXY_COUNT"] == 1  # behaviour: tests/config/test_middleware.py
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://example.org", "https://annotate.example.org"]


BEHIND_A_PROXY = """
import django
django.setup()
from django.test import Client
client = Client()
plain = client.get("/", HTTP_HOST="example.org")
proxied = client.get("/", HTTP_HOST="example.org", HTTP_X_FORWARDED_PROTO="https")
print(plain.status_code, plain.get("Location"))
print(proxied.status_code, proxied.get("Location"), proxied.get("Strict-Transport-Security"))
print(client.get("/", HTTP_HOST="evil.example", HTTP_X_FORWARDED_PROTO="https").status_code)
"""


def test_behind_a_tls_proxy_http_is_redirected_and_https_gets_hsts(tmp_path):
    result = run(["-c", BEHIND_A_PROXY], production_env(tmp_path))
    assert result.returncode == 0, result.stderr
    plain, proxied, foreign_host = result.stdout.strip().splitlines()
    assert plain == "301 https://example.org/"
    assert proxied == "302 /login/?next=/ max-age=31536000; includeSubDomains"
    assert foreign_host == "400"


@pytest.mark.django_db
def test_pages_are_gzipped_for_browsers_that_accept_it_and_exports_are_not(client, annotator, article):
    import gzip

    from tests.factories import make_set, make_span

    annotation_set = make_set(article, annotator)
    make_span(annotation_set, "Actor", "Sergei Lavrov")
    client.force_login(annotator)
    url = f"/p/{article.project.slug}/a/{article.pk}/"
    plain = client.get(url)
    packed = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed["Vary"]
    assert b"Sergei Lavrov" in gzip.decompress(packed.content)
    export = client.get(f"/p/{article.project.slug}/datasets/export/?format=jsonl&sets=all",
                        HTTP_ACCEPT_ENCODING="gzip")
    assert export.streaming and "Content-Encoding" not in export
    assert b"Sergei Lavrov" in b"".join(export.streaming_content)
