"""Looking up the coverage matrix's cells, keyed by (row id, column id), in a template."""

from django import template

register = template.Library()


@register.filter
def pair(mapping, first):
    return {second: value for (key, second), value in mapping.items() if key == first}


@register.filter
def get(mapping, key):
    return mapping.get(key)
