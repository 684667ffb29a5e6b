"""WebAnno TSV 3.x, reading one file: its text, one annotation set and the entities it links.

:class:`TsvReader` reads the file line by line, one method per line kind (the format
line, a layer declaration, a sentence header, a token or sub-token line), and one method
per layer kind for the annotation columns of a token line (span, relation, chain). When
every line is read it rebuilds the text from the ``#Text`` lines at the offsets of each
sentence's first token, turns the UTF-16 offsets into code points, and resolves what the
columns point at: multi-unit annotations joined by their ``[n]`` ids, relation ends, chain
links. Every problem is recorded with the file and line; a file with any problem yields
no record. The mapping is in the package docstring.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..common import FormatError, Utf16Offsets, make_entity, make_relation, make_span, quote
from .escaping import ends_unescaped, split_unescaped, unescape_text, unescape_value

FORMAT = re.compile(r"#FORMAT=WebAnno TSV 3(?:\.[0-9]+)?")
_UNIT_ID = re.compile(r"([0-9]{1,9})-([0-9]{1,9})(?:\.([0-9]{1,9}))?")
_OFFSETS = re.compile(r"([0-9]{1,10})-([0-9]{1,10})")
_SUFFIX = re.compile(r"(.*)\[([0-9]{1,9}(?:_[0-9]{1,9})?)\]", re.S)
_CHAIN_LINK = re.compile(r"(.*)->([0-9]{1,9})-([0-9]{1,9})", re.S)
_REFERENCE = re.compile(r"([0-9]{1,9}-[0-9]{1,9}(?:\.[0-9]{1,9})?)(?:\[([0-9]{1,9})_([0-9]{1,9})\])?")
_WIKIDATA = re.compile(r"(?:https?://)?(?:www\.)?wikidata\.org/(?:entity|wiki)/(Q[0-9]+)")
_FACTMARK = re.compile(r"factmark:entity/([0-9]{1,18})")

# Features that name a span's label or a relation's type, the first found in this order;
# a layer without any of them labels its annotations with its own short name.
LABEL_FEATURES = ("value", "label", "type", "tag", "PosValue", "DependencyType")
IDENTIFIER = "identifier"  # NamedEntity's knowledge-base link: an entity link in Factmark
LAYER_PREFIXES = {"#T_SP=": "span", "#T_RL=": "relation", "#T_CH=": "chain"}
NULL_COLUMN, NULL_VALUE = "_", "*"


@dataclass
class Column:
    name: str
    role: str  # feature, placeholder, base, slot_role, slot_target, chain_type, chain_link


@dataclass(eq=False)
class Layer:
    kind: str  # span, relation, chain
    name: str
    columns: list[Column]
    location: str
    base: str | None = None  # a relation layer's BT_ type

    @property
    def short_name(self) -> str:
        return self.name.rsplit(".", 1)[-1] or self.name

    @property
    def label_feature(self) -> str | None:
        """The feature that names an annotation's label (a relation's type): the first of
        ``LABEL_FEATURES`` the layer has; on a relation layer without one, its first feature."""
        names = [column.name for column in self.columns if column.role == "feature"]
        found = next((name for name in LABEL_FEATURES if name in names), None)
        if found is None and self.kind == "relation" and names:
            return names[0]
        return found


@dataclass(eq=False)
class Unit:
    key: str  # "1-3" (sentence 1, token 3) or "1-3.1" (its first sub-token)
    begin: int  # UTF-16 offsets as in the file; code points once the text is known
    end: int
    text: str
    location: str
    start: int = -1  # code points
    stop: int = -1


@dataclass(eq=False)
class Annotation:
    layer: Layer
    location: str
    units: list[Unit] = field(default_factory=list)
    features: dict[str, str | None] = field(default_factory=dict)
    span: dict | None = None

    def add(self, unit: Unit) -> None:
        if not self.units or self.units[-1] is not unit:
            self.units.append(unit)


@dataclass
class RelationLine:
    layer: Layer
    unit: Unit
    location: str
    features: dict[str, str | None] = field(default_factory=dict)
    source: str | None = None
    ids: tuple[int, int] = (0, 0)


@dataclass
class Sentence:
    location: str
    lines: list[str] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def _value(raw: str) -> str | None:
    return None if raw == NULL_VALUE else unescape_value(raw)


def _suffix(entry: str) -> tuple[str, str | None]:
    """A stacked value without its ``[n]`` or ``[n_m]`` suffix, and the suffix."""
    match = _SUFFIX.fullmatch(entry)
    if match and ends_unescaped(match.group(1)):
        return match.group(1), match.group(2)
    return entry, None


class TsvReader:
    """Reads one WebAnno TSV 3.x file; problems go to ``errors``."""

    def __init__(self, name: str, errors: list[FormatError]):
        self.name = name
        self.errors = errors
        self.layers: dict[str, Layer] = {}
        self.order: list[Layer] = []
        self.width = 0  # annotation columns a token line has
        self.sentences: list[Sentence] = []
        self.sentence: Sentence | None = None  # the one being read, until a blank line
        self.units: dict[str, Unit] = {}
        self.token: Unit | None = None
        self.spans: list[Annotation] = []
        self.by_id: dict[int, Annotation] = {}
        self.at_unit: dict[tuple[str, str, int], Annotation] = {}
        self.on_unit: dict[tuple[str, str], list[Annotation]] = {}
        self.links: dict[tuple[str, int, int], Annotation] = {}
        self.relations: dict[tuple[str, str, int], RelationLine] = {}
        self.in_header = True

    def where(self, number: int) -> str:
        return f"{self.name} line {number}" if self.name else f"line {number}"

    def error(self, location: str, message: str) -> None:
        self.errors.append(FormatError(location, message))

    # --- lines ---------------------------------------------------------------------------------

    def read(self, content: str) -> bool:
        """Read every line; False when the file is not WebAnno TSV 3 at all."""
        lines = content.removeprefix("\ufeff").split("\n")
        first = lines[0].removesuffix("\r")
        if not FORMAT.fullmatch(first.rstrip()):
            hint = "; this looks like JSON, import it as jsonl, doccano or labelstudio" if first[:1] in "{[" and first \
                else ""
            self.error(self.where(1), f"not WebAnno TSV 3: the first line must be '#FORMAT=WebAnno TSV 3.3', "
                                      f"found {quote(first)}{hint}")
            return False
        for number, line in enumerate(lines[1:], 2):
            self.read_line(line.removesuffix("\r"), self.where(number))
        if self.in_header:
            self.end_header()
        self.end_sentence()
        return True

    def read_line(self, line: str, location: str) -> None:
        if self.in_header:
            if line[:6] in LAYER_PREFIXES:
                self.declaration(line, location)
                return
            self.end_header()
        if not line.strip():
            self.end_sentence()
        elif line.startswith("#T_") and line[:6] in LAYER_PREFIXES:
            self.error(location, "layer declarations belong in the header, before the first blank line")
        elif line.startswith("#Text="):
            self.text_line(line, location)
        elif line.startswith("#"):
            pass  # #Sentence.id= and other sentence header lines carry nothing Factmark keeps
        else:
            self.token_line(line, location)

    def declaration(self, line: str, location: str) -> None:
        """``#T_SP=layer|feature|…``, ``#T_RL=layer|feature|…|BT_base`` or
        ``#T_CH=layer|referenceType|referenceRelation``."""
        kind = LAYER_PREFIXES[line[:6]]
        fields = [part for part in line[6:].split("|") if part]
        if not fields:
            self.error(location, "layer declaration without a layer name")
            return
        name, declared = fields[0], fields[1:]
        if name in self.layers:
            self.error(location, f"layer {name} is declared twice")
            return
        columns, base = _COLUMNS[kind](declared)
        if isinstance(columns, str):
            self.error(location, f"layer {name}: {columns}")
            return
        layer = Layer(kind, name, columns, location, base)
        self.layers[name] = layer
        self.order.append(layer)
        self.width += len(columns)

    def end_header(self) -> None:
        self.in_header = False
        for layer in self.order:
            base = self.layers.get(layer.base) if layer.base else None
            if layer.kind == "relation" and (base is None or base.kind == "relation"):
                self.error(layer.location, f"relation layer {layer.name} attaches to {layer.base}, which this "
                                           f"file does not declare as a span layer (#T_SP={layer.base}|…)")

    def text_line(self, line: str, location: str) -> None:
        if self.sentence is not None and self.sentence.units:
            self.end_sentence()
        if self.sentence is None:
            self.sentence = Sentence(location)
        self.sentence.lines.append(unescape_text(line[len("#Text="):]))

    def end_sentence(self) -> None:
        if self.sentence is None:
            return
        if not self.sentence.units:
            self.error(self.sentence.location, "a sentence (#Text) without token lines")
        else:
            self.sentences.append(self.sentence)
        self.sentence = None

    def token_line(self, line: str, location: str) -> None:
        """``1-3<TAB>8-13<TAB>token<TAB>columns…`` (a sub-token: ``1-3.1``), and its annotation columns."""
        fields = line.split("\t")
        if len(fields) == 4 + self.width and fields[-1] == "":
            fields.pop()  # INCEpTION ends every token line with a tab
        if len(fields) != 3 + self.width:
            self.error(location, f"expected {3 + self.width} tab-separated fields (id, offsets, token and "
                                 f"{self.width} annotation column(s) as the header declares), found {len(fields)}")
            return
        unit = self.unit(fields[:3], location)
        if unit is None:
            return
        index = 3
        for layer in self.order:
            values = fields[index:index + len(layer.columns)]
            index += len(layer.columns)
            _LAYER_READERS[layer.kind](self, unit, layer, values)

    def unit(self, fields: list[str], location: str) -> Unit | None:
        key, offsets, text = fields
        key_match, offsets_match = _UNIT_ID.fullmatch(key), _OFFSETS.fullmatch(offsets)
        if self.sentence is None:
            self.error(location, "token line outside a sentence: no #Text line before it")
        elif key_match is None:
            self.error(location, f"token id must be SENTENCE-TOKEN or SENTENCE-TOKEN.SUB, found {quote(key)}")
        elif offsets_match is None or int(offsets_match.group(1)) > int(offsets_match.group(2)):
            self.error(location, f"offsets must be BEGIN-END with BEGIN <= END, found {quote(offsets)}")
        elif key in self.units:
            self.error(location, f"token {key} appears twice")
        else:
            unit = Unit(key, int(offsets_match.group(1)), int(offsets_match.group(2)), text, location)
            return self.place(unit, key_match.group(3) is not None, location)
        return None

    def place(self, unit: Unit, sub: bool, location: str) -> Unit | None:
        """Check a token follows the previous one and a sub-token lies in its token."""
        token = self.token
        if sub:
            if token is None or unit.key.split(".")[0] != token.key:
                self.error(location, f"sub-token {unit.key} does not follow its token")
                return None
            if not token.begin <= unit.begin <= unit.end <= token.end:
                self.error(location, f"sub-token {unit.key} at {unit.begin}-{unit.end} lies outside its token "
                                     f"{token.key} at {token.begin}-{token.end}")
                return None
        else:
            if token is not None and unit.begin < token.end:
                self.error(location, f"token {unit.key} at {unit.begin}-{unit.end} overlaps or comes before "
                                     f"token {token.key} at {token.begin}-{token.end}")
                return None
            self.token = unit
        self.units[unit.key] = unit
        self.sentence.units.append(unit)
        return unit

    # --- annotation columns, one reader per layer kind ------------------------------------------

    def span_columns(self, unit: Unit, layer: Layer, values: list[str]) -> None:
        for column, raw in zip(layer.columns, values, strict=True):
            if raw == NULL_COLUMN:
                continue
            if column.role in ("slot_role", "slot_target"):
                self.slot(unit, layer, column, raw)
                continue
            for index, entry in enumerate(split_unescaped(raw, "|")):
                value, suffix = _suffix(entry)
                if suffix is not None and not suffix.isdigit():
                    self.error(unit.location, f"{layer.short_name}: {quote(entry)} ends in a relation's [n_m] id")
                    continue
                annotation = self.span_annotation(unit, layer, index, int(suffix) if suffix else None)
                if annotation is not None and column.role == "feature":
                    annotation.features[column.name] = _value(value)

    def span_annotation(self, unit: Unit, layer: Layer, index: int, number: int | None) -> Annotation | None:
        """The ``index``-th annotation of ``layer`` on ``unit``: one an earlier column or unit started
        (by its ``[number]``), or a new one."""
        key = (unit.key, layer.name, index)
        annotation = self.at_unit.get(key)
        if annotation is not None:
            return annotation
        annotation = self.by_id.get(number) if number else None
        if annotation is not None and annotation.layer is not layer:
            self.error(unit.location, f"[{number}] names an annotation of {annotation.layer.name} "
                                      f"({annotation.location}), not of {layer.name}")
            return None
        if annotation is None:
            annotation = Annotation(layer, unit.location)
            self.spans.append(annotation)
            if number:
                self.by_id[number] = annotation
        annotation.add(unit)
        self.at_unit[key] = annotation
        self.on_unit.setdefault((unit.key, layer.name), []).append(annotation)
        return annotation

    def slot(self, unit: Unit, layer: Layer, column: Column, raw: str) -> None:
        if any(entry not in (NULL_VALUE, NULL_COLUMN) for entry in split_unescaped(raw, "|")):
            self.error(unit.location, f"{layer.name}: slot feature {column.name} is not supported (Factmark "
                                      "links spans with relations); export the layer without slot features")

    def relation_columns(self, unit: Unit, layer: Layer, values: list[str]) -> None:
        for column, raw in zip(layer.columns, values, strict=True):
            if raw == NULL_COLUMN:
                continue
            for index, entry in enumerate(split_unescaped(raw, "|")):
                relation = self.relations.setdefault((unit.key, layer.name, index),
                                                     RelationLine(layer, unit, unit.location))
                if column.role == "feature":
                    relation.features[column.name] = _value(_suffix(entry)[0])
                    continue
                match = _REFERENCE.fullmatch(entry)
                if match is None:
                    self.error(unit.location, f"{layer.short_name}: the source of a relation must be a token id "
                                              f"such as 1-3 or 1-3[2_1], found {quote(entry)}")
                    continue
                relation.source = match.group(1)
                relation.ids = (int(match.group(2) or 0), int(match.group(3) or 0))

    def chain_columns(self, unit: Unit, layer: Layer, values: list[str]) -> None:
        raw = dict(zip((column.role for column in layer.columns), values, strict=True))
        if raw["chain_link"] == NULL_COLUMN:
            if raw["chain_type"] != NULL_COLUMN:
                self.error(unit.location, f"{layer.short_name}: a referenceType without its referenceRelation")
            return
        types = split_unescaped(raw["chain_type"], "|") if raw["chain_type"] != NULL_COLUMN else []
        for index, entry in enumerate(split_unescaped(raw["chain_link"], "|")):
            match = _CHAIN_LINK.fullmatch(entry)
            if match is None or not ends_unescaped(match.group(1)):
                self.error(unit.location, f"{layer.short_name}: a chain link must read RELATION->CHAIN-LINK "
                                          f"such as coref->1-2, found {quote(entry)}")
                continue
            key = (layer.name, int(match.group(2)), int(match.group(3)))
            link = self.links.setdefault(key, Annotation(layer, unit.location))
            link.add(unit)
            link.features["referenceRelation"] = _value(match.group(1))
            if index < len(types):
                link.features["referenceType"] = _value(_suffix(types[index])[0])

    # --- after every line --------------------------------------------------------------------------

    def text(self, source: str | None = None) -> str | None:
        """The document text: ``source`` when every sentence is found in it at its offsets, else
        the sentences at their offsets with the gaps filled as INCEpTION fills them (a line break,
        then spaces). Unit offsets become code points. None once a problem is recorded."""
        text = source if source is not None and self._fits(source) else self._joined()
        if text is None:
            return None
        offsets = Utf16Offsets(text)
        for unit in self.units.values():
            unit.start, unit.stop = offsets.to_codepoint(unit.begin), offsets.to_codepoint(unit.end)
            if unit.start is None or unit.stop is None:
                self.error(unit.location, f"token {unit.key}: offsets {unit.begin}-{unit.end} fall inside a "
                                          "character (UTF-16 surrogate pair)")
            elif text[unit.start:unit.stop] not in (unit.text, unescape_text(unit.text)):
                self.error(unit.location, f"token {unit.key} {quote(unit.text)} does not match the text at "
                                          f"{unit.begin}-{unit.end}: {quote(text[unit.start:unit.stop])}")
        return None if self.errors else text

    def _fits(self, source: str) -> bool:
        offsets = Utf16Offsets(source)
        for sentence in self.sentences:
            start = offsets.to_codepoint(sentence.units[0].begin)
            if start is None or source[start:start + len(sentence.text)] != sentence.text:
                return False
        return True

    def _joined(self) -> str | None:
        pieces: list[str] = []
        length = 0  # in UTF-16 units
        for sentence in self.sentences:
            begin = sentence.units[0].begin
            if begin < length:
                self.error(sentence.units[0].location, f"this sentence starts at {begin}, inside the previous "
                                                       f"sentence (which ends at {length})")
                return None
            if begin > length:
                pieces.append("\n" + " " * (begin - length - 1))
            end = begin + _utf16_length(sentence.text)
            for unit in sentence.units:
                if unit.end > end:
                    self.error(unit.location, f"token {unit.key} at {unit.begin}-{unit.end} lies outside its "
                                              f"sentence's text (#Text) at {begin}-{end}")
            pieces.append(sentence.text)
            length = end
        return None if self.errors else "".join(pieces)

    def annotations(self, text: str) -> tuple[list[dict], list[dict]]:
        """Spans and relations; a span's ``entity`` is its identifier until :func:`link_entities`."""
        spans: list[dict] = []
        for annotation in [*self.spans, *self.links.values()]:
            self._make_span(annotation, text, len(spans) + 1)
            if annotation.span is not None:
                spans.append(annotation.span)
        return spans, [*self._relations(), *self._chains()]

    def _make_span(self, annotation: Annotation, text: str, span_id: int) -> None:
        layer = annotation.layer
        start = min(unit.start for unit in annotation.units)
        end = max(unit.stop for unit in annotation.units)
        if start >= end:
            self.error(annotation.location, f"{layer.short_name}: a zero-length annotation at {start}; Factmark "
                                            "spans cover at least one character")
            return
        features = dict(annotation.features)
        if layer.kind == "chain":
            label = layer.short_name.removesuffix("Link") or layer.short_name
            features.pop("referenceRelation", None)
        else:
            label = features.pop(layer.label_feature, None) if layer.label_feature else None
            label = label or layer.short_name
        attributes = {name: value for name, value in features.items()
                      if value is not None and name != IDENTIFIER}
        annotation.span = make_span(id=span_id, label=label, start=start, end=end, text=text[start:end],
                                    attributes=attributes, entity=features.get(IDENTIFIER) or None)

    def _relations(self) -> list[dict]:
        relations = []
        for line in self.relations.values():
            layer = line.layer
            base = self.layers.get(layer.base)
            if line.source is None:
                self.error(line.location, f"{layer.short_name}: a relation without its source (the BT_ column)")
                continue
            if base is None or base.kind == "relation":
                continue  # reported with the header
            source = self._resolve(line, line.source, line.ids[0], base)
            target = self._resolve(line, line.unit.key, line.ids[1], base)
            extra = [name for name, value in line.features.items() if value is not None and name != layer.label_feature]
            if extra:
                self.error(line.location, f"{layer.short_name}: relation feature(s) {', '.join(extra)} cannot be "
                                          "kept: a Factmark relation carries only its type")
            if source is None or target is None or source.span is None or target.span is None:
                continue
            kind = line.features.get(layer.label_feature) if layer.label_feature else None
            relations.append(make_relation(kind or layer.short_name, source.span["id"], target.span["id"]))
        return relations

    def _resolve(self, line: RelationLine, key: str, number: int, base: Layer) -> Annotation | None:
        """The annotation of ``base`` on unit ``key`` (the one numbered ``number`` when it is not 0)."""
        if key not in self.units:
            self.error(line.location, f"{line.layer.short_name}: {key} is not a token of this file")
            return None
        if number:
            found = self.by_id.get(number)
            if found is None or found.layer is not base or self.units[key] not in found.units:
                self.error(line.location, f"{line.layer.short_name}: no {base.short_name} annotation [{number}] "
                                          f"on token {key}")
                return None
            return found
        candidates = self._on_unit(key, base)
        if len(candidates) != 1:
            problem = "no" if not candidates else f"{len(candidates)} (give a [n_m] id to say which)"
            self.error(line.location, f"{line.layer.short_name}: {problem} {base.short_name} annotation(s) on "
                                      f"token {key}")
            return None
        return candidates[0]

    def _on_unit(self, key: str, base: Layer) -> list[Annotation]:
        if base.kind == "chain":
            unit = self.units[key]
            return [link for link in self.links.values() if link.layer is base and unit in link.units]
        return self.on_unit.get((key, base.name), [])

    def _chains(self) -> list[dict]:
        """Consecutive links of each chain, typed by the earlier link's referenceRelation (or the layer)."""
        chains: dict[tuple[str, int], list[tuple[int, Annotation]]] = {}
        for (layer_name, chain, number), link in self.links.items():
            chains.setdefault((layer_name, chain), []).append((number, link))
        relations = []
        for links in chains.values():
            ordered = [link for _, link in sorted(links, key=lambda item: item[0])]
            last = ordered[-1]
            if last.span is not None and last.features.get("referenceRelation"):
                last.span["attributes"]["referenceRelation"] = last.features["referenceRelation"]
            for link, following in zip(ordered, ordered[1:], strict=False):
                if link.span is None or following.span is None:
                    continue
                short = link.layer.short_name
                kind = link.features.get("referenceRelation") or short.removesuffix("Link") or short
                relations.append(make_relation(kind, link.span["id"], following.span["id"]))
        return relations


