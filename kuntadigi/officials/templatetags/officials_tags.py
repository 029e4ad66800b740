"""The process steps of a call as a navigation, for the officials' pages of every area."""

from __future__ import annotations

from django import template

from ..steps import process_steps as steps_for

register = template.Library()


@register.simple_tag(takes_context=True)
def process_steps(context, call) -> list:
    """{% process_steps call as steps %}: the steps of the call the signed-in user may open, in process order."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return steps_for(user, call)
