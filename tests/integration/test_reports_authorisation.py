"""Who reaches a report's pages, by role: the lead (fills in), a partner (reads), the call's preparer
(reviews), its presenter and decision-maker (read the review page), the call's payment approver, a ministry
official without a role in the call, and an outsider. Others' reports are 404; acting without the role is
refused with the reason and changes nothing. (The base roles are also rows of test_authorisation_matrix.py.)"""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from kuntadigi.calls.models import CallRole
from kuntadigi.reports import content
from kuntadigi.reports import services_reports as services
from kuntadigi.reports.models import Report, ReportReview
from tests import factories
from tests.integration import decisions_support
from tests.integration import reports_support as support
from tests.integration.drafting_support import MINIMAL_PDF

ROLES = ("outsider", "partner", "lead", "preparer", "presenter", "decision_maker", "approver", "official")
OK, NOT_FOUND, REDIRECT = 200, 404, 302
READERS = {"partner", "lead", "preparer", "presenter", "decision_maker"}
OFFICIALS = {"preparer", "presenter", "decision_maker"}


@pytest.fixture
def setting(db, client):
    with translation.override("en"):
        world = decisions_support.build_world()
        project = support.running_project(world)
        approver = factories.user("maksaja@vm.fi", official=True, full_name="Maija Maksaja")
        CallRole.objects.create(call=world.call, user=approver, role=CallRole.Role.PAYMENT_APPROVER)
        report = support.final_report(project)
        support.final_payment_request(project, world.lead_user)
        attachment = services.upload_confirmation(world.lead_user, report.pk, SimpleUploadedFile("v.pdf", MINIMAL_PDF, content_type="application/pdf"))
        services.submit(world.lead_user, report.pk, content.from_post(support.FILLED))
        people = {
            "outsider": world.outsider,
            "partner": world.partner_user,
            "lead": world.lead_user,
            "preparer": world.preparer,
            "presenter": world.presenter,
            "decision_maker": world.decision_maker,
            "approver": approver,
            "official": world.official,
        }
        yield people, Report.objects.get(pk=report.pk), attachment


def url(name, *args):
    with translation.override("en"):
        return reverse(f"reports:{name}", args=args)


@pytest.mark.parametrize("role", ROLES)
def test_who_reads_what(client, setting, role):
    people, report, attachment = setting
    client.force_login(people[role])
    expected = {
        "report": OK if role in READERS else NOT_FOUND,
        "versions": OK if role in READERS else NOT_FOUND,
        "attachment_download": OK if role in READERS else NOT_FOUND,
        "review": OK if role in OFFICIALS else NOT_FOUND,
    }
    got = {
        "report": client.get(url("report", report.pk)).status_code,
        "versions": client.get(url("versions", report.pk)).status_code,
        "attachment_download": client.get(url("attachment_download", report.pk, attachment.pk)).status_code,
        "review": client.get(url("review", report.pk)).status_code,
    }
    assert got == expected


@pytest.mark.parametrize("role", ["partner", "preparer", "presenter", "decision_maker"])
def test_those_who_read_but_may_not_edit_are_refused_with_the_reason(client, setting, role):
    people, report, _attachment = setting
    client.force_login(people[role])
    response = client.post(url("report", report.pk), {"action": "save", "improvement": "Muutos."})
    assert response.status_code == REDIRECT
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Only the lead organisation's staff fill in and submit the project's reports."]
    assert Report.objects.get(pk=report.pk).content == report.content


@pytest.mark.parametrize("role", ["presenter", "decision_maker"])
def test_only_the_preparer_reviews_the_others_are_refused_with_the_reason(client, setting, role):
    people, report, _attachment = setting
    client.force_login(people[role])
    response = client.post(url("review", report.pk), {"review": "substantive", "substantive-outcome": "passed"})
    assert response.status_code == REDIRECT
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Only the call's preparers review reports."]
    assert not ReportReview.objects.exists()


@pytest.mark.parametrize("role", ["outsider", "partner", "lead", "approver", "official"])
def test_a_review_by_anyone_else_is_404(client, setting, role):
    people, report, _attachment = setting
    client.force_login(people[role])
    assert client.post(url("review", report.pk), {"review": "substantive", "substantive-outcome": "passed"}).status_code == NOT_FOUND
    assert client.post(url("confirmation", report.pk)).status_code in ((REDIRECT,) if role in READERS else (NOT_FOUND,))
    assert not ReportReview.objects.exists() and Report.objects.get(pk=report.pk).state == "submitted"


def test_the_preparer_reviews(client, setting):
    people, report, _attachment = setting
    client.force_login(people["preparer"])
    response = client.post(url("review", report.pk), {"review": "substantive", "substantive-outcome": "passed"})
    assert response.status_code == REDIRECT and ReportReview.objects.get().reviewed_by == people["preparer"]
