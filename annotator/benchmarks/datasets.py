"""Datasets: export and import of a corpus like the one doccano and Label Studio were measured on.

The corpus: 10,000 articles of about 2,500 characters, each with one submitted set of 20
spans (claims with verdicts, quotes, actors linked to entities, cues) and 6 relations.

Prints, for ``export_dataset --format jsonl -o FILE`` run as a separate process (so the
peak memory is the export's alone): wall time, CPU time, peak RSS and file size; the same
for ``import_dataset`` of that file into a new project; then, optionally, the export of
100,000 articles (90,000 more are generated) and the ratio of the two export peaks. The
children run with DEBUG off, as in production. Wall time depends on what else shares the
cores, so the load average is printed too.

The 100,000-article step takes three to four minutes: it runs when ``run`` gets
``articles=100000`` or the environment variable ``FACTMARK_BENCH_ARTICLES`` is ``100000``
(``FACTMARK_BENCH_ARTICLES=100000 python manage.py benchmark datasets``); otherwise the
command to run it is printed.
"""

from __future__ import annotations

import os
import random
import secrets
import subprocess
import sys
import tempfile
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from annotator.attributes import RATING_SCALE
from annotator.datasets.bulk import ARTICLE_INSERT, RELATION_INSERT, SET_INSERT, SPAN_INSERT, bulk_insert
from annotator.models import AnnotationSet, Entity, Relation, RelationType, SetStatus, Span
from annotator.schema import install_default_schema
from articles.models import Article, Membership, Project, Role
from articles.text import content_hash

from .common import machine, timer

ARTICLES = 10_000
LARGE = 100_000
CHUNK = 1_000
TARGET_CHARS = 2_500
WORDS = ("Seoul Moscow minister talks said partners policy Russia Korea sanctions billion budget ceremony "
         "exchange visit cooperation strategy president election region council agreement summit officials "
         "economy spokesman pipeline border treaty envoy").split()
NAMES = ["Sergei Lavrov", "Jong Ui Young", "Kim In Chol", "Moon Jae-in", "Vladimir Putin", "Kim Jong Un",
         "Antony Blinken", "Wang Yi", "Chung Eui-yong", "Maria Zakharova"]


def _sentences(rng: random.Random, count: int = 400) -> list[tuple[str, list[tuple[int, int]]]]:
    """A pool of sentences, each with the (start, end) of its words."""
    pool = []
    for _ in range(count):
        words = [rng.choice(WORDS) for _ in range(rng.randint(8, 18))]
        words[0] = words[0].capitalize()
        places, offset = [], 0
        for word in words:
            places.append((offset, offset + len(word)))
            offset += len(word) + 1
        pool.append((" ".join(words) + ".", places))
    return pool


def _article(rng: random.Random, pool, number: int):
    """Text, claim/quote places (whole sentences) and word places of one article."""
    parts, sentences, words, size = [], [], [], 0
    while size < TARGET_CHARS:
        sentence, places = rng.choice(pool)
        if parts:
            size += 1 if len(parts) % 5 else 2
            parts.append(" " if len(parts) % 5 else "\n\n")
        sentences.append((size, size + len(sentence) - 1))
        words.extend((size + start, size + end) for start, end in places)
        parts.append(sentence)
        size += len(sentence)
    parts.append(f" (Report {number}.)")
    return "".join(parts), sentences, words


