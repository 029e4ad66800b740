"""Generate N applications for a call fast, at any size: `manage.py generate_bulk --count 10000`.

Unlike `generate_applications` (which goes through the services one request at a time), this writes rows
with `bulk_create` in batches, so that 10,000–100,000 applications take minutes, not hours. The rows are
the ones the services would have made:

- applications across the real municipalities (run `load_reference_data` first), each with a lead and
  1–4 partners, budget lines per organisation and cost category (Decimal euros; the amount applied for
  is at most the call's maximum share of the eligible costs), target areas and attachment *metadata*
  (Attachment rows only: no file is written to disk, so downloading one gives "not found");
- submitted versions (Submission rows) whose content and fingerprint come from the real
  `applications.snapshot` functions, so every fingerprint verifies; some applications were withdrawn
  and submitted again (two versions);
- states in realistic proportions: drafts, submitted and not yet screened, ineligible and eligible
  (Screening rows), eligible ones assessed by two assessors (Assignments and Scores; a few have a third
  assessment still open), proposed amounts in rank order (the top `--funded-share` of the eligible
  applications get the amount applied for, the rest 0) with the call's allocation finalised, and signed
  decisions (grant = the proposed amount, no grant for the others) for part of the call, or all of it
  with `--publish`. Decision documents are not rendered: `manage.py render_decisions` queues them.

Audit events are not written for generated rows. Times are inside the call's periods (most applications
arrive on the last day), not "now". A fixed seed gives the same data on every run (same seed, same call,
same reference data → the same rows and fingerprints). The call is marked as holding generated content.
"""

from __future__ import annotations

import hashlib
import math
import random
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import translation

from kuntadigi import clock
from kuntadigi.accounts.models import Membership, User
from kuntadigi.applications import drafting_rules, rules, snapshot
from kuntadigi.applications.lifecycle import RECEIVED_STATES, State
from kuntadigi.applications.models import Application, Attachment, BudgetLine, Participant, Submission
from kuntadigi.assessment.models import Assignment, Score
from kuntadigi.assessment.rules import weighted_score
from kuntadigi.calls.models import Call, CallRole
from kuntadigi.decisions import allocation as allocation_rules
from kuntadigi.decisions.models import Allocation, Decision, Proposal
from kuntadigi.publication.models import ResultsPublication
from kuntadigi.registry.models import Organisation
from kuntadigi.registry.rules import helsinki_day
from kuntadigi.screening.models import Screening

CENT = Decimal("0.01")
DEMO_DOMAIN = "demo.kuntadigi.fi"
SWEDISH_SPEAKING_REGIONS = {"15", "21"}  # Ostrobothnia, Åland

