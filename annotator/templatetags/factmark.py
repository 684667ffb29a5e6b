from django import template

register = template.Library()


@register.filter
def spaced(value):
    """``said_by`` → ``said by``: relation type names as words."""
    return str(value).replace("_", " ")
