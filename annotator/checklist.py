"""What an annotation set still lacks before it is submitted: spans whose required
attributes have no value (a claim without a verdict) and spans without a required
relation (a quote without its speaker).

An attribute is required when its definition in the label schema says
``"required": true``, or when it is a claim's ``verdict``; a relation type is required
of its source spans when it is named in ``REQUIRED_RELATIONS``.  Two queries.
"""

from __future__ import annotations

from .models import Relation, RelationType, Span

REQUIRED_ATTRIBUTES = {"verdict"}
REQUIRED_RELATIONS = {"said_by"}
SHOWN = 30  # items listed; the count says how many there are


def _required_attributes(label) -> list[str]:
    return [
        d["name"] for d in label.attributes or []
        if d.get("required") or d.get("name") in REQUIRED_ATTRIBUTES
    ]


def submit_checklist(annotation_set, labels, relation_types: list[RelationType]) -> list[dict]:
    """One item per span that lacks something: ``span`` (id, text), ``label`` and
    ``missing`` (what it lacks, in words), in text order."""
    required_attributes = {label.pk: _required_attributes(label) for label in labels}
    names = {label.pk: label.name for label in labels}
    required_types = [t for t in relation_types if t.name in REQUIRED_RELATIONS]
    spans = list(
        Span.objects.filter(annotation_set=annotation_set).only("id", "label_id", "start", "end", "text", "attributes")
        .order_by("start", "-end", "id")
    )
    linked = set()
    if required_types:
        relations = Relation.objects.filter(annotation_set=annotation_set, type__in=required_types)
        linked = set(relations.values_list("source_id", "type_id"))
    items = []
    for span in spans:
        missing = [name for name in required_attributes.get(span.label_id, []) if not span.attributes.get(name)]
        missing += [
            t.name.replace("_", " ") for t in required_types
            if t.source_label_id == span.label_id and (span.pk, t.pk) not in linked
        ]
        if missing:
            items.append({"span": span, "label": names.get(span.label_id, ""), "missing": " and ".join(missing)})
    return items