def _utf16_length(text: str) -> int:
    return len(text) + sum(1 for char in text if char > "\uffff")


def _span_layer_columns(declared: list[str]) -> tuple[list[Column] | str, None]:
    if not declared:
        return [Column("", "placeholder")], None
    columns = []
    index = 0
    while index < len(declared):
        name = declared[index]
        if name.startswith("ROLE_"):
            if index + 1 >= len(declared):
                return "a slot feature (ROLE_…) without its target type", None
            columns += [Column(name, "slot_role"), Column(declared[index + 1], "slot_target")]
            index += 2
            continue
        columns.append(Column(name, "feature"))
        index += 1
    return columns, None


def _relation_layer_columns(declared: list[str]) -> tuple[list[Column] | str, str | None]:
    if not declared or not declared[-1].startswith("BT_") or len(declared[-1]) == 3:
        return "a relation layer's last column must be BT_<the span layer it links>", None
    if any(name.startswith("BT_") for name in declared[:-1]):
        return "only the last column may be BT_", None
    return [*(Column(name, "feature") for name in declared[:-1]), Column("", "base")], declared[-1][3:]


def _chain_layer_columns(declared: list[str]) -> tuple[list[Column] | str, None]:
    roles = {"referenceType": "chain_type", "referenceRelation": "chain_link"}
    if sorted(declared) != sorted(roles):
        return "a chain layer has the two columns referenceType and referenceRelation", None
    return [Column(name, roles[name]) for name in declared], None


