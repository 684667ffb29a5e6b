"""Small factories for tests: plain functions with sensible defaults."""

import itertools

from django.contrib.auth import get_user_model

from annotator.models import AnnotationSet, Entity, Label, Relation, RelationType, SetStatus, Span
from annotator.schema import install_default_schema
from articles.models import Article, Membership, Project, Role
from articles.text import content_hash, normalise

_counter = itertools.count(1)

SEED_TEXT = (
    "South Korean Foreign Minister Jong Ui Young on Thursday completed his visit to Moscow, the main events "
    "of which were negotiations with his Russian counterpart Sergei Lavrov.\n\n"
    "“Russia and the Republic of Korea are strategic partners,” the South Korean minister said while in Moscow."
)


def make_user(username=None, *, password="factmark", **extra):
    username = username or f"user{next(_counter)}"
    return get_user_model().objects.create_user(username=username, password=password, **extra)


def make_project(*, slug=None, members=(), schema=True, **fields):
    n = next(_counter)
    project = Project.objects.create(name=fields.pop("name", f"Project {n}"), slug=slug or f"project-{n}", **fields)
    if schema:
        install_default_schema(project)
    for user, role in members:
        Membership.objects.create(project=project, user=user, role=role)
    return project


def make_article(project, text=SEED_TEXT, *, external_id=None, title=None, **fields):
    text = normalise(text).text
    return Article.objects.create(
        project=project,
        external_id=external_id or f"a{next(_counter)}",
        title=title or text[:60],
        text=text,
        content_hash=content_hash(text),
        length=len(text),
        **fields,
    )


def make_set(article, user=None, **fields):
    return AnnotationSet.objects.create(article=article, user=user, is_gold=user is None, **fields)


def label(project, name) -> Label:
    return project.labels.get(name=name)


def make_span(annotation_set, label_name, needle, *, occurrence=0, **fields):
    """A span over the ``occurrence``-th appearance of ``needle`` in the article."""
    text = annotation_set.article.text
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    project = annotation_set.article.project
    return Span.objects.create(
        annotation_set=annotation_set,
        label=label(project, label_name),
        start=start,
        end=start + len(needle),
        text=needle,
        **fields,
    )


def make_relation(annotation_set, type_name, source, target):
    project = annotation_set.article.project
    return Relation.objects.create(
        annotation_set=annotation_set,
        type=RelationType.objects.get(project=project, name=type_name),
        source=source,
        target=target,
    )


def make_entity(project, name, **fields):
    return Entity.objects.create(project=project, name=name, **fields)


__all__ = [
    "Role",
    "SEED_TEXT",
    "label",
    "make_article",
    "make_entity",
    "make_project",
    "make_relation",
    "make_set",
    "make_span",
    "make_user",
]


def annotate(article, user, *spans, status=SetStatus.SUBMITTED):
    """A set of ``user`` (None: gold) on ``article`` with ``(label, needle[, attributes])`` spans, in ``status``."""
    annotation_set = make_set(article, user, status=SetStatus.IN_PROGRESS)
    for label_name, needle, *attributes in spans:
        make_span(annotation_set, label_name, needle, attributes=attributes[0] if attributes else {})
    annotation_set.status = status
    annotation_set.save(update_fields=["status"])
    return annotation_set
