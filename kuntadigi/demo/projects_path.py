"""The demo's funded projects carried on after the grant decisions, through the real services, each
step with the clock at a plausible moment: `manage.py carry_projects --call digi-2019-2`.

Stage `accepted`: within two to three weeks of the decision the lead's administrator accepts the terms
(one lead refuses the grant, with a reason), gives the account the grant is paid to, uploads the
agreement with the partners, and each partner confirms it; a project starts running when its
eligible-cost period begins (the daily `start_funded_projects` job, run here on each project's day).

Everything made here is fictional: the accounts use real Finnish bank prefixes with made-up numbers,
the agreements are one-page PDFs that say they are demo documents.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from stdnum import iban as stdnum_iban
from stdnum import luhn

from kuntadigi import clock
from kuntadigi.accounts.models import Membership, User
from kuntadigi.applications.models import Participant
from kuntadigi.calls.models import Call
from kuntadigi.projects import services as projects
from kuntadigi.projects.lifecycle import State
from kuntadigi.projects.models import FundedProject

# Fictional accounts: a real Finnish bank's prefix and BIC, a made-up account number.
BANKS = [("1", "NDEAFIHH"), ("5", "OKOYFIHH"), ("8", "DABAFIHH"), ("405", "HELSFIHH"), ("33", "ESSEFIHX")]

REFUSAL = {
    "fi": "Kunnanhallitus päätti, ettei hanketta toteuteta: kumppanikuntien resurssit on ohjattu toiseen hankkeeseen. (demo)",
    "sv": "Kommunstyrelsen beslutade att projektet inte genomförs: partnerkommunernas resurser har styrts till ett annat projekt. (demo)",
}


def fictional_account(rng: random.Random) -> tuple[str, str]:
    """A valid Finnish IBAN (the account number's Luhn digit and the IBAN's check digits right) and its BIC."""
    prefix, bic = rng.choice(BANKS)
    body = prefix + "".join(str(rng.randrange(10)) for _ in range(13 - len(prefix)))
    bban = body + luhn.calc_check_digit(body)
    return f"FI{stdnum_iban.calc_check_digits('FI00' + bban)}{bban}", bic


def agreement_pdf(project: FundedProject) -> bytes:
    """A one-page agreement between the lead and its partners, saying it is a demo document."""
    from weasyprint import HTML

    application = project.application
    names = ", ".join(p.organisation.name_fi for p in application.participants.all())
    html = (
        "<html><body style='font-family: DejaVu Sans, sans-serif'>"
        f"<h1>Yhteistyösopimus (demo)</h1><p>{application.project_name}</p><p>{application.reference}</p>"
        f"<p>Osapuolet: {names}</p><p>Valtionavustuslain 7 §:n 3 momentin mukainen sopimus avustuksen käytöstä. "
        "Tämä on kuvitteellinen esittelyasiakirja.</p></body></html>"
    )
    return HTML(string=html).write_pdf()


def member_of(organisation_id: int, *, admin: bool = False) -> User:
    """The organisation's demo user; made an administrator when `admin` (the demo's stand-in for the
    organisation naming its administrator)."""
    membership = Membership.objects.select_related("user").filter(organisation_id=organisation_id, status=Membership.Status.APPROVED).order_by("pk").first()
    if membership is None:
        raise LookupError(f"organisation {organisation_id} has no demo user")
    if admin and membership.role != Membership.Role.ADMIN:
        membership.role = Membership.Role.ADMIN
        membership.save(update_fields=["role"])
    return membership.user


class ProjectsPath:
    """Carries the call's funded projects through the stages in order, each at its plausible moment."""

    STAGES = ("accepted",)

    def __init__(self, call: Call, rng: random.Random, *, say: Callable[[str], None] = lambda text: None):
        self.call = call
        self.rng = rng
        self.say = say

    def projects(self, *states: str):
        query = FundedProject.objects.filter(application__call=self.call).select_related("application", "decision").order_by("application__reference")
        return query.filter(state__in=states) if states else query

    def at(self, moment: datetime) -> None:
        clock.set_now(moment)

    def run(self, through: str) -> None:
        for stage in self.STAGES[: self.STAGES.index(through) + 1]:
            getattr(self, stage)()

    def accepted(self) -> None:
        granted = list(self.projects(State.GRANTED))
        # One lead refuses: the project with the smallest grant, so that the freed amount shows on the ranking.
        refusing = min(granted, key=lambda p: (p.maximum_grant, p.pk), default=None)
        for index, project in enumerate(granted):
            signed = clock.helsinki(project.decision.signed_at)
            answered = (signed + timedelta(days=self.rng.randrange(5, 20), hours=self.rng.randrange(0, 6))).replace(minute=index % 60)
            self.at(answered)
            admin = member_of(project.application.lead_id, admin=True)
            if project == refusing:
                language = project.decision.language
                projects.refuse(admin, project.pk, REFUSAL.get(language, REFUSAL["fi"]))
                continue
            projects.accept(admin, project.pk)
            iban, bic = fictional_account(self.rng)
            projects.give_account(admin, project.pk, iban, bic)
            self.at(answered + timedelta(hours=2))
            pdf = agreement_pdf(project)
            projects.upload_agreement(admin, project.pk, SimpleUploadedFile("yhteistyosopimus-demo.pdf", pdf, content_type="application/pdf"))
            partners = Participant.objects.filter(application=project.application, role=Participant.Role.PARTNER).filter(~Q(confirmed_at=None))
            for offset, partner in enumerate(partners.order_by("pk"), start=1):
                self.at(answered + timedelta(days=offset, hours=3))
                projects.confirm_agreement(member_of(partner.organisation_id), project.pk, partner.organisation_id)
        self.start_running()
        self.say(f"accepted: {len(granted) - (refusing is not None)} accepted, {int(refusing is not None)} refused")

    def start_running(self) -> None:
        """The daily job on each project's first day of costs (a project accepted later starts when accepted)."""
        for project in self.projects(State.ACCEPTED).exclude(iban=""):
            self.at(datetime.combine(project.costs_from, datetime.min.time(), tzinfo=clock.HELSINKI) + timedelta(hours=1))
            projects.start_due()