def generate(project, annotator, *, start: int, count: int, seed: int = 7) -> None:
    """Add ``count`` articles (numbered from ``start``) with their sets, spans and relations."""
    rng = random.Random(seed + start)
    pool = _sentences(random.Random(seed))
    labels = {label.name: label.pk for label in project.labels.all()}
    types = {kind.name: kind.pk for kind in RelationType.objects.filter(project=project)}
    entities = list(Entity.objects.filter(project=project).values_list("pk", flat=True))
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    for first in range(start, start + count, CHUNK):
        numbers = range(first, min(first + CHUNK, start + count))
        built = [_article(rng, pool, number) for number in numbers]
        article_ids = bulk_insert(Article, ARTICLE_INSERT, [
            (project.pk, f"bench-{number}", f"Benchmark report {number}", text, "Bench Wire",
             f"https://example.org/report/{number}", None, "", "en", ops.adapt_json_value({}, None),
             content_hash(text), len(text), now) for number, (text, _, _) in zip(numbers, built, strict=True)])
        set_ids = bulk_insert(AnnotationSet, SET_INSERT, [
            (article_id, annotator.pk, False, SetStatus.SUBMITTED, now, now, now) for article_id in article_ids])
        spans = []
        for set_id, (text, sentences, words) in zip(set_ids, built, strict=True):
            chosen = rng.sample(sentences, 9)
            picked = rng.sample(words, 11)
            items = ([("Claim", place, {"verdict": rng.choice(RATING_SCALE), "checkworthy": True}, None)
                      for place in chosen[:5]]
                     + [("Quote", place, {"type": "direct"}, None) for place in chosen[5:]]
                     + [("Actor", place, {"kind": "person"}, rng.choice(entities)) for place in picked[:8]]
                     + [("Cue", place, {}, None) for place in picked[8:]])
            spans.extend((set_id, labels[label], begin, end, text[begin:end], ops.adapt_json_value(attributes, None),
                          entity, "", 1, now, now) for label, (begin, end), attributes, entity in items)
        span_ids = bulk_insert(Span, SPAN_INSERT, spans)
        relations = []
        for number, set_id in enumerate(set_ids):
            base = number * 20
            claim, quote, actor, cue = base, base + 5, base + 9, base + 17
            for kind, source, target in (("said_by", quote, actor), ("said_by", quote + 1, actor + 1),
                                         ("cue", quote, cue), ("cue", quote + 1, cue + 1),
                                         ("claimed_by", claim, actor + 2), ("about", claim + 1, actor + 3)):
                relations.append((set_id, types[kind], span_ids[source], span_ids[target], now))
        bulk_insert(Relation, RELATION_INSERT, relations)


def _database_env() -> dict:
    """Environment that points a child ``manage.py`` at the benchmark database.

    The child runs with DEBUG off, as in production: with DEBUG on, Django keeps the text of
    every query, which would count in both the time and the memory measured.
    """
    env = dict(os.environ, DEBUG="0", SECRET_KEY=os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50))
    data = connection.settings_dict
    if connection.vendor == "sqlite":
        env["SQLITE_PATH"] = str(data["NAME"])
        env.pop("DATABASE_URL", None)
    else:
        auth = data["USER"] + (f":{data['PASSWORD']}" if data["PASSWORD"] else "")
        env["DATABASE_URL"] = f"postgres://{auth}@{data['HOST'] or 'localhost'}:{data['PORT'] or 5432}/{data['NAME']}"
    return env


# Runs a management command, then reports the process's own peak RSS (VmHWM). The rusage
# that wait4 returns would not do: on exec, Linux counts the forking parent's high-water
# mark (here the benchmark process, holding the generated corpus) as the child's.
_CHILD = """
import os, sys
sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
from django.core.management import execute_from_command_line
try:
    execute_from_command_line(["manage.py", *sys.argv[1:]])
finally:
    with open("/proc/self/status") as status:
        peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    sys.stderr.write(f"\\npeak-rss-kb {peak}\\n")
"""


def _measure(*arguments: str) -> tuple[float, float, float]:
    """Run a management command in a child process: wall seconds, CPU seconds, peak RSS in MB."""
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", _CHILD, *arguments], cwd=settings.BASE_DIR,
                             env=_database_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr = child.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    child.stderr.close()
    if child.returncode:
        raise RuntimeError(f"{' '.join(arguments)} failed:\n{stderr}")
    peak_kb = int(stderr.rsplit("peak-rss-kb ", 1)[1].split()[0])
    return seconds, usage.ru_utime + usage.ru_stime, peak_kb / 1024


