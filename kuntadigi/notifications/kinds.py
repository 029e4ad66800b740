"""Every kind of e-mail the service sends, at a glance: what it is called on the account page, and
whether its recipient may switch it off.

REQUIRED messages carry something the person must act on or has a right to receive (a sign-in link,
a request to confirm, a request for supplement, a decision): they cannot be switched off. REMINDER
and UPDATE messages follow the person's preferences (User.reminder_emails, User.update_emails).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Category(StrEnum):
    REQUIRED = "required"
    REMINDER = "reminder"
    UPDATE = "update"


@dataclass(frozen=True)
class Kind:
    label: str | Promise
    category: Category


KINDS: dict[str, Kind] = {
    # Signing in and organisations
    "sign_in_link": Kind(_("Sign-in link"), Category.REQUIRED),
    "membership_decided": Kind(_("Decision on a request to join an organisation"), Category.REQUIRED),
    "membership_requested": Kind(_("Request to join an organisation waiting for a decision"), Category.REQUIRED),
    # Applications
    "partner_added": Kind(_("Your organisation was added as a partner"), Category.REQUIRED),
    "partner_confirmed": Kind(_("A partner confirmed its participation"), Category.UPDATE),
    "partner_declined": Kind(_("A partner declined to take part"), Category.REQUIRED),
    "receipt": Kind(_("Receipt of a submitted application"), Category.REQUIRED),
    "partner_receipt": Kind(_("Copy of the receipt for a partner"), Category.UPDATE),
    "draft_deleted": Kind(_("An application was deleted"), Category.UPDATE),
    # Officials' steps
    "supplement_request": Kind(_("Request for supplement"), Category.REQUIRED),
    "screened": Kind(_("Application screened"), Category.UPDATE),
    "decision_signed": Kind(_("Decision signed"), Category.REQUIRED),
    "tie_removed": Kind(_("A declared tie was removed"), Category.UPDATE),
    # Funded projects
    "grant_refused": Kind(_("A grant was refused"), Category.REQUIRED),
    "account_changed": Kind(_("The account a grant is paid to was changed"), Category.REQUIRED),
    # Reports of funded projects
    "report_submitted": Kind(_("A project's report submitted for review"), Category.REQUIRED),
    "report_supplement_request": Kind(_("Request for supplement to a project's report"), Category.REQUIRED),
    "payment_made": Kind(_("A payment of a grant was made"), Category.REQUIRED),
    "payment_request_submitted": Kind(_("A payment request waits to be checked"), Category.REQUIRED),
    "project_decision_signed": Kind(_("Decision on a funded project (payment reduction, settlement)"), Category.REQUIRED),
    "payment_request_checked": Kind(_("A payment request waits for approval"), Category.REQUIRED),
    "payment_reduced": Kind(_("Costs of a payment request were reduced"), Category.REQUIRED),
    "payments_stopped": Kind(_("Payments stopped by a change of account"), Category.REQUIRED),
    # Reminders (manage.py send_reminders)
    "reminder_confirmation": Kind(_("Reminder: confirmation of participation"), Category.REMINDER),
    "reminder_draft": Kind(_("Reminder: application not submitted"), Category.REMINDER),
    "reminder_supplement": Kind(_("Reminder: supplement due"), Category.REMINDER),
    "reminder_report": Kind(_("Reminder: a project's report is due"), Category.REMINDER),
    "reminder_report_overdue": Kind(_("Reminder: a project's report is overdue"), Category.REMINDER),
    "reminder_acceptance": Kind(_("Reminder: a grant to accept or refuse"), Category.REMINDER),
}


def kind(name: str) -> Kind:
    """The kind called `name`; a name not listed here is a programming error."""
    return KINDS[name]


def may_switch_off(name: str) -> bool:
    return KINDS[name].category != Category.REQUIRED
