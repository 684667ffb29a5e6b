"""The data migration that moved workflow state out of the event log
(annotator/migrations/0002_workflow_state.py, ``state_from_events``)."""

import importlib

import pytest
from django.apps import apps

from annotator.models import AnnotationSet, EntityMerge, Event, ReviewDecision, SetStatus
from tests.factories import make_entity, make_set

pytestmark = pytest.mark.django_db

migration = importlib.import_module("annotator.migrations.0002_workflow_state")


def event(article, user, action, *, annotation_set=None, object_type="annotationset", object_id=None, data=None):
    return Event.objects.create(
        project=article.project, article=article, annotation_set=annotation_set, user=user, action=action,
        object_type=object_type, object_id=object_id if object_id is not None else getattr(annotation_set, "pk", None),
        data=data or {},
    )


def review_event(article, gold, user, **data):
    return event(article, user, Event.Action.UPDATE, annotation_set=gold, object_type="review", data=data)


def test_review_events_become_one_decision_row_per_item(article, annotator, reviewer, manager):
    gold = make_set(article, None, status=SetStatus.IN_REVIEW)
    review_event(article, gold, reviewer, item="place-1", choice="take", number=1, annotator="ann",
                 gold_spans=[11], kind="place")
    review_event(article, gold, manager, item="place-1", choice="take", number=2, annotator="ann2",
                 gold_spans=[12, 13], kind="place")  # the later decision on the same item wins
    review_event(article, gold, reviewer, item="place-2", choice="drop", number=None, annotator="",
                 gold_spans=[], kind="place")
    review_event(article, gold, reviewer, item="agreed", choice="accept", spans=2, relations=0)
    review_event(article, gold, reviewer, note="no item: not a decision")

    migration.state_from_events(apps, None)

    rows = {r.item: r for r in ReviewDecision.objects.filter(gold_set=gold)}
    assert set(rows) == {"place-1", "place-2", "agreed"}
    taken = rows["place-1"]
    assert (taken.choice, taken.number, taken.annotator, taken.gold_spans, taken.kind, taken.by, taken.version) == (
        "take", 2, "ann2", [12, 13], "place", manager, 1)
    dropped = rows["place-2"]
    assert (dropped.choice, dropped.number, dropped.annotator, dropped.gold_spans, dropped.by) == (
        "drop", None, "", [], reviewer)
    assert rows["agreed"].choice == "accept"


def test_sets_sent_back_and_not_submitted_since_keep_their_reason(article, annotator, other_annotator, reviewer,
                                                                  manager):
    waiting = make_set(article, annotator, status=SetStatus.IN_PROGRESS)
    answered = make_set(article, other_annotator, status=SetStatus.SUBMITTED)
    event(article, reviewer, Event.Action.REOPEN, annotation_set=waiting,
          data={"by": "sent_back", "annotator": "ann", "reason": "Check the verdict."})
    event(article, reviewer, Event.Action.REOPEN, annotation_set=answered,
          data={"by": "sent_back", "annotator": "ann2", "reason": "Old news."})
    event(article, other_annotator, Event.Action.SUBMIT, annotation_set=answered)

    migration.state_from_events(apps, None)

    waiting.refresh_from_db()
    answered.refresh_from_db()
    assert (waiting.sent_back_by, waiting.sent_back_reason, waiting.is_sent_back) == (
        reviewer, "Check the verdict.", True)
    assert waiting.sent_back_at == Event.objects.get(annotation_set=waiting).created_at
    assert (answered.sent_back_at, answered.sent_back_reason) == (None, "")


def test_an_own_reopen_is_not_a_send_back(article, annotator):
    reopened = make_set(article, annotator, status=SetStatus.IN_PROGRESS)
    event(article, annotator, Event.Action.SUBMIT, annotation_set=reopened)
    event(article, annotator, Event.Action.REOPEN, annotation_set=reopened)

    migration.state_from_events(apps, None)

    assert not AnnotationSet.objects.filter(sent_back_at__isnull=False).exists()


def test_entity_merges_become_rows(article, project, manager):
    into = make_entity(project, "Sergei Lavrov")
    event(article, manager, Event.Action.DELETE, object_type="entity", object_id=into.pk + 100,
          data={"merged_into_id": into.pk, "name": "S. Lavrov", "spans": 3})
    event(article, manager, Event.Action.DELETE, object_type="entity", object_id=into.pk + 101,
          data={"name": "Deleted, not merged"})
    event(article, manager, Event.Action.DELETE, object_type="entity", object_id=into.pk + 102,
          data={"merged_into_id": into.pk + 999, "name": "Merged into an entity that is gone"})

    migration.state_from_events(apps, None)

    [merge] = EntityMerge.objects.all()
    assert (merge.project, merge.merged_id, merge.merged_name, merge.into, merge.by, merge.spans) == (
        project, into.pk + 100, "S. Lavrov", into, manager, 3)
