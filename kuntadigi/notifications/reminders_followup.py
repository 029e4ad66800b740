"""The funded projects' reminders of the daily job (`manage.py send_reminders`, reminders.run):

    reminder_report          a report (interim or final) not yet submitted, 14 and 3 days before its due date:
                             the lead's people (notifications.lead_recipients: the application's contact person
                             and the lead organisation's approved members)
    reminder_report_overdue  the same report once its due date has passed: the day after, then weekly, eight
                             times at most (rules_followup.OVERDUE_WEEKS); the same people
    reminder_acceptance      a grant neither accepted nor refused, 7 days and 1 day before its acceptance date:
                             the lead organisation's administrators (only they can answer it)

Which stage is due is decided by rules_followup.py (Helsinki calendar days); each goes out once by its
key, `<kind>:<stage>@<due date>:<object id>` (object = the report, or the funded project), to which
services.send adds the address. Each recipient reads it in their own language (their account's, or the
application's for an address without an account).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from kuntadigi.clock import helsinki

from . import rules, rules_followup
from . import services as notify
from .reminders import Reminder

KINDS = ("reminder_report", "reminder_report_overdue", "reminder_acceptance")


def _project_url(project_id: int):
    return lambda: settings.SITE_URL + reverse("projects:detail", args=[project_id])


def _today(now: datetime) -> date:
    return helsinki(now).date()


def due_report_reminders(now: datetime) -> list[Reminder]:
    """Reports not yet submitted of accepted or running projects, due within 14 days or overdue by at most
    OVERDUE_WEEKS weeks."""
    from kuntadigi.projects.lifecycle import State as ProjectState
    from kuntadigi.reports.lifecycle import State
    from kuntadigi.reports.models import Report

    today = _today(now)
    first = max(rules_followup.REPORT_BEFORE)
    reports = (
        Report.objects.filter(
            state=State.DRAFT,
            project__state__in=[ProjectState.ACCEPTED, ProjectState.RUNNING],
            due_date__gte=today - timedelta(days=7 * rules_followup.OVERDUE_WEEKS),
            due_date__lte=today + timedelta(days=first),
        )
        .select_related("project__application__call", "project__application__lead")
        .order_by("pk")
    )
    reminders = []
    for report in reports:
        stage = rules_followup.report_stage(report.due_date, today, submitted=False)
        if stage is None:
            continue
        application = report.project.application
        overdue = rules_followup.is_overdue_stage(stage)
        kind = "reminder_report_overdue" if overdue else "reminder_report"
        reminders.append(
            Reminder(
                kind=kind,
                key=rules.reminder_key(kind, rules_followup.dated_stage(stage, report.due_date), report.pk),
                recipients=notify.lead_recipients(application),
                template=f"notifications/email/{kind}",
                subject=lambda reference=application.reference, overdue=overdue, final=report.kind == report.Kind.FINAL: _report_subject(
                    reference, overdue, final
                ),
                context={"report": report, "project": report.project, "application": application, "call": application.call},
                url=_project_url(report.project_id),
            )
        )
    return reminders


def _report_subject(reference: str, overdue: bool, final: bool) -> str:
    values = {"reference": reference}
    if overdue:
        if final:
            return _("Reminder: the final report of project %(reference)s is overdue") % values
        return _("Reminder: the interim report of project %(reference)s is overdue") % values
    if final:
        return _("Reminder: the final report of project %(reference)s is due") % values
    return _("Reminder: the interim report of project %(reference)s is due") % values


def due_acceptance_reminders(now: datetime) -> list[Reminder]:
    """Grants neither accepted nor refused, whose acceptance period ends within 7 days."""
    from kuntadigi.projects.lifecycle import State
    from kuntadigi.projects.models import FundedProject

    today = _today(now)
    projects = (
        FundedProject.objects.filter(
            state=State.GRANTED,
            acceptance_due__gte=today,
            acceptance_due__lte=today + timedelta(days=max(rules_followup.ACCEPTANCE_BEFORE)),
        )
        .select_related("application__call", "application__lead")
        .order_by("pk")
    )
    reminders = []
    for project in projects:
        stage = rules_followup.acceptance_stage(project.acceptance_due, today, _today(project.created_at), answered=False)
        if stage is None:
            continue
        application = project.application
        reminders.append(
            Reminder(
                kind="reminder_acceptance",
                key=rules.reminder_key("reminder_acceptance", rules_followup.dated_stage(stage, project.acceptance_due), project.pk),
                recipients=notify.organisation_recipients(application.lead_id, application.language, admins_only=True),
                template="notifications/email/reminder_acceptance",
                subject=lambda reference=application.reference: _("Reminder: accept or refuse the grant to project %(reference)s") % {"reference": reference},
                context={"project": project, "application": application, "call": application.call},
                url=_project_url(project.pk),
            )
        )
    return reminders


def due_reminders(now: datetime) -> list[Reminder]:
    return due_report_reminders(now) + due_acceptance_reminders(now)
