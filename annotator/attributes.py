"""Label attributes: the types a label's attributes may have, the fact-check rating
scale, the checks on definitions and on values, and the one-per-line text syntax the
Labels page uses.  Plain Python over plain data, without Django: formats and forms use
it without a database, and ``models`` builds on it (never the reverse)."""

from enum import StrEnum


class AttributeType(StrEnum):
    """What an attribute holds: one of a list of choices, yes or no, or free text."""

    CHOICE = "choice"
    BOOL = "bool"
    TEXT = "text"


# The fact-check verdicts of a Claim, from true to the worst; the default choices of
# the Claim label's ``verdict`` and what ClaimReview ratings are numbered against.
RATING_SCALE = ["true", "mostly-true", "half-true", "mostly-false", "false", "pants-on-fire"]


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
        if kind not in tuple(AttributeType):
            errors.append(f"Attribute “{name}” has type {kind!r}; use choice, bool or text.")
        elif kind == AttributeType.CHOICE:
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
        if kind == AttributeType.CHOICE:
            if value not in definition["choices"]:
                options = ", ".join(definition["choices"])
                errors.append(f"“{value}” is not a {name} of {label.name}; choose one of {options}.")
            else:
                cleaned[name] = value
        elif kind == AttributeType.BOOL:
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
        if kind == AttributeType.BOOL:
            spec = "yes/no"
        elif kind == AttributeType.TEXT:
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
                definitions.append({"name": name, "type": AttributeType.CHOICE.value, "choices": choices})
        elif spec.lower() in BOOL_WORDS:
            definitions.append({"name": name, "type": AttributeType.BOOL.value})
        elif spec.lower() in TEXT_WORDS:
            definitions.append({"name": name, "type": AttributeType.TEXT.value})
        else:
            errors.append(f"{where}: after the colon write “yes/no”, “text”, or the choices separated by “|”.")
    if not errors:
        errors = attribute_definition_errors(definitions)
    return definitions, errors


def describe_type(definition) -> str:
    """How a definition's type reads in a sentence."""
    return {"choice": "a choice list", "bool": "yes/no", "text": "free text"}.get(definition.get("type"), "its type")


def attribute_summary(definitions) -> list[tuple[str, list[str]]]:
    """(name, what it holds: its choices, or "yes/no", or "free text") per attribute, for listing a label."""
    rows = []
    for definition in definitions or []:
        kind = definition.get("type")
        if kind == AttributeType.CHOICE:
            rows.append((definition.get("name", ""), list(definition.get("choices") or [])))
        else:
            rows.append((definition.get("name", ""), ["yes/no" if kind == "bool" else "free text"]))
    return rows
