"""The figures of the public map and statistics pages.

The arithmetic is pure (top half): how a grant is shared among the organisations that carry it out,
euros per resident, size classes and the classes of the map's legend. The database is read in the
bottom half, each function with a constant, small number of queries whatever the number of grants;
only calls whose results are published count (through `queries`), and of received applications only
their number, never their contents.

How a grant is shared (the allocation rule): a grant goes to the municipalities of the project in
proportion to their population, so that every resident of the project's municipalities counts the
same (a project of Helsinki and Kauniainen is mostly Helsinki's). A joint municipal authority has no
population of its own in the registry, so it takes no share while a municipality of known
population takes part; only a project of organisations none of whose populations is known is split
equally. A region's euros are the shares of its municipalities; its residents are the population
of all its municipalities (whether they took part or not), so that regions compare fairly.

The statistics by region and by size class count each application once, by its lead applicant
(so that the rows add up to the total); the map credits every participant.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.db.models import Count, Sum
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kuntadigi.applications.lifecycle import RECEIVED_STATES
from kuntadigi.applications.models import Application, Participant
from kuntadigi.calls.models import Call, TargetArea
from kuntadigi.core import formats
from kuntadigi.registry.models import Organisation, Region

from . import queries

CENT = Decimal("0.01")

# ── Sharing a grant ──────────────────────────────────────────────────────────


def share_grant(amount: Decimal, weights: Sequence[tuple[Hashable, int | None]]) -> dict[Hashable, Decimal]:
    """Split `amount` among the keys in proportion to their weights (populations), to the cent, so
    that the shares add up to the amount exactly (the leftover cents go to the largest remainders,
    ties to the earlier key). Keys without a weight share only when no key has one: then equally."""
    if not weights:
        return {}
    known = [(key, weight) for key, weight in weights if weight]
    if not known:
        known = [(key, 1) for key, _weight in weights]
    total_weight = sum(weight for _key, weight in known)
    cents = int((amount / CENT).to_integral_value(rounding=ROUND_DOWN))
    exact = [(key, Decimal(cents) * weight / total_weight) for key, weight in known]
    floors = {key: int(value) for key, value in exact}
    leftover = cents - sum(floors.values())
    by_remainder = sorted(range(len(exact)), key=lambda i: (-(exact[i][1] - floors[exact[i][0]]), i))
    for i in by_remainder[:leftover]:
        floors[exact[i][0]] += 1
    shares = {key: Decimal(floors.get(key, 0)) * CENT for key, _weight in weights}
    shares[known[0][0]] += amount - cents * CENT  # fractions of a cent (none for euros and cents)
    return shares


def per_resident(euros: Decimal, population: int | None) -> Decimal | None:
    """Euros per resident to the cent; None where the population is unknown or nil."""
    if not population:
        return None
    return (euros / population).quantize(CENT, rounding=ROUND_HALF_UP)


# ── Size classes of municipalities ───────────────────────────────────────────


@dataclass(frozen=True)
class SizeClass:
    key: str
    lower: int | None  # residents at least (None: no lower bound)
    upper: int | None  # residents fewer than (None: no upper bound)

    @property
    def label(self) -> str:
        if self.key == JOINT_AUTHORITY_CLASS.key:
            return str(_("Joint municipal authority"))
        if self.lower is None:
            return str(_("Under %(upper)s residents") % {"upper": thousands(self.upper)})
        if self.upper is None:
            return str(_("%(lower)s residents or more") % {"lower": thousands(self.lower)})
        return str(_("%(lower)s–%(upper)s residents") % {"lower": thousands(self.lower), "upper": thousands(self.upper - 1)})


SIZE_CLASSES = (
    SizeClass("under-5000", None, 5_000),
    SizeClass("5000-19999", 5_000, 20_000),
    SizeClass("20000-49999", 20_000, 50_000),
    SizeClass("50000-99999", 50_000, 100_000),
    SizeClass("100000-", 100_000, None),
)
JOINT_AUTHORITY_CLASS = SizeClass("joint-authority", None, None)


def size_class(population: int | None) -> SizeClass:
    """The size class of an organisation by its residents; one without a population (a joint
    municipal authority) has its own class."""
    if population is None:
        return JOINT_AUTHORITY_CLASS
    for cls in SIZE_CLASSES:
        if (cls.lower is None or population >= cls.lower) and (cls.upper is None or population < cls.upper):
            return cls
    raise AssertionError("the size classes cover every population")


def thousands(number: int | None) -> str:
    """12345 -> '12 345' (a no-break space between thousands, as in Finnish and Swedish)."""
    return f"{number:,}".replace(",", "\u00a0")


# ── The classes of the map's legend ──────────────────────────────────────────

NICE_MULTIPLIERS = (Decimal("1"), Decimal("2"), Decimal("2.5"), Decimal("5"))


def nice_step(raw: Decimal) -> Decimal:
    """The smallest step of the form 1, 2, 2.5 or 5 × 10^k that is at least `raw` (> 0)."""
    exponent = math.floor(math.log10(raw))
    for power in (exponent, exponent + 1):
        for multiplier in NICE_MULTIPLIERS:
            step = multiplier * Decimal(10) ** power
            if step >= raw:
                return step.normalize() if step >= 1 else step
    raise AssertionError("a step of 10^(k+1) is always large enough")


@dataclass(frozen=True)
class LegendClass:
    number: int  # 1 = the lightest
    lower: Decimal
    upper: Decimal


def legend_classes(values: Iterable[Decimal | None], max_classes: int = 5) -> list[LegendClass]:
    """Equal classes of a round width from 0 to just above the largest value: at most
    `max_classes`, fewer when the values need fewer (so that no class is empty at the top)."""
    positive = [value for value in values if value]
    if not positive:
        return []
    top = max(positive)
    step = max(nice_step(top / max_classes), CENT)  # the values are to the cent, and so are the bounds
    count = max(1, min(max_classes, math.floor(top / step) + 1))
    return [LegendClass(number=i + 1, lower=step * i, upper=step * (i + 1)) for i in range(count)]


def legend_class(value: Decimal | None, classes: Sequence[LegendClass]) -> LegendClass | None:
    """The class a value falls in (lower ≤ value < upper; the last class keeps its upper bound too);
    none for no value or nothing."""
    if not value or not classes:
        return None
    for cls in classes:
        if value < cls.upper:
            return cls
    return classes[-1]


# ── Regions and municipalities of the funded projects ────────────────────────


@dataclass(frozen=True)
class Member:
    """One organisation of a funded project."""

    organisation_id: int
    municipality_code: str | None
    region_code: str | None
    population: int | None
    is_lead: bool


@dataclass(frozen=True)
class GrantFacts:
    reference: str
    call_slug: str
    amount: Decimal
    members: tuple[Member, ...]

    def shares(self) -> dict[int, Decimal]:
        """The grant by organisation (id), by the allocation rule."""
        return share_grant(self.amount, [(m.organisation_id, m.population) for m in self.members])


@dataclass
class RegionFigures:
    code: str
    population: int
    granted: Decimal = Decimal("0.00")
    projects: int = 0

    @property
    def per_resident(self) -> Decimal | None:
        return per_resident(self.granted, self.population)


@dataclass
class MunicipalityFigures:
    code: str
    population: int | None
    led: int = 0  # projects led
    partnered: int = 0  # projects taken part in as a partner
    granted: Decimal = Decimal("0.00")
    references: list[str] = field(default_factory=list)

    @property
    def is_lead(self) -> bool:
        return self.led > 0

    @property
    def projects(self) -> int:
        return self.led + self.partnered

    @property
    def per_resident(self) -> Decimal | None:
        return per_resident(self.granted, self.population)


def region_figures(grants: Iterable[GrantFacts], populations: dict[str, int]) -> dict[str, RegionFigures]:
    """Every region (of `populations`) with its share of the grants and the number of projects any
    of its organisations takes part in (a project counts once per region)."""
    figures = {code: RegionFigures(code=code, population=population) for code, population in populations.items()}
    for grant in grants:
        shares = grant.shares()
        seen = set()
        for member in grant.members:
            if member.region_code is None:
                continue
            region = figures.setdefault(member.region_code, RegionFigures(code=member.region_code, population=0))
            region.granted += shares[member.organisation_id]
            if member.region_code not in seen:
                seen.add(member.region_code)
                region.projects += 1
    return figures


def municipality_figures(grants: Iterable[GrantFacts]) -> dict[str, MunicipalityFigures]:
    """Every municipality taking part in a funded project: how many it leads and partners in, and
    its share of the grants."""
    figures: dict[str, MunicipalityFigures] = {}
    for grant in grants:
        shares = grant.shares()
        for member in grant.members:
            if not member.municipality_code:
                continue
            municipality = figures.setdefault(member.municipality_code, MunicipalityFigures(code=member.municipality_code, population=member.population))
            if member.is_lead:
                municipality.led += 1
            else:
                municipality.partnered += 1
            municipality.granted += shares[member.organisation_id]
            municipality.references.append(grant.reference)
    return figures


# ── Reading the database ─────────────────────────────────────────────────────


def grant_facts(call: Call | None = None) -> list[GrantFacts]:
    """The funded grants (of one call, or of every published call) with their organisations, in
    three queries (the grants; their participants; their target areas) however many there are."""
    grants = queries.funded_decisions()
    if call is not None:
        grants = queries.filter_grants(grants, call=call.slug)
    facts = []
    for decision in grants:
        members = tuple(
            Member(
                organisation_id=p.organisation_id,
                municipality_code=p.organisation.municipality_code or None,
                region_code=p.organisation.region.code if p.organisation.region_id else None,
                population=p.organisation.population,
                is_lead=p.role == Participant.Role.LEAD,
            )
            for p in decision.application.participants.all()
        )
        facts.append(GrantFacts(reference=decision.application.reference, call_slug=decision.application.call.slug, amount=decision.amount, members=members))
    return facts


def region_populations() -> dict[str, int]:
    """Residents per region code: the sum over its municipalities (one query)."""
    rows = (
        Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY, region__isnull=False)
        .values("region__code")
        .annotate(population=Sum("population"))
        .order_by("region__code")
    )
    return {row["region__code"]: row["population"] or 0 for row in rows}


def municipalities_by_code(codes: Iterable[str]) -> dict[str, Organisation]:
    """The municipalities with these codes, with their regions (one query)."""
    rows = Organisation.objects.select_related("region").filter(kind=Organisation.Kind.MUNICIPALITY, municipality_code__in=list(codes))
    return {org.municipality_code: org for org in rows}


# ── The statistics ───────────────────────────────────────────────────────────


@dataclass
class Counts:
    received: int = 0
    funded: int = 0
    granted: Decimal = Decimal("0.00")


def _received(call: Call | None):
    """Received applications (never drafts) of published calls, as a queryset to count."""
    applications = Application.objects.filter(queries.published_filter_q("call__"), state__in=RECEIVED_STATES)
    if call is not None:
        applications = applications.filter(call=call)
    return applications


def _funded(call: Call | None):
    grants = queries.funded_decisions()
    if call is not None:
        grants = queries.filter_grants(grants, call=call.slug)
    return grants.order_by()  # no ordering: the aggregates group by exactly what they name


def counts_by_target_area(call: Call | None) -> tuple[list[TargetArea], dict[int, Counts]]:
    """The target areas of the published calls shown (with their calls) and per target area id the
    applications received, funded and the euros granted, in three queries. An application naming
    several target areas counts in each."""
    areas = TargetArea.objects.filter(queries.published_filter_q("call__")).select_related("call").order_by("-call__opens_at", "number")
    if call is not None:
        areas = areas.filter(call=call)
    areas = list(areas)
    counts: dict[int, Counts] = {area.pk: Counts() for area in areas}
    for row in _received(call).values("target_areas").annotate(n=Count("id", distinct=True)).order_by():
        if row["target_areas"] in counts:
            counts[row["target_areas"]].received = row["n"]
    for row in _funded(call).values("application__target_areas").annotate(n=Count("id", distinct=True), granted=Sum("amount")).order_by():
        if row["application__target_areas"] in counts:
            counts[row["application__target_areas"]].funded = row["n"]
            counts[row["application__target_areas"]].granted = row["granted"] or Decimal("0.00")
    return areas, counts


def counts_by_region(call: Call | None) -> tuple[list[Region], dict[str, Counts]]:
    """Every region and per region code the applications received and funded whose lead is in the
    region, with the euros granted to them, in three queries."""
    regions = list(queries.regions())
    counts: dict[str, Counts] = {region.code: Counts() for region in regions}
    for row in _received(call).values("lead__region__code").annotate(n=Count("id")).order_by():
        if row["lead__region__code"] in counts:
            counts[row["lead__region__code"]].received = row["n"]
    for row in _funded(call).values("application__lead__region__code").annotate(n=Count("id"), granted=Sum("amount")).order_by():
        if row["application__lead__region__code"] in counts:
            counts[row["application__lead__region__code"]].funded = row["n"]
            counts[row["application__lead__region__code"]].granted = row["granted"] or Decimal("0.00")
    return regions, counts


def counts_by_size_class(call: Call | None) -> dict[SizeClass, Counts]:
    """Per size class of the lead applicant the applications received and funded and the euros
    granted, in two queries (grouped in the database by the lead's population, then classed). The
    class of joint municipal authorities is there only when one led an application."""
    counts: dict[SizeClass, Counts] = {cls: Counts() for cls in SIZE_CLASSES}
    for row in _received(call).values("lead__population").annotate(n=Count("id")).order_by():
        counts.setdefault(size_class(row["lead__population"]), Counts()).received += row["n"]
    for row in _funded(call).values("application__lead__population").annotate(n=Count("id"), granted=Sum("amount")).order_by():
        cls = counts.setdefault(size_class(row["application__lead__population"]), Counts())
        cls.funded += row["n"]
        cls.granted += row["granted"] or Decimal("0.00")
    return counts


def granted_by_call() -> list[tuple[Call, Counts]]:
    """Every published call, oldest first, with its received and funded applications and the euros
    granted, in three queries."""
    calls = list(queries.published_calls().order_by("opens_at"))
    counts = {call.pk: Counts() for call in calls}
    for row in _received(None).values("call_id").annotate(n=Count("id")).order_by():
        if row["call_id"] in counts:
            counts[row["call_id"]].received = row["n"]
    for row in _funded(None).values("application__call_id").annotate(n=Count("id"), granted=Sum("amount")).order_by():
        if row["application__call_id"] in counts:
            counts[row["application__call_id"]].funded = row["n"]
            counts[row["application__call_id"]].granted = row["granted"] or Decimal("0.00")
    return [(call, counts[call.pk]) for call in calls]


def euros_text(amount: Decimal, *, cents: bool = True) -> str:
    """1234.5 -> '1 234,50 €' (or '1 235 €' without cents); '€1,234.50' ('€1,235') in English."""
    if cents:
        return formats.money(amount, get_language())
    return formats.money(amount.quantize(Decimal("1")), get_language(), whole_if_even=True)
