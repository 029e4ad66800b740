"""The daily reminder job (`manage.py send_reminders`): reminders before a call closes and before a
request for supplement is due, and the removal of old message records.

Which reminder is due when is decided by rules.py (Helsinki calendar days). Each reminder goes through
services.send with a key (rules.reminder_key + the address), so it goes out once however often the job
runs, and also when two runs overlap: the key is unique in the database, and the second run's insert
fails and is skipped. Recipients who switched reminders off are left out by services.send.

    reminder_confirmation  a partner whose participation in a draft is not (or no longer) confirmed, nor declined:
                           the partner organisation's approved members
    reminder_draft         a draft not submitted: the lead organisation's approved members and the
                           application's contact person
    reminder_supplement    an unanswered request for supplement: the same people as the request itself

Reminders are written in each recipient's own language (their account's; the application's for an
address without an account).
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext as _

from . import rules
from . import services as notify
from .models import Message

logger = logging.getLogger(__name__)

# Deadlines further away than this are not looked at (the first stage starts 7 Helsinki days before).
HORIZON = timedelta(days=8)


@dataclass
class Reminder:
    kind: str
    key: str
    recipients: list[notify.Recipient]
    template: str
    subject: object
    context: dict
    url: object


@dataclass
class RunSummary:
    sent: Counter = field(default_factory=Counter)
    deleted_messages: int = 0
    failed: int = 0  # reminders that raised (logged); tried again by the next run


def _application_url(application_id: int):
    return lambda: settings.SITE_URL + reverse("applications:detail", args=[application_id])


def due_call_reminders(now: datetime) -> list[Reminder]:
    """Drafts not submitted and partners not confirmed, in calls closing within the stages of rules.py."""
    from kuntadigi.applications.lifecycle import State
    from kuntadigi.applications.models import Application, BudgetLine, Participant
    from kuntadigi.applications.snapshot import confirmation_is_current

    drafts = (
        Application.objects.filter(state=State.DRAFT, call__closes_at__gt=now, call__closes_at__lte=now + HORIZON)
        .select_related("call", "lead")
        .prefetch_related(
            Prefetch(
                "participants",
                queryset=Participant.objects.filter(role=Participant.Role.PARTNER)
                .select_related("organisation")
                .prefetch_related(Prefetch("budget_lines", queryset=BudgetLine.objects.select_related("category"))),
            )
        )
        .order_by("pk")
    )
    reminders = []
    for application in drafts:
        stage = rules.deadline_stage(application.call.closes_at, now)
        if stage is None:
            continue
        context = {"application": application, "call": application.call, "stage": stage}
        reminders.append(
            Reminder(
                kind="reminder_draft",
                key=rules.reminder_key("reminder_draft", stage, application.pk),
                recipients=notify.lead_recipients(application),
                template="notifications/email/reminder_draft",
                subject=lambda reference=application.reference: _("Reminder: application %(reference)s has not been submitted") % {"reference": reference},
                context=context,
                url=_application_url(application.pk),
            )
        )
        for participant in application.participants.all():
            # A partner that declined has answered: the lead removes it or asks again (which e-mails it).
            if confirmation_is_current(participant) or participant.declined_at is not None:
                continue
            reminders.append(
                Reminder(
                    kind="reminder_confirmation",
                    key=rules.reminder_key("reminder_confirmation", stage, participant.pk),
                    recipients=notify.organisation_recipients(participant.organisation_id, application.language),
                    template="notifications/email/reminder_confirmation",
                    subject=lambda reference=application.reference: (
                        _("Reminder: confirm your participation in application %(reference)s") % {"reference": reference}
                    ),
                    context={**context, "participant": participant, "organisation": participant.organisation},
                    url=lambda pk=application.pk: settings.SITE_URL + reverse("applications:confirm", args=[pk]),
                )
            )
    return reminders


def due_supplement_reminders(now: datetime) -> list[Reminder]:
    """Unanswered requests for supplement due tomorrow or today (rules.supplement_stage)."""
    from kuntadigi.applications.lifecycle import State
    from kuntadigi.screening.models import SupplementRequest

    requests = (
        SupplementRequest.objects.filter(
            answered_at__isnull=True, application__state=State.SUPPLEMENT_REQUESTED, due_at__gt=now, due_at__lte=now + timedelta(days=2)
        )
        .select_related("application__call", "application__lead")
        .order_by("pk")
    )
    reminders = []
    for request in requests:
        stage = rules.supplement_stage(request.due_at, request.requested_at, request.answered_at is not None, now)
        if stage is None:
            continue
        application = request.application
        reminders.append(
            Reminder(
                kind="reminder_supplement",
                key=rules.reminder_key("reminder_supplement", stage, request.pk),
                recipients=notify.lead_recipients(application),
                template="notifications/email/reminder_supplement",
                subject=lambda reference=application.reference: _("Reminder: the supplement to application %(reference)s is due") % {"reference": reference},
                context={"application": application, "request": request},
                url=_application_url(application.pk),
            )
        )
    return reminders


def would_send(reminder: Reminder) -> int:
    """How many of the reminder's recipients a run would e-mail now (for --dry-run)."""
    return sum(1 for r in notify.unique_recipients(reminder.recipients) if notify.wants(r, reminder.kind) and not notify.was_sent(reminder.key, r.address))


def delete_old_messages(now: datetime) -> int:
    """Remove the records of messages older than KUNTADIGI_MESSAGE_RETENTION_DAYS."""
    cutoff = now - timedelta(days=settings.KUNTADIGI_MESSAGE_RETENTION_DAYS)
    deleted, _by_model = Message.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def old_messages(now: datetime) -> int:
    return Message.objects.filter(created_at__lt=now - timedelta(days=settings.KUNTADIGI_MESSAGE_RETENTION_DAYS)).count()


def run(now: datetime, *, dry_run: bool = False) -> RunSummary:
    """Send every reminder due at `now` (each once) and delete old message records; with `dry_run`,
    only count what would be sent and deleted."""
    from . import reminders_followup  # the funded projects' reminders (reports, acceptance of the grant)

    summary = RunSummary()
    for reminder in due_call_reminders(now) + due_supplement_reminders(now) + reminders_followup.due_reminders(now):
        if dry_run:
            summary.sent[reminder.kind] += would_send(reminder)
            continue
        try:
            sent = notify.send(
                reminder.kind,
                reminder.recipients,
                template=reminder.template,
                subject=reminder.subject,
                context=reminder.context,
                url=reminder.url,
                key=reminder.key,
            )
        except Exception:  # one broken reminder must not stop the others: logged by its key (ids only), tried again tomorrow
            logger.exception("Reminder %s could not be sent", reminder.key)
            summary.failed += 1
            continue
        summary.sent[reminder.kind] += sum(1 for message in sent if message.status == Message.Status.SENT)
    summary.deleted_messages = old_messages(now) if dry_run else delete_old_messages(now)
    logger.info("Reminder job: %s sent, %d old message records deleted%s", dict(summary.sent), summary.deleted_messages, " (dry run)" if dry_run else "")
    return summary
