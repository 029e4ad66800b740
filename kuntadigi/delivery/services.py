"""Delivering decisions (tiedoksianto): consent to electronic notification, and the delivery of each
signed decision to every organisation of its application.

Use cases (each: permission, rules, change, audit, in one transaction):
    set_organisation_consent   an organisation's administrator gives or withdraws its consent (organisation page)
    set_application_consent    the lead applicant's staff give or withdraw the lead's consent (application form)
    set_confirmation_consent   a partner's staff give or withdraw its consent as they confirm its participation
    set_postal_address         an administrator or an official sets where the organisation's letters go
    mark_posted                a decision official records the day a letter was posted
    record_reading             a member of an organisation opened the decision: its delivery is read (once)
Run by the notification task (decisions.tasks.notify_decision), after the signed document is stored:
    deliver                    one Delivery per organisation, their own copies, the e-mails, then mark_notified

The channel is electronic only when the organisation has consented (13/2003, 19 §) and someone can
receive the e-mail; the lead reads the decision's language, a partner its own majority language. The
main signed document carries the lead's channel at signing (`main_document_electronic`); a delivery it
does not fit gets a copy of its own, stored once with its SHA-256 and served after checking it.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kuntadigi import clock, permissions
from kuntadigi.accounts.models import Membership
from kuntadigi.applications.errors import Refused
from kuntadigi.applications.models import Application, Participant
from kuntadigi.audit import services as audit
from kuntadigi.decisions import documents
from kuntadigi.decisions import services_decisions as decisions
from kuntadigi.decisions.models import Decision
from kuntadigi.notifications import services as notify
from kuntadigi.notifications.models import Message
from kuntadigi.registry.models import Organisation

from . import rules
from .models import Delivery, NotificationConsent

logger = logging.getLogger(__name__)

Source = NotificationConsent.Source

# The longest postal address accepted: lines and characters per line (an envelope's window).
ADDRESS_LINES = 6
ADDRESS_LINE_CHARS = 100


class DeliveryNotSent(Exception):
    """The mail server refused a delivery's e-mail; its task is retried."""


# ── Consent ─────────────────────────────────────────────────────────────────


def consent_in_force(organisation_id: int) -> NotificationConsent | None:
    return NotificationConsent.objects.filter(organisation_id=organisation_id, withdrawn_at__isnull=True).select_related("given_by").first()


def consent_at(organisation_id: int, moment) -> NotificationConsent | None:
    """The consent that was in force at `moment`, if any (the history of consents is kept)."""
    return (
        NotificationConsent.objects.filter(organisation_id=organisation_id, given_at__lte=moment)
        .filter(Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=moment))
        .order_by("-given_at", "-pk")
        .first()
    )


def main_document_electronic(decision: Decision) -> bool:
    """The main document is the lead's copy: electronic when the lead had consented when the decision was
    signed (a draft: as the lead's consent stands now, so that its preview shows the rule it will carry)."""
    return consent_at(decision.application.lead_id, decision.signed_at or clock.now()) is not None


def _consent_state(consent: NotificationConsent) -> dict:
    return {
        "organisation": consent.organisation_id,
        "given_at": consent.given_at.isoformat(),
        "given_in": consent.given_in,
        "withdrawn_at": consent.withdrawn_at.isoformat() if consent.withdrawn_at else None,
        "withdrawn_in": consent.withdrawn_in or None,
    }


def _set_consent(user, organisation_id: int, given: bool, source: str, application: Application | None = None) -> bool:
    """Give or withdraw; True when something changed. Call inside the use case's transaction, after its permission check."""
    Organisation.objects.select_for_update().filter(pk=organisation_id).first()  # one change at a time per organisation
    current = NotificationConsent.objects.select_for_update().filter(organisation_id=organisation_id, withdrawn_at__isnull=True).first()
    application_id = application.pk if application is not None else None
    if given:
        if current is not None:
            return False
        try:
            with transaction.atomic():
                consent = NotificationConsent.objects.create(
                    organisation_id=organisation_id, given_at=clock.now(), given_by=user, given_in=source, application=application
                )
        except IntegrityError:  # another request gave it in the same instant
            return False
        audit.record(user, "delivery.consent_given", consent, application_id=application_id, after=_consent_state(consent))
        return True
    if current is None:
        return False
    before = _consent_state(current)
    current.withdrawn_at = clock.now()
    current.withdrawn_by = user
    current.withdrawn_in = source
    current.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_in"])
    audit.record(user, "delivery.consent_withdrawn", current, application_id=application_id, before=before, after=_consent_state(current))
    return True


def set_organisation_consent(user, organisation: Organisation, given: bool) -> bool:
    """An administrator of the organisation gives or withdraws its consent on the organisation's page."""
    allowed = permissions.can_manage_notification_consent(user, organisation)
    if not allowed:
        raise Refused(allowed.reason)
    with transaction.atomic():
        return _set_consent(user, organisation.pk, given, Source.ORGANISATION)


