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
        else:
            cleaned[name] = str(value)[:2000]
    return cleaned, errors


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
