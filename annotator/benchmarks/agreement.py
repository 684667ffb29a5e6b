"""Agreement speed: 1,000 articles × 3 annotators × 20 spans (the synthetic corpus).

Prints the time of the metrics alone (``project_agreement`` over plain data) and
of the whole path the ``agreement`` command takes: load the submitted sets and
their spans from the database, then compute. Also the progress dashboard and the
agreement page on that project, with their SQL query counts.
"""

import time
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from annotator.agreement import project_agreement
from annotator.agreement.load import agreement_articles, agreement_report
from annotator.models import AnnotationSet, SetStatus, Span
from annotator.schema import install_default_schema
from articles.models import Article, Membership, Project, Role
from articles.text import content_hash

from .agreement_corpus import benchmark_corpus
from .common import QueryCounter, machine, median_ms

ROUNDS = 3


def build_project(corpus, *, slug="bench-agreement"):
    """The corpus in the database: every set submitted, spans with their text and attributes."""
    users = {}
    project = Project.objects.create(name="Agreement benchmark", slug=slug, annotators_per_article=3)
    install_default_schema(project)
    labels = {label.name: label for label in project.labels.all()}
    names = sorted({name for article in corpus for name in article.sets})
    for name in names:
        users[name] = get_user_model().objects.create_user(f"bench-{name}", password="x")
        Membership.objects.create(project=project, user=users[name], role=Role.ANNOTATOR)
    articles = Article.objects.bulk_create(
        [
            Article(project=project, external_id=f"bench-{i}", title=f"Benchmark article {i}", text=item.text,
                    content_hash=content_hash(item.text), length=len(item.text))
            for i, item in enumerate(corpus)
        ],
        batch_size=500,
    )
    sets = AnnotationSet.objects.bulk_create(
        [
            AnnotationSet(article=article, user=users[name], status=SetStatus.SUBMITTED)
            for article, item in zip(articles, corpus, strict=True)
            for name in sorted(item.sets)
        ],
        batch_size=1000,
    )
    spans, seen = [], set()
    position = 0
    for item in corpus:
        for name in sorted(item.sets):
            annotation_set = sets[position]
            position += 1
            for ref in item.sets[name]:
                place = (annotation_set.pk, ref.label, ref.start, ref.end)
                if place in seen:  # the database keeps one span per label and place
                    continue
                seen.add(place)
                spans.append(Span(annotation_set=annotation_set, label=labels[ref.label], start=ref.start,
                                  end=ref.end, text=item.text[ref.start:ref.end], attributes=dict(ref.attributes)))
    Span.objects.bulk_create(spans, batch_size=2000)
    return project, len(spans)


@dataclass
class Timing:
    wall: list[float]
    cpu: list[float]
    result: object
    queries: int  # SQL queries of one round

    def summary(self) -> str:
        return (f"median {median_ms(self.wall):.0f} ms, best {min(self.wall) * 1000:.0f} ms "
                f"(CPU median {median_ms(self.cpu):.0f} ms)")


def timed(function, rounds=ROUNDS) -> Timing:
    wall, cpu, result, queries = [], [], None, 0
    for _ in range(rounds):
        with QueryCounter() as counter:
            start, start_cpu = time.perf_counter(), time.process_time()
            result = function()
            wall.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        queries = counter.count
    return Timing(wall, cpu, result, queries)


def page(client, url) -> Timing:
    def get():
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        return response

    client.get(url)  # compile templates
    return timed(get)


def run(stdout, *, n_articles=1000, annotators=3, spans=20, **options):
    corpus = benchmark_corpus(n_articles=n_articles, annotators=annotators, spans=spans)
    n_spans = sum(len(s) for article in corpus for s in article.sets.values())
    stdout.write(f"agreement ({machine()}): {n_articles:,} articles × {annotators} annotators, "
                 f"{n_spans:,} spans ({n_spans / n_articles / annotators:.1f} per set)")

    pure = timed(lambda: project_agreement(corpus))
    stdout.write(f"  metrics alone (project_agreement over plain data): {pure.summary()}")

    start = time.perf_counter()
    project, stored = build_project(corpus)
    stdout.write(f"  stored {stored:,} spans with bulk_create in {time.perf_counter() - start:.1f} s")

    load = timed(lambda: agreement_articles(project))
    assert len(load.result) == n_articles
    stdout.write(f"  load from the database: {load.summary()}, {load.queries} SQL queries")
    full = timed(lambda: agreement_report(project))
    assert full.result["articles"] == n_articles
    stdout.write(f"  database + metrics (what `agreement` computes): {full.summary()}, {full.queries} SQL queries")

    reviewer = get_user_model().objects.create_user("bench-reviewer", password="x")
    Membership.objects.create(project=project, user=reviewer, role=Role.REVIEWER)
    client = Client()
    client.force_login(reviewer)
    for name, url in (("progress dashboard", reverse("dashboard", args=[project.slug])),
                      ("agreement page, cached", reverse("agreement", args=[project.slug]))):
        timing = page(client, url)
        stdout.write(f"  {name}: {timing.summary()}, {timing.queries} SQL queries")

    def recomputed():
        cache.clear()  # as after any change to the project's annotations
        return client.get(reverse("agreement", args=[project.slug]))

    timing = timed(recomputed)
    stdout.write(f"  agreement page, first visit after a change: {timing.summary()}, {timing.queries} SQL queries")
