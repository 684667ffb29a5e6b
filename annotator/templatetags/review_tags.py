"""Filters of the review page: attribute values as a reviewer reads them."""

from django import template

register = template.Library()


@register.filter
def shown(value):
    """An attribute value as a reviewer reads it: booleans as yes/no, the rest as is."""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return value