IDEAS = [
    ("Sähköinen päätöksenteko", "Elektroniskt beslutsfattande"),
    ("Asianhallinnan uudistus", "Förnyad ärendehantering"),
    ("Etäkokoukset luottamushenkilöille", "Distansmöten för förtroendevalda"),
    ("Osallistuva kuntalainen", "Delaktig kommuninvånare"),
    ("Asukaspalautteen uudistus", "Förnyad invånarrespons"),
    ("Monipaikkainen työ", "Arbete på flera orter"),
    ("Digitaalinen kirjasto", "Digitalt bibliotek"),
    ("Nuorisopalvelut verkossa", "Ungdomstjänster på nätet"),
    ("Yhteinen tiedonhallinta", "Gemensam informationshantering"),
    ("Sähköiset lupapalvelut", "Elektroniska tillståndstjänster"),
]
TEXTS = {
    "fi": {
        "summary": "Kunnat kehittävät yhdessä toimintamallin ({idea}), jossa prosessit ja työtavat uudistetaan ennen teknisiä ratkaisuja.",
        "current_state": "Nykyiset käytännöt ovat kunnittain erilaisia, osin paperisia ja vaativat päällekkäistä työtä.",
        "objectives": "Tavoitteena on yhteinen, vakiintunut toimintatapa kaikissa mukana olevissa kunnissa hankkeen loppuun mennessä.",
        "change_in_ways_of_working": "Henkilöstö koulutetaan, vastuut kuvataan ja prosessit uudistetaan yhdessä kuntalaisten kanssa.",
        "rollout_and_spread": "Toimintamalli ja ohjeet julkaistaan avoimesti, ja muita kuntia kutsutaan vertaisverkostoon.",
        "prior_work": "Hanke hyödyntää aiempien digikannustinhankkeiden tuloksia ja yhteentoimivuusalustan tietomalleja.",
    },
    "sv": {
        "summary": "Kommunerna utvecklar tillsammans en verksamhetsmodell ({idea}), där processer och arbetssätt förnyas före tekniken.",
        "current_state": "Dagens praxis skiljer sig mellan kommunerna, är delvis pappersbaserad och kräver dubbelarbete.",
        "objectives": "Målet är ett gemensamt, etablerat arbetssätt i alla deltagande kommuner före projektets slut.",
        "change_in_ways_of_working": "Personalen utbildas, ansvaret beskrivs och processerna förnyas tillsammans med invånarna.",
        "rollout_and_spread": "Modellen och anvisningarna publiceras öppet, och andra kommuner bjuds in till ett nätverk.",
        "prior_work": "Projektet bygger på tidigare digitaliseringsprojekt och på datamodellerna i interoperabilitetsplattformen.",
    },
}
# A sentence that names a field the 2020 and 2021 calls do not fund (their exclusions' keywords): the
# screening check flags it for a person to judge. Ineligible applications say it, and a few others.
EXCLUDED_FIELD = {
    "fi": "Hankkeessa uudistetaan myös sote-palveluiden asiakastietojärjestelmä.",
    "sv": "I projektet förnyas också patientdatasystemet inom social- och hälsovården.",
}
# The first version of a resubmitted application said this; the second one says the full summary.
FIRST_SUMMARY = {"fi": "Kunnat kehittävät yhdessä uuden toimintamallin.", "sv": "Kommunerna utvecklar tillsammans en ny verksamhetsmodell."}
# Budget lines in the application's language ("other": costs the call allows, never equipment).
LINE_DESCRIPTIONS = {
    "fi": {
        "staff": "Projektihenkilöstö",
        "travel": "Matkat kuntien välillä",
        "rent": "Työtilat",
        "services": "Ostopalvelut",
        "other": "Koulutus- ja viestintäkulut",
    },
    "sv": {
        "staff": "Projektpersonal",
        "travel": "Resor mellan kommunerna",
        "rent": "Arbetslokaler",
        "services": "Köpta tjänster",
        "other": "Kostnader för utbildning och kommunikation",
    },
}
ATTACHMENTS = [
    ("Hankesuunnitelma.pdf", "application/pdf", "Hankesuunnitelma"),
    ("Kustannusarvio.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Kustannusarvio"),
    ("Yhteistyösopimus.pdf", "application/pdf", "Kuntien yhteistyösopimus"),
    ("Valtuutus.pdf", "application/pdf", "Hakijan valtuutus"),
]
SCREENING_REASONS = {
    Screening.Outcome.ELIGIBLE: "Hakemus täyttää haun ehdot.",
    Screening.Outcome.INELIGIBLE: "Hanke kohdistuu alaan, jota haussa ei rahoiteta.",
}
JUSTIFICATIONS = ["Perusteltu ja selkeä.", "Hyvä, mutta osin yleisellä tasolla.", "Vahva kuvaus muutoksesta.", "Puutteellisesti perusteltu."]
NOT_FUNDED = {"fi": "Ei rahoitettu määrärahan puitteissa järjestyksessä.", "sv": "Inte finansierad inom anslaget i rangordning."}
INELIGIBLE_GROUNDS = {"fi": "Hakemus ei täyttänyt haun ehtoja.", "sv": "Ansökan uppfyllde inte villkoren i ansökningsomgången."}
TITLES = {
    "presenter": {"fi": "Neuvotteleva virkamies", "sv": "Konsultativ tjänsteman"},
    "decision_maker": {"fi": "Osastopäällikkö", "sv": "Avdelningschef"},
}


class _Lines:
    def __init__(self, lines):
        self._lines = lines

    def all(self):
        return self._lines


class _Unsaved:
    """A participant not saved yet, as snapshot.partner_budget_hash reads it."""

    def __init__(self, organisation_id: int, lines: list):
        self.organisation_id = organisation_id
        self.budget_lines = _Lines(lines)


def org_pk(participant) -> int:
    return participant.organisation.pk


@dataclass
class Plan:
    """What one application becomes: its state and how far it got."""

    state: str
    versions: int = 0
    screened: str = ""  # "", eligible or ineligible
    assessed: bool = False
    decided: bool = False


@dataclass
class Made:
    """What the second phase (proposals and decisions) needs of a generated application."""

    pk: int
    reference: str
    language: str
    state: str
    screened: str
    decided: bool
    requested: Decimal
    submitted_at: datetime
    submission_pk: int
    start_date: date
    end_date: date
    weighted: Decimal | None = None


@dataclass
class People:
    preparer: User
    presenter: User
    decision_maker: User
    assessors: list[User]
    applicants: dict[int, User] = field(default_factory=dict)  # organisation pk → user


