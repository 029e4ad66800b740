"""A running funded project ready for payment requests: Porvoo leads (lead@borga.fi, its administrator),
Loviisa is its partner (partner@lovisa.fi). Built on projects_support; the lead accepts the grant, gives
the account and uploads the agreement with the partners, which Loviisa confirms unless told not to. The
clock then stands in the eligible-cost period (1.1.2021–31.10.2022), on 15.7.2021."""

from __future__ import annotations

from datetime import date, datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from kuntadigi import clock
from kuntadigi.applications.models import Participant
from kuntadigi.calls.models import CostCategory
from kuntadigi.payments import services_requests as services
from kuntadigi.projects import services as projects
from kuntadigi.projects.models import FundedProject
from tests import factories
from tests.integration import projects_support
from tests.integration.drafting_support import MINIMAL_PDF

IN_THE_PERIOD = datetime(2021, 7, 15, 10, 0, tzinfo=factories.HKI)
AFTER_THE_PERIOD = datetime(2022, 11, 15, 10, 0, tzinfo=factories.HKI)


def running_project(world, *, partner_confirms: bool = True, agreement: bool = True) -> FundedProject:
    project = projects_support.sign_grant(world)
    projects.accept(world.lead_user, project.pk)
    projects.give_account(world.lead_user, project.pk, projects_support.IBAN, projects_support.BIC)
    if agreement:
        projects.upload_agreement(world.lead_user, project.pk, pdf("sopimus.pdf"))
        if partner_confirms:
            projects.confirm_agreement(world.partner_user, project.pk, partner(project).organisation_id)
    clock.set_now(IN_THE_PERIOD)
    projects.start_due()
    return FundedProject.objects.get(pk=project.pk)


def pdf(name: str = "paakirjaote.pdf", content: bytes = MINIMAL_PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def lead(project) -> Participant:
    return project.application.participants.get(role=Participant.Role.LEAD)


def partner(project) -> Participant:
    return project.application.participants.get(role=Participant.Role.PARTNER)


def category(project, code: str) -> CostCategory:
    return CostCategory.objects.get(call_id=project.application.call_id, code=code)


def line(project, organisation, code: str, amount, description: str = "Projektipäällikön palkka", **dates) -> services.LineInput:
    return services.LineInput(
        organisation.organisation_id, category(project, code).pk, description, amount, dates.get("incurred_from"), dates.get("incurred_to")
    )


def first_half(world, project):
    """Request 1 for 1.1.–30.6.2021 as a draft."""
    return services.create_request(world.lead_user, project.pk, period_start=date(2021, 1, 1), period_end=date(2021, 6, 30))