def run(stdout, *, articles=None, **options):
    """``articles`` (or ``FACTMARK_BENCH_ARTICLES``) at 100,000 adds the large export."""
    articles = int(articles or os.environ.get("FACTMARK_BENCH_ARTICLES") or ARTICLES)
    user_model = get_user_model()
    annotator = user_model.objects.create_user("bench-datasets", password="x")
    project = Project.objects.create(name="Benchmark datasets", slug="bench-datasets", organisation="Bench Checks")
    install_default_schema(project)
    Membership.objects.create(project=project, user=annotator, role=Role.ANNOTATOR)
    Entity.objects.bulk_create([Entity(project=project, name=f"{name} {n}", aliases=[name.split()[-1]])
                                for n in range(30) for name in NAMES])
    with timer() as built:
        generate(project, annotator, start=0, count=min(articles, ARTICLES))
    stdout.write(f"datasets ({machine()}): {min(articles, ARTICLES):,} articles of ~{TARGET_CHARS:,} characters, "
                 f"20 spans and 6 relations each (generated in {built['seconds']:.1f} s)")

    with tempfile.TemporaryDirectory(prefix="factmark-bench-") as folder:
        small = os.path.join(folder, "small.jsonl")
        seconds, cpu, peak = _measure("export_dataset", project.slug, "--format", "jsonl", "-o", small)
        size = os.path.getsize(small) / (1024 * 1024)
        stdout.write(f"  export_dataset --format jsonl, {ARTICLES:,} articles: {seconds:.2f} s ({cpu:.2f} s CPU), "
                     f"peak RSS {peak:.0f} MB, {size:.0f} MB file")
        stdout.write("    (doccano 1.8.4: 47.7 s, 2.09 GB; Label Studio 1.23.2: 16.6 s, 1.06 GB; "
                     "target < 3 s, < 200 MB)")

        target = Project.objects.create(name="Benchmark import", slug="bench-import")
        install_default_schema(target)
        seconds, cpu, peak_import = _measure("import_dataset", target.slug, small, "--format", "jsonl")
        imported = Span.objects.filter(annotation_set__article__project=target).count()
        stdout.write(f"  import_dataset --format jsonl, {ARTICLES:,} articles ({imported:,} spans) into a new "
                     f"project: {seconds:.2f} s ({cpu:.2f} s CPU), peak RSS {peak_import:.0f} MB")
        stdout.write("    (doccano 1.8.4: 50.8 s; Label Studio 1.23.2: 18.8 s; target < 8 s)")
        stdout.write(f"  load average while measuring: {os.getloadavg()[0]:.1f} (wall time grows when other work "
                     "shares the cores; CPU time does not)")

        if articles < LARGE:
            stdout.write(f"  {LARGE:,}-article export: skipped (several minutes); run it with "
                         f"FACTMARK_BENCH_ARTICLES={LARGE} python manage.py benchmark datasets")
            return
        with timer() as built:
            generate(project, annotator, start=ARTICLES, count=LARGE - ARTICLES)
        large = os.path.join(folder, "large.jsonl")
        seconds, cpu, peak_large = _measure("export_dataset", project.slug, "--format", "jsonl", "-o", large)
        size = os.path.getsize(large) / (1024 * 1024)
        stdout.write(f"  export_dataset --format jsonl, {LARGE:,} articles (90,000 more generated in "
                     f"{built['seconds']:.0f} s): {seconds:.1f} s ({cpu:.1f} s CPU), peak RSS {peak_large:.0f} MB, "
                     f"{size:.0f} MB file")
        stdout.write(f"    peak RSS {peak_large / peak:.2f}× the {ARTICLES:,}-article figure (target ≤ 1.3×)")