class Command(BaseCommand):
    help = (
        "Generate N applications for a call fast with bulk inserts (fixed seed): partners, budgets, attachment metadata "
        "(rows only, no files on disk), submitted versions with real fingerprints, screening, assessments, proposals and "
        "signed decisions in realistic proportions. Decision documents are not rendered: `manage.py render_decisions` "
        "queues them. Needs `load_reference_data` and `load_calls` first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--call", default="digi-2020", help="The call's identifier (slug).")
        parser.add_argument("--count", type=int, default=1000, help="How many applications to generate.")
        parser.add_argument("--seed", type=int, default=2020, help="Random seed: the same seed gives the same data.")
        parser.add_argument("--batch-size", type=int, default=1000, help="Applications per bulk insert.")
        parser.add_argument(
            "--funded-share",
            type=float,
            default=None,
            help="Share of the eligible applications granted, in rank order (0–1); the call's appropriation is raised when they do not fit. "
            "By default the appropriation decides, as the allocation helper does.",
        )
        parser.add_argument("--drafts-share", type=float, default=0.06, help="Share of the applications left as drafts (0–1).")
        parser.add_argument("--ineligible-share", type=float, default=0.10, help="Share of the received applications screened ineligible (0–1).")
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Decide every received application (signed decisions) and publish the call's results.",
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        count, batch_size = options["count"], options["batch_size"]
        for name in ("funded_share", "drafts_share", "ineligible_share"):
            if options[name] is not None and not 0 <= options[name] <= 1:
                raise CommandError(f"--{name.replace('_', '-')} must be between 0 and 1.")
        if count < 0 or batch_size < 1:
            raise CommandError("--count must be 0 or more and --batch-size at least 1.")
        try:
            call = Call.objects.get(slug=options["call"])
        except Call.DoesNotExist:
            raise CommandError(f"No call '{options['call']}'. Load the calls first: `python manage.py load_calls`.") from None
        municipalities = (
            Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY, is_active=True)
            .valid_on(helsinki_day(call.opens_at))  # the municipal map of the call's opening day
            .select_related("region")
            .order_by("municipality_code")
        )
        if not call.aland_may_apply:  # the call's rule: Åland's municipalities take no part
            municipalities = municipalities.exclude(region__code=rules.ALAND_REGION_CODE)
        municipalities = list(municipalities)
        if len(municipalities) < max(call.min_municipalities, 2) + 3:
            raise CommandError("Too few municipalities. Load the reference data first: `python manage.py load_reference_data`.")
        if options["publish"] and ResultsPublication.objects.filter(call=call).exists():
            raise CommandError(f"The results of {call.slug} are already published; generate into another call.")
        if options["publish"] and Application.objects.filter(call=call, state__in=RECEIVED_STATES).exclude(decision__state=Decision.State.SIGNED).exists():
            raise CommandError(f"{call.slug} has undecided applications already: its results could not be published.")
        if Allocation.objects.filter(call=call).exists():
            raise CommandError(f"The allocation of {call.slug} is finalised already; generate into a call without one.")

        generator = Generator(call, municipalities, options, stdout=self.stdout)
        with translation.override("fi"):
            summary = generator.run(count, batch_size)
        took = time.monotonic() - started
        self.stdout.write(f"{call.slug}: {summary} in {took:.1f} s.")
        if summary.signed_decisions:
            self.stdout.write("Decision documents are not rendered: run `python manage.py render_decisions` (with the worker) to render them.")


@dataclass
class Summary:
    applications: int = 0
    by_state: dict = field(default_factory=dict)
    submissions: int = 0
    signed_decisions: int = 0
    grants: int = 0
    published: bool = False
    appropriation_raised_to: Decimal | None = None

    def __str__(self) -> str:
        states = ", ".join(f"{state} {n}" for state, n in sorted(self.by_state.items()))
        text = f"{self.applications} applications generated ({states}); {self.submissions} versions"
        text += f", {self.signed_decisions} signed decisions ({self.grants} grants)"
        if self.appropriation_raised_to is not None:
            text += f"; appropriation raised to {self.appropriation_raised_to} € to fit the grants"
        if self.published:
            text += "; results published"
        return text


