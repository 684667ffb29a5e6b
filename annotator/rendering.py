"""Turns an article's text and spans into paragraphs of segments for the page.

A paragraph is a line of the text (paragraphs are separated by one or more
``\\n``, which are not shown).  Each paragraph is cut into segments at every span
boundary; a segment carries the spans covering it, outermost first, so the
template can nest one ``<mark>`` per span around the segment's text.  Every
segment's text node is wrapped in an element that carries its code-point offset,
which is all the browser needs to turn a selection back into offsets.

Spans that overlap get *lanes*: a span's underline sits ``depth`` steps below the
text, the same in every segment of the paragraph, so nested and crossing spans
stay visible and each keeps a strip of its own to click.

The review page's merged text is cut the same way; its spans are
:class:`LayerMark` s (gold and each annotator a layer, each layer a lane of its own),
rendered by :attr:`Paragraph.layers_html`.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from html import escape

from django.utils.safestring import SafeString

MAX_DEPTH = 6


@dataclass
class Mark:
    span: object  # anything with id, label_id, start, end
    depth: int = 0
    first: bool = False  # this segment holds the span's first character

    @property
    def id(self):
        return self.span.id

    @property
    def label_id(self):
        return self.span.label_id


@dataclass
class Segment:
    start: int
    text: str
    marks: list[Mark] = field(default_factory=list)


@dataclass
class Paragraph:
    index: int
    start: int
    end: int
    segments: list[Segment] = field(default_factory=list)
    # What a workspace mark says of its span: "Actor: Sergei Lavrov", and a claim's verdict.
    names: dict = field(default_factory=dict)
    verdicts: dict = field(default_factory=dict)

    @property
    def dom_id(self):
        return f"para-{self.index}"

    def html(self, *, oob: bool = False) -> SafeString:
        """The paragraph as HTML.  Built here rather than in a template loop because a
        long article has thousands of segments; every piece of text is escaped and
        everything else is a number this module computed."""
        out = [
            f'<p id="para-{self.index}" class="para" dir="auto" data-start="{self.start}" data-end="{self.end}"',
            ' hx-swap-oob="true">' if oob else ">",
        ]
        for segment in self.segments:
            for mark in segment.marks:
                out.append(f'<mark class="m l{mark.label_id} d{mark.depth}" data-span="{mark.id}"{self._head(mark)}>')
            out.append(f'<span class="t" data-o="{segment.start}">{escape(segment.text)}</span>')
            out.append("</mark>" * len(segment.marks))
        out.append("</p>")
        return SafeString("".join(out))

    def _head(self, mark: Mark) -> str:
        """The first piece of a span is its one place to focus (the article is one tab
        stop; keys move between spans), named by its label and text for screen readers."""
        if not mark.first:
            return ""
        name = self.names.get(mark.id)
        verdict = self.verdicts.get(mark.id)
        out = ' tabindex="-1" role="link"'
        if name:
            out += f' aria-label="{escape(name)}{escape(", " + verdict) if verdict else ""}"'
        if verdict:
            out += f' data-verdict="{escape(verdict)}"'
        return out

    @property
    def html_oob(self) -> SafeString:
        return self.html(oob=True)

    @property
    def layers_html(self) -> SafeString:
        """The paragraph as the review page's merged text: its spans are
        :class:`LayerMark` s, one ``<mark>`` each; no offsets (nothing is selected
        there), and no whitespace between the tags, which ``pre-wrap`` would show."""
        out = [f'<p class="para" id="rv-para-{self.index}">']
        for segment in self.segments:
            out.extend(mark.span.open_tag() for mark in segment.marks)
            out.append(escape(segment.text))
            out.append("</mark>" * len(segment.marks))
        out.append("</p>")
        return SafeString("".join(out))


@dataclass(frozen=True)
class SpanRow:
    """What the page needs of a span: light enough for thousands of them."""

    id: int
    label_id: int
    start: int
    end: int
    text: str
    entity_name: str | None = None
    attributes: dict | None = None


@dataclass(frozen=True)
class LayerMark:
    """A span as a layer of the review page's merged text shows it: in gold
    (``layer`` "g") or annotator N's set, underlined in its own ``lane``, and tied to
    the disagreement it belongs to (``place``, the item's number) if any."""

    id: int
    label_id: int
    start: int
    end: int
    layer: str  # "g" for gold, else the annotator's number
    lane: int
    title: str
    place: int | None = None

    def open_tag(self) -> str:
        layer = "ag" if self.layer == "g" else f"a{escape(str(self.layer))}"
        place = f' data-place="{self.place}"' if self.place else ""
        return f'<mark class="rv l{self.label_id} {layer} ln{self.lane}" title="{escape(self.title)}"{place}>'


def excerpt(text: str, length: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def span_item_html(span) -> SafeString:
    """One line of the sidebar's span list (escaped text, numeric ids)."""
    entity = getattr(span, "entity_name", None)
    if entity is None and getattr(span, "entity_id", None):
        entity = span.entity.name
    suffix = f' <span class="muted">→ {escape(entity)}</span>' if entity else ""
    verdict = (getattr(span, "attributes", None) or {}).get("verdict")
    if isinstance(verdict, str) and verdict:
        suffix += f' <span class="verdict">{escape(verdict)}</span>'
    return SafeString(
        f'<li id="item-span-{span.id}"><a href="#" data-goto="{span.id}">{escape(excerpt(span.text))}</a>{suffix}</li>'
    )


def span_list_html(spans) -> SafeString:
    return SafeString("".join(span_item_html(span) for span in spans))


def paragraph_bounds(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every non-empty line of ``text``."""
    bounds = []
    pos = 0
    for line in text.split("\n"):
        if line:
            bounds.append((pos, pos + len(line)))
        pos += len(line) + 1
    return bounds


def paragraphs_touching(bounds: list[tuple[int, int]], start: int, end: int) -> list[int]:
    """Indexes of the paragraphs that ``[start, end)`` touches."""
    starts = [b[0] for b in bounds]
    first = max(bisect.bisect_right(starts, start) - 1, 0)
    result = []
    for i in range(first, len(bounds)):
        p_start, p_end = bounds[i]
        if p_start >= end and i != first:
            break
        if p_start < end and p_end > start:
            result.append(i)
    return result or [first]


def _lanes(spans) -> dict[int, int]:
    """Greedy interval colouring: outer (earlier, longer) spans get lower lanes."""
    lane_end: list[int] = []
    lanes = {}
    for span in sorted(spans, key=lambda s: (s.start, -s.end, s.id)):
        for lane, last_end in enumerate(lane_end):
            if last_end <= span.start:
                lane_end[lane] = span.end
                lanes[span.id] = lane
                break
        else:
            lanes[span.id] = len(lane_end)
            lane_end.append(span.end)
    return lanes


def _paragraph(text: str, index: int, start: int, end: int, spans: list) -> Paragraph:
    paragraph = Paragraph(index=index, start=start, end=end)
    if not spans:
        paragraph.segments.append(Segment(start=start, text=text[start:end]))
        return paragraph
    lanes = _lanes(spans)
    top = max(lanes.values())
    cuts = {start, end}
    for span in spans:
        cuts.add(max(span.start, start))
        cuts.add(min(span.end, end))
    points = sorted(cuts)
    ordered = sorted(spans, key=lambda s: lanes[s.id])
    for a, b in zip(points, points[1:], strict=False):
        marks = [
            Mark(span=s, depth=min(top - lanes[s.id], MAX_DEPTH), first=(s.start == a))
            for s in ordered
            if s.start <= a and s.end >= b
        ]
        paragraph.segments.append(Segment(start=a, text=text[a:b], marks=marks))
    return paragraph


def _name_marks(paragraph: Paragraph, text: str, spans, label_names: dict):
    for span in spans:
        name = label_names.get(span.label_id)
        if name:
            paragraph.names[span.id] = f"{name}: {excerpt(text[span.start:span.end], 80)}"
        verdict = (getattr(span, "attributes", None) or {}).get("verdict")
        if isinstance(verdict, str) and verdict:
            paragraph.verdicts[span.id] = verdict


def render_paragraphs(
    text: str, spans, only: list[int] | None = None, label_names: dict | None = None
) -> list[Paragraph]:
    """Paragraphs of ``text`` with ``spans`` (any objects with id, label_id, start, end).

    ``only`` limits the result to those paragraph indexes (for partial updates);
    ``label_names`` (label id to name) names each span's mark for screen readers.
    """
    bounds = paragraph_bounds(text)
    wanted = range(len(bounds)) if only is None else sorted(set(only))
    spans = sorted(spans, key=lambda s: s.start)
    span_starts = [s.start for s in spans]
    result = []
    active: list = []
    pointer = 0
    last_index = -1
    for index in wanted:
        p_start, p_end = bounds[index]
        if index != last_index + 1:  # jumped: rebuild the active set from scratch
            pointer = bisect.bisect_left(span_starts, p_start)
            active = [s for s in spans[:pointer] if s.end > p_start]
        while pointer < len(spans) and spans[pointer].start < p_end:
            active.append(spans[pointer])
            pointer += 1
        active = [s for s in active if s.end > p_start]
        inside = [s for s in active if s.start < p_end]
        paragraph = _paragraph(text, index, p_start, p_end, inside)
        if label_names:
            _name_marks(paragraph, text, [s for s in inside if s.start >= p_start], label_names)
        result.append(paragraph)
        last_index = index
    return result
