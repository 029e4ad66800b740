"""E-mail of payment requests, sent after the commit as django-tasks tasks. Logs name objects by id only."""

from __future__ import annotations

import logging

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from kuntadigi.notifications import services as notify

logger = logging.getLogger(__name__)


@task()
def send_request_submitted(request_pk: int) -> int:
    """Tell the call's preparers that a submitted payment request waits to be checked (once per request)."""
    from kuntadigi.projects.tasks import _preparers

    from .models import PaymentRequest

    found = PaymentRequest.objects.select_related("project__application__call", "project__application__lead").get(pk=request_pk)
    project = found.project
    application = project.application
    sent = notify.send(
        "payment_request_submitted",
        _preparers(project),
        template="payments/email/payment_request_submitted",
        subject=lambda: _("A payment request waits to be checked: %(reference)s") % {"reference": application.reference},
        context={"payment_request": found, "project": project, "application": application},
        url=lambda: settings.SITE_URL + reverse("projects:detail", args=[project.pk]),
        key=f"payment_request_submitted:{found.pk}",
    )
    logger.info("Payment request %s: submitted notice sent (%d messages)", request_pk, len(sent))
    return len(sent)
