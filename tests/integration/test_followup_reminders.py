"""The daily job's reminders of funded projects (notifications.reminders_followup): a report not submitted
14 and 3 days before its due date and weekly once it is overdue, to the lead's people; a grant not yet
accepted 7 days and 1 day before its acceptance date, to the lead's administrators. Each once (by its
key), in each recipient's language."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from kuntadigi import clock
from kuntadigi.notifications.models import Message
from kuntadigi.reports.lifecycle import State as ReportState
from kuntadigi.reports.models import Report
from tests import factories
from tests.integration import decisions_support, projects_support
from tests.integration import followup_support as follow

pytestmark = pytest.mark.django_db

DUE = date(2023, 2, 28)
LEAD_PEOPLE = {"kontakt@borga.fi", "lead@borga.fi", "colleague@borga.fi"}  # the contact person and the lead's members


def at(day: date, hour: int = 7) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=factories.HKI)


def run(*args) -> str:
    out = StringIO()
    call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def project():
    with translation.override("en"):
        world = decisions_support.build_world()
        return projects_support.sign_grant(world)


def addresses(mailoutbox) -> set[str]:
    return {message.to[0] for message in mailoutbox}


def test_a_grant_not_answered_is_reminded_of_to_the_leads_administrators_once_per_stage(project, mailoutbox):
    clock.set_now(at(project.acceptance_due - timedelta(days=7)))
    assert "reminder_acceptance: 1 sent" in run()
    assert addresses(mailoutbox) == {"lead@borga.fi"}  # the only administrator of Porvoo: only administrators answer
    mail = mailoutbox[0]
    assert "Påminnelse" in mail.subject and project.application.reference in mail.subject  # the administrator writes Swedish
    assert f"/sv/projects/{project.pk}/" in mail.body
    assert "reminder_acceptance: 0 sent" in run()  # the same day again: nothing
    clock.set_now(at(project.acceptance_due - timedelta(days=3)))
    assert "reminder_acceptance: 0 sent" in run()  # the 7-day stage was sent
    clock.set_now(at(project.acceptance_due))
    assert "reminder_acceptance: 1 sent" in run()  # the last day
    clock.set_now(at(project.acceptance_due + timedelta(days=1)))
    assert "reminder_acceptance: 0 sent" in run()  # the period has ended
    keys = sorted(Message.objects.filter(kind="reminder_acceptance").values_list("key", flat=True))
    assert keys == [
        f"reminder_acceptance:1d@{project.acceptance_due.isoformat()}:{project.pk}:lead@borga.fi",
        f"reminder_acceptance:7d@{project.acceptance_due.isoformat()}:{project.pk}:lead@borga.fi",
    ]


def test_an_accepted_grant_is_not_reminded_of(project, mailoutbox):
    follow.set_state(project, "accepted", accepted_at=clock.now())
    clock.set_now(at(project.acceptance_due - timedelta(days=2)))
    assert "reminder_acceptance: 0 sent" in run()
    assert not mailoutbox


def test_a_report_is_reminded_of_before_its_due_date_and_weekly_when_overdue_each_once(project, mailoutbox):
    follow.running(project)
    final = follow.report(project, DUE)
    sent = {}
    for offset in range(-20, 70):
        clock.set_now(at(DUE + timedelta(days=offset)))
        output = run()
        for kind in ("reminder_report", "reminder_report_overdue"):
            number = int(output.split(f"{kind}: ")[1].split(" ")[0])
            if number:
                sent[offset] = (kind, number)
    # 14 and 3 days before, the day after, then every week: eight overdue reminders at most.
    assert sent == {
        -14: ("reminder_report", 3),
        -3: ("reminder_report", 3),
        **{1 + 7 * week: ("reminder_report_overdue", 3) for week in range(8)},
    }
    assert addresses(mailoutbox) == LEAD_PEOPLE
    first = {m.to[0]: m.subject for m in mailoutbox[:3]}  # the 14-day reminders
    assert first["colleague@borga.fi"] == f"Muistutus: hankkeen {project.application.reference} loppuraportin määräaika lähestyy"  # a Finnish-speaking member
    assert "Påminnelse" in first["lead@borga.fi"]  # a Swedish-speaking one
    overdue = [m for m in mailoutbox if m.to == ["lead@borga.fi"]][-1]
    assert "28.2.2023" in overdue.body and project.application.reference in overdue.subject
    assert Message.objects.filter(key__startswith=f"reminder_report_overdue:overdue-0@2023-02-28:{final.pk}:").count() == 3


def test_a_submitted_report_is_not_reminded_of_and_the_dry_run_sends_nothing(project, mailoutbox):
    follow.running(project)
    interim = follow.report(project, DUE, kind=Report.Kind.INTERIM)
    clock.set_now(at(DUE - timedelta(days=3)))
    assert "reminder_report: 3 would be sent" in run("--dry-run")
    assert not mailoutbox
    Report.objects.filter(pk=interim.pk).update(state=ReportState.SUBMITTED)
    assert "reminder_report: 0 sent" in run()
    assert not mailoutbox


def test_a_report_whose_due_date_is_moved_is_reminded_of_again_for_the_new_date(project, mailoutbox):
    follow.running(project)
    final = follow.report(project, DUE)
    clock.set_now(at(DUE - timedelta(days=3)))
    assert "reminder_report: 3 sent" in run()
    Report.objects.filter(pk=final.pk).update(due_date=DUE + timedelta(days=2))
    assert "reminder_report: 3 sent" in run()  # a new due date: its own reminder
    assert "reminder_report: 0 sent" in run()


def test_no_reminders_for_a_refused_project(project, mailoutbox):
    follow.set_state(project, "refused", refused_at=clock.now(), refusal_reason="Ei resursseja.")
    follow.report(project, DUE)
    clock.set_now(at(DUE - timedelta(days=3)))
    output = run()
    assert "reminder_report: 0 sent" in output and "reminder_acceptance: 0 sent" in output
    assert not mailoutbox