def set_application_consent(user, application_pk: int, given: bool) -> bool:
    """The lead applicant's consent, given or withdrawn in the application form by whoever may edit the draft."""
    with transaction.atomic():
        application = Application.objects.select_related("call").get(pk=application_pk)
        allowed = permissions.can_consent_in_application(user, application)
        if not allowed:
            raise Refused(allowed.reason)
        return _set_consent(user, application.lead_id, given, Source.APPLICATION, application)


def set_confirmation_consent(user, application: Application, organisation: Organisation, given: bool) -> bool:
    """A partner's consent, given or withdrawn by its staff as they confirm its participation."""
    with transaction.atomic():
        participant = Participant.objects.filter(application=application, organisation=organisation).first()
        if participant is None:
            raise Refused(_("This organisation does not take part in the application."))
        allowed = permissions.can_confirm_participation(user, application, participant)
        if not allowed:
            raise Refused(allowed.reason)
        return _set_consent(user, organisation.pk, given, Source.CONFIRMATION, application)


# ── Postal address ──────────────────────────────────────────────────────────


def address_lines(address: str) -> list[str]:
    return [line.strip() for line in (address or "").replace("\r\n", "\n").split("\n") if line.strip()]


def address_problem(address: str) -> str:
    """Why the address cannot be stored ("" when it can)."""
    lines = address_lines(address)
    if len(lines) > ADDRESS_LINES:
        return _("Write the address on at most %(count)d lines.") % {"count": ADDRESS_LINES}
    if any(len(line) > ADDRESS_LINE_CHARS for line in lines):
        return _("Write each line of the address in at most %(count)d characters.") % {"count": ADDRESS_LINE_CHARS}
    return ""


def set_postal_address(user, organisation: Organisation, address: str) -> Organisation:
    allowed = permissions.can_edit_postal_address(user, organisation)
    if not allowed:
        raise Refused(allowed.reason)
    problem = address_problem(address)
    if problem:
        raise Refused(problem, field="postal_address")
    text = "\n".join(address_lines(address))
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        before = {"postal_address": locked.postal_address}
        if locked.postal_address == text:
            return locked
        locked.postal_address = text
        locked.save(update_fields=["postal_address"])
        audit.record(user, "registry.postal_address_changed", locked, before=before, after={"postal_address": text})
    return locked


# ── Delivering a signed decision (the notification task) ────────────────────


def recipients_of(decision: Decision, organisation_id: int, *, is_lead: bool) -> list[str]:
    """The organisation's approved members (and for the lead the application's contact e-mail), each once."""
    addresses = [(decision.application.contact_email or "").strip()] if is_lead else []
    addresses += list(
        Membership.objects.filter(organisation_id=organisation_id, status=Membership.Status.APPROVED, user__is_active=True)
        .order_by("user_id")
        .values_list("user__email", flat=True)
    )
    seen: set[str] = set()
    unique = []
    for address in addresses:
        if address and address.lower() not in seen:
            seen.add(address.lower())
            unique.append(address)
    return unique


def create_deliveries(decision_pk: int) -> list[Delivery]:
    """One delivery per organisation of the application, its channel fixed by the consent in force now
    (and someone to send to), its language by the organisation's role. Made once: a second call
    returns the same deliveries."""
    with transaction.atomic():
        decision = Decision.objects.select_for_update().get(pk=decision_pk)
        existing = list(Delivery.objects.filter(decision=decision).select_related("organisation"))
        if existing:
            return existing
        decision = decisions.load_decision(decision.application_id)
        main_electronic = main_document_electronic(decision)
        now = clock.now()
        participants = Participant.objects.filter(application_id=decision.application_id).select_related("organisation").order_by("role", "pk")
        for participant in participants:
            organisation = participant.organisation
            is_lead = participant.role == Participant.Role.LEAD
            consent = consent_at(organisation.pk, now)
            if consent is not None and not recipients_of(decision, organisation.pk, is_lead=is_lead):
                consent = None  # nobody to e-mail: the letter goes by post
            channel = rules.channel_for(consent is not None)
            language = rules.copy_language(is_lead=is_lead, decision_language=decision.language, majority_language=organisation.majority_language)
            Delivery.objects.create(
                decision=decision,
                organisation=organisation,
                is_lead=is_lead,
                channel=channel,
                language=language,
                consent=consent,
                created_at=now,
                own_copy=rules.needs_own_copy(
                    language=language,
                    electronic=channel == rules.ELECTRONIC,
                    decision_language=documents.document_language(decision.language),
                    main_electronic=main_electronic,
                ),
            )
        return list(Delivery.objects.filter(decision=decision).select_related("organisation"))


