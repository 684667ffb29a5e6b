"""What the review page's merged text shows: every span of gold and of each annotator.

Each set is a *layer* (gold first, then annotator 1, 2, …) with a lane of its own
under the text, so that where the annotators differ is visible at a glance; a span
of a disagreement carries that item's number, which ties the passage to its entry
in the list.  The paragraphs are cut and rendered by the workspace's renderer
(``annotator.rendering``).
"""

from __future__ import annotations

from ..rendering import LayerMark, Paragraph, render_paragraphs
from .compare import Review

MAX_LANE = 9  # lanes the stylesheet draws; annotators beyond share the last one


def layer_marks(rv: Review) -> list[LayerMark]:
    """Gold's spans, then each annotator's, as marks of their layer."""
    place_of = {}
    for place in rv.places:
        for version in place.versions:
            for span in version.spans:
                place_of[span.pk] = place.index
    marks = [
        LayerMark(id=s.pk, label_id=s.label_id, start=s.start, end=s.end, layer="g", lane=0,
                  title=f"gold · {s.label.name}", place=None)
        for s in rv.gold_spans
    ]
    for annotator in rv.annotators:
        for span in rv.spans_by_id.values():
            if span.annotation_set_id == annotator.annotation_set.pk:
                marks.append(LayerMark(
                    id=span.pk, label_id=span.label_id, start=span.start, end=span.end, layer=str(annotator.number),
                    lane=min(annotator.number, MAX_LANE),
                    title=f"{annotator.number} {annotator.name} · {span.label.name}",
                    place=place_of.get(span.pk),
                ))
    return marks


def merged_text(rv: Review) -> list[Paragraph]:
    """The article's paragraphs with every layer's marks (``Paragraph.layers_html``)."""
    return render_paragraphs(rv.article.text, layer_marks(rv))
