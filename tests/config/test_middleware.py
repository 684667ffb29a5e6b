"""Logins behind a proxy and against password spraying (config.middleware): the
client's address is the one the trusted proxy saw, a lockout holds for that address
and account only, failures during a lockout do not extend it, and one address trying
many accounts is stopped."""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.test import Client, RequestFactory
from django.utils import timezone

from config.middleware import client_address
from tests.factories import make_user

ROOT = Path(__file__).resolve().parents[2]


# ---------------------------------------------------------------- the client's address


@pytest.mark.parametrize("count, forwarded, remote, expected", [
    (0, "6.6.6.6", "10.0.0.5", "10.0.0.5"),                     # no proxy: the header is the client's own words
    (1, "10.0.0.66", "127.0.0.1", "10.0.0.66"),                # what the proxy saw
    (1, "6.6.6.6, 10.0.0.66", "127.0.0.1", "10.0.0.66"),       # a forged entry on the left changes nothing
    (2, "6.6.6.6, 10.0.0.66, 10.0.0.2", "127.0.0.1", "10.0.0.66"),
    (2, "10.0.0.66", "127.0.0.1", "127.0.0.1"),                # fewer entries than proxies: not through them
    (1, "not-an-address", "127.0.0.1", "127.0.0.1"),
    (1, "", "127.0.0.1", "127.0.0.1"),
])
def test_client_address_counts_trusted_proxies_from_the_right(settings, count, forwarded, remote, expected):
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR=remote)
    assert client_address(request) == expected


# ---------------------------------------------------------------- lockouts


def login(client, username, password, **extra):
    return client.post("/login/", {"username": username, "password": password}, **extra)


@pytest.mark.django_db
def test_failures_during_a_lockout_do_not_extend_it(client):
    make_user("ann")
    for _ in range(5):
        login(client, "ann", "wrong")
    assert login(client, "ann", "factmark").status_code == 429
    started = timezone.now() - timedelta(minutes=14)
    AccessAttempt.objects.update(attempt_time=started)
    for _ in range(3):
        assert login(client, "ann", "wrong").status_code == 429
    assert AccessAttempt.objects.get().attempt_time == started
    AccessAttempt.objects.update(attempt_time=started - timedelta(minutes=2))  # the 15 minutes are over
    assert login(client, "ann", "factmark").status_code == 302


@pytest.mark.django_db
def test_one_address_trying_many_accounts_is_stopped(settings):
    settings.FACTMARK_LOGIN_ADDRESS_LIMIT = 6
    make_user("ann")
    sprayer = Client(REMOTE_ADDR="10.0.0.66")
    for number in range(6):
        assert login(sprayer, f"user{number}", "Summer2026!").status_code == 200
    refused = login(sprayer, "ann", "factmark")
    assert refused.status_code == 429
    assert "Too many failed logins from your address" in refused.content.decode()
    assert "_auth_user_id" not in sprayer.session
    # Someone else, anywhere else, is not affected.
    assert login(Client(REMOTE_ADDR="10.0.0.77"), "ann", "factmark").status_code == 302


@pytest.mark.django_db
def test_the_address_throttle_window_is_not_extended_by_more_failures(settings):
    from django.core.cache import cache

    settings.FACTMARK_LOGIN_ADDRESS_LIMIT = 2
    sprayer = Client(REMOTE_ADDR="10.0.0.66")
    login(sprayer, "a", "x")
    first_until = cache.get("login-failures:10.0.0.66")["until"]
    login(sprayer, "b", "x")
    for _ in range(3):
        assert login(sprayer, "c", "x").status_code == 429
    assert cache.get("login-failures:10.0.0.66")["until"] == first_until


# ---------------------------------------------------------------- through gunicorn, as deployed


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def gunicorn_behind_a_proxy(tmp_path):
    """gunicorn serving Factmark with TRUSTED_PROXY_COUNT=1, on a fresh SQLite database
    holding the account "admin"; this test plays the proxy, which appends the address it
    was reached from to X-Forwarded-For."""
    test_only = {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {key: value for key, value in os.environ.items() if key not in test_only} | {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SQLITE_PATH": str(tmp_path / "proxy.sqlite3"),
        "TRUSTED_PROXY_COUNT": "1",
        "DEBUG": "true",
    }
    python = Path(sys.executable)
    subprocess.run([python, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, check=True, capture_output=True)
    create = ("from django.contrib.auth import get_user_model; "
              "get_user_model().objects.create_user('admin', password='factmark-admin')")
    subprocess.run([python, "manage.py", "shell", "-c", create], cwd=ROOT, env=env, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen([python.parent / "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


def proxied_login(port: int, client_ip: str, username: str, password: str, forged: str | None = None) -> int:
    """A login through the proxy from ``client_ip`` (which may forge its own header)."""
    forwarded = f"{forged}, {client_ip}" if forged else client_ip
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/login/", headers={"X-Forwarded-For": forwarded})
    page = connection.getresponse()
    cookie = page.getheader("Set-Cookie").split(";", 1)[0]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode())[1]
    body = f"csrfmiddlewaretoken={token}&username={username}&password={password}"
    connection.request("POST", "/login/", body=body, headers={
        "X-Forwarded-For": forwarded, "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded",
    })
    status = connection.getresponse().status
    connection.close()
    return status


def test_behind_a_proxy_a_lockout_holds_for_the_attackers_address_only(gunicorn_behind_a_proxy):
    port = gunicorn_behind_a_proxy
    attacker, admin_desk = "203.0.113.66", "198.51.100.7"
    # The attacker forges a different address on every try: it changes nothing.
    for number in range(4):
        assert proxied_login(port, attacker, "admin", "guess", forged=f"192.0.2.{number}") == 200
    assert proxied_login(port, attacker, "admin", "guess", forged="192.0.2.4") == 429  # the fifth locks
    assert proxied_login(port, attacker, "admin", "factmark-admin", forged="192.0.2.99") == 429
    # Everybody else, the proxy's own address included, still logs in as admin.
    assert proxied_login(port, admin_desk, "admin", "factmark-admin") == 302


# ---------------------------------------------------------------- session lifetime


@pytest.mark.django_db
def test_a_session_ends_at_its_absolute_lifetime_however_busy(client, settings):
    from django.contrib.sessions.models import Session

    from config.middleware import LOGGED_IN_AT

    make_user("ann")
    assert login(client, "ann", "factmark").status_code == 302
    assert client.get("/").status_code == 200  # working: the idle timeout keeps moving
    session = client.session
    session[LOGGED_IN_AT] -= settings.SESSION_MAX_SECONDS - 60
    session.save()
    assert client.get("/").status_code == 200  # a minute left
    session = client.session
    session[LOGGED_IN_AT] -= 120
    session.save()
    key = session.session_key
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert not Session.objects.filter(session_key=key).exists()
    assert login(client, "ann", "factmark").status_code == 302 and client.get("/").status_code == 200