class Generator:
    def __init__(self, call: Call, municipalities: list[Organisation], options: dict, stdout=None):
        self.call = call
        self.municipalities = municipalities
        self.options = options
        self.stdout = stdout
        self.rng = random.Random(options["seed"])  # noqa: S311 (reproducible demo data, not security)
        self.publish = options["publish"]
        self.categories = list(call.cost_categories.order_by("order", "pk"))
        self.criteria = list(call.criteria.order_by("order", "pk"))
        self.areas = list(call.target_areas.order_by("number"))
        self.weights = {criterion.pk: criterion.weight for criterion in self.criteria}
        self.reasons = {reason.code: reason for reason in call.no_grant_reasons.all()}
        if not self.categories:
            raise CommandError(f"The call {call.slug} has no cost categories.")
        now = clock.now()
        self.closed = call.closes_at <= now
        if self.publish and not self.closed:
            raise CommandError(f"The call {call.slug} has not closed yet: its results cannot be published.")
        self.until = call.closes_at if self.closed else now
        if self.until <= call.opens_at + timedelta(hours=1):
            raise CommandError(f"The call {call.slug} has not been open long enough to have applications.")
        prefix = drafting_rules.reference_prefix(call.slug)
        existing = Application.objects.filter(reference__startswith=f"{prefix}-").values_list("reference", flat=True)
        self.prefix = prefix
        self.next_number = int(drafting_rules.next_reference(prefix, existing).rpartition("-")[2])
        # Milestones after the deadline (screening, assessment, proposals, decisions).
        closes = call.closes_at
        self.screened_at = closes + timedelta(days=14)
        self.assigned_at = closes + timedelta(days=16)
        self.assessed_by = closes + timedelta(days=40)
        self.proposed_at = closes + timedelta(days=50)
        self.decided_at = closes + timedelta(days=67)
        self.project_start = (closes + timedelta(days=92)).date().replace(day=1)

    # ── People ──────────────────────────────────────────────────────────────

    def people(self, count: int) -> People:
        def official(email: str, name: str, **flags) -> User:
            user, _ = User.objects.get_or_create(email=f"{email}@{DEMO_DOMAIN}", defaults={"full_name": f"{name} (demo)", **flags})
            return user

        preparer = official("valmistelija", "Valma Valmistelija", is_official=True)
        presenter = official("esittelija", "Eero Esittelijä", is_official=True)
        maker = official("paattaja", "Päivi Päättäjä", is_official=True)
        # An assessor assesses about a hundred applications.
        n_assessors = max(3, math.ceil(count * 2 / 100))
        emails = [f"arvioija.{number:04d}@{DEMO_DOMAIN}" for number in range(1, n_assessors + 1)]
        known = {user.email: user for user in User.objects.filter(email__in=emails)}
        new = [User(email=email, full_name=f"Arvioija {email[9:13]} (demo)", is_assessor=True) for email in emails if email not in known]
        for user in new:
            user.set_unusable_password()
        User.objects.bulk_create(new, batch_size=1000)
        known = {user.email: user for user in User.objects.filter(email__in=emails)}
        assessors = [known[email] for email in emails]
        roles = [(preparer, CallRole.Role.PREPARER), (presenter, CallRole.Role.PRESENTER), (maker, CallRole.Role.DECISION_MAKER)]
        roles += [(assessor, CallRole.Role.ASSESSOR) for assessor in assessors]
        have = set(CallRole.objects.filter(call=self.call).values_list("user_id", "role"))
        CallRole.objects.bulk_create(
            [CallRole(call=self.call, user=user, role=role) for user, role in roles if (user.pk, role) not in have],
            batch_size=1000,
        )
        # One applicant per municipality (the lead's contact person and the partners' confirmer).
        emails = {org.pk: f"hakija.{org.municipality_code or org.pk}@{DEMO_DOMAIN}" for org in self.municipalities}
        known = {user.email: user for user in User.objects.filter(email__in=emails.values())}
        new = []
        for org in self.municipalities:
            if emails[org.pk] not in known:
                user = User(email=emails[org.pk], full_name=f"Hakija {org.name_fi} (demo)", phone="040 123 4567")
                user.set_unusable_password()
                new.append(user)
        User.objects.bulk_create(new, batch_size=1000)
        users = {user.email: user for user in User.objects.filter(email__in=emails.values())}
        applicants = {pk: users[email] for pk, email in emails.items()}
        members = set(Membership.objects.filter(user__in=users.values()).values_list("user_id", "organisation_id"))
        Membership.objects.bulk_create(
            [
                Membership(user=user, organisation_id=org_pk, role=Membership.Role.ADMIN, status=Membership.Status.APPROVED, decided_at=self.call.opens_at)
                for org_pk, user in applicants.items()
                if (user.pk, org_pk) not in members
            ],
            batch_size=1000,
        )
        return People(preparer, presenter, maker, assessors, applicants)

    # ── The plan of each application ────────────────────────────────────────

    def plan(self) -> Plan:
        rng = self.rng
        if rng.random() < self.options["drafts_share"]:
            return Plan(State.DRAFT)
        versions = 2 if rng.random() < 0.08 else 1
        if not self.closed:
            return Plan(State.SUBMITTED, versions)
        if not self.publish and rng.random() < 0.10:
            return Plan(State.SUBMITTED, versions)  # not screened yet
        if rng.random() < self.options["ineligible_share"]:
            decided = self.publish or rng.random() < 0.5
            return Plan(State.NOT_GRANTED if decided else State.INELIGIBLE, versions, "ineligible", decided=decided)
        decided = self.publish or rng.random() < 0.5
        # The state of a decided one (granted or not) is set in the second phase, in rank order.
        return Plan(State.ELIGIBLE, versions, "eligible", assessed=True, decided=decided)

    # ── Running ─────────────────────────────────────────────────────────────

    def run(self, count: int, batch_size: int) -> Summary:
        summary = Summary()
        with transaction.atomic():
            people = self.people(count)
            Call.objects.filter(pk=self.call.pk).update(generated_content=True)
        made: list[Made] = []
        instants = sorted(self.submission_instant() for _ in range(count))
        for start in range(0, count, batch_size):
            with transaction.atomic():
                made += self.batch(instants[start : start + batch_size], people, summary)
            if self.stdout and count > batch_size:
                self.stdout.write(f"  {min(start + batch_size, count)}/{count} applications")
        with transaction.atomic():
            self.proposals_and_decisions(made, people, summary, batch_size)
        # Fresh planner statistics after a bulk load: without them the database plans the lists'
        # queries for the empty tables it last saw (autovacuum would catch up only later).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        return summary

    def submission_instant(self) -> datetime:
        """Most applications arrive on the last day, many in its last hours."""
        rng = self.rng
        period = (self.until - self.call.opens_at).total_seconds()
        roll = rng.random()
        if roll < 0.5:
            seconds = rng.uniform(60, 6 * 3600)
        elif roll < 0.8:
            seconds = rng.uniform(6 * 3600, 7 * 86400)
        else:
            seconds = rng.uniform(7 * 86400, max(period, 7 * 86400 + 1))
        return self.until - timedelta(seconds=min(seconds, period - 600))

    def batch(self, instants: list[datetime], people: People, summary: Summary) -> list[Made]:
        rng = self.rng
        call = self.call
        apps: list[Application] = []
        plans: list[Plan] = []
        orgs: list[list[Organisation]] = []
        for at in instants:
            plan = self.plan()
            lead, *partners = rng.sample(self.municipalities, rng.choice([2, 2, 3, 3, 3, 4, 5]))
            language = "sv" if lead.region and lead.region.code in SWEDISH_SPEAKING_REGIONS and lead.name_sv != lead.name_fi else "fi"
            idea = rng.choice(IDEAS)[1 if language == "sv" else 0]
            user = people.applicants[lead.pk]
            reference = f"{self.prefix}-{self.next_number:04d}"
            self.next_number += 1
            created = at - timedelta(days=rng.uniform(1, 30))
            created = max(created, call.opens_at + timedelta(minutes=5))
            submitted = plan.state != State.DRAFT
            app = Application(
                call=call,
                reference=reference,
                lead=lead,
                state=plan.state,
                language=language,
                version=rng.randint(4, 30) + plan.versions * 2,
                project_name=f"{idea} – {lead.name_sv if language == 'sv' else lead.name_fi} (demo)",
                **{name: text.format(idea=idea.lower()) for name, text in TEXTS[language].items()},
                start_date=self.project_start,
                end_date=call.project_end_latest,
                contact_name=user.full_name,
                contact_email=user.email,
                contact_phone=user.phone,
                signatory_name=user.full_name,
                signatory_title="kunnanjohtaja",
                declaration_not_excluded=submitted or rng.random() < 0.5,
                created_by=user,
                created_at=created,
                updated_at=at,
                submitted_at=at if submitted else None,
            )
            if plan.screened == "ineligible" or (plan.state != State.DRAFT and rng.random() < 0.03):
                app.summary += " " + EXCLUDED_FIELD[language]
            apps.append(app)
            plans.append(plan)
            orgs.append([lead, *partners])

        # Participants, budget lines, target areas, attachments.
        participants: list[Participant] = []
        per_app: list[list[Participant]] = []
        for app, plan, members in zip(apps, plans, orgs, strict=True):
            mine = []
            for index, org in enumerate(members):
                partner = index > 0
                confirmed = partner and (plan.state != State.DRAFT or rng.random() < 0.5)
                mine.append(
                    Participant(
                        application=app,
                        organisation=org,
                        role=Participant.Role.PARTNER if partner else Participant.Role.LEAD,
                        confirmed_at=app.updated_at - timedelta(hours=rng.uniform(1, 48)) if confirmed else None,
                        confirmed_by=people.applicants[org.pk] if confirmed else None,
                    )
                )
            per_app.append(mine)
            participants += mine
        lines_of: dict[int, list[BudgetLine]] = {}
        for app, mine in zip(apps, per_app, strict=True):
            eligible = Decimal("0.00")
            for participant in mine:
                chosen = [self.categories[0], *[c for c in self.categories[1:] if rng.random() < 0.35]]
                base = Decimal(rng.randrange(5, 120)) * 1000
                lines = []
                for category in chosen:
                    amount = base if category is self.categories[0] else (base * Decimal(rng.choice(["0.1", "0.2", "0.5"]))).quantize(CENT)
                    description = LINE_DESCRIPTIONS[app.language].get(category.code) or getattr(category, f"name_{app.language}") or category.name
                    lines.append(BudgetLine(application=app, category=category, description=description, amount=amount))
                    eligible += amount
                lines_of[id(participant)] = lines
                # The cache snapshot.partner_budget_lines reads (pk None: one line per category).
                participant._prefetched_objects_cache = {"budget_lines": lines}
                if participant.confirmed_at:
                    # What the partner confirmed: its own lines, hashed by the real function.
                    participant.confirmed_budget_hash = snapshot.partner_budget_hash(_Unsaved(organisation_id=org_pk(participant), lines=lines))
            share = call.max_grant_share if rng.random() < 0.8 else max(call.max_grant_share - Decimal("0.10"), Decimal("0.05"))
            app.requested_grant = rules.max_grant(eligible, share)
        Application.objects.bulk_create(apps)
        if any(app.pk is None for app in apps):  # a database that cannot return ids: read them back
            by_reference = dict(Application.objects.filter(reference__in=[app.reference for app in apps]).values_list("reference", "pk"))
            for app in apps:
                app.pk = by_reference[app.reference]
        Participant.objects.bulk_create(participants)
        self._read_back_ids(Participant, participants, ("application_id", "organisation_id"))
        all_lines = []
        for participant in participants:
            for line in lines_of[id(participant)]:
                line.participant = participant
                all_lines.append(line)
        BudgetLine.objects.bulk_create(all_lines)
        through = Application.target_areas.through
        area_rows = []
        attachments: list[Attachment] = []
        areas_of: dict[int, list] = {}
        atts_of: dict[int, list] = {}
        for app in apps:
            chosen = rng.sample(self.areas, min(len(self.areas), rng.choice([1, 1, 1, 2])))
            chosen.sort(key=lambda area: area.number)
            areas_of[app.pk] = chosen
            area_rows += [through(application_id=app.pk, targetarea_id=area.pk) for area in chosen]
            mine = []
            for name, content_type, description in ATTACHMENTS[: rng.randint(1 if app.state != State.DRAFT else 0, 3)]:
                digest = hashlib.sha256(f"{app.reference}/{name}".encode()).hexdigest()
                mine.append(
                    Attachment(
                        application=app,
                        file=f"attachments/{app.pk}/{digest}",
                        original_name=name,
                        content_type=content_type,
                        size=rng.randint(40_000, 4_000_000),
                        sha256=digest,
                        description=description,
                        uploaded_by=app.created_by,
                        uploaded_at=app.created_at + (app.updated_at - app.created_at) / 2,
                    )
                )
            atts_of[app.pk] = mine
            attachments += mine
        through.objects.bulk_create(area_rows)
        Attachment.objects.bulk_create(attachments)

        # Submitted versions: content and fingerprint from the real snapshot functions.
        submissions: list[Submission] = []
        latest: dict[int, Submission] = {}
        for app, plan, mine in zip(apps, plans, per_app, strict=True):
            app._prefetched_objects_cache = {"participants": mine, "target_areas": areas_of[app.pk], "attachments": atts_of[app.pk]}
            if not plan.versions:
                continue
            if plan.versions == 2:
                full, requested = app.summary, app.requested_grant
                app.summary = FIRST_SUMMARY[app.language]
                first_at = app.submitted_at - timedelta(hours=rng.uniform(2, 72))
                content = snapshot.application_content(app)
                submissions.append(
                    Submission(
                        application=app,
                        number=1,
                        submitted_at=first_at,
                        submitted_by=app.created_by,
                        content=content,
                        fingerprint=snapshot.fingerprint(content),
                        withdrawn_at=first_at + (app.submitted_at - first_at) / 3,
                    )
                )
                app.summary, app.requested_grant = full, requested
            content = snapshot.application_content(app)
            last = Submission(
                application=app,
                number=plan.versions,
                submitted_at=app.submitted_at,
                submitted_by=app.created_by,
                content=content,
                fingerprint=snapshot.fingerprint(content),
            )
            submissions.append(last)
            latest[app.pk] = last
        Submission.objects.bulk_create(submissions)
        self._read_back_ids(Submission, submissions, ("application_id", "number"))
        summary.submissions += len(submissions)

        # Screening and assessment.
        screenings = []
        assignments: list[Assignment] = []
        quality: dict[int, float] = {}
        for app, plan in zip(apps, plans, strict=True):
            if not plan.screened:
                continue
            screenings.append(
                Screening(
                    application=app,
                    outcome=plan.screened,
                    reason=SCREENING_REASONS[plan.screened],
                    failed_conditions=["other"] if plan.screened == "ineligible" else [],
                    marked_by=people.preparer,
                    marked_at=self.screened_at + timedelta(minutes=rng.uniform(0, 7 * 24 * 60)),
                )
            )
            if not plan.assessed:
                continue
            quality[app.pk] = rng.uniform(self.call.score_min, self.call.score_max)
            count = 3 if rng.random() < 0.05 else 2
            for index, assessor in enumerate(rng.sample(people.assessors, min(count, len(people.assessors)))):
                open_one = index == 2  # a third assessor asked later: not yet submitted
                assignments.append(
                    Assignment(
                        application=app,
                        assessor=assessor,
                        assigned_by=people.preparer,
                        assigned_at=self.assigned_at + timedelta(minutes=rng.uniform(0, 3 * 24 * 60)),
                        submitted_at=None if open_one else self.assessed_by - timedelta(minutes=rng.uniform(0, 14 * 24 * 60)),
                    )
                )
        Screening.objects.bulk_create(screenings)
        Assignment.objects.bulk_create(assignments)
        self._read_back_ids(Assignment, assignments, ("application_id", "assessor_id"))
        scores = []
        submitted_scores: dict[int, dict[int, list[int]]] = {}
        for assignment in assignments:
            if assignment.submitted_at is None and rng.random() < 0.5:
                continue  # not started
            q = quality[assignment.application_id]
            for criterion in self.criteria:
                value = min(self.call.score_max, max(self.call.score_min, round(q + rng.uniform(-1.2, 1.2))))
                scores.append(Score(assignment=assignment, criterion=criterion, score=value, justification=rng.choice(JUSTIFICATIONS)))
                if assignment.submitted_at is not None:
                    submitted_scores.setdefault(assignment.application_id, {}).setdefault(criterion.pk, []).append(value)
        Score.objects.bulk_create(scores)

        made = []
        for app, plan in zip(apps, plans, strict=True):
            summary.applications += 1
            if plan.state == State.DRAFT:
                summary.by_state[State.DRAFT] = summary.by_state.get(State.DRAFT, 0) + 1
                continue
            if not (plan.screened == "eligible" or plan.decided):
                summary.by_state[plan.state] = summary.by_state.get(plan.state, 0) + 1
                continue
            made.append(
                Made(
                    pk=app.pk,
                    reference=app.reference,
                    language=app.language,
                    state=plan.state,
                    screened=plan.screened,
                    decided=plan.decided,
                    requested=app.requested_grant,
                    submitted_at=app.submitted_at,
                    submission_pk=latest[app.pk].pk,
                    start_date=app.start_date,
                    end_date=app.end_date,
                    weighted=weighted_score(self.weights, submitted_scores.get(app.pk, {})) if plan.assessed else None,
                )
            )
        return made

    @staticmethod
    def _read_back_ids(model, objects: list, key_fields: tuple[str, ...]) -> None:
        """Databases that cannot return ids from a bulk insert: read them back by a unique key."""
        if not objects or all(obj.pk is not None for obj in objects):
            return
        keys = {tuple(getattr(obj, name) for name in key_fields): obj for obj in objects}
        first = key_fields[0]
        rows = model.objects.filter(**{f"{first}__in": {key[0] for key in keys}}).values_list("pk", *key_fields)
        for pk, *key in rows:
            if tuple(key) in keys:
                keys[tuple(key)].pk = pk

    # ── Proposals in rank order, the allocation, decisions ─────────────────

    def proposals_and_decisions(self, made: list[Made], people: People, summary: Summary, batch_size: int) -> None:
        rng = self.rng
        call = self.call
        eligible = [m for m in made if m.screened == "eligible"]
        ranked = allocation_rules.rank(allocation_rules.RankItem(m.pk, m.reference, m.weighted, m.submitted_at) for m in eligible)
        by_pk = {m.pk: m for m in eligible}
        share = self.options["funded_share"]
        if share is None:
            # As the allocation helper does: in rank order, each in full while it fits the appropriation.
            earlier = Proposal.objects.filter(application__call=call, application__state__in=(State.ELIGIBLE, State.GRANTED))
            left = call.appropriation - sum(earlier.values_list("amount", flat=True), Decimal("0.00"))
            requested = [(item.application_id, by_pk[item.application_id].requested) for item in ranked]
            funded = allocation_rules.fill(requested, max(left, Decimal("0.00"))).funded_ids
        else:
            funded = {item.application_id for item in ranked[: round(len(ranked) * share)]}
        proposals = []
        amounts: dict[int, Decimal] = {}
        for item in ranked:
            m = by_pk[item.application_id]
            if m.pk in funded:
                amount = m.requested
                reason = ""
                if share is not None and rng.random() < 0.15:  # a reduced proposal, with its reason
                    amount = (m.requested * Decimal("0.8")).quantize(CENT, rounding=ROUND_DOWN)
                    reason = "Kustannusarvio on osin ylimitoitettu." if m.language == "fi" else "Kostnadsberäkningen är delvis överdimensionerad."
            else:
                amount, reason = Decimal("0.00"), NOT_FUNDED[m.language]
            amounts[m.pk] = amount
            proposals.append(Proposal(application_id=m.pk, amount=amount, reason=reason, proposed_by=people.preparer, proposed_at=self.proposed_at))
        Proposal.objects.bulk_create(proposals, batch_size=batch_size)
        if eligible:
            counted = sum(amounts.values(), Decimal("0.00"))
            # Proposals of earlier applications of the call count too.
            earlier = Proposal.objects.filter(application__call=call, application__state__in=(State.ELIGIBLE, State.GRANTED)).exclude(
                application_id__in=amounts.keys()
            )
            counted += sum(earlier.values_list("amount", flat=True), Decimal("0.00"))
            if counted > call.appropriation:
                raised = Decimal(math.ceil(counted / 1_000_000) * 1_000_000).quantize(CENT)
                Call.objects.filter(pk=call.pk).update(appropriation=raised)
                call.appropriation = raised
                summary.appropriation_raised_to = raised
            Allocation.objects.create(call=call, total=counted, finalised_by=people.preparer, finalised_at=self.proposed_at + timedelta(days=3))

        decisions = []
        granted, not_granted = [], []
        for m in made:
            if not m.decided:
                summary.by_state[m.state] = summary.by_state.get(m.state, 0) + 1
                continue
            amount = amounts.get(m.pk, Decimal("0.00"))
            grant = m.screened == "eligible" and amount > 0
            (granted if grant else not_granted).append(m.pk)
            state = State.GRANTED if grant else State.NOT_GRANTED
            summary.by_state[state] = summary.by_state.get(state, 0) + 1
            signed_at = self.decided_at + timedelta(minutes=rng.uniform(0, 120))
            lang = m.language
            reason = self.reasons.get("not-within-appropriation" if m.screened == "eligible" else "conditions-not-met")
            decisions.append(
                Decision(
                    application_id=m.pk,
                    submission_id=m.submission_pk,
                    outcome=Decision.Outcome.GRANT if grant else Decision.Outcome.NO_GRANT,
                    language=lang,
                    state=Decision.State.SIGNED,
                    amount=amount if grant else None,
                    max_share=call.max_grant_share if grant else None,
                    costs_from=m.start_date if grant else None,
                    costs_until=m.end_date if grant else None,
                    conditions=(getattr(call, f"decision_conditions_{lang}", "") or "") if grant else "",
                    reporting=(getattr(call, f"reporting_duties_{lang}", "") or "") if grant else "",
                    no_grant_reason=None if grant else reason,
                    grounds="" if grant else (NOT_FUNDED if m.screened == "eligible" else INELIGIBLE_GROUNDS)[lang],
                    presenter=people.presenter,
                    decision_maker=people.decision_maker,
                    presenter_title=TITLES["presenter"][lang],
                    decision_maker_title=TITLES["decision_maker"][lang],
                    prepared_by=people.preparer,
                    prepared_at=signed_at - timedelta(days=2),
                    decision_date=clock.helsinki(signed_at).date(),
                    signed_at=signed_at,
                    version=3,
                )
            )
        Decision.objects.bulk_create(decisions, batch_size=batch_size)
        for pks, state in ((granted, State.GRANTED), (not_granted, State.NOT_GRANTED)):
            for start in range(0, len(pks), batch_size):
                Application.objects.filter(pk__in=pks[start : start + batch_size]).update(state=state)
        summary.signed_decisions += len(decisions)
        summary.grants += len(granted)
        if self.publish:
            ResultsPublication.objects.create(call=call, published_by=people.presenter, published_at=self.decided_at + timedelta(days=7))
            if not call.is_published:
                Call.objects.filter(pk=call.pk).update(is_published=True)
            summary.published = True
