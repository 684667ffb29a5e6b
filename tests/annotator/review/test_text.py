"""The merged text: every layer's marks, through the workspace's renderer
(annotator.review.text, annotator.rendering)."""

import re

import pytest

from annotator import review as reviewing
from annotator.models import Span
from annotator.rendering import LayerMark, render_paragraphs
from annotator.review.text import layer_marks, merged_text
from tests.factories import make_span

from .helpers import HX, url

pytestmark = pytest.mark.django_db


def test_merged_view_marks_every_annotator(rv, article, sets):
    a, b = sets
    sa = make_span(a, "Actor", "Sergei Lavrov")
    make_span(b, "Actor", "Sergei Lavrov")
    make_span(b, "Cue", "said")
    page = rv.get(url(article)).content.decode()
    assert re.search(r'<mark class="rv l\d+ a1 ln1" title="1 ann · Actor">', page)
    assert re.search(r'<mark class="rv l\d+ a2 ln2" title="2 ann2 · Actor">', page)
    assert re.search(r'<mark class="rv l\d+ a2 ln2" title="2 ann2 · Cue" data-place="1">said</mark>', page)
    assert '<span class="who">1</span> ann' in page and '<span class="who">2</span> ann2' in page
    rv.post(url(article, "review-accept"), **HX)
    page = rv.get(url(article)).content.decode()
    assert re.search(r'<mark class="rv l\d+ ag ln0" title="gold · Actor">', page)
    assert sa.pk  # the annotator's span is untouched
    assert Span.objects.filter(annotation_set=a).count() == 1


def test_layers_are_gold_then_each_annotator(rv, article, sets):
    a, b = sets
    make_span(a, "Cue", "said")
    for s in sets:
        make_span(s, "Actor", "Sergei Lavrov")
    rv.post(url(article, "review-accept"), **HX)
    marks = layer_marks(reviewing.review_for(article))
    assert [(m.layer, m.lane, m.place) for m in marks] == [("g", 0, None), ("1", 1, None), ("1", 1, 1),
                                                          ("2", 2, None)]
    assert [m.title for m in marks] == ["gold · Actor", "1 ann · Actor", "1 ann · Cue", "2 ann2 · Actor"]


def test_merged_paragraphs_are_one_line_each_and_escaped(article, sets):
    text = "A <b>bold</b> & 'quoted' claim.\n\nSecond line."
    marks = [LayerMark(id=1, label_id=3, start=2, end=13, layer="1", lane=1, title='1 "x" <y> · Claim', place=2),
             LayerMark(id=2, label_id=4, start=5, end=9, layer="g", lane=0, title="gold · Cue")]
    first, second = (p.layers_html for p in render_paragraphs(text, marks))
    assert first == (
        '<p class="para" id="rv-para-0">A <mark class="rv l3 a1 ln1" title="1 &quot;x&quot; &lt;y&gt; · Claim" '
        'data-place="2">&lt;b&gt;</mark><mark class="rv l3 a1 ln1" title="1 &quot;x&quot; &lt;y&gt; · Claim" '
        'data-place="2"><mark class="rv l4 ag ln0" title="gold · Cue">bold</mark></mark><mark class="rv l3 a1 ln1" '
        'title="1 &quot;x&quot; &lt;y&gt; · Claim" data-place="2">&lt;/b&gt;</mark> &amp; &#x27;quoted&#x27; '
        'claim.</p>'
    )
    assert second == '<p class="para" id="rv-para-1">Second line.</p>'
    assert merged_text(reviewing.review_for(article))[0].layers_html.startswith('<p class="para" id="rv-para-0">')
