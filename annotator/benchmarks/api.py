"""The JSON API: adding articles, streaming the export, creating spans, with a token.

Prints: the time to add 10,000 articles of ~2,500 characters through
``POST /api/v1/projects/{slug}/articles/batch`` in batches of 1,000 (target < 10 s); the
time to stream the 10,000-article JSONL export (the datasets benchmark's corpus: 20 spans
and 6 relations per article) through ``GET /api/v1/projects/{slug}/export`` next to
``export_dataset`` run in the same process, their ratio (target within 20 %) and what the
API adds to the same export run with the garbage collector on (``export_dataset`` turns it
off; a web process cannot); the same comparison end to end, curl fetching from gunicorn next
to ``export_dataset -o FILE`` as its own process; and the median time of a span create
through ``POST /api/v1/sets/{id}/spans`` (target < 30 ms).  In-process requests go through
Django's whole stack (middleware included) without a network; the rate limit is off while
measuring.
"""

from __future__ import annotations

import filecmp
import io
import json
import os
import random
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client, override_settings

from annotator.datasets import export_bytes
from annotator.models import AnnotationSet, Entity
from annotator.schema import install_default_schema
from articles.models import Project, Role
from articles.tokens import create_token

from .common import QueryCounter, machine, median_ms, timer
from .datasets import ARTICLES, NAMES, WORDS, _database_env, generate

BATCH = 1_000
SPAN_CREATES = 200


def _texts(count: int, *, seed: int = 11, chars: int = 2_500) -> list[str]:
    rng = random.Random(seed)
    texts = []
    for number in range(count):
        sentences, size = [], 0
        while size < chars:
            sentence = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 18))).capitalize() + "."
            sentences.append(sentence)
            size += len(sentence) + 1
        texts.append(f"Report {number}. " + " ".join(sentences))
    return texts


def _project(slug: str, user, role=Role.MANAGER) -> Project:
    project = Project.objects.create(name=f"Benchmark {slug}", slug=slug)
    install_default_schema(project)
    project.memberships.create(user=user, role=role)
    return project


def _adding(stdout, client: Client, headers: dict, user) -> None:
    project = _project("bench-api-add", user)
    texts = _texts(ARTICLES)
    bodies = [json.dumps({"articles": [{"text": text, "external_id": f"api-{n + start}", "source": "Bench Wire"}
                                       for n, text in enumerate(texts[start:start + BATCH])]})
              for start in range(0, ARTICLES, BATCH)]
    times = []
    with timer() as total:
        for body in bodies:
            start = time.perf_counter()
            response = client.post(f"/api/v1/projects/{project.slug}/articles/batch", body,
                                   content_type="application/json", headers=headers)
            times.append(time.perf_counter() - start)
            assert response.status_code == 201, response.content[:500]
    added = project.articles.count()
    stdout.write(f"  add {added:,} articles (~2,500 characters) in batches of {BATCH:,}: {total['seconds']:.2f} s "
                 f"({statistics.median(times):.2f} s per batch at the median; target < 10 s)")


def _export(stdout, client: Client, headers: dict, user) -> None:
    project = _project("bench-api-export", user)
    Entity.objects.bulk_create([Entity(project=project, name=f"{name} {n}", aliases=[name.split()[-1]])
                                for n in range(30) for name in NAMES])
    generate(project, user, start=0, count=ARTICLES)
    url = f"/api/v1/projects/{project.slug}/export?format=jsonl&sets=all"
    client.get(url, headers=headers)  # warm up
    api_times, command_times, plain_times, size = [], [], [], 0
    for _ in range(3):
        with timer() as through_api:
            response = client.get(url, headers=headers)
            size = sum(len(piece) for piece in response.streaming_content)
        api_times.append(through_api["seconds"])
        out = io.StringIO()
        with timer() as command:
            call_command("export_dataset", project.slug, "--format", "jsonl", "--sets", "all", stdout=out,
                         stderr=io.StringIO())
        command_times.append(command["seconds"])
        assert len(out.getvalue().encode()) == size
        with timer() as plain:  # the export alone, the collector on as in a web process
            assert sum(len(piece) for piece in export_bytes(project, "jsonl", user=None, sets="all")) == size
        plain_times.append(plain["seconds"])
    api_s, command_s, plain_s = min(api_times), min(command_times), min(plain_times)
    etag = response["ETag"]
    with timer() as unchanged:
        skipped = client.get(url, headers=headers | {"If-None-Match": etag})
    assert skipped.status_code == 304
    stdout.write(f"  stream the {ARTICLES:,}-article JSONL export ({size / 1024 / 1024:.0f} MB) in this process, best "
                 f"of 3: API {api_s:.2f} s, export_dataset {command_s:.2f} s: ratio {api_s / command_s:.2f}. "
                 f"export_dataset turns the cyclic garbage collector off, which a web process cannot (it would "
                 f"apply to every thread): the same export with the collector on takes {plain_s:.2f} s, and the "
                 f"API adds {(api_s / plain_s - 1) * 100:+.0f} % to it. Unchanged corpus, 304: "
                 f"{unchanged['seconds'] * 1000:.0f} ms")
    _served_export(stdout, project.slug, headers)


def _child_env() -> dict:
    """The benchmark database, DEBUG off (as in production), for a child process."""
    return _database_env() | {"ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "false",
                              "FACTMARK_API_RATE": "0", "SECRET_KEY": secrets.token_urlsafe(50)}


