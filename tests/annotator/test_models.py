"""The database itself refuses bad rows, whatever code writes them."""

import pytest
from django.db import IntegrityError, transaction

from annotator.models import AnnotationSet, Span
from articles.models import Article, Membership, Role
from tests.factories import label, make_article, make_set, make_span

pytestmark = pytest.mark.django_db


def refused(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_span_offsets_must_be_ordered(project, article, annotator):
    annotation_set = make_set(article, annotator)
    actor = label(project, "Actor")
    refused(lambda: Span.objects.create(annotation_set=annotation_set, label=actor, start=5, end=5, text=""))
    refused(lambda: Span.objects.create(annotation_set=annotation_set, label=actor, start=9, end=4, text="x"))


def test_one_span_per_set_label_and_place(project, article, annotator):
    annotation_set = make_set(article, annotator)
    make_span(annotation_set, "Actor", "Sergei Lavrov")
    refused(lambda: make_span(annotation_set, "Actor", "Sergei Lavrov"))
    make_span(annotation_set, "Claim", "Sergei Lavrov")  # another label on the same text is fine
    assert annotation_set.spans.count() == 2


def test_external_id_unique_in_project(project, article):
    refused(lambda: make_article(project, "Other text.", external_id=article.external_id))


def test_article_text_may_not_be_empty(project):
    refused(lambda: Article.objects.create(project=project, external_id="x", title="t", text="", content_hash="",
                                           length=0))


def test_one_membership_per_project_and_user(project, annotator):
    refused(lambda: Membership.objects.create(project=project, user=annotator, role=Role.MANAGER))


def test_role_must_be_known(project, outsider):
    refused(lambda: Membership.objects.create(project=project, user=outsider, role="owner"))


def test_one_set_per_article_and_user_and_one_gold(article, annotator):
    make_set(article, annotator)
    refused(lambda: make_set(article, annotator))
    make_set(article, None)
    refused(lambda: make_set(article, None))


def test_gold_set_has_no_user_and_user_set_is_not_gold(article, annotator):
    refused(lambda: AnnotationSet.objects.create(article=article, user=annotator, is_gold=True))
    refused(lambda: AnnotationSet.objects.create(article=article, user=None, is_gold=False))


def test_relation_not_to_itself(project, article, annotator):
    from tests.factories import make_relation

    annotation_set = make_set(article, annotator)
    quote = make_span(annotation_set, "Quote", "Russia and the Republic of Korea")
    refused(lambda: make_relation(annotation_set, "cue", quote, quote))


def test_label_of_span_cannot_be_deleted_under_it(project, article, annotator):
    make_span(make_set(article, annotator), "Actor", "Sergei Lavrov")
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        label(project, "Actor").delete()
