"""Workspace speed: a 100,000-character article with 2,000 spans (overlaps included).

Prints the server time to render the workspace, time per span create, bytes of the
span-create response and SQL queries per request.
"""

import random
import statistics
import time

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from annotator.models import AnnotationSet, Span
from annotator.schema import install_default_schema
from articles.models import Article, Membership, Project, Role
from articles.text import content_hash

from .common import QueryCounter, machine, median_ms

WORDS = ("Seoul Moscow minister talks said partners policy Russia Korea sanctions billion budget "
         "ceremony exchange visit cooperation strategy president election region").split()


def build_article(project, *, chars=100_000, seed=1):
    rng = random.Random(seed)
    paragraphs, size = [], 0
    while size < chars:
        sentence_count = rng.randint(3, 7)
        paragraph = " ".join(
            " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 16))).capitalize() + "."
            for _ in range(sentence_count)
        )
        paragraphs.append(paragraph)
        size += len(paragraph) + 2
    text = "\n\n".join(paragraphs)[:chars].rstrip() + "."
    return Article.objects.create(project=project, external_id=f"bench-{seed}", title="Benchmark article",
                                  text=text, content_hash=content_hash(text), length=len(text))


def add_spans(annotation_set, n, *, seed=2):
    rng = random.Random(seed)
    text = annotation_set.article.text
    labels = list(annotation_set.article.project.labels.all())
    spans, seen = [], set()
    while len(spans) < n:
        start = rng.randrange(0, len(text) - 200)
        end = start + rng.randint(3, 180)  # long ones overlap their neighbours
        label = rng.choice(labels)
        if (label.pk, start, end) in seen or text[start:end].strip() != text[start:end]:
            continue
        seen.add((label.pk, start, end))
        spans.append(Span(annotation_set=annotation_set, label=label, start=start, end=end, text=text[start:end]))
    Span.objects.bulk_create(spans)


def run(stdout, *, spans=2000, creates=50, renders=10, **options):
    user = get_user_model().objects.create_user("bench-annotator", password="x")
    project = Project.objects.create(name="Benchmark", slug="bench-workspace")
    install_default_schema(project)
    Membership.objects.create(project=project, user=user, role=Role.ANNOTATOR)
    article = build_article(project)
    annotation_set = AnnotationSet.objects.create(article=article, user=user)
    add_spans(annotation_set, spans)
    client = Client()
    client.force_login(user)
    url = reverse("workspace", args=[project.slug, article.pk])
    client.get(url)  # warm caches, compile templates

    render_times, render_queries = [], 0
    for _ in range(renders):
        with QueryCounter() as counter:
            start = time.perf_counter()
            response = client.get(url)
            render_times.append(time.perf_counter() - start)
        assert response.status_code == 200
        render_queries = counter.count
    page_bytes = len(response.content)
    sent = client.get(url, HTTP_ACCEPT_ENCODING="gzip")  # what a browser receives
    sent_bytes = len(sent.content)

    rng = random.Random(3)
    text = article.text
    label = project.labels.get(name="Claim")
    create_times, sizes, create_queries = [], [], 0
    create_url = reverse("span-create", args=[annotation_set.pk])
    while len(create_times) < creates:
        start = rng.randrange(0, len(text) - 100)
        end = start + rng.randint(5, 60)
        if text[start:end].strip() != text[start:end]:
            continue
        with QueryCounter() as counter:
            t0 = time.perf_counter()
            response = client.post(create_url, {"label": label.pk, "start": start, "end": end,
                                                "text": text[start:end]}, HTTP_HX_REQUEST="true")
            create_times.append(time.perf_counter() - t0)
        assert response.status_code in (200, 201), response.content[:300]
        sizes.append(len(response.content))
        create_queries = counter.count

    total = annotation_set.spans.count()
    stdout.write(f"workspace ({machine()}): article of {len(text):,} characters, {total:,} spans")
    stdout.write(f"  workspace render: median {median_ms(render_times):.0f} ms, "
                 f"best {min(render_times) * 1000:.0f} ms, {render_queries} SQL queries, {page_bytes:,} bytes "
                 f"({sent_bytes:,} gzipped, as browsers receive it)")
    stdout.write(f"  span create: median {median_ms(create_times):.1f} ms, p90 "
                 f"{sorted(create_times)[int(len(create_times) * 0.9)] * 1000:.1f} ms, {create_queries} SQL queries")
    stdout.write(f"  span create response: median {statistics.median(sizes):,.0f} bytes, max {max(sizes):,} bytes")
