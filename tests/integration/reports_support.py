"""A running funded project and its reports: Porvoo's Swedish application of decisions_support's world is
granted, accepted and given its account (the project runs from 1.1.2021, its costs end on 31.10.2022, and
its final report is due 28.2.2023). The final payment request is written with the ORM (the payments part
makes it through its own service)."""

from __future__ import annotations

from datetime import date, datetime

from kuntadigi import clock
from kuntadigi.payments.models import PaymentRequest
from kuntadigi.projects import services as projects
from kuntadigi.projects.models import FundedProject
from kuntadigi.reports.models import Report
from tests import factories
from tests.integration import projects_support

RUNNING_DAY = datetime(2021, 1, 5, 12, 0, tzinfo=factories.HKI)
AFTER_THE_PERIOD = datetime(2022, 12, 1, 10, 0, tzinfo=factories.HKI)

FILLED = {
    "improvement": "Invånarna sköter sina ärenden på nätet dygnet runt.",
    "ways_of_working": "Ansökningarna behandlas i ett gemensamt system.",
    "spreading": "Modellen presenterades för tolv kommuner.",
    "continuation": "Systemet underhålls av Borgå stad.",
    "summary_fi": "Asukkaat asioivat verkossa ympäri vuorokauden.",
    "summary_sv": "Invånarna sköter sina ärenden på nätet.",
    "summary_en": "",
    "indicator-0-name": "Ärenden på nätet (%)",
    "indicator-0-planned": "60",
    "indicator-0-achieved": "72",
}


def running_project(world) -> FundedProject:
    project = projects_support.sign_grant(world)
    clock.set_now(RUNNING_DAY)
    projects.accept(world.lead_user, project.pk)
    projects.give_account(world.lead_user, project.pk, projects_support.IBAN, projects_support.BIC)
    project.refresh_from_db()
    assert project.state == "running"
    return project


def final_report(project) -> Report:
    return Report.objects.get(project=project, kind="final")


def final_payment_request(project, user, state: str = "submitted") -> PaymentRequest:
    return PaymentRequest.objects.create(
        project=project,
        number=PaymentRequest.objects.filter(project=project).count() + 1,
        is_final=True,
        period_start=project.costs_from,
        period_end=project.costs_until,
        state=state,
        created_by=user,
        submitted_by=user if state != "draft" else None,
        submitted_at=clock.now() if state != "draft" else None,
    )


FINAL_DUE = date(2023, 2, 28)
