"""A call whose results are decided (and by default published), built quickly with bulk_create for the
tests of the public results, the map and statistics, the API and the exports.

    world = published_world(200)          # 200 funded projects, 2 without a grant, published
    world = published_world(3, n_rejected=0, generated=True, slug="digi-2019")
    world = published_world(5, published=False)   # decided, signed, not yet published

Municipalities are real ones of 2020 (data/municipalities-2020.csv: their codes, names, regions and
populations), so that the map's shapes match. Every funded application has a lead and one or two
partners, one or two target areas, a submitted version, a proposal and a signed grant decision; the
rejected ones are received applications with a signed no-grant decision (every other one ineligible).
The numbers are deterministic: project i (0-based) is led by `municipalities[i % m]`, its partner
is `municipalities[(i + 1) % m]` (every third also `(i + 2) % m`), and it is granted `amount(i)`.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings

from kuntadigi.accounts.models import User
from kuntadigi.applications import snapshot
from kuntadigi.applications.lifecycle import State
from kuntadigi.applications.models import Application, BudgetLine, Participant, Submission
from kuntadigi.calls.models import Call, CallRole, CostCategory, NoGrantReason, TargetArea
from kuntadigi.decisions.models import Allocation, Decision, Proposal
from kuntadigi.publication.models import ResultsPublication
from kuntadigi.registry.models import Organisation, Region
from tests import factories

HKI = factories.HKI
MUNICIPALITIES_CSV = Path(settings.BASE_DIR) / "data" / "municipalities-2020.csv"

PROJECT_WORDS = [
    ("Sähköinen", "Digital"),
    ("Yhteinen", "Shared"),
    ("Avoin", "Open"),
    ("Etä", "Remote"),
    ("Älykäs", "Smart"),
    ("Sujuva", "Smooth"),
    ("Osallistava", "Inclusive"),
]
PROJECT_NOUNS = ["päätöksenteko", "asiointi", "kokous", "palvelu", "kunta", "työ", "hallinto"]


def amount(i: int) -> Decimal:
    """The granted amount of funded project i: between 10 000 and 99 999 euros, with cents."""
    return Decimal(10000 + (i * 7919) % 90000) + Decimal(i % 100) / 100


@dataclass
class World:
    call: Call
    publication: ResultsPublication | None
    preparer: User
    presenter: User
    decision_maker: User
    # Municipalities in the order projects take them (lead of project i: municipalities[i % m]).
    municipalities: list[Organisation]
    regions: list[Region]
    target_areas: list[TargetArea]
    funded: list[Application]  # in reference order
    decisions: list[Decision]  # the signed grant decisions, same order as `funded`
    rejected: list[Application] = field(default_factory=list)
    rejected_decisions: list[Decision] = field(default_factory=list)

    @property
    def granted_total(self) -> Decimal:
        return sum((d.amount for d in self.decisions), Decimal("0"))

    def participants_of(self, application: Application) -> list[Organisation]:
        """The lead first, then the partners."""
        rows = Participant.objects.filter(application=application).select_related("organisation").order_by("role", "id")
        return [p.organisation for p in rows]


def _municipality_rows() -> list[dict]:
    with open(MUNICIPALITIES_CSV, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def ensure_municipalities(count: int) -> list[Organisation]:
    """`count` real municipalities spread over the country (every k-th of the 310), creating those
    not in the database yet (and their regions). Existing rows with the same code are reused."""
    rows = _municipality_rows()
    count = min(count, len(rows))
    step = max(1, len(rows) // count)
    chosen = rows[::step][:count]
    regions = {}
    for row in chosen:
        if row["region_code"] not in regions:
            regions[row["region_code"]], _ = Region.objects.get_or_create(
                code=row["region_code"], defaults={"name_fi": row["region_fi"], "name_sv": row["region_sv"], "name_en": row["region_en"]}
            )
    codes = [row["code"] for row in chosen]
    existing = {org.municipality_code: org for org in Organisation.objects.filter(municipality_code__in=codes)}
    Organisation.objects.bulk_create(
        [
            Organisation(
                kind=Organisation.Kind.MUNICIPALITY,
                municipality_code=row["code"],
                name_fi=row["name_fi"],
                name_sv=row["name_sv"],
                region=regions[row["region_code"]],
                population=int(row["population_2019"]),
                population_year=2019,
            )
            for row in chosen
            if row["code"] not in existing
        ]
    )
    by_code = {org.municipality_code: org for org in Organisation.objects.select_related("region").filter(municipality_code__in=codes)}
    return [by_code[code] for code in codes]


def _call(slug: str, generated: bool) -> Call:
    match = re.search(r"(\d{4})$", slug)
    year = int(match.group(1)) if match else 2020
    shift = year - 2020
    return factories.call(
        slug,
        opens_at=factories.OPENS_2020.replace(year=factories.OPENS_2020.year + shift),
        closes_at=factories.CLOSES_2020.replace(year=factories.CLOSES_2020.year + shift),
        project_end_latest=date(2022 + shift, 10, 31),
        title_fi=f"Valtionavustus kuntien digitalisaation edistämiseen {year}",
        title_sv=f"Statsunderstöd för främjande av digitalisering i kommunerna {year}",
        title_en=f"State grant for promoting digitalisation in municipalities {year}",
        generated_content=generated,
    )


def published_world(
    n_funded: int = 5,
    *,
    n_rejected: int = 2,
    generated: bool = False,
    slug: str = "digi-2020",
    published: bool = True,
) -> World:
    """A decided call with `n_funded` signed grants and `n_rejected` signed no-grant decisions;
    its results are published unless `published=False`."""
    call = _call(slug, generated)
    match = re.search(r"(\d{4})$", slug)
    year = int(match.group(1)) if match else 2020
    decided_at = datetime(year, 12, 11, 10, 0, tzinfo=HKI)
    submitted_at = datetime(year, 10, 5, 12, 0, tzinfo=HKI)
    people = {
        role: factories.user(f"{role}-{slug}@vm.fi", official=True, full_name=name)
        for role, name in [("preparer", "Pertti Valmistelija"), ("presenter", "Suvi Savolainen"), ("decision_maker", "Anne-Marie Välikangas")]
    }
    CallRole.objects.bulk_create([CallRole(call=call, user=person, role=role) for role, person in people.items()])
    creator = people["preparer"]
    municipalities = ensure_municipalities(max(6, min(n_funded + 2, 60)))
    m = len(municipalities)
    areas = list(TargetArea.objects.filter(call=call).order_by("number"))
    categories = {c.code: c for c in CostCategory.objects.filter(call=call)}
    reasons = [
        NoGrantReason.objects.create(
            call=call,
            order=0,
            code="not-within-appropriation",
            text_fi="Muut hakemukset sijoittuivat korkeammalle.",
            text_sv="Andra ansökningar placerade sig högre.",
            text_en="Other applications ranked higher.",
        ),
        NoGrantReason.objects.create(
            call=call,
            order=1,
            code="conditions-not-met",
            text_fi="Hakemus ei täyttänyt ehtoja.",
            text_sv="Ansökan uppfyllde inte villkoren.",
            text_en="The application did not meet the conditions.",
        ),
    ]
    prefix = slug.upper()

    def build(i: int, number: int, state: str) -> Application:
        adjective_fi, _adjective_en = PROJECT_WORDS[i % len(PROJECT_WORDS)]
        noun = PROJECT_NOUNS[(i // len(PROJECT_WORDS)) % len(PROJECT_NOUNS)]
        return Application(
            call=call,
            reference=f"{prefix}-{number:04d}",
            lead=municipalities[i % m],
            state=state,
            language="sv" if i % 4 == 3 else "fi",
            project_name=f"{adjective_fi} {noun} {number}",
            summary=f"Hankkeessa {number} kunnat uudistavat yhdessä {noun}-prosessinsa.",
            current_state="Prosessit ovat paperisia.",
            objectives="Sähköiset kokoukset kaikissa kunnissa.",
            change_in_ways_of_working="Päätökset valmistellaan yhdessä.",
            rollout_and_spread="Mallit jaetaan avoimesti.",
            prior_work="Rakentuu aiempiin kokemuksiin.",
            start_date=date(year + 1, 1, 1),
            end_date=date(year + 2, 10, 31),
            contact_name=f"Yhteyshenkilö {prefix} {number}",
            contact_email=f"contact-{slug}-{number}@example.fi",
            contact_phone=f"040 {number:07d}",
            declaration_not_excluded=True,
            requested_grant=amount(i) + Decimal("1000.00"),
            created_by=creator,
            created_at=submitted_at - timedelta(days=10),
            updated_at=submitted_at,
            submitted_at=submitted_at,
        )

    funded = Application.objects.bulk_create([build(i, i + 1, State.GRANTED) for i in range(n_funded)])
    rejected = Application.objects.bulk_create([build(n_funded + j, n_funded + j + 1, State.NOT_GRANTED) for j in range(n_rejected)])
    everyone = funded + rejected

    participants = []
    links = []
    Link = Application.target_areas.through
    for i, app in enumerate(everyone):
        participants.append(Participant(application=app, organisation=municipalities[i % m], role=Participant.Role.LEAD))
        partner_offsets = [1, 2] if i % 3 == 0 and m > 2 else [1]
        for offset in partner_offsets:
            participants.append(
                Participant(
                    application=app,
                    organisation=municipalities[(i + offset) % m],
                    role=Participant.Role.PARTNER,
                    confirmed_at=submitted_at - timedelta(days=1),
                    confirmed_by=creator,
                )
            )
        numbers = {i % 5 + 1} | ({(i + 2) % 5 + 1} if i % 2 else set())
        links += [Link(application_id=app.pk, targetarea_id=areas[n - 1].pk) for n in sorted(numbers)]
    participants = Participant.objects.bulk_create(participants)
    Link.objects.bulk_create(links)
    BudgetLine.objects.bulk_create(
        [
            BudgetLine(
                application=p.application,
                participant=p,
                category=categories["staff" if p.role == Participant.Role.LEAD else "services"],
                description="Projektipäällikkö" if p.role == Participant.Role.LEAD else "Koulutus",
                amount=Decimal("60000.00") if p.role == Participant.Role.LEAD else Decimal("40000.00"),
            )
            for p in participants
        ]
    )
    submissions = Submission.objects.bulk_create(
        [
            Submission(
                application=app,
                number=1,
                submitted_at=submitted_at,
                submitted_by=creator,
                content=(content := {"call": slug, "reference": app.reference, "project_name": app.project_name, "summary": app.summary}),
                fingerprint=snapshot.fingerprint(content),
            )
            for app in everyone
        ]
    )
    proposed_at = decided_at - timedelta(days=7)
    Proposal.objects.bulk_create([Proposal(application=app, amount=amount(i), proposed_by=creator, proposed_at=proposed_at) for i, app in enumerate(funded)])
    total = sum((amount(i) for i in range(n_funded)), Decimal("0"))
    Allocation.objects.create(call=call, total=total, finalised_by=creator, finalised_at=decided_at - timedelta(days=5))

    def decision(app: Application, submission: Submission, **terms) -> Decision:
        return Decision(
            application=app,
            submission=submission,
            language=app.language,
            state=Decision.State.SIGNED,
            presenter=people["presenter"],
            decision_maker=people["decision_maker"],
            presenter_title="Neuvotteleva virkamies",
            decision_maker_title="Osastopäällikkö",
            prepared_by=people["preparer"],
            prepared_at=decided_at - timedelta(days=2),
            decision_date=decided_at.date(),
            signed_at=decided_at,
            **terms,
        )

    decisions = Decision.objects.bulk_create(
        [
            decision(
                app,
                submissions[i],
                outcome=Decision.Outcome.GRANT,
                amount=amount(i),
                max_share=call.max_grant_share,
                costs_from=decided_at.date(),
                costs_until=call.project_end_latest,
                conditions=f"Ehdot {app.reference}",
                reporting=f"Raportointi {app.reference}",
            )
            for i, app in enumerate(funded)
        ]
    )
    rejected_decisions = Decision.objects.bulk_create(
        [
            decision(app, submissions[n_funded + j], outcome=Decision.Outcome.NO_GRANT, no_grant_reason=reasons[j % 2], grounds=f"Perustelut {app.reference}")
            for j, app in enumerate(rejected)
        ]
    )
    publication = None
    if published:
        publication = ResultsPublication.objects.create(call=call, published_by=people["presenter"], published_at=decided_at + timedelta(days=3))
    region_ids = []
    for org in municipalities:
        if org.region_id not in region_ids:
            region_ids.append(org.region_id)
    regions_by_id = Region.objects.in_bulk(region_ids)
    return World(
        call=call,
        publication=publication,
        preparer=people["preparer"],
        presenter=people["presenter"],
        decision_maker=people["decision_maker"],
        municipalities=municipalities,
        regions=[regions_by_id[pk] for pk in region_ids],
        target_areas=areas,
        funded=funded,
        decisions=decisions,
        rejected=rejected,
        rejected_decisions=rejected_decisions,
    )
