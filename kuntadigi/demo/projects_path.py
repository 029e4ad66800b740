"""The demo's funded projects carried on after the grant decisions, through the real services, each
step with the clock at a plausible moment: `manage.py carry_projects --call digi-2019-2`.

Stage `accepted`: within two to three weeks of the decision the lead's administrator accepts the terms
(one lead refuses the grant, with a reason), gives the account the grant is paid to, uploads the
agreement with the partners, and each partner confirms it; a project starts running when its
eligible-cost period begins (the daily `start_funded_projects` job, run here on each project's day).

Stage `paid`: about every six months of its cost period the lead of each running project requests a payment
(a line per organisation and cost category, below the budget, and each organisation's ledger extract); the
preparer checks it (one line of the call is reduced with a reason, and its payment-reduction decision is
prepared and signed), the payment approver approves it, and each quarter the preparer batches the approved
payments, exports the batch and marks it paid.

Stage `reported`: after the cost period the lead makes the final payment request (every cost of the project)
and the final report with its public summaries and the finance office's confirmation; the preparer reviews
both parts (one report is supplemented first), checks the final request and the approver approves it.

Stage `settled`: the settlement decision is prepared and signed for all but the last two projects (left
under review: spring 2022 shows work in progress); positive balances are paid in a batch, one project
(whose final costs came out lower than its instalments) returns the excess, and the projects close.

Everything made here is fictional: the accounts use real Finnish bank prefixes with made-up numbers,
the agreements are one-page PDFs that say they are demo documents.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal
from functools import partial

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from stdnum import iban as stdnum_iban
from stdnum import luhn

from kuntadigi import clock
from kuntadigi.accounts.models import Membership, User
from kuntadigi.applications.models import BudgetLine, Participant
from kuntadigi.calls.models import Call, CallRole
from kuntadigi.decisions import services_project_decisions as project_decisions
from kuntadigi.decisions.kind_payment_reduction import prepare_payment_reduction
from kuntadigi.payments import services_batches as batches
from kuntadigi.payments import services_requests as requests
from kuntadigi.payments import services_review as review
from kuntadigi.payments.models import Payment, PaymentRequest
from kuntadigi.projects import services as projects
from kuntadigi.projects import services_settlement as settlement
from kuntadigi.projects.lifecycle import State
from kuntadigi.projects.models import FundedProject
from kuntadigi.reports import services_reports as reports
from kuntadigi.reports.models import Report

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


# The paying agency of the demo call: a fictional account at a real bank (set here, never in data/calls).
DEMO_PAYER = ("Valtiokonttori, maksuliikenne (demo)", "FI2112345600000785", "NDEAFIHH")

# Spring 2022, when `make run-projects` serves the demo: no step of the path is later than this.
SPRING_2022 = datetime(2022, 4, 19, 16, 0, tzinfo=clock.HELSINKI)

REDUCTION_REASON = (
    "Kuitti puuttuu kirjanpidon otteesta: hyväksytty vain tositteilla osoitettu osuus. (demo) / "
    "Kvitto saknas i bokföringsutdraget: godkänt endast den del som visats med verifikat. (demo)"
)
SUPPLEMENT = "Täydentäkää mittareiden toteutuneet arvot ja kertokaa, miten tulokset levitettiin muihin kuntiin. (demo)"


def small_pdf(title: str, lines: list[str]) -> bytes:
    """A one-page demo document (a ledger extract, a confirmation), saying it is fictional."""
    from html import escape

    from weasyprint import HTML

    rows = "".join(f"<p>{escape(line)}</p>" for line in lines)
    html = (
        "<html><body style='font-family: DejaVu Sans, sans-serif; font-size: 10pt'>"
        f"<h1>{escape(title)}</h1>{rows}<p>Tämä on kuvitteellinen esittelyasiakirja.</p></body></html>"
    )
    return HTML(string=html).write_pdf()


def pdf_upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def morning(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=clock.HELSINKI)


@dataclass(order=True)
class Step:
    moment: datetime
    order: int
    do: Callable[[], None] = field(compare=False)


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

    STAGES = ("accepted", "paid", "reported", "settled")

    def __init__(self, call: Call, rng: random.Random, *, say: Callable[[str], None] = lambda text: None):
        self.call = call
        self.rng = rng
        self.say = say
        self.steps: list[Step] = []

    # ── Helpers ─────────────────────────────────────────────────────────────

    def official(self, role: str) -> User:
        found = CallRole.objects.filter(call=self.call, role=role).select_related("user").order_by("user__email").first()
        if found is None:
            raise LookupError(f"{self.call.slug} has no {role}: run demo_setup first")
        return found.user

    def later(self, moment: datetime, do: Callable[[], None]) -> None:
        """A step to take at `moment`; `play` takes them in time order (the audit trail reads in order)."""
        self.steps.append(Step(moment, len(self.steps), do))

    def play(self) -> None:
        while self.steps:
            self.steps.sort(reverse=True)
            step = self.steps.pop()
            self.at(step.moment)
            step.do()

    def budget(self, project: FundedProject) -> dict[tuple[int, int], Decimal]:
        """The budget per organisation that may claim and category."""
        claiming = {row.participant.organisation_id for row in requests.claimants(project) if row.may_claim}
        totals: dict[tuple[int, int], Decimal] = {}
        for line in (
            BudgetLine.objects.filter(application_id=project.application_id)
            .select_related("participant")
            .order_by("participant__role", "participant_id", "category__order")
        ):
            key = (line.participant.organisation_id, line.category_id)
            if key[0] in claiming:
                totals[key] = totals.get(key, Decimal("0")) + line.amount
        return totals

    def claim(self, project: FundedProject, number: int, share: float, *, final: bool) -> None:
        """The lead's lines (a share of each budget row, a little under or over it) and the ledger extracts."""
        lead = member_of(project.application.lead_id)
        names = {p.organisation_id: p.organisation.name_fi for p in project.application.participants.select_related("organisation")}
        categories = {c.pk: c.name_fi for c in self.call.cost_categories.all()}
        written: dict[int, list[str]] = {}
        for (organisation_id, category_id), planned in self.budget(project).items():
            amount = (planned * Decimal(str(share * self.rng.uniform(0.93, 1.0)))).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
            if amount <= 0:
                continue
            what = f"{categories.get(category_id, '')} – {'koko hanke' if final else f'maksatuskausi {number}'} (demo)"
            requests.add_line(lead, project.pk, number, requests.LineInput(organisation_id, category_id, what, amount))
            written.setdefault(organisation_id, []).append(f"{what}: {amount} €")
        for organisation_id, lines in written.items():
            title = f"Kirjanpidon ote – {names.get(organisation_id, '')}"
            pdf = small_pdf(title, [project.application.reference, f"Maksatushakemus {number}", *lines])
            requests.upload_ledger(lead, project.pk, number, organisation_id, pdf_upload(f"kirjanpidon-ote-{number}-{organisation_id}.pdf", pdf))
        requests.submit_request(lead, project.pk, number)

    def check_and_approve(self, payment_request: PaymentRequest, checked: datetime, *, reduce: bool = False) -> None:
        preparer, approver = self.official("preparer"), self.official("payment_approver")

        def check() -> None:
            lines = list(payment_request.lines.order_by("-amount", "pk"))
            checks = {line.pk: review.LineInput(line.amount, "") for line in lines}
            if reduce:
                biggest = lines[0]
                checks[biggest.pk] = review.LineInput((biggest.amount * Decimal("0.9")).quantize(Decimal("0.01")), REDUCTION_REASON)
            review.check_lines(preparer, payment_request.pk, checks)
            review.mark_checked(preparer, payment_request.pk)

        def approve() -> None:
            review.approve(approver, payment_request.pk)

        self.later(checked, check)
        approved = checked + timedelta(days=self.rng.randrange(1, 4), hours=2)
        self.later(approved, approve)
        if reduce:
            maker = self.official("decision_maker")

            def decide() -> None:
                decision = prepare_payment_reduction(preparer, payment_request.pk)
                self.at(clock.now() + timedelta(days=2))
                project_decisions.sign(maker, decision.pk)

            self.later(approved + timedelta(days=1), decide)

    def batch_due(self, made: datetime) -> None:
        """The preparer batches the payments waiting, exports the batch and marks it paid on its due date."""
        waiting = list(batches.waiting(self.call).values_list("pk", flat=True))
        if not waiting:
            return
        preparer = self.official("preparer")
        due = clock.helsinki(made).date() + timedelta(days=7)
        batch = batches.create_batch(preparer, self.call.pk, due)
        batches.add_payments(preparer, batch.pk, waiting)
        self.at(made + timedelta(hours=1))
        batches.export(preparer, batch.pk)
        self.at(morning(due, 14))
        batches.mark_paid(preparer, batch.pk, due)

    def quarterly_batches(self, first: date, last: date) -> None:
        day = date(first.year, ((first.month - 1) // 3) * 3 + 1, 1)
        while day <= last + timedelta(days=92):
            day = add_months(day, 3)
            made = morning(day + timedelta(days=9), 10)  # on the 10th of the quarter's first month
            self.later(made, partial(self.batch_due, made))

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

    # ── Paid ────────────────────────────────────────────────────────────────

    def interim_periods(self, project: FundedProject) -> list[tuple[date, date]]:
        """Six-month periods from the cost period's start; the last months are left to the final request."""
        periods = []
        start = project.costs_from
        while True:
            end = add_months(start, 6) - timedelta(days=1)
            if end > project.costs_until - timedelta(days=60):
                return periods
            periods.append((start, end))
            start = end + timedelta(days=1)

    def returning(self) -> FundedProject | None:
        """The project whose final costs come out lower than its instalments: the earliest to end."""
        carried = self.projects().exclude(state__in=(State.GRANTED, State.REFUSED, State.ACCEPTED))
        return min(carried, key=lambda p: (p.costs_until, p.application.reference), default=None)

    def paid(self) -> None:
        Call.objects.filter(pk=self.call.pk, payer_iban="").update(payer_name=DEMO_PAYER[0], payer_iban=DEMO_PAYER[1], payer_bic=DEMO_PAYER[2])
        self.call.refresh_from_db()
        running = list(self.projects(State.RUNNING))
        approvals: list[date] = []
        reduced = False
        returning = self.returning()
        for project in running:
            periods = self.interim_periods(project)
            total_days = (project.costs_until - project.costs_from).days + 1
            spent = 0.82 if project == returning else self.rng.uniform(0.85, 0.97)
            for number, (start, end) in enumerate(periods, start=1):
                share = spent * ((end - start).days + 1) / total_days
                submitted = morning(end + timedelta(days=self.rng.randrange(10, 25)), 10, number)

                def make(project=project, number=number, start=start, end=end, share=share) -> None:
                    lead = member_of(project.application.lead_id)
                    requests.create_request(lead, project.pk, period_start=start, period_end=end)
                    self.claim(project, number, share, final=False)

                self.later(submitted, make)
                checked = submitted + timedelta(days=self.rng.randrange(5, 12), hours=1)
                self.later(
                    checked - timedelta(minutes=1),
                    lambda project=project, number=number, checked=checked, reduce=not reduced: self.check_and_approve(
                        PaymentRequest.objects.get(project=project, number=number), checked, reduce=reduce
                    ),
                )
                reduced = True
                approvals.append((checked + timedelta(days=4)).date())
        if approvals:
            self.quarterly_batches(min(approvals), max(approvals))
        self.play()
        made = PaymentRequest.objects.filter(project__application__call=self.call)
        self.say(
            f"paid: {made.count()} payment requests, {Payment.objects.filter(project__application__call=self.call, batch__state='paid').count()} payments paid"
        )

    # ── Reported ────────────────────────────────────────────────────────────

    def report_content(self, project: FundedProject) -> dict:
        name = project.application.project_name
        return {
            "improvement": f"{name}: asukkaat asioivat nyt verkossa, ja käsittelyaika lyheni noin kolmanneksella. (demo)",
            "ways_of_working": "Kuntien yhteinen palveluprosessi kuvattiin ja otettiin käyttöön; päällekkäinen työ väheni. (demo)",
            "spreading": "Tulokset esiteltiin maakunnan digitukiverkostossa ja kahdessa webinaarissa muille kunnille. (demo)",
            "continuation": "Palvelu jatkuu kuntien omana toimintana; ylläpidosta sovittiin yhteistyösopimuksella. (demo)",
            "indicators": [
                {"name": "Sähköisen asioinnin osuus (%)", "planned": "60", "achieved": str(self.rng.randrange(48, 75))},
                {"name": "Käsittelyaika (päivää)", "planned": "10", "achieved": str(self.rng.randrange(7, 14))},
            ],
            "summary_fi": f"{name} toi kuntien palvelut verkkoon ja yhtenäisti niiden käsittelyn. (demo)",
            "summary_sv": "Projektet förde kommunernas tjänster till webben och förenhetligade handläggningen. (demo)",
            "summary_en": "The project brought the municipalities' services online and unified their handling. (demo)",
        }

    def reported(self) -> None:
        running = list(self.projects(State.RUNNING))
        returning = self.returning()
        for index, project in enumerate(running):
            made = morning(project.costs_until + timedelta(days=self.rng.randrange(20, 50)), 10, index % 60)
            spent = 0.55 if project == returning else self.rng.uniform(0.88, 0.98)
            self.later(made, lambda project=project, spent=spent: self.final_request(project, spent))
            self.later(made + timedelta(hours=3), lambda project=project: self.final_report(project))
            reviewed = made + timedelta(days=self.rng.randrange(14, 28), hours=1)
            self.later(reviewed, lambda project=project, reviewed=reviewed, asked=index == 0: self.review_final(project, reviewed, supplement=asked))
        self.play()
        submitted = Report.objects.filter(project__application__call=self.call, kind=Report.Kind.FINAL).exclude(state="draft").count()
        self.say(f"reported: {submitted} final reports")

    def final_request(self, project: FundedProject, spent: float) -> None:
        lead = member_of(project.application.lead_id)
        made = requests.create_request(lead, project.pk, is_final=True)
        self.claim(project, made.number, spent, final=True)

    def final_report(self, project: FundedProject) -> None:
        lead = member_of(project.application.lead_id)
        report = Report.objects.get(project=project, kind=Report.Kind.FINAL)
        reports.save_draft(lead, report.pk, self.report_content(project))
        pdf = small_pdf("Tilintarkastajan vahvistus (demo)", [project.application.reference, project.application.project_name])
        reports.upload_confirmation(lead, report.pk, pdf_upload("tilintarkastajan-vahvistus.pdf", pdf))
        reports.submit(lead, report.pk)

    def review_final(self, project: FundedProject, reviewed: datetime, *, supplement: bool) -> None:
        preparer = self.official("preparer")
        report = Report.objects.get(project=project, kind=Report.Kind.FINAL)
        final = PaymentRequest.objects.get(project=project, is_final=True)
        if supplement:
            due = clock.helsinki(reviewed).date() + timedelta(days=21)
            reports.review(preparer, report.pk, "substantive", passed=False, message=SUPPLEMENT, due_date=due)
            self.at(reviewed + timedelta(days=6))
            content = {**report.content, "spreading": report.content["spreading"] + " Lisäksi tulokset julkaistiin Kuntaliiton sivuilla. (demo)"}
            reports.submit(member_of(project.application.lead_id), report.pk, content)
            reviewed = reviewed + timedelta(days=9)
            self.at(reviewed)
        reports.review(preparer, report.pk, "substantive", passed=True)
        reports.review(preparer, report.pk, "financial", passed=True)
        self.check_and_approve(final, reviewed + timedelta(hours=2))

    # ── Settled ─────────────────────────────────────────────────────────────

    def settled(self) -> None:
        from kuntadigi.decisions.models import ProjectDecision

        preparer, maker = self.official("preparer"), self.official("decision_maker")
        reviewed = []
        for project in self.projects(State.UNDER_REVIEW):
            report = Report.objects.get(project=project, kind=Report.Kind.FINAL)
            final = PaymentRequest.objects.get(project=project, is_final=True)
            ready = max(clock.helsinki(report.approved_at), clock.helsinki(final.approved_at))
            reviewed.append((ready, project))
        reviewed.sort(key=lambda pair: (pair[0], pair[1].pk))
        returning = self.returning()
        # The last two to be reviewed (one in a small call; the returning project aside) stay under review: spring 2022 shows work
        # in progress. So does any whose decision would come after spring 2022.
        left = 1 if len(reviewed) < 6 else 2
        waiting = [project.pk for _ready, project in reviewed if project != returning][-left:]
        settling = [(ready, project) for ready, project in reviewed if project.pk not in waiting and ready + timedelta(days=30) < SPRING_2022]
        balance_days: set[date] = set()
        for ready, project in settling:
            prepared = ready + timedelta(days=self.rng.randrange(5, 12), hours=1)
            signed = prepared + timedelta(days=self.rng.randrange(2, 6), hours=2)

            def prepare(project=project) -> None:
                data = project_decisions.defaults_for(project, ProjectDecision.Kind.SETTLEMENT, preparer)
                settlement.prepare_settlement(preparer, project.pk, data)

            def sign(project=project) -> None:
                draft = project_decisions.draft_of(project, ProjectDecision.Kind.SETTLEMENT, project)
                project_decisions.sign(maker, draft.pk)

            self.later(prepared, prepare)
            self.later(signed, sign)
            if project == returning:
                self.later(signed + timedelta(days=20), partial(self.record_return, project, (signed + timedelta(days=18)).date()))
            else:
                batch_day = signed.date() + timedelta(days=7 - signed.weekday())  # the next Monday's batch
                if morning(batch_day, 10) + timedelta(days=8) < SPRING_2022:
                    balance_days.add(batch_day)
        for day in sorted(balance_days):
            self.later(morning(day, 10), partial(self.batch_due, morning(day, 10)))
            self.later(morning(day + timedelta(days=8), 9), self.close_paid)
        self.play()
        states = {state: self.projects(state).count() for state in (State.SETTLED, State.CLOSED, State.UNDER_REVIEW)}
        self.say("settled: " + ", ".join(f"{n} {state}" for state, n in states.items()))

    def record_return(self, project: FundedProject, on: date) -> None:
        found = settlement.settlement_of(project)
        if found is not None and found.balance < 0:
            settlement.record_return(self.official("preparer"), project.pk, on, -found.balance)

    def close_paid(self) -> None:
        preparer = self.official("preparer")
        for project in self.projects(State.SETTLED):
            if not settlement.why_not_closable(project, settlement.settlement_of(project)):
                settlement.close(preparer, project.pk)
