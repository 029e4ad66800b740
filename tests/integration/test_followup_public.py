"""The public results show each funded project's follow-up (publication.followup): its status (running,
completed, refused), the amount paid (payments in batches marked paid) and the approved final report's
public summary in the page's language (falling back fi → sv → en); the API, the CSV/XLSX and the 360Giving
package carry the same fields, the package still valid, and the lists take the same queries however many
projects have payments and reports."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from kuntadigi.core import formats
from kuntadigi.payments.models import PaymentBatch
from kuntadigi.projects.lifecycle import State
from kuntadigi.reports.lifecycle import State as ReportState
from kuntadigi.reports.models import Report
from tests.integration import followup_support as follow
from tests.integration.publication_support import published_world
from tests.integration.test_publication_exports import assert_valid_360giving, content, read_csv

pytestmark = pytest.mark.django_db

REFUSAL_REASON = "Kunnanhallitus ei hyväksynyt omarahoitusosuutta qzrefusalreason"


def follow_up(world, n: int | None = None):
    """Project 0 running with 1 500,50 € paid (and 999 € approved in a batch not yet paid) and its final
    report approved; project 1 refused; project 2 settled with a final report still under review; the
    others running with a payment each."""
    decisions = world.decisions if n is None else world.decisions[:n]
    by = world.preparer
    projects = []
    for i, decision in enumerate(decisions):
        project = follow.project_for(decision, state=State.RUNNING)
        projects.append(project)
        if i == 0:
            follow.payment(project, "1000.00", by=by)
            follow.payment(project, "500.50", by=by)
            follow.payment(project, "999.00", by=by, batch_state=PaymentBatch.State.EXPORTED)
            follow.report(
                project,
                decision.costs_until or project.costs_until,
                state=ReportState.APPROVED,
                content={**follow.summary_content(follow.SUMMARY), "improvement": "private draft text"},
            )
        elif i == 1:
            follow.set_state(project, State.REFUSED, refusal_reason=REFUSAL_REASON)
        elif i == 2:
            follow.set_state(project, State.SETTLED)
            follow.payment(project, "2000.00", by=by)
            follow.report(project, project.costs_until, state=ReportState.SUBMITTED, content={"summary_fi": "Ei vielä julkinen qzunapproved"})
        else:
            follow.payment(project, "10.00", by=by)
            follow.report(project, project.costs_until, kind=Report.Kind.INTERIM, state=ReportState.APPROVED, content={"summary_fi": "Väliraportti"})
    return projects


@pytest.fixture
def world(db):
    world = published_world(4, n_rejected=0)
    follow_up(world)
    return world


def page(client, reference: str, language: str) -> str:
    with translation.override(language):
        response = client.get(reverse("publication:project", args=[reference]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_project_page_shows_status_paid_and_the_final_summary_in_its_language(client, world):
    reference = world.funded[0].reference
    with translation.override("fi"):
        paid = formats.money(Decimal("1500.50"), "fi")
    fi = page(client, reference, "fi")
    assert "Käynnissä" in fi and paid in fi
    assert follow.SUMMARY["fi"] in fi and follow.SUMMARY["sv"] not in fi
    assert 'id="final-summary" lang="fi"' in fi
    sv = page(client, reference, "sv")
    assert "Pågår" in sv and follow.SUMMARY["sv"] in sv and 'lang="sv"' in sv
    en = page(client, reference, "en")
    assert "Running" in en and follow.SUMMARY["en"] in en and formats.money(Decimal("1500.50"), "en") in en
    assert "private draft text" not in fi + sv + en  # only the summary of the report's content is public


def test_a_summary_missing_in_the_pages_language_falls_back_fi_sv_en(client, world):
    report = Report.objects.get(project__application=world.funded[0], kind=Report.Kind.FINAL)
    report.content = {"summary_fi": "", "summary_sv": "Bara på svenska.", "summary_en": "In English."}
    report.save()
    fi = page(client, world.funded[0].reference, "fi")
    assert "Bara på svenska." in fi and 'id="final-summary" lang="sv"' in fi
    assert "Sitä ei annettu tämän sivun kielellä." in fi
    assert "In English." in page(client, world.funded[0].reference, "en")


def test_a_refused_grant_shows_as_refused_without_paid_amount_or_reason(client, world):
    fi = page(client, world.funded[1].reference, "fi")
    assert 'id="project-refused"' in fi and "Saaja kieltäytyi avustuksesta" in fi
    assert "Grant refused by the recipient" in page(client, world.funded[1].reference, "en")
    assert '<dd id="project-paid">–</dd>' in fi
    assert "qzrefusalreason" not in fi


def test_a_completed_project_without_an_approved_final_report_has_no_summary(client, world):
    en = page(client, world.funded[2].reference, "en")
    assert "Completed" in en and formats.money(Decimal("2000.00"), "en") in en
    assert "qzunapproved" not in en and 'id="final-summary"' not in en
    # An approved interim report's summary is not the final report's.
    assert "Väliraportti" not in page(client, world.funded[3].reference, "fi")


def test_the_api_carries_the_follow_up(client, world):
    by_id = {item["id"]: item for item in json.loads(client.get(reverse("api:v1:grants"), {"page_size": 50}).content)["items"]}
    first, refused, settled = (by_id[app.reference] for app in world.funded[:3])
    assert (first["status"], first["amount_paid"]) == ("running", "1500.50")
    assert (first["final_summary_fi"], first["final_summary_sv"], first["final_summary_en"]) == (
        follow.SUMMARY["fi"],
        follow.SUMMARY["sv"],
        follow.SUMMARY["en"],
    )
    assert (refused["status"], refused["amount_paid"], refused["final_summary_fi"]) == ("refused", None, "")
    assert (settled["status"], settled["amount_paid"], settled["final_summary_fi"]) == ("completed", "2000.00", "")
    one = json.loads(client.get(reverse("api:v1:grant", args=[world.funded[1].reference])).content)
    assert one["status"] == "refused" and one["amount_paid"] is None


def test_the_csv_and_360giving_carry_the_follow_up_and_the_package_validates(client, world):
    rows = {row["id"]: row for row in read_csv(client.get(reverse("data:call_csv", args=[world.call.slug])))}
    first, refused = rows[world.funded[0].reference], rows[world.funded[1].reference]
    assert (first["status"], first["amount_paid"], first["final_summary_sv"]) == ("running", "1500.50", follow.SUMMARY["sv"])
    assert (refused["status"], refused["amount_paid"]) == ("refused", "")
    package = json.loads(content(client.get(reverse("data:call_360giving", args=[world.call.slug]))))
    assert_valid_360giving(package)
    grants = {grant["additional_data"]["reference"]: grant["additional_data"] for grant in package["grants"]}
    assert grants[world.funded[0].reference]["status"] == "running"
    assert grants[world.funded[0].reference]["amountPaid"] == 1500.50
    assert grants[world.funded[0].reference]["finalReportSummary"] == follow.SUMMARY
    assert grants[world.funded[1].reference]["amountPaid"] is None and "finalReportSummary" not in grants[world.funded[1].reference]
    assert grants[world.funded[2].reference]["status"] == "completed"


@pytest.mark.parametrize(
    "name",
    ["api", "call_page", "project_page", "csv"],
)
def test_the_lists_take_the_same_queries_however_many_projects_have_payments_and_reports(client, db, name):
    world = published_world(12, n_rejected=0)
    urls = {
        "api": reverse("api:v1:grants") + "?page_size=50",
        "call_page": reverse("publication:call", args=[world.call.slug]),
        "project_page": reverse("publication:project", args=[world.funded[0].reference]),
        "csv": reverse("data:call_csv", args=[world.call.slug]),
    }

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(urls[name])
            assert response.status_code == 200
            content(response)
        return len(captured)

    follow_up(world, 3)
    few = queries()
    projects_done = 3
    for decision in world.decisions[projects_done:]:
        project = follow.project_for(decision, state=State.RUNNING)
        follow.payment(project, "10.00", by=world.preparer)
        follow.report(project, project.costs_until, state=ReportState.APPROVED, content={"summary_fi": "Tulos"})
    assert queries() == few
