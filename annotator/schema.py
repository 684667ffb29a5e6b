"""The default label schema and the checks on label attributes."""

from django.db import transaction

RATING_SCALE = ["true", "mostly-true", "half-true", "mostly-false", "false", "pants-on-fire"]

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


def attribute_definition_errors(definitions) -> list[str]:
    """What is wrong with a label's attribute definitions, as messages."""
    if not isinstance(definitions, list):
        return ["Attributes must be a list of definitions."]
    errors = []
    seen = set()
    for i, definition in enumerate(definitions, 1):
        if not isinstance(definition, dict) or not isinstance(definition.get("name"), str) or not definition["name"]:
            errors.append(f"Attribute {i} needs a name.")
            continue
        name = definition["name"]
        if name in seen:
            errors.append(f"Attribute “{name}” is defined twice.")
        seen.add(name)
        kind = definition.get("type")
        if kind not in ("choice", "bool", "text"):
            errors.append(f"Attribute “{name}” has type {kind!r}; use choice, bool or text.")
        elif kind == "choice":
            choices = definition.get("choices")
            if not isinstance(choices, list) or not choices or not all(isinstance(c, str) and c for c in choices):
                errors.append(f"Attribute “{name}” needs a non-empty list of choices.")
    return errors


def clean_attribute_values(label, values: dict) -> tuple[dict, list[str]]:
    """Check submitted attribute values against ``label``'s definitions.

    Returns the cleaned values (empty values dropped) and error messages.
    """
    if not isinstance(values, dict):
        return {}, ["Attributes must be an object."]
    cleaned, errors = {}, []
    definitions = {d["name"]: d for d in label.attributes or []}
    for name, value in values.items():
        definition = definitions.get(name)
        if definition is None:
            errors.append(f"{label.name} has no attribute “{name}”.")
            continue
        if value in (None, ""):
            continue
        kind = definition["type"]
        if kind == "choice":
            if value not in definition["choices"]:
                options = ", ".join(definition["choices"])
                errors.append(f"“{value}” is not a {name} of {label.name}; choose one of {options}.")
            else:
                cleaned[name] = value
        elif kind == "bool":
            if isinstance(value, bool):
                cleaned[name] = value
            elif value in ("true", "on", "yes", "1"):
                cleaned[name] = True
            elif value in ("false", "off", "no", "0"):
                cleaned[name] = False
            else:
                errors.append(f"{name} must be yes or no.")
        elif isinstance(value, (list, dict)):
            errors.append(f"{name} must be a text, not a list or an object.")
        else:
            cleaned[name] = str(value)[:2000]
    return cleaned, errors


@transaction.atomic
def copy_schema(source, target):
    """Give ``target`` (a new project) the labels and relation types of ``source``."""
    from .models import Label, RelationType

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
    from .models import Label, RelationType

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
# Attributes written as text, one per line, on the managers' Labels page:
#
#     verdict: true | mostly-true | half-true | false
#     checkworthy: yes/no
#     comment: text

BOOL_WORDS = ("yes/no", "yes / no")
TEXT_WORDS = ("text",)


def attributes_as_text(definitions) -> str:
    """A label's attribute definitions in the one-per-line syntax that ``parse_attribute_text`` reads."""
    lines = []
    for definition in definitions or []:
        kind = definition.get("type")
        if kind == "bool":
            spec = "yes/no"
        elif kind == "text":
            spec = "text"
        else:
            choices = definition.get("choices") or []
            # A single choice keeps a trailing bar, so it reads back as a list and not as a type.
            spec = " | ".join(choices) + (" |" if len(choices) == 1 else "")
        lines.append(f"{definition.get('name', '')}: {spec}")
    return "\n".join(lines)


def parse_attribute_text(text: str) -> tuple[list[dict], list[str]]:
    """Attribute definitions from the one-per-line syntax, and messages naming each bad line."""
    definitions, errors = [], []
    for number, raw in enumerate((text or "").splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        name, colon, spec = line.partition(":")
        name, spec = name.strip(), spec.strip()
        where = f"Line {number} (“{line[:60]}”)"
        if not colon or not name:
            errors.append(f"{where}: write it as “name: choice | choice”, “name: yes/no” or “name: text”.")
            continue
        if "|" in spec:
            choices = [choice.strip() for choice in spec.split("|")]
            choices = [choice for choice in choices if choice]
            repeated = sorted({choice for choice in choices if choices.count(choice) > 1})
            if not choices:
                errors.append(f"{where}: list the choices between the bars, e.g. “{name}: yes | no | unsure”.")
            elif repeated:
                errors.append(f"{where}: “{repeated[0]}” is listed twice.")
            else:
                definitions.append({"name": name, "type": "choice", "choices": choices})
        elif spec.lower() in BOOL_WORDS:
            definitions.append({"name": name, "type": "bool"})
        elif spec.lower() in TEXT_WORDS:
            definitions.append({"name": name, "type": "text"})
        else:
            errors.append(f"{where}: after the colon write “yes/no”, “text”, or the choices separated by “|”.")
    if not errors:
        errors = attribute_definition_errors(definitions)
    return definitions, errors


# ---------------------------------------------------------------------------
# Changes to a schema that annotations depend on.  Each function says why a
# change is refused (messages for the person making it), or nothing when it is safe.


def _spans_have(n: int) -> str:
    return "1 span has" if n == 1 else f"{n} spans have"


def _them(n: int) -> str:
    return "it" if n == 1 else "them"


def label_delete_refusal(label) -> str | None:
    """Why ``label`` may not be deleted: spans use it or relation types refer to it."""
    from django.db.models import Q

    from .models import RelationType

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
    from django.db.models import Count
    from django.db.models.fields.json import KeyTextTransform

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


def describe_type(definition) -> str:
    """How a definition's type reads in a sentence."""
    return {"choice": "a choice list", "bool": "yes/no", "text": "free text"}.get(definition.get("type"), "its type")


def attribute_summary(definitions) -> list[tuple[str, list[str]]]:
    """(name, what it holds: its choices, or "yes/no", or "free text") per attribute, for listing a label."""
    rows = []
    for definition in definitions or []:
        kind = definition.get("type")
        if kind == "choice":
            rows.append((definition.get("name", ""), list(definition.get("choices") or [])))
        else:
            rows.append((definition.get("name", ""), ["yes/no" if kind == "bool" else "free text"]))
    return rows
