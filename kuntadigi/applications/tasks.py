"""E-mail sent after a commit, as django-tasks tasks (the ImmediateBackend runs them at once).

Each message is written in its recipient's language. Logs name objects by id only, never people.
"""

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

from .models import Participant, Submission
from .submission import receipt_facts

logger = logging.getLogger(__name__)

LANGUAGES = {code for code, _name in settings.LANGUAGES}


def _language_for(email: str, fallback: str) -> str:
    """A registered user's own language; otherwise the language of the application."""
    user = get_user_model().objects.filter(email__iexact=email).only("language").first()
    language = user.language if user else fallback
    return language if language in LANGUAGES else settings.LANGUAGE_CODE


def _send(template: str, subject: str, context: dict, to: str) -> None:
    text = render_to_string(f"{template}.txt", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    message.send()


def receipt_recipients(submission: Submission) -> list[tuple[str, str]]:
    """(address, language): the submitter in their language, and the contact person if different."""
    application = submission.application
    recipients = [(submission.submitted_by.email, submission.submitted_by.language)]
    contact = (application.contact_email or "").strip()
    if contact and contact.lower() != submission.submitted_by.email.lower():
        recipients.append((contact, _language_for(contact, application.language)))
    return [(address, language if language in LANGUAGES else settings.LANGUAGE_CODE) for address, language in recipients]


@task()
def send_receipt_email(submission_pk: int) -> int:
    """The receipt of one submitted version. Returns the number of messages sent."""
    submission = Submission.objects.select_related("application__call", "application__lead", "submitted_by").get(pk=submission_pk)
    sent = 0
    for address, language in receipt_recipients(submission):
        with translation.override(language):
            facts = receipt_facts(submission)
            url = settings.SITE_URL + reverse("applications:receipt", args=[submission.application_id, submission.number])
            pdf_url = settings.SITE_URL + reverse("applications:pdf", args=[submission.application_id, submission.number])
            subject = _("Application received: %(reference)s") % {"reference": submission.application.reference}
            _send("email/receipt", subject, {"facts": facts, "submission": submission, "url": url, "pdf_url": pdf_url, "language": language}, address)
        sent += 1
    logger.info("Receipt e-mail sent for submission %s (%d messages)", submission_pk, sent)
    return sent


@task()
def send_confirmation_email(participant_pk: int) -> int:
    """Tell the application's contact person (the lead) that a partner confirmed its participation."""
    participant = Participant.objects.select_related("application__call", "application__created_by", "organisation", "confirmed_by").get(pk=participant_pk)
    application = participant.application
    address = (application.contact_email or "").strip() or application.created_by.email
    language = _language_for(address, application.language)
    with translation.override(language):
        url = settings.SITE_URL + reverse("applications:detail", args=[application.pk])
        subject = _("%(partner)s confirmed its participation: %(reference)s") % {"partner": participant.organisation.name, "reference": application.reference}
        _send(
            "applications/submission/email/partner_confirmed",
            subject,
            {"application": application, "participant": participant, "url": url},
            address,
        )
    logger.info("Confirmation e-mail sent for participant %s", participant_pk)
    return 1


@task()
def send_draft_deleted_email(notice: dict, recipients: list[list[str]]) -> int:
    """Tell a deleted draft's partners that the lead deleted it (the application no longer exists)."""
    from kuntadigi.calls.models import Call

    call = Call.objects.filter(pk=notice.get("call")).first()
    sent = 0
    for address, language in recipients:
        language = language if language in LANGUAGES else settings.LANGUAGE_CODE
        with translation.override(language):
            lead = notice["lead_sv"] if language == "sv" else notice["lead_fi"]
            subject = _("Application deleted: %(reference)s") % {"reference": notice["reference"]}
            context = {"notice": notice, "lead": lead, "call": call, "url": settings.SITE_URL + reverse("applications:mine")}
            _send("applications/email/draft_deleted", subject, context, address)
        sent += 1
    logger.info("Draft deletion e-mail sent (%d messages)", sent)
    return sent
