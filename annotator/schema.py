"""The label schema of a project: the default labels and relation types, copying a
schema to a new project, and why a change that annotations depend on is refused."""

from django.db import transaction
from django.db.models import Count, Q
from django.db.models.fields.json import KeyTextTransform

from .attributes import RATING_SCALE, describe_type
from .models import Label, RelationType

DEFAULT_LABELS = [
    {
        "name": "Claim",
        "key": "c",
        "colour": "#e15759",
        "description": "A checkable statement of fact.",
        "attributes": [
            {"name": "verdict", "type": "choice", "choices": RATING_SCALE},
            {"name": "checkworthy", "type": "bool"},
        ],
    },
    {
        "name": "Actor",
        "key": "a",
        "colour": "#4e79a7",
        "description": "A person, organisation or state; link it to its entity.",
        "attributes": [{"name": "kind", "type": "choice", "choices": ["person", "organisation", "state", "other"]}],
        "links_entity": True,
    },
    {
        "name": "Quote",
        "key": "q",
        "colour": "#59a14f",
        "description": "Words attributed to a speaker.",
        "attributes": [{"name": "type", "type": "choice", "choices": ["direct", "indirect"]}],
    },
    {
        "name": "Cue",
        "key": "u",
        "colour": "#b07aa1",
        "description": "The verb or phrase that introduces a quote (“said”, “according to”).",
        "attributes": [],
    },
]

DEFAULT_RELATION_TYPES = [
    ("said_by", "Quote", "Actor", "Who said the quote"),
    ("cue", "Quote", "Cue", "The words that introduce the quote"),
    ("claimed_by", "Claim", "Actor", "Who makes the claim"),
    ("about", "Claim", "Actor", "Who the claim is about"),
]


@transaction.atomic
def copy_schema(source, target):
    """Give ``target`` (a new project) the labels and relation types of ``source``."""
    labels = {}
    for label in source.labels.order_by("order", "name"):
        labels[label.pk] = Label.objects.create(
            project=target, name=label.name, colour=label.colour, key=label.key, description=label.description,
            attributes=label.attributes, links_entity=label.links_entity, order=label.order,
        )
    for kind in source.relation_types.all():
        RelationType.objects.create(
            project=target, name=kind.name, description=kind.description,
            source_label=labels[kind.source_label_id], target_label=labels[kind.target_label_id],
        )


@transaction.atomic
def install_default_schema(project):
    """Give ``project`` the default labels and relation types it does not have yet."""
    labels = {label.name: label for label in project.labels.all()}
    for order, spec in enumerate(DEFAULT_LABELS):
        if spec["name"] not in labels:
            labels[spec["name"]] = Label.objects.create(
                project=project,
                order=order,
                name=spec["name"],
                key=spec["key"],
                colour=spec["colour"],
                description=spec["description"],
                attributes=spec["attributes"],
                links_entity=spec.get("links_entity", False),
            )
    existing = set(project.relation_types.values_list("name", flat=True))
    for name, source, target, description in DEFAULT_RELATION_TYPES:
        if name not in existing:
            RelationType.objects.create(
                project=project,
                name=name,
                source_label=labels[source],
                target_label=labels[target],
                description=description,
            )


# ---------------------------------------------------------------------------
# Changes to a schema that annotations depend on.  Each function says why a
# change is refused (messages for the person making it), or nothing when it is safe.


def _spans_have(n: int) -> str:
    return "1 span has" if n == 1 else f"{n} spans have"


def _them(n: int) -> str:
    return "it" if n == 1 else "them"


def label_delete_refusal(label) -> str | None:
    """Why ``label`` may not be deleted: spans use it or relation types refer to it."""
    n = label.spans.count()
    types = sorted(
        RelationType.objects.filter(Q(source_label=label) | Q(target_label=label)).values_list("name", flat=True)
    )
    if not (n or types):
        return None
    refer = f"{len(types)} relation type(s) refer to it ({', '.join(types)})"
    if not n:
        return f"The label “{label.name}” was not deleted: {refer}. Delete those relation types first."
    return (
        f"The label “{label.name}” was not deleted: {n} span(s) use it"
        + (f" and {refer}" if types else "")
        + ". Relabel or delete those first."
    )


def relation_type_delete_refusal(relation_type) -> str | None:
    """Why ``relation_type`` may not be deleted: relations of that type exist."""
    n = relation_type.relations.count()
    if not n:
        return None
    return (
        f"The relation type “{relation_type.name}” was not deleted: {n} relation(s) use it. "
        "Delete those relations first."
    )


def label_change_refusals(label, *, attributes, links_entity) -> dict[str, list[str]]:
    """Why the saved ``label`` may not take these attributes / this entity setting.

    Spans of the label keep their values, so an attribute, a choice or an entity link
    that spans use may not be taken away, nor an attribute's type changed under them.
    Returns messages by form field (``attributes``, ``links_entity``); empty when safe.
    A constant number of queries per attribute, whatever the number of spans.
    """
    refusals: dict[str, list[str]] = {}
    if label.pk is None:
        return refusals
    spans = label.spans.all()
    new = {d["name"]: d for d in attributes}
    for old in label.attributes or []:
        name = old.get("name")
        after = new.get(name)
        if after is not None and after["type"] == old.get("type") and old.get("type") != "choice":
            continue
        if after is None or after["type"] != old.get("type"):
            n = spans.filter(attributes__has_key=name).count()
            if not n:
                continue
            if after is None:
                text = f"{_spans_have(n)} a value for “{name}”; clear {_them(n)} first or keep the attribute."
            else:
                text = (
                    f"“{name}” cannot change from {describe_type(old)} to {describe_type(after)}: "
                    f"{_spans_have(n)} a value for it; clear {_them(n)} first or keep its type."
                )
            refusals.setdefault("attributes", []).append(text)
            continue
        removed = [choice for choice in old.get("choices") or [] if choice not in after["choices"]]
        if not removed:
            continue
        # One row per value held (a choice list holds few), not one per span.
        counts = dict(
            spans.filter(attributes__has_key=name)
            .annotate(value=KeyTextTransform(name, "attributes"))
            .values_list("value")
            .annotate(n=Count("id"))
            .order_by()
        )
        for choice in removed:
            if counts.get(choice):
                refusals.setdefault("attributes", []).append(
                    f"{_spans_have(counts[choice])} {name} “{choice}”; "
                    f"change {_them(counts[choice])} first or keep the choice."
                )
    if label.links_entity and not links_entity:
        n = spans.filter(entity__isnull=False).count()
        if n:
            refusals["links_entity"] = [
                f"{_spans_have(n)} a link to an entity; unlink {_them(n)} first or keep “links to an entity” on."
            ]
    return refusals
