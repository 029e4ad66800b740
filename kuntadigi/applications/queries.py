"""Fetching applications the way every view must: only what the user may see, else 404."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from kuntadigi import permissions

from .models import Application


def application_for_viewer(user, pk: int) -> Application:
    """The application if the user may see it; 404 otherwise, so that others' applications stay unknown."""
    application = get_object_or_404(Application.objects.select_related("call", "lead").prefetch_related("participants__organisation"), pk=pk)
    if not permissions.can_view_application(user, application):
        raise Http404
    return application
