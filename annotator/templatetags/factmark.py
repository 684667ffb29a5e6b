"""Template filters and tags the pages share: relation names as words, status
badges, and the span lists rendered by ``annotator.rendering``."""

from django import template

from annotator.models import SetStatus
from annotator.rendering import span_item_html, span_list_html

register = template.Library()


@register.filter
def spaced(value):
    """``said_by`` → ``said by``: relation type names as words."""
    return str(value).replace("_", " ")


@register.filter
def span_item(span):
    """The sidebar line for a span (see ``annotator.rendering.span_item_html``)."""
    return span_item_html(span)


@register.filter
def span_list(spans):
    return span_list_html(spans)


@register.filter
def set_status(value):
    """An annotation set's status as people read it: ``in_progress`` → "In progress"."""
    try:
        return SetStatus(value).label
    except ValueError:
        return value
