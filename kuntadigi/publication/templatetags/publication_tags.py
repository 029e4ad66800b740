"""Links to a call's results from pages other apps own (the officials' decisions list, the call's page)."""

from django import template

from kuntadigi import permissions
from kuntadigi.publication import queries
from kuntadigi.publication.models import ResultsPublication

register = template.Library()


@register.inclusion_tag("publication/_publish_link.html", takes_context=True)
def results_publication(context, call):
    """Where the call's results stand, and for its preparers and presenting official the way to publish them."""
    user = context.get("user")
    return {
        "call": call,
        "publication": ResultsPublication.objects.filter(call=call).first(),
        "may_publish": bool(user is not None and permissions.can_publish_results(user, call)),
    }


@register.inclusion_tag("publication/_call_results_link.html")
def call_results_link(call):
    """On the call's public page: a link to its published results."""
    return {"call": call, "published": queries.is_published(call)}
