"""The officials' overdue list of a call's funded projects: what has passed its time, in three queries
whatever the number of projects (one per kind of row):

    kind                    overdue when                                                         who acts
    ──────────────────────  ───────────────────────────────────────────────────────────────────  ────────────────────
    report                  an interim or final report still a draft after its due date            the lead (reminded
                            (a project accepted or running)                                         by the daily job)
    payment request         submitted, not yet checked, CHECK_DAYS days or more after submission  the call's preparer
    acceptance              a grant neither accepted nor refused after its acceptance date        the ministry asks
                                                                                                    the lead

Days are counted in Helsinki calendar days, as the reminders count them (notifications.rules_followup).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kuntadigi import clock
from kuntadigi.calls.models import Call

# A submitted payment request waits this many days for its check before it is listed as overdue.
CHECK_DAYS = 14


@dataclass(frozen=True)
class OverdueRow:
    kind: str  # "report", "payment_request" or "acceptance"
    project_id: int
    application_id: int
    reference: str
    project_name: str
    lead: str
    what: str
    due: date  # the date the thing was due (for a payment request: the day its check became overdue)
    days_late: int

    @property
    def url(self) -> str:
        return reverse("projects:detail", args=[self.project_id])


@dataclass
class Overdue:
    call: Call
    today: date
    reports: list[OverdueRow]
    payment_requests: list[OverdueRow]
    acceptances: list[OverdueRow]
    # How many there are in all, per list (the page shows the first SHOWN of each; the download has every row).
    totals: dict[str, int] | None = None

    def total(self, kind: str) -> int:
        return self.totals[kind] if self.totals is not None else len(getattr(self, kind))

    @property
    def rows(self) -> list[OverdueRow]:
        return [*self.reports, *self.payment_requests, *self.acceptances]

    @property
    def application_ids(self) -> list[int]:
        return sorted({row.application_id for row in self.rows})


# Rows per list on the page (a call with thousands of running projects stays quick to read; bench/followup_bench.py).
SHOWN = 100


def _limited(queryset, limit: int | None, totals: dict | None, kind: str):
    """The queryset, cut to `limit` rows when given; the count of all rows into `totals[kind]` then."""
    if limit is None:
        return queryset
    totals[kind] = queryset.count()
    return queryset[:limit]


def _lead(application) -> str:
    lead = application.lead
    return (lead.name_sv if get_language() == "sv" else "") or lead.name_fi


def overdue_reports(call: Call, today: date, limit: int | None = None, totals: dict | None = None) -> list[OverdueRow]:
    from kuntadigi.projects.lifecycle import State as ProjectState
    from kuntadigi.reports.lifecycle import State
    from kuntadigi.reports.models import Report

    reports = (
        Report.objects.filter(
            project__application__call=call,
            project__state__in=[ProjectState.ACCEPTED, ProjectState.RUNNING],
            state=State.DRAFT,
            due_date__lt=today,
        )
        .select_related("project__application__lead")
        .order_by("due_date", "project__application__reference", "pk")
    )
    reports = _limited(reports, limit, totals, "reports")
    return [
        OverdueRow(
            kind="report",
            project_id=report.project_id,
            application_id=report.project.application_id,
            reference=report.project.application.reference,
            project_name=report.project.application.project_name,
            lead=_lead(report.project.application),
            what=str(report.get_kind_display()),
            due=report.due_date,
            days_late=(today - report.due_date).days,
        )
        for report in reports
    ]


def overdue_payment_requests(call: Call, today: date, limit: int | None = None, totals: dict | None = None) -> list[OverdueRow]:
    from kuntadigi.payments.lifecycle import State
    from kuntadigi.payments.models import PaymentRequest

    # Submitted on or before this Helsinki day: waited CHECK_DAYS days or more.
    last_day = today - timedelta(days=CHECK_DAYS)
    requests = (
        PaymentRequest.objects.filter(project__application__call=call, state=State.SUBMITTED, submitted_at__isnull=False)
        .filter(submitted_at__lt=_start_of_helsinki_day(last_day + timedelta(days=1)))
        .select_related("project__application__lead")
        .order_by("submitted_at", "pk")
    )
    requests = _limited(requests, limit, totals, "payment_requests")
    rows = []
    for request in requests:
        submitted_on = clock.helsinki(request.submitted_at).date()
        due = submitted_on + timedelta(days=CHECK_DAYS)
        rows.append(
            OverdueRow(
                kind="payment_request",
                project_id=request.project_id,
                application_id=request.project.application_id,
                reference=request.project.application.reference,
                project_name=request.project.application.project_name,
                lead=_lead(request.project.application),
                what=str(_("Payment request %(number)s, submitted on %(day)s") % {"number": request.number, "day": submitted_on.strftime("%-d.%-m.%Y")}),
                due=due,
                days_late=(today - due).days,
            )
        )
    return rows


def _start_of_helsinki_day(day: date):
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    return datetime.combine(day, time.min, tzinfo=ZoneInfo("Europe/Helsinki"))


def overdue_acceptances(call: Call, today: date, limit: int | None = None, totals: dict | None = None) -> list[OverdueRow]:
    from kuntadigi.projects.lifecycle import State
    from kuntadigi.projects.models import FundedProject

    projects = (
        FundedProject.objects.filter(application__call=call, state=State.GRANTED, acceptance_due__lt=today)
        .select_related("application__lead")
        .order_by("acceptance_due", "application__reference")
    )
    projects = _limited(projects, limit, totals, "acceptances")
    return [
        OverdueRow(
            kind="acceptance",
            project_id=project.pk,
            application_id=project.application_id,
            reference=project.application.reference,
            project_name=project.application.project_name,
            lead=_lead(project.application),
            what=str(_("Grant neither accepted nor refused")),
            due=project.acceptance_due,
            days_late=(today - project.acceptance_due).days,
        )
        for project in projects
    ]


def overdue(call: Call, *, limit: int | None = None) -> Overdue:
    """Everything overdue in the call's funded projects today (three queries), or the first `limit` rows
    of each list with the count of all (six queries)."""
    today = clock.helsinki(clock.now()).date()
    totals: dict[str, int] | None = {} if limit is not None else None
    return Overdue(
        call=call,
        today=today,
        reports=overdue_reports(call, today, limit, totals),
        payment_requests=overdue_payment_requests(call, today, limit, totals),
        acceptances=overdue_acceptances(call, today, limit, totals),
        totals=totals,
    )


KIND_LABELS = {
    "report": _("Report not submitted"),
    "payment_request": _("Payment request not checked"),
    "acceptance": _("Grant not accepted"),
}


def headers() -> list:
    return [_("Reference"), _("Project"), _("Lead applicant"), _("Overdue"), _("What"), _("Due"), _("Days late")]


def table_rows(result: Overdue) -> list[list]:
    return [[row.reference, row.project_name, row.lead, str(KIND_LABELS[row.kind]), row.what, row.due, row.days_late] for row in result.rows]


# ── On the work page ─────────────────────────────────────────────────────────

FOLLOW_UP_ROLES = {"preparer", "presenter", "decision_maker", "payment_approver"}


def overdue_counts(roles_by_call: dict[int, set[str]]) -> dict[int, int]:
    """Per call in which the person follows up projects, how many things are overdue (three queries)."""
    from django.db.models import Count, Q

    from kuntadigi.payments.lifecycle import State as RequestState
    from kuntadigi.payments.models import PaymentRequest
    from kuntadigi.projects.lifecycle import State as ProjectState
    from kuntadigi.projects.models import FundedProject
    from kuntadigi.reports.lifecycle import State as ReportState
    from kuntadigi.reports.models import Report

    call_ids = [pk for pk, roles in roles_by_call.items() if roles & FOLLOW_UP_ROLES]
    if not call_ids:
        return {}
    today = clock.helsinki(clock.now()).date()
    # Only the calls that have funded projects get the line (the same query counts the grants not accepted).
    counts: dict[int, int] = {}
    projects = (
        FundedProject.objects.filter(application__call_id__in=call_ids)
        .values("application__call_id")
        .annotate(n=Count("pk", filter=Q(state=ProjectState.GRANTED, acceptance_due__lt=today)))
        .order_by()
    )
    for row in projects:
        counts[row["application__call_id"]] = row["n"]
    if not counts:
        return {}
    querysets = [
        (
            Report.objects.filter(
                project__application__call_id__in=call_ids,
                project__state__in=[ProjectState.ACCEPTED, ProjectState.RUNNING],
                state=ReportState.DRAFT,
                due_date__lt=today,
            ),
            "project__application__call_id",
        ),
        (
            PaymentRequest.objects.filter(
                project__application__call_id__in=call_ids,
                state=RequestState.SUBMITTED,
                submitted_at__lt=_start_of_helsinki_day(today - timedelta(days=CHECK_DAYS) + timedelta(days=1)),
            ),
            "project__application__call_id",
        ),
    ]
    for queryset, key in querysets:
        for row in queryset.values(key).annotate(n=Count("pk")).order_by():
            counts[row[key]] = counts.get(row[key], 0) + row["n"]
    return counts


def work_tasks(call: Call, roles: set[str], counts: dict[int, int]) -> list:
    """The work page's line for the call's overdue list (for those who follow up its projects)."""
    from .work import Task

    if call.pk not in counts or not roles & FOLLOW_UP_ROLES:
        return []
    # A figure to know for the presenting official and decision-maker; work for the preparer and approvers.
    waits = bool(roles & {"preparer", "payment_approver"})
    return [Task(_("Overdue in the funded projects"), counts[call.pk], reverse("followup:overdue", args=[call.slug]), waits=waits)]
