"""E-mail sent after a commit, as django-tasks tasks (the ImmediateBackend runs them at once).

Each message is written in its recipient's language. Logs name objects by id only, never people.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from kuntadigi.notifications import services as notify

from .models import Participant, Submission
from .submission import receipt_facts

logger = logging.getLogger(__name__)


def receipt_recipients(submission: Submission) -> list[notify.Recipient]:
    """The submitter in their language, and the contact person if different."""
    application = submission.application
    recipients = [notify.recipient_for_user(submission.submitted_by, application.language)]
    contact = (application.contact_email or "").strip()
    if contact:
        recipients.append(notify.recipient_for_address(contact, application.language))
    return notify.unique_recipients(recipients)


@task()
def send_receipt_email(submission_pk: int) -> int:
    """The receipt of one submitted version. Returns the number of messages sent."""
    submission = Submission.objects.select_related("application__call", "application__lead", "submitted_by").get(pk=submission_pk)
    application = submission.application

    def context(recipient: notify.Recipient) -> dict:
        pdf_url = settings.SITE_URL + reverse("applications:pdf", args=[submission.application_id, submission.number])
        return {"facts": receipt_facts(submission), "submission": submission, "pdf_url": pdf_url, "language": recipient.language}

    sent = notify.send(
        "receipt",
        receipt_recipients(submission),
        template="email/receipt",
        subject=lambda: _("Application received: %(reference)s") % {"reference": application.reference},
        context=context,
        url=lambda: settings.SITE_URL + reverse("applications:receipt", args=[submission.application_id, submission.number]),
    )
    # The partners' staff get a copy of what was submitted in their organisation's name (each in their language).
    already = {recipient.address.strip().lower() for recipient in receipt_recipients(submission)}
    partners = list(application.participants.filter(role=Participant.Role.PARTNER).select_related("organisation"))
    copies = [
        recipient
        for partner in partners
        for recipient in notify.organisation_recipients(partner.organisation_id, application.language)
        if recipient.address.strip().lower() not in already
    ]
    if copies:
        lead_name = application.lead.name
        sent += notify.send(
            "partner_receipt",
            copies,
            template="applications/email/partner_receipt",
            subject=lambda: _("Copy of the receipt: %(reference)s, submitted by %(lead)s") % {"reference": application.reference, "lead": lead_name},
            context=context,
            url=lambda: settings.SITE_URL + reverse("applications:receipt", args=[submission.application_id, submission.number]),
        )
    logger.info("Receipt e-mail sent for submission %s (%d messages)", submission_pk, len(sent))
    return len(sent)


def _lead_address(application) -> str:
    return (application.contact_email or "").strip() or application.created_by.email


@task()
def send_partner_added_email(participant_pk: int, sender_pk: int, typed_address: str = "", again: bool = False) -> int:
    """Ask a partner to confirm: its approved members, and the address the lead typed (for an
    organisation nobody acts for yet). Says who added it, to what, by when, with the confirmation link."""
    from django.contrib.auth import get_user_model

    participant = Participant.objects.select_related("application__call", "application__lead", "organisation").get(pk=participant_pk)
    application = participant.application
    sender = get_user_model().objects.filter(pk=sender_pk).first()
    recipients = notify.organisation_recipients(participant.organisation_id, application.language)
    members = {recipient.address.strip().lower() for recipient in recipients}
    if typed_address:
        recipients.append(notify.recipient_for_address(typed_address, application.language))

    def context(recipient: notify.Recipient) -> dict:
        return {
            "application": application,
            "call": application.call,
            "participant": participant,
            "sender_name": sender.full_name if sender is not None else "",
            "again": again,
            "is_member": recipient.address.strip().lower() in members,
            "sign_in_url": settings.SITE_URL + reverse("accounts:sign_in"),
        }

    def subject() -> str:
        values = {"organisation": participant.organisation.name, "reference": application.reference}
        return _("Confirmation needed: %(organisation)s as a partner in application %(reference)s") % values

    sent = notify.send(
        "partner_added",
        recipients,
        template="applications/email/partner_added",
        subject=subject,
        context=context,
        url=lambda: settings.SITE_URL + reverse("applications:confirm", args=[application.pk]) + f"?organisation={participant.organisation_id}",
    )
    logger.info("Partner notice sent for participant %s (%d messages)", participant_pk, len(sent))
    return len(sent)


@task()
def send_decline_email(participant_pk: int) -> int:
    """Tell the lead's contact person that a partner declined, with its reason."""
    participant = Participant.objects.select_related("application__call", "application__created_by", "organisation").get(pk=participant_pk)
    application = participant.application
    if not participant.declined_at:  # confirmed again before the task ran
        return 0
    sent = notify.send(
        "partner_declined",
        [notify.recipient_for_address(_lead_address(application), application.language)],
        template="applications/email/partner_declined",
        subject=lambda: _("%(partner)s declined to take part: %(reference)s") % {"partner": participant.organisation.name, "reference": application.reference},
        context={"application": application, "participant": participant},
        url=lambda: settings.SITE_URL + reverse("applications:partners", args=[application.pk]),
    )
    logger.info("Decline e-mail sent for participant %s", participant_pk)
    return len(sent)


@task()
def send_confirmation_email(participant_pk: int) -> int:
    """Tell the application's contact person (the lead) that a partner confirmed its participation."""
    participant = Participant.objects.select_related("application__call", "application__created_by", "organisation", "confirmed_by").get(pk=participant_pk)
    application = participant.application
    address = _lead_address(application)
    sent = notify.send(
        "partner_confirmed",
        [notify.recipient_for_address(address, application.language)],
        template="applications/submission/email/partner_confirmed",
        subject=lambda: (
            _("%(partner)s confirmed its participation: %(reference)s") % {"partner": participant.organisation.name, "reference": application.reference}
        ),
        context={"application": application, "participant": participant},
        url=lambda: settings.SITE_URL + reverse("applications:detail", args=[application.pk]),
    )
    logger.info("Confirmation e-mail sent for participant %s", participant_pk)
    return len(sent)


@task()
def send_draft_deleted_email(notice: dict, recipients: list[list[str]]) -> int:
    """Tell a deleted draft's partners that the lead deleted it (the application no longer exists)."""
    from kuntadigi.calls.models import Call

    call = Call.objects.filter(pk=notice.get("call")).first()

    def context(recipient: notify.Recipient) -> dict:
        return {"notice": notice, "lead": notice["lead_sv"] if recipient.language == "sv" else notice["lead_fi"], "call": call}

    sent = notify.send(
        "draft_deleted",
        [notify.recipient_for_address(address, language) for address, language in recipients],
        template="applications/email/draft_deleted",
        subject=lambda: _("Application deleted: %(reference)s") % {"reference": notice["reference"]},
        context=context,
        url=lambda: settings.SITE_URL + reverse("applications:mine"),
    )
    logger.info("Draft deletion e-mail sent (%d messages)", len(sent))
    return len(sent)
