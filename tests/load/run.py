"""Load and fault runs against gunicorn with the production settings (README, "Load test").

    .venv/bin/python tests/load/run.py                      # PostgreSQL, 20 annotators, 60 s
    .venv/bin/python tests/load/run.py --fault              # the same, gunicorn killed (SIGKILL) halfway
    .venv/bin/python tests/load/run.py --sqlite --users 3   # the embedded SQLite database

Steps: a fresh database (PostgreSQL ``factmark_load``, or a new SQLite file), migrate,
collectstatic, a project ``load`` with ``--articles`` copies of the seed article and one
user per simulated annotator; gunicorn on 127.0.0.1:PORT; locust headless.  Then the
checks, against the database:

- every span and relation the clients were told was created exists exactly once, with
  the set, label, offsets and text they sent;
- nothing is half-written: every span's text is its article's text at its offsets, has
  its creation event, and every relation joins two spans of its own set;
- no failed request (with --fault: none once the restarted server answers), no
  "database is locked" and no traceback in the server log.

Prints requests, requests/s, failures and latency percentiles; exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
PASSWORD = "load-test-password"
PROJECT = "load"
POSTGRES = os.environ.get("LOAD_POSTGRES", "postgres://postgres@127.0.0.1:5432")
GRACE = 1.0  # seconds after the restarted server first answers, for requests already refused


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--spawn-rate", type=float, default=5)
    parser.add_argument("--duration", type=int, default=60, help="seconds")
    parser.add_argument("--articles", type=int, default=400)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--port", type=int, default=8055)
    parser.add_argument("--fault", action="store_true", help="kill gunicorn with SIGKILL halfway, then restart it")
    parser.add_argument("--sqlite", action="store_true", help="the embedded SQLite database instead of PostgreSQL")
    parser.add_argument("--database", default="factmark_load", help="PostgreSQL database to create (dropped first)")
    parser.add_argument("--out", type=Path, help="folder for the ledger, CSV statistics and logs")
    return parser.parse_args()


# ---------------------------------------------------------------- setting up


def environment(args, out: Path) -> dict:
    env = {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CSRF_TRUSTED_ORIGINS": f"https://127.0.0.1:{args.port}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "LOG_LEVEL": "WARNING",
    }
    if args.sqlite:
        env["SQLITE_PATH"] = str(out / "load.sqlite3")
        env["DATABASE_URL"] = ""
    else:
        env["DATABASE_URL"] = f"{POSTGRES}/{args.database}"
    return env


def fresh_postgres(name: str):
    import psycopg

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def seed(users: int, articles: int):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from annotator.schema import install_default_schema
    from articles.models import Article, Membership, Project, Role
    from articles.text import content_hash, normalise

    seed_text = normalise(sorted((ROOT / "seeds").glob("*.txt"))[0].read_text(encoding="utf-8")).text
    body = seed_text.split("\n", 1)[1].strip() if seed_text.startswith("date ") else seed_text
    project = Project.objects.create(name="Load test", slug=PROJECT, annotators_per_article=2)
    install_default_schema(project)
    texts = [f"Dispatch {n}.\n\n{body}" for n in range(1, articles + 1)]
    Article.objects.bulk_create(
        Article(project=project, external_id=f"load-{n}", title=f"Dispatch {n}", text=text,
                content_hash=content_hash(text), length=len(text))
        for n, text in enumerate(texts, 1)
    )
    hashed = make_password(PASSWORD)
    people = get_user_model().objects.bulk_create(
        get_user_model()(username=f"load{n:02d}", password=hashed) for n in range(1, users + 1)
    )
    Membership.objects.bulk_create(Membership(project=project, user=user, role=Role.ANNOTATOR) for user in people)


def start_gunicorn(args, env, log):
    command = [str(BIN / "gunicorn"), "config.wsgi", "-w", str(args.workers), "-b", f"127.0.0.1:{args.port}",
               "--access-logfile", "-", "--timeout", "30"]
    return subprocess.Popen(command, cwd=ROOT, env=os.environ | env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)


def wait_until_up(port: int, timeout: float = 30) -> float:
    deadline = time.time() + timeout
    request = urllib.request.Request(f"http://127.0.0.1:{port}/login/", headers={"X-Forwarded-Proto": "https"})
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    return time.time()
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise SystemExit(f"gunicorn did not answer on port {port} within {timeout:.0f} s")


def stop(process, sig=signal.SIGTERM):
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        return
    process.wait(timeout=30)


# ---------------------------------------------------------------- checking


def read_ledger(path: Path) -> dict[str, list[dict]]:
    entries: dict[str, list[dict]] = {"span": [], "relation": [], "failure": [], "submitted": []}
    for line in path.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        entries[entry["kind"]].append(entry)
    return entries


def check_database(ledger) -> list[str]:
    from django.db.models import Count, F, Q

    from annotator.models import AnnotationSet, Event, Relation, SetStatus, Span

    problems = []
    spans = {s.pk: s for s in Span.objects.select_related("annotation_set__article")}
    for entry in ledger["span"]:
        span = spans.get(entry["span"])
        if span is None:
            problems.append(f"span {entry['span']} was reported created but does not exist")
            continue
        sent = (entry["set"], entry["label"], entry["start"], entry["end"], entry["text"])
        stored = (span.annotation_set_id, span.label_id, span.start, span.end, span.text)
        if sent != stored:
            problems.append(f"span {span.pk}: sent {sent}, stored {stored}")
    duplicates = (Span.objects.values("annotation_set", "label", "start", "end").annotate(n=Count("id"))
                  .filter(n__gt=1))
    problems += [f"span stored {d['n']} times: {d}" for d in duplicates]
    for entry in ledger["relation"]:
        found = Relation.objects.filter(annotation_set=entry["set"], type=entry["type"], source=entry["source"],
                                        target=entry["target"]).count()
        if found != 1:
            problems.append(f"relation {entry} stored {found} times")

    # Nothing half-written, whether or not a client heard about it.
    for span in spans.values():
        if span.annotation_set.article.text[span.start:span.end] != span.text:
            problems.append(f"span {span.pk}: text does not match its article at {span.start}-{span.end}")
    logged = set(Event.objects.filter(object_type="span", action=Event.Action.CREATE).values_list("object_id",
                                                                                                  flat=True))
    problems += [f"span {pk} has no creation event" for pk in sorted(set(spans) - logged)]
    stray = Relation.objects.filter(~Q(source__annotation_set=F("annotation_set"))
                                    | ~Q(target__annotation_set=F("annotation_set")))
    problems += [f"relation {r.pk} joins spans of another set" for r in stray]
    sets = AnnotationSet.objects.values("article", "user").annotate(n=Count("id")).filter(n__gt=1, user__isnull=False)
    problems += [f"{d['n']} sets for one person and article: {d}" for d in sets]
    for entry in ledger["submitted"]:
        if AnnotationSet.objects.get(pk=entry["set"]).status != SetStatus.SUBMITTED:
            problems.append(f"set {entry['set']} was submitted but is not")
    return problems


def locust_figures(prefix: Path) -> dict:
    with open(f"{prefix}_stats.csv", newline="") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    total = rows["Aggregated"]
    return {
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "rps": float(total["Requests/s"]),
        "median_ms": total["50%"],
        "p95_ms": total["95%"],
        "p99_ms": total["99%"],
        "per_endpoint": {name: (row["Request Count"], row["95%"])
                         for name, row in rows.items() if name != "Aggregated"},
    }


# ---------------------------------------------------------------- the run


def main() -> int:
    args = parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="factmark-load-"))
    out.mkdir(parents=True, exist_ok=True)
    env = environment(args, out)
    os.environ.update(env)
    if not args.sqlite:
        fresh_postgres(args.database)

    import django
    from django.core.management import call_command
    from django.db import connections

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    seed(args.users, args.articles)
    connections.close_all()

    ledger_path = out / "ledger.jsonl"
    ledger_path.write_text("")
    server_log = open(out / "gunicorn.log", "ab")  # shared by both server runs
    server = start_gunicorn(args, env, server_log)
    wait_until_up(args.port)
    print(f"gunicorn up ({args.workers} workers, {'SQLite' if args.sqlite else 'PostgreSQL'}); "
          f"{args.users} annotators for {args.duration} s; files in {out}", flush=True)

    prefix = out / "locust"
    locust_log = open(out / "locust.log", "wb")
    command = [str(BIN / "locust"), "-f", str(Path(__file__).with_name("locustfile.py")), "--headless",
               "-u", str(args.users), "-r", str(args.spawn_rate), "-t", f"{args.duration}s",
               "--host", f"http://127.0.0.1:{args.port}", "--csv", str(prefix), "--only-summary",
               "--exit-code-on-error", "0"]
    clients = {"LOAD_LEDGER": str(ledger_path), "LOAD_PASSWORD": PASSWORD, "LOAD_PROJECT": PROJECT}
    locust = subprocess.Popen(command, cwd=ROOT, env=os.environ | clients, stdout=locust_log, stderr=subprocess.STDOUT)
    killed_at = back_at = None
    if args.fault:
        time.sleep(args.duration / 2)
        killed_at = time.time()
        stop(server, signal.SIGKILL)
        print(f"killed gunicorn (SIGKILL) at {args.duration / 2:.0f} s", flush=True)
        time.sleep(2)
        server = start_gunicorn(args, env, server_log)
        back_at = wait_until_up(args.port)
        print(f"restarted; answering again {back_at - killed_at:.1f} s after the kill", flush=True)
    locust.wait()
    stop(server)
    server_log.close()
    locust_log.close()

    ledger = read_ledger(ledger_path)
    figures = locust_figures(prefix)
    problems = check_database(ledger)
    log = (out / "gunicorn.log").read_text(errors="replace")
    for needle in ("database is locked", "Traceback", "Internal Server Error"):
        if needle in log:
            problems.append(f"server log contains {needle!r} (see {out / 'gunicorn.log'})")
    failures = ledger["failure"]
    if args.fault:
        during = [f for f in failures if f["t"] <= back_at + GRACE]
        after = [f for f in failures if f["t"] > back_at + GRACE]
        problems += [f"failure after the restart: {f}" for f in after]
        if not any(s["t"] > back_at for s in ledger["span"]):
            problems.append("no span was created after the restart")
        print(f"failed requests while the server was down: {len(during)}; after it answered again: {len(after)}")
    else:
        problems += [f"failed request: {f}" for f in failures[:20]]
        if figures["failures"]:
            problems.append(f"locust counted {figures['failures']} failures")

    created = [s for s in ledger["span"] if s["created"]]
    if not created:
        problems.append("no span was created: the clients did no work")
    print(f"requests: {figures['requests']}, {figures['rps']:.1f}/s; failures: {figures['failures']}; "
          f"latency median {figures['median_ms']} ms, p95 {figures['p95_ms']} ms, p99 {figures['p99_ms']} ms")
    for name, (count, p95) in sorted(figures["per_endpoint"].items()):
        print(f"  {name:<28} {count:>6} requests, p95 {p95} ms")
    print(f"spans verified: {len(ledger['span'])} reported ({len(created)} new), relations verified: "
          f"{len(ledger['relation'])}, sets submitted: {len(ledger['submitted'])}")
    if problems:
        print(f"{len(problems)} problem(s):")
        for problem in problems[:50]:
            print("  " + problem)
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
