"""E-mail of screening, sent after the commit as django-tasks tasks. Logs name objects by id only."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from kuntadigi.accounts.models import Membership

from .models import SupplementRequest
from .rules import PART_LABELS

logger = logging.getLogger(__name__)


def request_recipients(request: SupplementRequest) -> list[str]:
    """The application's contact person and the lead organisation's approved members, each once."""
    application = request.application
    addresses: list[str] = []
    contact = (application.contact_email or "").strip()
    candidates = [contact] if contact else []
    candidates += list(
        get_user_model()
        .objects.filter(memberships__organisation_id=application.lead_id, memberships__status=Membership.Status.APPROVED, is_active=True)
        .order_by("email")
        .values_list("email", flat=True)
    )
    seen: set[str] = set()
    for address in candidates:
        if address.lower() not in seen:
            seen.add(address.lower())
            addresses.append(address)
    return addresses


@task()
def send_supplement_request_email(request_pk: int) -> int:
    """Tell the lead what is asked, which parts are open and until when, in the application's language."""
    request = SupplementRequest.objects.select_related("application__call", "application__lead").get(pk=request_pk)
    application = request.application
    recipients = request_recipients(request)
    if not recipients:
        logger.warning("Request for supplement %s has no recipients", request_pk)
        return 0
    language = application.language if application.language in {code for code, _name in settings.LANGUAGES} else settings.LANGUAGE_CODE
    with translation.override(language):
        url = settings.SITE_URL + reverse("applications:detail", args=[application.pk])
        context = {
            "application": application,
            "request": request,
            "parts": [str(PART_LABELS[part]) for part in request.parts if part in PART_LABELS],
            "url": url,
            "language": language,
        }
        subject = _("Request for supplement: %(reference)s") % {"reference": application.reference}
        text = render_to_string("screening/email/supplement_request.txt", context)
        html = render_to_string("screening/email/supplement_request.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=recipients)
    message.attach_alternative(html, "text/html")
    message.send()
    logger.info("Request for supplement %s sent (%d recipients)", request_pk, len(recipients))
    return len(recipients)
