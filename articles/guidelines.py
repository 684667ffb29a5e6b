"""Project guidelines: Markdown written by managers, shown to every member.

Rendered by cmark-gfm (GitHub-flavoured CommonMark: tables, strikethrough, autolinks),
whose parser runs in time linear in the text, so no text can stall a worker; and
bounded to ``MAX_GUIDELINES`` characters, which the settings form enforces and the
renderer keeps to for text saved any other way.  Raw HTML in the Markdown is dropped
(cmark-gfm's safe mode: thousands of nested raw tags would cost the cleaner seconds),
quotes are nested at most ``MAX_QUOTE_DEPTH`` deep, and the HTML produced is cleaned with nh3 (an allow-list of tags and
attributes, links made ``rel="noopener noreferrer"``), so a guideline can carry
headings, lists, tables, emphasis and links but never a script, a style, an event
handler or a ``javascript:`` address.
"""

import re

import cmarkgfm
import nh3
from cmarkgfm.cmark import Options
from django.utils.safestring import mark_safe

MAX_GUIDELINES = 20_000  # characters: a long guide; longer ones belong in a linked document

# Quotes nested deeper than this are read as this deep: thousands of nested elements
# would cost the HTML cleaner seconds.
MAX_QUOTE_DEPTH = 8
_DEEP_QUOTES = re.compile(rf"^((?:[ \t]{{0,3}}>){{{MAX_QUOTE_DEPTH}}})(?:[ \t]{{0,3}}>)+", re.MULTILINE)

TAGS = {
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "blockquote", "pre", "code",
    "ul", "ol", "li", "dl", "dt", "dd", "strong", "em", "b", "i", "del", "sub", "sup", "kbd", "mark",
    "table", "thead", "tbody", "tr", "th", "td", "a", "abbr",
}
ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}


def render_guidelines(text: str):
    """``text`` (Markdown) as cleaned HTML, ready for a template."""
    text = text[:MAX_GUIDELINES]
    if not text.strip():
        return ""
    text = _DEEP_QUOTES.sub(r"\1", text)
    html = cmarkgfm.github_flavored_markdown_to_html(text, options=Options.CMARK_OPT_VALIDATE_UTF8)
    cleaned = nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                        link_rel="noopener noreferrer")
    return mark_safe(cleaned)  # noqa: S308 - cleaned by nh3 with the allow-list above
