from django import template

from tsunagari.audit.actions import action_label as _action_label
from tsunagari.audit.actions import object_label as _object_label

register = template.Library()


@register.filter
def action_label(code: str) -> str:
    return _action_label(code)


@register.filter
def object_label(object_type: str) -> str:
    return _object_label(object_type)
