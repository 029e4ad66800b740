"""A funded project's reports: made when the project is created and when it starts running (once), filled
in by the lead as a draft, submitted with a frozen version, reviewed by the call's preparer (substantive
and, for the final report, financial review), supplemented on request and approved. The project moves
running → final_report_submitted → under_review (→ running on a supplement) as projects/lifecycle.py says."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from kuntadigi import clock
from kuntadigi.applications.errors import Refused
from kuntadigi.audit.models import AuditEvent
from kuntadigi.notifications.models import Message
from kuntadigi.projects.models import FundedProject
from kuntadigi.reports import services_reports as services
from kuntadigi.reports.models import Report, ReportAttachment, ReportVersion, SupplementRequest
from tests.integration import decisions_support, projects_support
from tests.integration import reports_support as support
from tests.integration.drafting_support import MINIMAL_PDF


@pytest.fixture
def world(db):
    with translation.override("en"):
        yield decisions_support.build_world()


@pytest.fixture
def project(world) -> FundedProject:
    return support.running_project(world)


def url(name, report, *args, lang="en"):
    with translation.override(lang):
        return reverse(f"reports:{name}", args=[report.pk, *args])


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def report_actions(report) -> list[str]:
    """The steps recorded on the report (the officials' reads of it are recorded too, as application.read)."""
    events = AuditEvent.objects.filter(object_type="reports.report", object_id=str(report.pk)).exclude(action="application.read")
    return list(events.order_by("id").values_list("action", flat=True))


def ready_to_submit(world, project, client) -> Report:
    """The final report filled in, the final payment request submitted and the confirmation uploaded."""
    report = support.final_report(project)
    support.final_payment_request(project, world.lead_user)
    client.force_login(world.lead_user)
    response = client.post(url("confirmation", report), {"file": SimpleUploadedFile("Tilintarkastus.pdf", MINIMAL_PDF, content_type="application/pdf")})
    assert response.status_code == 302, response.content.decode()[:2000]
    return report


# ── Made once ────────────────────────────────────────────────────────────────


def test_the_final_report_is_due_four_months_after_the_cost_period(world):
    project = projects_support.sign_grant(world)
    assert project.costs_until == date(2022, 10, 31)
    reports = list(project.reports.values_list("kind", "due_date", "state"))
    assert reports == [("final", date(2023, 2, 28), "draft")]
    event = AuditEvent.objects.get(action="report.scheduled")
    assert (event.actor, event.application_id, event.after) == (None, project.application_id, {"kind": "final", "due_date": "2023-02-28"})


def test_interim_reports_fall_on_the_calls_dates_within_the_period_and_are_made_once(world):
    world.call.interim_report_dates = ["2021-06-30", "2020-06-30", "2022-06-30", "2023-06-30"]
    world.call.save(update_fields=["interim_report_dates"])
    project = support.running_project(world)  # created, then started: the second call makes nothing new
    assert list(project.reports.values_list("kind", "due_date")) == [
        ("interim", date(2021, 6, 30)),
        ("interim", date(2022, 6, 30)),
        ("final", date(2023, 2, 28)),
    ]
    assert AuditEvent.objects.filter(action="report.scheduled").count() == 3


def test_the_commands_make_the_reports_of_existing_projects_once(world, capsys):
    project = projects_support.sign_grant(world)
    project.reports.all().delete()
    call_command("create_funded_projects")
    call_command("start_funded_projects")
    assert capsys.readouterr().out.splitlines() == ["Funded projects made: 0", "Reports made: 1", "Funded projects started: 0", "Reports made: 0"]
    assert project.reports.get().due_date == support.FINAL_DUE


def test_a_refused_project_gets_no_reports(world):
    project = projects_support.sign_grant(world)
    project.reports.all().delete()
    FundedProject.objects.filter(pk=project.pk).update(state="refused")
    assert services.make_missing() == 0


# ── The lead fills in ───────────────────────────────────────────────────────


def test_the_project_page_lists_the_reports_with_their_due_dates(client, world, project):
    client.force_login(world.partner_user)
    with translation.override("en"):
        page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "28 February 2023" in page and url("report", support.final_report(project)) in page


def test_the_lead_saves_a_draft_and_an_incomplete_report_is_kept_but_not_submitted(client, world, project):
    report = support.final_report(project)
    client.force_login(world.lead_user)
    response = client.post(url("report", report), {"action": "save", "improvement": "Parempi palvelu."})
    assert response.status_code == 302
    assert fresh(report).content["improvement"] == "Parempi palvelu."

    response = client.post(url("report", report), {"action": "submit", "improvement": "Parempi palvelu.", "spreading": "Kerrottiin."})
    assert response.status_code == 400
    page = response.content.decode()
    assert "error-summary" in page and "Fill in: How the ways of working changed." in page and "Kerrottiin." in page
    report = fresh(report)
    assert report.state == "draft" and report.content["spreading"] == "Kerrottiin."  # saved although not submitted
    assert report_actions(report) == ["report.scheduled", "report.saved", "report.saved"]


def test_a_text_over_its_limit_saves_nothing_and_the_page_keeps_what_was_typed(client, world, project):
    report = support.final_report(project)
    client.force_login(world.lead_user)
    client.post(url("report", report), {"action": "save", "improvement": "Tallessa."})
    too_long = "y" * 1501
    response = client.post(url("report", report), {"action": "save", "improvement": "Uusi teksti.", "summary_fi": too_long})
    assert response.status_code == 400
    assert "Uusi teksti." in response.content.decode() and too_long in response.content.decode()
    assert fresh(report).content["improvement"] == "Tallessa."


def test_the_final_report_needs_the_final_payment_request_and_the_confirmation(client, world, project):
    report = support.final_report(project)
    support.final_payment_request(project, world.lead_user, state="draft")
    client.force_login(world.lead_user)
    response = client.post(url("report", report), {"action": "submit", **support.FILLED})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Submit the final payment request" in page and "Upload the confirmation of the auditor or the finance office." in page
    assert fresh(report).state == "draft"


def test_a_file_that_is_not_a_document_is_refused(client, world, project):
    report = support.final_report(project)
    client.force_login(world.lead_user)
    response = client.post(url("confirmation", report), {"file": SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")})
    assert response.status_code == 400
    assert not ReportAttachment.objects.exists()


# ── Submit, review, supplement, approve ────────────────────────────────────


def test_the_whole_path_of_the_final_report(client, world, project, mailoutbox, django_capture_on_commit_callbacks):
    report = ready_to_submit(world, project, client)
    clock.set_now(support.AFTER_THE_PERIOD)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("report", report), {"action": "submit", **support.FILLED})
    assert response.status_code == 302
    report = fresh(report)
    assert report.state == "submitted" and report.payment_request.is_final
    assert fresh(project).state == "final_report_submitted"
    version = report.versions.get()
    assert version.number == 1 and version.content["improvement"] == support.FILLED["improvement"]
    assert version.content["attachments"][0]["name"] == "Tilintarkastus.pdf"
    assert [m.to for m in mailoutbox] == [[world.preparer.email]]
    assert Message.objects.filter(kind="report_submitted", user=world.preparer).exists()

    # The lead can no longer change it; the preparer asks for a supplement in the financial review.
    again = client.post(url("report", report), {"action": "save", "improvement": "Muutettu."})
    assert again.status_code == 302 and fresh(report).content["improvement"] == support.FILLED["improvement"]
    client.force_login(world.preparer)
    assert client.get(url("review", report)).status_code == 200
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("review", report),
            {"review": "financial", "financial-outcome": "supplement", "financial-message": "Liitä pääkirjaote.", "financial-due_date": "15.12.2022"},
        )
    assert response.status_code == 302
    assert fresh(report).state == "supplement_requested"
    assert fresh(project).state == "running"
    supplement = SupplementRequest.objects.get()
    assert (supplement.part, supplement.due_date) == ("financial", date(2022, 12, 15))
    assert world.lead_user.email in [m.to[0] for m in mailoutbox]
    assert url("report", report, lang="sv") in mailoutbox[0].body or url("report", report, lang="fi") in mailoutbox[0].body

    # The lead answers; the officials see the versions and the change.
    client.force_login(world.lead_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("report", report), {"action": "submit", **support.FILLED, "continuation": "Borgå stad och Lovisa stad."})
    assert response.status_code == 302
    report = fresh(report)
    assert report.state == "submitted" and fresh(project).state == "final_report_submitted"
    assert SupplementRequest.objects.get().answered_by_version.number == 2
    client.force_login(world.preparer)
    diff = client.get(url("versions", report) + "?a=1&b=2").content.decode()
    assert "<ins>" in diff and "Lovisa" in diff

    for part in ("substantive", "financial"):
        response = client.post(url("review", report), {"review": part, f"{part}-outcome": "passed"})
        assert response.status_code == 302
    report = fresh(report)
    assert report.state == "approved" and report.approved_by == world.preparer
    assert fresh(project).state == "under_review"  # the settlement starts from here
    assert report_actions(report) == [
        "report.scheduled",
        "report.attachment_added",
        "report.saved",
        "report.submitted",
        "report.reviewed",
        "report.supplement_requested",
        "report.saved",
        "report.submitted",
        "report.reviewed",
        "report.reviewed",
        "report.approved",
    ]
    project_actions = list(AuditEvent.objects.filter(object_type="projects.fundedproject", object_id=str(project.pk)).values_list("action", flat=True))
    assert project_actions[-5:] == [
        "project.submit_final_report",
        "project.start_review",
        "project.return_for_supplement",
        "project.submit_final_report",
        "project.start_review",
    ]
    assert ReportVersion.objects.filter(report=report).count() == 2
    reads = AuditEvent.objects.filter(action="application.read", actor=world.preparer, object_id=str(report.pk))
    assert {event.after["read"] for event in reads} == {"report_review", "report_versions"}


def test_a_supplement_needs_what_and_by_when(client, world, project):
    report = ready_to_submit(world, project, client)
    services.submit(world.lead_user, report.pk, dict(support.FILLED, indicators=[{"name": "A", "planned": "1", "achieved": "2"}]))
    client.force_login(world.preparer)
    response = client.post(url("review", report), {"review": "substantive", "substantive-outcome": "supplement"})
    assert response.status_code == 400
    assert "Say what is to be supplemented." in response.content.decode()
    assert fresh(report).state == "submitted"


def test_only_the_calls_preparer_reviews_and_a_passed_review_is_not_repeated(world, project, client):
    report = ready_to_submit(world, project, client)
    from kuntadigi.reports import content

    services.submit(world.lead_user, report.pk, content.from_post(support.FILLED))
    with pytest.raises(Refused, match="preparers review reports"):
        services.review(world.presenter, report.pk, "substantive", passed=True)
    services.review(world.preparer, report.pk, "substantive", passed=True)
    with pytest.raises(Refused, match="already passed"):
        services.review(world.preparer, report.pk, "substantive", passed=True)
    assert fresh(report).state == "submitted"  # the financial review is still to come


def test_an_interim_report_needs_the_substantive_review_only(world):
    world.call.interim_report_dates = ["2021-06-30"]
    world.call.save(update_fields=["interim_report_dates"])
    project = support.running_project(world)
    from kuntadigi.reports import content

    interim = project.reports.get(kind="interim")
    services.submit(world.lead_user, interim.pk, content.from_post(support.FILLED))
    assert fresh(project).state == "running"  # an interim report leaves the project running
    with pytest.raises(Refused, match="no financial review"):
        services.review(world.preparer, interim.pk, "financial", passed=True)
    services.review(world.preparer, interim.pk, "substantive", passed=True)
    assert fresh(interim).state == "approved"


def test_a_partner_reads_the_report_and_cannot_change_it(client, world, project):
    report = support.final_report(project)
    client.force_login(world.partner_user)
    page = client.get(url("report", report)).content.decode()
    assert "<textarea" not in page
    response = client.post(url("report", report), {"action": "save", "improvement": "Kumppani."})
    assert response.status_code == 302 and fresh(report).content == {}


def test_others_get_404(client, world, project):
    report = support.final_report(project)
    client.force_login(world.outsider)
    for name in ("report", "versions", "review"):
        assert client.get(url(name, report)).status_code == 404, name
    client.force_login(world.lead_user)
    assert client.get(url("review", report)).status_code == 404


def test_the_pages_read_in_swedish_and_finnish(client, world, project):
    report = support.final_report(project)
    client.force_login(world.lead_user)
    assert "Slutrapport" in client.get(url("report", report, lang="sv")).content.decode()
    assert "Loppuraportti" in client.get(url("report", report, lang="fi")).content.decode()