def copy_document(decision: Decision, delivery: Delivery):
    return decisions.document_for(decision, language=delivery.language, electronic=delivery.electronic)


def store_copy(delivery_pk: int) -> bool:
    """Render and store a delivery's own copy once, with its SHA-256. A stored copy is never replaced."""
    from kuntadigi.decisions.pdf import render_pdf

    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().filter(pk=delivery_pk).first()
        if delivery is None or not delivery.own_copy or delivery.copy_sha256:
            return False
        decision = decisions.load_decision(Decision.objects.values_list("application_id", flat=True).get(pk=delivery.decision_id))
        pdf = render_pdf(copy_document(decision, delivery))
        digest = hashlib.sha256(pdf).hexdigest()
        filename = f"{decision.application.reference}-{delivery.language}-{delivery.channel}-{digest[:16]}.pdf"
        name = delivery.copy.field.generate_filename(delivery, filename)
        if decisions.stored_file_matches(delivery.copy.storage, name, digest):
            delivery.copy.name = name  # written by an attempt whose worker died before its commit
        else:
            delivery.copy.save(filename, ContentFile(pdf), save=False)
        delivery.copy_sha256 = digest
        delivery.save(update_fields=["copy", "copy_sha256"])
    logger.info("Delivery %s of decision %s: own copy stored", delivery_pk, delivery.decision_id)
    return True


def copy_bytes(delivery: Delivery) -> bytes:
    """The delivery's own copy, after checking its SHA-256; raises decisions' DocumentTampered (logged) when it does not match."""
    try:
        with delivery.copy.open("rb") as handle:
            data = handle.read()
    except (FileNotFoundError, ValueError) as error:
        logger.error("Delivery %s: its copy is missing from storage (%s)", delivery.pk, type(error).__name__)
        raise decisions.DocumentTampered from error
    if hashlib.sha256(data).hexdigest() != delivery.copy_sha256:
        logger.error("Delivery %s: the stored copy does not match its SHA-256; it is not served", delivery.pk)
        raise decisions.DocumentTampered
    return data


def document_url(delivery: Delivery, application_pk: int) -> str:
    """Where the organisation downloads its decision: its own copy, or the signed main document."""
    if delivery.own_copy:
        return reverse("delivery:copy_document", args=[application_pk, delivery.pk])
    return reverse("decisions:decision_document", args=[application_pk])


def send_electronic(delivery_pk: int) -> int:
    """E-mail an electronic delivery to its recipients in its language and record when; once. Returns the messages sent."""
    delivery = Delivery.objects.select_related("organisation").get(pk=delivery_pk)
    if not delivery.electronic or delivery.sent_at is not None or (delivery.own_copy and not delivery.copy_sha256):
        return 0
    decision = decisions.load_decision(Decision.objects.values_list("application_id", flat=True).get(pk=delivery.decision_id))
    application = decision.application
    recipients = notify.in_language(
        [notify.recipient_for_address(address, delivery.language) for address in recipients_of(decision, delivery.organisation_id, is_lead=delivery.is_lead)],
        delivery.language,
    )
    with translation.override(delivery.language):
        context = {
            "doc": copy_document(decision, delivery),
            "application": application,
            "organisation_name": delivery.organisation.legal_name_in(delivery.language),
            "pdf_url": settings.SITE_URL + document_url(delivery, application.pk),
            "language": delivery.language,
            "presumed_day": rules.PRESUMED_DAYS[rules.ELECTRONIC],
            "consent_url": settings.SITE_URL + reverse("accounts:organisations") + "#delivery",
        }
    # The delivery's e-mail is the applicant's "decision signed" notice: recorded on each recipient's
    # account page, and keyed by the delivery so that a run after a crash sends nobody a second copy.
    messages = notify.send(
        "decision_signed",
        recipients,
        template="delivery/email/decision",
        subject=lambda: _("Decision on your application %(reference)s") % {"reference": application.reference},
        context=context,
        url=lambda: settings.SITE_URL + reverse("applications:detail", args=[application.pk]) + "#decision",
        key=f"decision_signed:{delivery_pk}",
    )
    if any(message.status == Message.Status.FAILED for message in messages) or notify.not_yet_sent(f"decision_signed:{delivery_pk}", recipients):
        # Not marked sent (its date starts the period for rectification): the task fails and its retry
        # sends the failed ones again, the others once. Every recipient must have been sent the message,
        # also one whose message another run claimed and has not finished.
        raise DeliveryNotSent(delivery_pk)
    # All the delivery's messages, also those sent by an earlier, interrupted run.
    sent = Message.objects.filter(key__startswith=f"decision_signed:{delivery_pk}:", status=Message.Status.SENT).count()
    with transaction.atomic():
        locked = Delivery.objects.select_for_update().get(pk=delivery_pk)
        if locked.sent_at is None:
            now = clock.now()
            locked.sent_at, locked.sent_on, locked.messages = now, clock.helsinki(now).date(), sent
            locked.save(update_fields=["sent_at", "sent_on", "messages"])
    logger.info("Delivery %s of decision %s: %d messages sent", delivery_pk, delivery.decision_id, sent)
    return sent


