"""E-mail of screening, sent after the commit as django-tasks tasks, through kuntadigi.notifications
(each message recorded on its recipient's account page). Logs name objects by id only."""

from __future__ import annotations

import logging

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from kuntadigi.applications.models import Application
from kuntadigi.notifications import services as notify

from .models import Screening, SupplementRequest
from .rules import PART_LABELS

logger = logging.getLogger(__name__)


def lead_recipients(application: Application) -> list[notify.Recipient]:
    """The application's contact person and the lead organisation's approved members, each once, all
    in the application's language (a notice about the application is written in its language)."""
    return notify.in_language(notify.lead_recipients(application), application.language)


def request_recipients(request: SupplementRequest) -> list[notify.Recipient]:
    return lead_recipients(request.application)


@task()
def send_supplement_request_email(request_pk: int) -> int:
    """Tell the lead what is asked, which parts are open and until when, in the application's language."""
    request = SupplementRequest.objects.select_related("application__call", "application__lead").get(pk=request_pk)
    application = request.application
    recipients = request_recipients(request)
    if not recipients:
        logger.warning("Request for supplement %s has no recipients", request_pk)
        return 0
    sent = notify.send(
        "supplement_request",
        recipients,
        template="screening/email/supplement_request",
        subject=lambda: _("Request for supplement: %(reference)s") % {"reference": application.reference},
        context=lambda recipient: {
            "application": application,
            "request": request,
            "parts": [str(PART_LABELS[part]) for part in request.parts if part in PART_LABELS],
            "language": recipient.language,
        },
        url=lambda: settings.SITE_URL + reverse("applications:detail", args=[application.pk]),
    )
    logger.info("Request for supplement %s sent (%d messages)", request_pk, len(sent))
    return len(sent)


@task()
def send_screened_email(screening_pk: int) -> int:
    """Tell the lead's members and contact person, in the application's language, that the application
    was screened (eligible or not) and why, with a link to it. News: follows the update preference."""
    screening = Screening.objects.select_related("application__call", "application__lead").get(pk=screening_pk)
    application = screening.application
    sent = notify.send(
        "screened",
        lead_recipients(application),
        template="screening/email/screened",
        subject=lambda: _("Application screened: %(reference)s") % {"reference": application.reference},
        context={"application": application, "screening": screening, "eligible": screening.outcome == Screening.Outcome.ELIGIBLE},
        url=lambda: settings.SITE_URL + reverse("applications:detail", args=[application.pk]),
    )
    logger.info("Screening %s told to the applicant (%d messages)", screening_pk, len(sent))
    return len(sent)
