"""The officials' overdue list of a call's funded projects (officials.followup): reports not submitted by
their due date, payment requests waiting for their check CHECK_DAYS days or more, grants not accepted by
their acceptance date; for the call's officials and payment approvers only, every read recorded, in a
constant number of queries, downloadable, and linked from the work page."""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from kuntadigi import clock
from kuntadigi.audit.models import AuditEvent
from kuntadigi.payments.lifecycle import State as RequestState
from kuntadigi.reports.lifecycle import State as ReportState
from kuntadigi.reports.models import Report
from tests import factories
from tests.integration import decisions_support, projects_support
from tests.integration import followup_support as follow

pytestmark = pytest.mark.django_db

TODAY = date(2023, 3, 20)


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=factories.HKI)


@pytest.fixture
def world():
    with translation.override("en"):
        world = decisions_support.build_world()
        running = follow.running(projects_support.sign_grant(world, "sv"))
        granted = projects_support.sign_grant(world, "fi")
    follow.report(running, date(2023, 2, 28))  # final report: 20 days late
    follow.report(running, date(2022, 6, 30), kind=Report.Kind.INTERIM, state=ReportState.APPROVED)  # delivered
    follow.report(running, date(2023, 3, 20), kind=Report.Kind.INTERIM)  # due today: not yet late
    follow.payment_request(running, at(TODAY - timedelta(days=20)), by=world.lead_user)  # waited 20 days
    follow.payment_request(running, at(TODAY - timedelta(days=5)), by=world.lead_user)  # 5 days: not yet
    follow.payment_request(running, at(TODAY - timedelta(days=30)), by=world.lead_user, state=RequestState.CHECKED)  # checked
    clock.set_now(at(TODAY))
    world.running, world.granted = running, granted
    return world


def overdue_url(world, fmt: str | None = None) -> str:
    with translation.override("en"):
        if fmt:
            return reverse("followup:overdue_export", args=[world.call.slug, fmt])
        return reverse("followup:overdue", args=[world.call.slug])


def test_the_preparer_sees_what_is_overdue_and_the_read_is_recorded(client, world):
    client.force_login(world.preparer)
    response = client.get(overdue_url(world))
    assert response.status_code == 200
    result = response.context["overdue"]
    assert [(row.reference, row.what, row.due, row.days_late) for row in result.reports] == [
        (world.running.application.reference, "final report", date(2023, 2, 28), 20)
    ]
    assert [(row.reference, row.days_late) for row in result.payment_requests] == [(world.running.application.reference, 6)]
    assert [(row.reference, row.due) for row in result.acceptances] == [(world.granted.application.reference, world.granted.acceptance_due)]
    page = response.content.decode()
    assert "Overdue in the funded projects" in page and f'href="/en/projects/{world.running.pk}/"' in page
    event = AuditEvent.objects.filter(action="application.read", actor=world.preparer).latest("id")
    assert event.after["read"] == "follow_up_overdue"
    assert event.after["applications"] == sorted([world.running.application_id, world.granted.application_id])


def test_the_download_holds_the_same_rows(client, world):
    client.force_login(world.preparer)
    csv = client.get(overdue_url(world, "csv"))
    assert csv.status_code == 200 and csv["Content-Disposition"].endswith('-overdue.csv"')
    text = csv.content.decode("utf-8-sig")
    assert text.count(world.running.application.reference) == 2 and text.count(world.granted.application.reference) == 1
    xlsx = client.get(overdue_url(world, "xlsx"))
    rows = list(load_workbook(io.BytesIO(xlsx.content)).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 4 and rows[0][0] == "Reference"
    assert {row[6] for row in rows[1:]} == {20, 6, (TODAY - world.granted.acceptance_due).days}
    reads = AuditEvent.objects.filter(action="application.read", actor=world.preparer).values_list("after__read", flat=True)
    assert sorted(reads) == ["follow_up_overdue_csv", "follow_up_overdue_xlsx"]
    assert client.get(overdue_url(world, "pdf")).status_code == 404


@pytest.mark.parametrize("who", ["assessor", "official", "outsider", "lead_user"])
def test_others_get_404(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get(overdue_url(world)).status_code == 404
    assert client.get(overdue_url(world, "csv")).status_code == 404
    assert not AuditEvent.objects.filter(action="application.read", actor=getattr(world, who)).exists()


def test_a_payment_approver_and_the_decision_maker_see_it(client, world):
    approver = factories.official_in(world.call, "payment_approver", email="approver@vm.fi")
    for person in (approver, world.decision_maker):
        client.force_login(person)
        assert client.get(overdue_url(world)).status_code == 200


def test_the_list_takes_the_same_queries_however_much_is_overdue(client, world):
    client.force_login(world.preparer)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(overdue_url(world)).status_code == 200
        return len(captured)

    few = queries()
    for n in range(5):
        follow.report(world.running, date(2023, 1, 1) + timedelta(days=n), kind=Report.Kind.INTERIM)
        follow.payment_request(world.running, at(TODAY - timedelta(days=40 + n)), by=world.lead_user)
    assert queries() == few


def test_the_work_page_links_the_list_with_its_count(client, world):
    client.force_login(world.preparer)
    with translation.override("en"):
        response = client.get(reverse("officials:work"))
    page = response.content.decode()
    assert overdue_url(world) in page
    task = next(task for call in response.context["work"].calls for task in call.tasks if task.url == overdue_url(world))
    assert task.count == 3 and task.waits
    # An assessor of the call has no such line.
    client.force_login(world.assessor)
    with translation.override("en"):
        assert overdue_url(world) not in client.get(reverse("officials:work")).content.decode()