def _summary(delivery: Delivery) -> dict:
    return {
        "delivery": delivery.pk,
        "organisation": delivery.organisation_id,
        "lead": delivery.is_lead,
        "channel": delivery.channel,
        "language": delivery.language,
        "consent": delivery.consent_id,
        "copy_sha256": delivery.copy_sha256 or None,
        "sent_at": delivery.sent_at.isoformat() if delivery.sent_at else None,
        "messages": delivery.messages,
    }


def deliver(decision_pk: int) -> int:
    """The notification of a signed decision whose document is stored: the deliveries, their own
    copies, the e-mails of the electronic ones; then the decision is marked notified (the letters wait
    for the officials). Every step is kept, so a run after a crash carries on where it stopped.
    Returns the number of messages this run sent."""
    decision = Decision.objects.filter(pk=decision_pk).only("state", "document_sha256", "notified_at").first()
    if decision is None or decision.state != Decision.State.SIGNED or not decision.document_sha256 or decision.notified_at is not None:
        return 0
    deliveries = create_deliveries(decision_pk)
    for delivery in deliveries:
        if delivery.own_copy and not delivery.copy_sha256:
            store_copy(delivery.pk)
    sent = sum(send_electronic(delivery.pk) for delivery in deliveries if delivery.electronic)
    done = list(Delivery.objects.filter(decision_id=decision_pk).order_by("-is_lead", "pk"))
    unsent = [d.pk for d in done if (d.electronic and d.sent_at is None) or (d.own_copy and not d.copy_sha256)]
    if unsent:  # not notified yet: `render_decisions --notify` (or the next run) carries on
        logger.warning("Decision %s: deliveries %s are not ready; the decision is not marked notified", decision_pk, unsent)
        return sent
    decisions.mark_notified(decision_pk, sent, deliveries=[_summary(d) for d in done])
    return sent


# ── Reading and posting ─────────────────────────────────────────────────────


def record_reading(user, application: Application) -> int:
    """A member opened the signed decision (the application's page or a PDF): each delivery to that
    member's organisations is marked read the first time, with an audit event. Returns how many."""
    org_ids = permissions.organisation_ids(user) & permissions.application_org_ids(application)
    if not org_ids:
        return 0
    unread = list(
        Delivery.objects.filter(decision__application_id=application.pk, organisation_id__in=org_ids, read_at__isnull=True).values_list("pk", flat=True)
    )
    if not unread:
        return 0
    marked = 0
    with transaction.atomic():
        for delivery in Delivery.objects.select_for_update().filter(pk__in=unread, read_at__isnull=True).order_by("pk"):
            delivery.read_at, delivery.read_by = clock.now(), user
            delivery.save(update_fields=["read_at", "read_by"])
            audit.record(
                user,
                "delivery.read",
                delivery,
                application_id=application.pk,
                after={"organisation": delivery.organisation_id, "read_at": delivery.read_at.isoformat()},
            )
            marked += 1
    return marked


POSTING_PROBLEMS = {
    "future": gettext_lazy("The letter cannot have been posted on a day still to come."),
    "before_decision": gettext_lazy("The letter cannot have been posted before the decision was made."),
}


def mark_posted(user, delivery_pk: int, posted_on: date) -> Delivery:
    """A decision official records the day the letter was posted: it is the delivery's day of sending."""
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update(of=("self",)).select_related("decision__application__call", "organisation").get(pk=delivery_pk)
        allowed = permissions.can_post_letters(user, delivery.decision.application.call)
        if not allowed:
            raise Refused(allowed.reason)
        if delivery.channel != Delivery.Channel.POST:
            raise Refused(_("This decision is delivered electronically, not by post."))
        if delivery.sent_on is not None:
            raise Refused(_("The letter has already been marked as posted."))
        if not delivery.organisation.postal_address.strip():
            raise Refused(_("Enter the organisation's postal address first."), field="postal_address")
        problem = rules.posting_date_problem(posted_on, today=clock.helsinki(clock.now()).date(), decided_on=delivery.decision.decision_date)
        if problem:
            raise Refused(str(POSTING_PROBLEMS[problem]), field="posted_on")
        delivery.sent_on, delivery.sent_at, delivery.sent_by = posted_on, clock.now(), user
        delivery.save(update_fields=["sent_on", "sent_at", "sent_by"])
        audit.record(
            user,
            "delivery.posted",
            delivery,
            application_id=delivery.decision.application_id,
            after={"organisation": delivery.organisation_id, "posted_on": posted_on.isoformat(), "language": delivery.language},
        )
    return delivery