def _export_command(slug: str, target: str) -> float:
    """Seconds for ``manage.py export_dataset`` to write the JSONL export, as its own process."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "manage.py", "export_dataset", slug, "--format", "jsonl", "--sets", "all",
                    "-o", target], cwd=settings.BASE_DIR, env=_child_env(), check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


@contextmanager
def _server():
    """gunicorn (one worker, DEBUG off, as in production) on a free loopback port, serving the
    benchmark database; yields its base URL."""
    env = _child_env()
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", "127.0.0.1:0",
                               "--workers", "1", "--timeout", "300"], cwd=settings.BASE_DIR, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        base = None
        for line in server.stderr:  # "Listening at: http://127.0.0.1:PORT (pid)", then "Booting worker"
            if "Listening at:" in line:
                base = line.split("Listening at:", 1)[1].split()[0]
            if base and "Booting worker" in line:
                break
        if base is None:
            raise RuntimeError("gunicorn did not start")
        ready = subprocess.run(["curl", "-sSf", "-o", os.devnull, "--retry", "20", "--retry-connrefused",
                                "--retry-delay", "1", f"{base}/api/v1/openapi.json"], check=False)
        if ready.returncode:
            raise RuntimeError("gunicorn does not answer: run it by hand to see why (DEBUG=0 SECRET_KEY=…)")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def _download(url: str, headers: dict, target: str) -> float:
    """Seconds for curl to fetch ``url`` into ``target``, as a nightly job would."""
    started = time.perf_counter()
    subprocess.run(["curl", "-sSf", "-o", target, *[f"-H{name}: {value}" for name, value in headers.items()], url],
                   check=True)
    return time.perf_counter() - started


def _served_export(stdout, slug: str, headers: dict) -> None:
    """What a nightly job sees: the export fetched with curl from gunicorn, next to
    ``export_dataset -o FILE`` run as its own process (the way an operator runs it)."""
    if shutil.which("curl") is None:
        stdout.write("  over HTTP: skipped (no curl on this machine)")
        return
    with _server() as base, tempfile.TemporaryDirectory(prefix="factmark-bench-") as folder:
        url = f"{base}/api/v1/projects/{slug}/export?format=jsonl&sets=all"
        fetched, written = os.path.join(folder, "api.jsonl"), os.path.join(folder, "command.jsonl")
        _download(url, headers, fetched)  # warm up the worker
        served = min(_download(url, headers, fetched) for _ in range(3))
        command = min(_export_command(slug, written) for _ in range(3))
        same = filecmp.cmp(fetched, written, shallow=False)
    stdout.write(f"  the same fetched with curl from gunicorn (1 worker, DEBUG off): {served:.2f} s; "
                 f"`manage.py export_dataset -o FILE` as its own process: {command:.2f} s: ratio "
                 f"{served / command:.2f} (best of 3; target within 20 %); identical bytes: {same}")


def _span_creates(stdout, client: Client, headers: dict, user) -> None:
    project = _project("bench-api-spans", user, role=Role.ANNOTATOR)
    text = _texts(1, seed=5, chars=20_000)[0]
    manager = get_user_model().objects.create_user("bench-api-manager", password="x")
    project.memberships.create(user=manager, role=Role.MANAGER)
    manager_headers = {"Authorization": f"Bearer {create_token(user=manager, name='bench').secret}"}
    article_id = client.post(f"/api/v1/projects/{project.slug}/articles", json.dumps({"text": text}),
                             content_type="application/json", headers=manager_headers).json()["created"][0]["id"]
    set_id = client.post(f"/api/v1/projects/{project.slug}/articles/{article_id}/set", headers=headers).json()["id"]
    article_text = AnnotationSet.objects.get(pk=set_id).article.text
    labels = ["Claim", "Actor", "Quote", "Cue"]
    times, queries = [], 0
    for n in range(SPAN_CREATES):
        start = 17 * n
        body = json.dumps({"label": labels[n % 4], "start": start, "end": start + 12,
                           "text": article_text[start:start + 12]})
        with QueryCounter() as counter:
            began = time.perf_counter()
            response = client.post(f"/api/v1/sets/{set_id}/spans", body, content_type="application/json",
                                   headers=headers)
            times.append(time.perf_counter() - began)
        assert response.status_code == 201, response.content[:300]
        queries = counter.count
    stdout.write(f"  span create through the API: median {median_ms(times):.1f} ms, 90th percentile "
                 f"{sorted(times)[int(len(times) * 0.9)] * 1000:.1f} ms over {SPAN_CREATES} creates, "
                 f"{queries} SQL queries each (target < 30 ms at the median)")


def run(stdout, **options):
    user = get_user_model().objects.create_user("bench-api", password="x")
    headers = {"Authorization": f"Bearer {create_token(user=user, name='bench').secret}"}
    client = Client()
    stdout.write(f"api ({machine()}): requests through the whole Django stack in this process, with a token")
    with override_settings(FACTMARK_API_RATE=0):
        _adding(stdout, client, headers, user)
        _export(stdout, client, headers, user)
        _span_creates(stdout, client, headers, user)
    stdout.write(f"  load average while measuring: {os.getloadavg()[0]:.1f} (wall times grow when other work shares "
                 "the cores)")
