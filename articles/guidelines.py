"""Project guidelines: Markdown written by managers, shown to every member.

The HTML that Markdown produces is cleaned with nh3 (an allow-list of tags and
attributes, links made ``rel="noopener noreferrer"``), so a guideline can carry
headings, lists, tables, emphasis and links but never a script, a style, an
event handler or a ``javascript:`` address.
"""

import markdown
import nh3
from django.utils.safestring import mark_safe

TAGS = {
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "blockquote", "pre", "code",
    "ul", "ol", "li", "dl", "dt", "dd", "strong", "em", "b", "i", "del", "sub", "sup", "kbd", "mark",
    "table", "thead", "tbody", "tr", "th", "td", "a", "abbr",
}
ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}


def render_guidelines(text: str):
    """``text`` (Markdown) as cleaned HTML, ready for a template."""
    if not text.strip():
        return ""
    html = markdown.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    cleaned = nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                        link_rel="noopener noreferrer")
    return mark_safe(cleaned)  # noqa: S308 - cleaned by nh3 with the allow-list above
