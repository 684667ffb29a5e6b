"""Whether a record's annotation sets fit the project's schema: the checking pass for sets, spans
and relations. Each set has one owner (an annotator, the default annotator when the file names
none, or gold; a gold set's ``submitted`` becomes ``done``) and a known status. Each span has a
text note, a place no other span of its label holds, attribute values its label defines, and
links to an entity only when its label does; a project that forbids overlaps gets none. Each
relation links two distinct spans of its set once, with the labels its type links. Labels and
relation types outside the schema are collected with their first use and a count:
:meth:`AnnotationChecker.check_schema` refuses them at the end of the file, or, with
``add_labels``, plans them (a label's attribute definitions inferred from the values seen, a
relation type taking the labels of its first use) and checks their spans' values then.
"""

from __future__ import annotations

from collections.abc import Callable

from articles.text import unstorable, unstorable_at

from ..attributes import clean_attribute_values
from ..formats.common import FormatError, quote
from ..models import Entity, Label, SetStatus
from ..suggestions.importing import is_machine, machine_scores
from .plan import PlannedSet, PlannedSpan
from .values import UNSTORABLE, infer_attributes

SET_STATUSES = tuple(SetStatus.values)


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


class AnnotationChecker:
    """Checks the sets of every record against the project's schema, remembering what it lacks.

    Problems of one record go to the ``error`` callback each check is given; problems found
    for the file as a whole (and values of a list or an object in spans of a missing label)
    go straight to ``errors``, the list shared with the record checker.
    """

    def __init__(self, project, *, add_labels: bool, default_annotator: str | None, errors: list[FormatError],
                 as_suggestions: bool = False, source_name: str = "upload"):
        self.project = project
        # Sets for the suggestion layer: every set (as_suggestions), and those the file leaves without an
        # annotator when the import names none (docs/design.md, rule 9: no fake user).
        self.as_suggestions = as_suggestions
        self.source_name = source_name[:100] or "upload"
        self.kb_names: set[str] | None = None
        self.anonymous = 0  # sets without an annotator that went to the suggestion layer
        self.add_labels = add_labels
        self.default_annotator = default_annotator
        self.errors = errors
        self.labels = {label.name: label for label in project.labels.all()}
        self.types = {kind.name: kind for kind in project.relation_types.select_related("source_label",
                                                                                          "target_label")}
        self.type_ends = {name: (kind.source_label.name, kind.target_label.name) for name, kind in self.types.items()}
        self.missing_labels: dict[str, dict] = {}
        self.missing_types: dict[str, dict] = {}
        self.deferred: list[tuple[str, PlannedSpan, str]] = []  # spans of new labels: location, span, where
        self.annotators: dict[str, None] = {}
        self.cleaned: dict[tuple[str, str], tuple[dict, list[str]]] = {}

    def sets(self, record: dict, location: str, entity_names: dict, error: Callable[[str], None]) -> list[PlannedSet]:
        sets: list[PlannedSet] = []
        owners: set[str | None] = set()  # annotator names, None for gold
        annotations = record.get("annotations") or []
        several = len(annotations) > 1
        for number, data in enumerate(annotations, 1):
            in_set = f" in set {number}" if several else ""
            if self._machine(data):
                sets.append(self._machine_set(data, location, in_set, entity_names, error))
                continue
            gold = data.get("gold", False)
            if not isinstance(gold, bool):
                error(f"set {number}: gold must be true or false")
                continue
            annotator = None
            if not gold:
                annotator = data.get("annotator") or self.default_annotator
                if not isinstance(annotator, str) or len(annotator) > 150 or unstorable(annotator):
                    error(f"set {number}: the annotator must be a name of at most 150 characters")
                    continue
            status = data.get("status") or SetStatus.SUBMITTED
            if status not in SET_STATUSES:
                error(f"set {number}: status {status!r} is not one of {', '.join(SET_STATUSES)}")
                continue
            if gold and status == SetStatus.SUBMITTED:
                status = SetStatus.DONE
            if annotator in owners:
                error(f"set {number}: a second {'gold set' if gold else f'set of {annotator!r}'} for this article")
                continue
            owners.add(annotator)
            spans = self._spans(data, location, in_set, entity_names, error)
            relations = self._relations(data, spans, in_set, error)
            if annotator is not None:
                self.annotators[annotator] = None
            sets.append(PlannedSet(annotator=annotator, status=status, spans=list(spans.values()),
                                   relations=relations))
        return sets

    def _machine(self, data: dict) -> bool:
        anonymous = not data.get("gold") and not data.get("annotator") and self.default_annotator is None
        if anonymous and not self.as_suggestions and not is_machine(data):
            self.anonymous += 1
        return self.as_suggestions or is_machine(data) or anonymous

    def _machine_set(self, data: dict, location: str, in_set: str, entity_names: dict,
                     error: Callable[[str], None]) -> PlannedSet:
        """A set of machine output, checked like any set, for the suggestion layer."""
        if self.kb_names is None:
            self.kb_names = set(Entity.objects.filter(project=self.project).values_list("name", flat=True))
        spans = self._spans(data, location, in_set, entity_names, error, overlaps=True)
        relations = self._relations(data, spans, in_set, error)
        scores, problems = machine_scores(data, self.source_name, self.kb_names | set(entity_names.values()))
        for problem in problems:
            error(f"{problem}{in_set}")
        relation_scores = {(item.get("type"), item.get("source"), item.get("target")): item.get("score")
                           for item in data.get("relations") or []}
        return PlannedSet(annotator=None, status=SetStatus.SUBMITTED, spans=list(spans.values()),
                          relations=relations, source=self.source_name,
                          machine={"spans": scores, "relations": relation_scores})

    def _spans(self, data: dict, location: str, in_set: str, entity_names: dict,
               error: Callable[[str], None], overlaps: bool = False) -> dict[int, PlannedSpan]:
        spans: dict[int, PlannedSpan] = {}
        places: dict[tuple, int] = {}
        labels = self.labels
        for item in data.get("spans") or []:
            file_id, note = item["id"], item.get("note") or ""
            span = PlannedSpan(file_id, item["label"], item["start"], item["end"], item["text"],
                               item.get("attributes") or {}, entity_names.get(item.get("entity")), note)
            if not isinstance(note, str):
                error(f"span {file_id}{in_set}: note must be text")
                continue
            if note and unstorable_at(note) is not None:
                error(f"span {file_id}{in_set}: note {UNSTORABLE}")
                continue
            place = (span.label, span.start, span.end)
            if place in places:
                error(f"span {file_id}{in_set}: same label and place as span {places[place]}")
                continue
            places[place] = file_id
            label = labels.get(span.label)
            if label is None:
                self._missing_label(span, location, f"span {file_id}{in_set}")
            else:
                if span.entity is not None and not label.links_entity:
                    error(f"span {file_id}{in_set}: {label.name} spans do not link to entities")
                span.attributes, problems = self._clean(label, span.attributes)
                for problem in problems:
                    error(f"span {file_id}{in_set}: {problem}")
            spans[file_id] = span
        if not self.project.allow_overlap and not overlaps:  # suggestions may overlap: they are no set
            self._check_overlaps(spans, in_set, error)
        return spans

    @staticmethod
    def _check_overlaps(spans: dict[int, PlannedSpan], in_set: str, error: Callable[[str], None]) -> None:
        reach = None
        for span in sorted(spans.values(), key=lambda s: (s.start, s.end)):
            if reach is not None and span.start < reach.end:
                error(f"span {span.file_id}{in_set} overlaps span {reach.file_id}; this project does not "
                      "allow overlapping spans")
            if reach is None or span.end > reach.end:
                reach = span

    def _clean(self, label, values: dict) -> tuple[dict, list[str]]:
        """:func:`clean_attribute_values`, once per label and distinct values (they repeat a lot)."""
        key = (label.name, repr(values))  # JSON values: repr tells True, 1 and "1" apart
        if key not in self.cleaned:
            cleaned, problems = clean_attribute_values(label, values)
            if unstorable(cleaned):
                problems = [*problems, f"attributes {UNSTORABLE}"]
            self.cleaned[key] = cleaned, problems
        return self.cleaned[key]

    def _missing_label(self, span: PlannedSpan, location: str, where: str) -> None:
        missing = self.missing_labels.setdefault(span.label, {"count": 0, "first": location,
                                                              "links_entity": False, "values": {}})
        missing["count"] += 1
        missing["links_entity"] |= span.entity is not None
        if isinstance(span.attributes, dict):
            for name, value in span.attributes.items():
                if isinstance(value, (list, dict)):
                    self.errors.append(FormatError(location, f"{where}: attribute {quote(name)} holds a list or an "
                                                             "object; an attribute holds a text, a number or yes/no"))
                elif value not in (None, ""):
                    missing["values"].setdefault(name, []).append(value)
            # Reported once, here: the label made from the others has no such attribute to check it against.
            span.attributes = {k: v for k, v in span.attributes.items() if not isinstance(v, (list, dict))}
        self.deferred.append((location, span, where))

    def _relations(self, data: dict, spans: dict[int, PlannedSpan], in_set: str,
                   error: Callable[[str], None]) -> list[tuple[str, int, int]]:
        relations, seen = [], set()
        for item in data.get("relations") or []:
            kind, source_id, target_id = item.get("type"), item.get("source"), item.get("target")
            source, target = spans.get(source_id), spans.get(target_id)
            if source is None or target is None:
                continue  # a span refused above
            relation = (kind, source_id, target_id)
            if source_id == target_id:
                error(f"relation {kind} {source_id}→{target_id}{in_set}: a span cannot be linked to itself")
                continue
            if relation in seen:
                error(f"relation {kind} {source_id}→{target_id}{in_set}: the same relation twice")
                continue
            seen.add(relation)
            known = self.types.get(kind)
            if known is None:
                missing = self.missing_types.get(kind)
                if missing is None:
                    missing = self.missing_types[kind] = {"count": 0, "source": source.label, "target": target.label,
                                                          "first": f"relation {kind} {source_id}→{target_id}{in_set}"}
                missing["count"] += 1
                expected = (missing["source"], missing["target"])
            else:
                expected = self.type_ends[kind]
            if (source.label, target.label) != expected:
                error(f"relation {kind} {source_id}→{target_id}{in_set}: {kind} links {expected[0]} to {expected[1]} "
                      f"spans, not {source.label} to {target.label}")
                continue
            relations.append(relation)
        return relations

    # ---- the whole file

    def check_schema(self) -> None:
        """Refuses the labels and relation types the schema lacks, or (``add_labels``) plans them."""
        if self.missing_labels and not self.add_labels:
            listed = ", ".join(f"{name} ({plural(info['count'], 'span')}, first at {info['first']})"
                               for name, info in self.missing_labels.items())
            self.errors.append(FormatError("schema", f"labels not in the project's schema: {listed}. Add them "
                                                     "to the project, or import with “add missing labels”"))
        if self.missing_types and not self.add_labels:
            listed = ", ".join(f"{name} ({plural(info['count'], 'relation')}, first at {info['first']})"
                               for name, info in self.missing_types.items())
            self.errors.append(FormatError("schema", f"relation types not in the project's schema: {listed}. "
                                                     "Add them to the project, or import with “add missing "
                                                     "labels”"))
        if not self.add_labels:
            return
        for name, info in self.missing_labels.items():
            if len(name) > 60 or unstorable(name):
                self.errors.append(FormatError(info["first"], f"label {name[:40]!r} is not a name: at most 60 "
                                                              "characters that can be stored"))
            info["label"] = Label(project=self.project, name=name, links_entity=info["links_entity"],
                                  attributes=infer_attributes(info["values"]))
        for name, info in self.missing_types.items():
            if len(name) > 60 or unstorable(name):
                self.errors.append(FormatError(info["first"], f"relation type {name[:40]!r} is not a name: at "
                                                              "most 60 characters that can be stored"))
        for location, span, where in self.deferred:
            label = self.missing_labels[span.label].get("label")
            if label is None:
                continue
            span.attributes, problems = self._clean(label, span.attributes)
            self.errors.extend(FormatError(location, f"{where}: {problem}") for problem in problems)
