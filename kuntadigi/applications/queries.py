"""Fetching applications the way every view must: only what the user may see, else 404."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from kuntadigi import permissions
from kuntadigi.audit.services import record_read

from .models import Application


def application_for_viewer(user, pk: int, *, rule=permissions.can_view_application, read: str = "") -> Application:
    """The application if the user may see it by `rule`; 404 otherwise, so that others' applications stay
    unknown. With `read` (a kind of audit.services.READ_KINDS), a read by someone at the ministry is recorded."""
    application = get_object_or_404(Application.objects.select_related("call", "lead").prefetch_related("participants__organisation"), pk=pk)
    if not rule(user, application):
        raise Http404
    if read:
        record_read(user, application, read)
    return application
