"""Suggestions: the recommenders over one article of 10,000 characters with a knowledge base of 10,000
entities × 5 aliases (target under 50 ms), and ``suggest`` over N articles stored in the database (the
rate, and what it means for 10,000 articles; target under 60 s)."""

from __future__ import annotations

import random
import statistics
import time

from annotator.models import Entity
from annotator.schema import install_default_schema
from annotator.suggestions.common import KnownEntity
from annotator.suggestions.engine import Recommenders
from annotator.suggestions.store import suggest_articles
from articles.models import Article, Project
from articles.text import content_hash

from .common import QueryCounter, machine, peak_rss_mb

SYLLABLES = ("kim jong ui young moon jae in chol sung ho park lee min jun seo yeon ha na"
             " ser gei lav rov ana to li vla di mir ole na iva nov pet ro va").split()
FILLER = ("the talks in the capital went on for three days while the delegations discussed trade energy "
          "and security in the region according to officials who asked not to be named").split()
CUES = ("said", "told reporters", "added", "stated")


def _name(rng: random.Random) -> str:
    return " ".join("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 2))).capitalize()
                    for _ in range(rng.randint(2, 3)))


def knowledge_base(count: int, aliases: int, seed: int = 7) -> list[KnownEntity]:
    rng = random.Random(seed)
    seen: set[str] = set()
    entities = []
    while len(entities) < count:
        name = _name(rng)
        if name in seen:
            continue
        seen.add(name)
        entities.append(KnownEntity(len(entities) + 1, name, [_name(rng) for _ in range(aliases)]))
    return entities


def article_text(entities: list[KnownEntity], chars: int, seed: int) -> str:
    """News-like text: sentences with names, figures, quotes with cues, in paragraphs."""
    rng = random.Random(seed)
    parts, size = [], 0
    while size < chars:
        sentence = " ".join(rng.choice(FILLER) for _ in range(rng.randint(8, 18))).capitalize()
        name = rng.choice(entities).name
        kind = rng.random()
        if kind < 0.25:
            sentence = f"“{sentence},” {rng.choice(CUES)} {name}."
        elif kind < 0.45:
            sentence = f"{name} said the budget rose by {rng.randint(2, 90)} percent to ${rng.randint(1, 900)} billion."
        else:
            sentence = f"{sentence} with {name}."
        parts.append(sentence + ("\n\n" if rng.random() < 0.2 else " "))
        size += len(parts[-1])
    return "".join(parts)[:chars].rstrip()


def run(stdout, **options):
    stdout.write(f"Suggestions ({machine()})")
    entities = knowledge_base(10_000, 5)
    started = time.perf_counter()
    recommenders = Recommenders.build(entities=entities)
    built = time.perf_counter() - started
    text = article_text(entities, 10_000, seed=1)
    samples, cpu_samples = [], []
    for _ in range(20):
        started, cpu = time.perf_counter(), time.process_time()
        result = recommenders.run(text)
        samples.append(time.perf_counter() - started)
        cpu_samples.append(time.process_time() - cpu)
    counts = ", ".join(f"{name} {count}" for name, count in sorted(result.counts.items()))
    stdout.write(f"  knowledge base of {len(entities):,} entities × 5 aliases built in {built * 1000:.0f} ms")
    stdout.write(f"  one article of {len(text):,} characters: {statistics.median(samples) * 1000:.1f} ms median "
                 f"({statistics.median(cpu_samples) * 1000:.1f} ms of CPU; target < 50 ms);"
                 f" {len(result.proposals)} suggestions ({counts})")

    count = options.get("articles") or 1_000
    project = Project.objects.create(name="Suggestion benchmark", slug="suggest-bench")
    install_default_schema(project)
    Entity.objects.bulk_create([Entity(project=project, name=e.name, aliases=e.aliases) for e in entities[:2_000]],
                               batch_size=1_000)
    texts = [article_text(entities[:2_000], 3_000, seed=n) for n in range(count)]
    Article.objects.bulk_create([Article(project=project, external_id=f"a{n}", title=f"Article {n}", text=t,
                                         content_hash=content_hash(t), length=len(t)) for n, t in enumerate(texts)],
                                batch_size=500)
    with QueryCounter() as queries:
        started, cpu = time.perf_counter(), time.process_time()
        report = suggest_articles(project)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    rate = report.articles / elapsed if elapsed else 0
    stdout.write(f"  suggest over {report.articles:,} articles of 3,000 characters (knowledge base 2,000 × 5): "
                 f"{elapsed:.1f} s ({cpu:.1f} s of CPU), {rate:,.0f} articles/s, {queries.count:,} queries, "
                 f"{sum(report.counts.values()):,} suggestions; 10,000 articles ≈ {10_000 / rate:.0f} s "
                 f"(target < 60 s); peak memory {peak_rss_mb():.0f} MB")
    started = time.perf_counter()
    again = suggest_articles(project)
    stdout.write(f"  suggest again with nothing stale: {time.perf_counter() - started:.2f} s "
                 f"({again.fresh:,} articles fresh)")