_COLUMNS = {"span": _span_layer_columns, "relation": _relation_layer_columns, "chain": _chain_layer_columns}
_LAYER_READERS = {"span": TsvReader.span_columns, "relation": TsvReader.relation_columns,
                  "chain": TsvReader.chain_columns}


def link_entities(annotation_sets: list[dict]) -> list[dict]:
    """The entities the spans' identifiers name, one per distinct identifier across the sets;
    each span's ``entity`` (its identifier while reading) becomes the entity's id. A
    ``factmark:entity/<id>`` identifier keeps its id, a Wikidata IRI fills ``wikidata``,
    and the name is the text of the first span linked to it."""
    entities: dict[str, dict] = {}
    taken: set[int] = set()
    spans = [span for annotation_set in annotation_sets for span in annotation_set["spans"] if span["entity"]]
    for span in spans:
        identifier = span["entity"]
        if identifier in entities:
            continue
        factmark, wikidata = _FACTMARK.fullmatch(identifier), _WIKIDATA.fullmatch(identifier)
        number = int(factmark.group(1)) if factmark and int(factmark.group(1)) not in taken else None
        if number is not None:
            taken.add(number)
        entities[identifier] = make_entity(id=number, name=span["text"], wikidata=wikidata.group(1) if wikidata else "")
    next_id = max(taken, default=0) + 1
    for entity in entities.values():
        if entity["id"] is None:
            entity["id"], next_id = next_id, next_id + 1
    for span in spans:
        span["entity"] = entities[span["entity"]]["id"]
    return list(entities.values())
