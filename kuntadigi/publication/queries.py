"""What the public may see of a call's results, and nothing more.

Everything public about results is read through this module: pages, the API and the exports. Only
calls whose results an official has published count, and of them only signed grant decisions. What an
applicant wrote but the public must not see (contacts, budgets, attachments, scores, assessors,
rejected applications' contents) never leaves here: `grant_record` lists every public field.

Identifiers are stable across databases: a grant is its application's reference (DIGI-2020-0001), a
call its slug, a municipality its Statistics Finland code, a region its code, a target area
"<call slug>-<number>" (digi-2020-3).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import get_language

from kuntadigi import clock
from kuntadigi.applications.lifecycle import RECEIVED_STATES
from kuntadigi.applications.models import Application, Participant
from kuntadigi.calls.models import Call, TargetArea
from kuntadigi.decisions.models import Decision
from kuntadigi.registry.models import Organisation, Region
from kuntadigi.registry.rules import party_label

from .followup import follow_up_record, summary_in, with_follow_up

# ── Calls ────────────────────────────────────────────────────────────────────


def published_calls() -> QuerySet[Call]:
    """Calls whose results are published, newest first."""
    return Call.objects.filter(is_published=True, results_publication__isnull=False).select_related("results_publication").order_by("-opens_at")


def published_call(slug: str) -> Call | None:
    return published_calls().filter(slug=slug).first()


def is_published(call: Call) -> bool:
    return call.is_published and hasattr(call, "results_publication")


@dataclass(frozen=True)
class CallTotals:
    received: int  # applications that came in (submitted, whatever happened to them since)
    funded: int
    granted: Decimal  # the sum of the granted amounts (each a maximum)
    appropriation: Decimal

    @property
    def share_of_appropriation(self) -> Decimal:
        if not self.appropriation:
            return Decimal("0")
        return self.granted / self.appropriation


def with_totals(calls: QuerySet[Call]) -> QuerySet[Call]:
    """The calls with their headline figures as subqueries (n_received, n_funded, n_granted): one
    query however many calls there are. Read them with `totals_of`."""
    received = Application.objects.filter(call=OuterRef("pk"), state__in=RECEIVED_STATES).order_by().values("call").annotate(n=Count("pk")).values("n")
    grants = public_grants().filter(application__call=OuterRef("pk")).order_by().values("application__call")
    return calls.annotate(
        n_received=Coalesce(Subquery(received), 0),
        n_funded=Coalesce(Subquery(grants.annotate(n=Count("pk")).values("n")), 0),
        n_granted=Subquery(grants.annotate(total=Sum("amount")).values("total")),
    )


def totals_of(call: Call) -> CallTotals:
    """The figures of a call annotated by `with_totals`."""
    return CallTotals(received=call.n_received, funded=call.n_funded, granted=call.n_granted or Decimal("0"), appropriation=call.appropriation)


def published_calls_with_totals() -> list[tuple[Call, CallTotals]]:
    """Every published call with its headline figures, in one query however many calls there are."""
    return [(call, totals_of(call)) for call in with_totals(published_calls())]


def call_totals(call: Call) -> CallTotals:
    """The call's headline figures, in two queries."""
    received = Application.objects.filter(call=call, state__in=RECEIVED_STATES).count()
    funded = funded_decisions().filter(application__call=call).aggregate(n=Count("id"), total=Sum("amount"))
    return CallTotals(received=received, funded=funded["n"], granted=funded["total"] or Decimal("0"), appropriation=call.appropriation)


# ── Grants ───────────────────────────────────────────────────────────────────


def public_grants() -> QuerySet[Decision]:
    """The public grants as a plain queryset (no related rows): for counting, summing and subqueries."""
    return Decision.objects.filter(
        state=Decision.State.SIGNED,
        outcome=Decision.Outcome.GRANT,
        application__call__is_published=True,
        application__call__results_publication__isnull=False,
    )


def funded_decisions() -> QuerySet[Decision]:
    """Signed grant decisions in calls whose results are published, in a stable order (call, then
    reference). Related rows are fetched with a constant number of queries, whatever the count."""
    return (
        Decision.objects.filter(
            state=Decision.State.SIGNED,
            outcome=Decision.Outcome.GRANT,
            application__call__is_published=True,
            application__call__results_publication__isnull=False,
        )
        .select_related("application__call", "application__lead__region")
        .prefetch_related(
            Prefetch(
                "application__participants",
                # With each organisation's successor: a party that merged into another shows as its successor.
                queryset=Participant.objects.select_related("organisation__region", "organisation__successor__region").order_by(
                    "role", "organisation__name_fi"
                ),
            ),
            # With their call: target_area_key reads the call's slug without a query per area.
            Prefetch("application__target_areas", queryset=TargetArea.objects.select_related("call").order_by("number")),
        )
        .order_by("-application__call__opens_at", "application__reference")
    )


class UnknownFilter(ValueError):
    """A filter value that names nothing (an unknown call, municipality, region or target area)."""


def target_area_key(area: TargetArea) -> str:
    return f"{area.call.slug}-{area.number}"


def filter_grants(
    grants: QuerySet[Decision],
    *,
    call: str | None = None,
    municipality: str | None = None,
    region: str | None = None,
    target_area: str | None = None,
) -> QuerySet[Decision]:
    """Narrow the grants in the database. `municipality` (a code) and `region` (a code) match the
    lead or any partner; `target_area` is "<call slug>-<number>". A malformed target area raises
    UnknownFilter; values that name nothing simply match nothing."""
    if call:
        grants = grants.filter(application__call__slug=call)
    if municipality:
        grants = grants.filter(application__in=Participant.objects.filter(organisation__municipality_code=municipality).values("application"))
    if region:
        grants = grants.filter(application__in=Participant.objects.filter(organisation__region__code=region).values("application"))
    if target_area:
        slug, _sep, number = target_area.rpartition("-")
        if not slug or not number.isdigit():
            raise UnknownFilter(target_area)
        grants = grants.filter(application__target_areas__call__slug=slug, application__target_areas__number=int(number))
    return grants


def funded_grants() -> QuerySet[Decision]:
    """funded_decisions with the public follow-up of each project (followup.py: status, paid, final
    summary) as annotations: the queryset that public records (grant_record) are built from."""
    return with_follow_up(funded_decisions())


def grant(reference: str) -> Decision | None:
    """One funded grant by its application's reference, or None when it is not public."""
    return funded_grants().filter(application__reference=reference).first()


def iter_grants(grants: QuerySet[Decision], chunk_size: int = 500) -> Iterator[Decision]:
    """Stream grants in chunks (prefetches run per chunk): memory stays flat however many there are."""
    return grants.iterator(chunk_size=chunk_size)


# ── Public records (the one list of public fields) ──────────────────────────


def organisation_record(org: Organisation) -> dict:
    return {
        "id": org.municipality_code or org.business_id or "",
        "kind": org.kind,
        "municipality_code": org.municipality_code or None,
        "business_id": org.business_id or None,
        "name_fi": org.name_fi,
        "name_sv": org.name_sv,
        "region_code": org.region.code if org.region_id else None,
        "population": org.population,
        "population_year": org.population_year,
    }


def today() -> date:
    """The day in Helsinki by the service's clock: the municipal map the public pages show."""
    return clock.helsinki(clock.now()).date()


def party_record(org: Organisation, day: date) -> dict:
    """A grant's lead or partner as the public sees it on `day`: after a merger, the successor's
    organisation_record with the merged organisation as `predecessor` (its identifiers, names and
    last day); otherwise the organisation's own record with `predecessor` None."""
    shown = org.successor_on(day)
    if shown.pk == org.pk:
        return {**organisation_record(org), "predecessor": None}
    return {
        **organisation_record(shown),
        "predecessor": {
            "id": org.municipality_code or org.business_id or "",
            "municipality_code": org.municipality_code or None,
            "business_id": org.business_id or None,
            "name_fi": org.name_fi,
            "name_sv": org.name_sv,
            "valid_until": org.valid_until,
        },
    }


def participants(decision: Decision) -> tuple[Participant, list[Participant]]:
    """The lead and the partners of a grant, from the prefetched rows."""
    rows = list(decision.application.participants.all())
    lead = next(p for p in rows if p.role == Participant.Role.LEAD)
    return lead, [p for p in rows if p.role == Participant.Role.PARTNER]


def grant_record(decision: Decision, on: date | None = None) -> dict:
    """Every public field of one grant, language-neutral (multilingual texts carry _fi/_sv/_en).
    Pages, the API and the exports build on this and add nothing that is not public.

    The lead and partners are the parties on `on` (today by the clock): from the day a party merged
    into another municipality, its successor, with the merged one as `predecessor`."""
    application = decision.application
    call = application.call
    lead, partners = participants(decision)
    day = on or today()
    return {
        "id": application.reference,
        "call": call.slug,
        "call_title_fi": call.title_fi,
        "call_title_sv": call.title_sv,
        "call_title_en": call.title_en,
        "project_name": application.project_name,
        "summary": application.summary,
        "language": application.language,
        "lead": party_record(lead.organisation, day),
        "partners": [party_record(p.organisation, day) for p in partners],
        "target_areas": [
            {"id": target_area_key(area), "number": area.number, "name_fi": area.name_fi, "name_sv": area.name_sv, "name_en": area.name_en}
            for area in application.target_areas.all()
        ],
        "amount_granted": decision.amount,
        "max_share": decision.max_share,
        "currency": "EUR",
        "decision_date": decision.decision_date,
        "costs_from": decision.costs_from,
        "costs_until": decision.costs_until,
        "project_start": application.start_date,
        "project_end": application.end_date,
        "fictional": call.generated_content,
        # The project's follow-up: status, amount paid, the approved final report's public summary.
        **follow_up_record(decision),
    }


# ── Municipalities and regions ───────────────────────────────────────────────


def municipality(code: str) -> Organisation | None:
    return Organisation.objects.select_related("region").filter(kind=Organisation.Kind.MUNICIPALITY, municipality_code=code).first()


def standing_for(org: Organisation, day: date | None = None) -> set[int]:
    """The organisation and every predecessor it stands for on `day` (today by default): those merged
    into it, directly or through a chain, by then. One query per generation (one when there is none)."""
    day = day or today()
    ids = {org.pk}
    generation = {org.pk}
    while generation:
        generation = set(Organisation.objects.filter(successor_id__in=generation, valid_until__lt=day).values_list("pk", flat=True)) - ids
        ids |= generation
    return ids


def grants_of_organisation(org: Organisation, ids: set[int] | None = None) -> QuerySet[Decision]:
    """Every public grant the organisation takes part in, as lead or partner, across calls; with `ids`
    (standing_for), also those of the predecessors it stands for."""
    return funded_grants().filter(application__in=Participant.objects.filter(organisation_id__in=ids or {org.pk}).values("application"))


def role_of(decision: Decision, ids: set[int]) -> str:
    """ "lead" when one of the organisations `ids` leads the grant's project, otherwise "partner"."""
    lead, _partners = participants(decision)
    return "lead" if lead.organisation_id in ids else "partner"


def regions() -> QuerySet[Region]:
    return Region.objects.order_by("code")


def published_filter_q(prefix: str = "") -> Q:
    """A Q for rows whose call's results are published (prefix: the path to the call, e.g.
    "application__call__")."""
    return Q(**{f"{prefix}is_published": True, f"{prefix}results_publication__isnull": False})


def organisation_totals(org: Organisation, ids: set[int] | None = None) -> dict:
    """How many public grants the organisation takes part in (as lead, as partner), and the sum
    granted to those projects (each project's whole grant), how many calls, and how many of the
    grants are generated demo data (`fictional`), in one query. With `ids` (standing_for), the
    grants of the predecessors it stands for count as its own."""
    ids = ids or {org.pk}
    totals = (
        public_grants()
        .filter(application__in=Participant.objects.filter(organisation_id__in=ids).values("application"))
        .aggregate(
            projects=Count("pk"),
            led=Count("pk", filter=Q(application__lead_id__in=ids)),
            granted=Sum("amount"),
            calls=Count("application__call", distinct=True),
            fictional=Count("pk", filter=Q(application__call__generated_content=True)),
        )
    )
    totals["partnered"] = totals["projects"] - totals["led"]
    totals["granted"] = totals["granted"] or Decimal("0")
    return totals


def participating_municipalities(search: str = "") -> QuerySet[Organisation]:
    """Municipalities taking part in public grants, each with `n_projects`, `n_led` and `granted`
    (the sum of the grants of its projects), in one query; `search` matches the Finnish or Swedish
    name. Ordered by name in the reader's language."""
    public = Q(participations__application__decision__in=public_grants().values("pk"))
    municipalities = (
        Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY)
        .select_related("region")
        .annotate(
            n_projects=Count("participations", filter=public),
            n_led=Count("participations", filter=public & Q(participations__role=Participant.Role.LEAD)),
            granted=Sum("participations__application__decision__amount", filter=public),
        )
        .filter(n_projects__gt=0)
    )
    search = search.strip()
    if search:
        municipalities = municipalities.filter(Q(name_fi__icontains=search) | Q(name_sv__icontains=search))
    return municipalities.order_by(_localised_name("", get_language()), "municipality_code")


# ── One call's results page: sorting and filtering in the database ───────────

SORTS = ("name", "amount", "lead", "reference")


def _localised_name(prefix: str, language: str | None):
    """An expression for an organisation's name in the reader's language (Swedish falls back to Finnish)."""
    if language == "sv":
        return Coalesce(NullIf(F(f"{prefix}name_sv"), Value("")), F(f"{prefix}name_fi")).asc()
    return F(f"{prefix}name_fi").asc()


def sort_grants(grants: QuerySet[Decision], sort: str, language: str | None = None) -> QuerySet[Decision]:
    """Order grants by project name (default), amount (largest first), lead (by name in the reader's
    language) or reference; the reference breaks ties so that pages never overlap."""
    if sort == "amount":
        return grants.order_by("-amount", "application__reference")
    if sort == "lead":
        return grants.order_by(_localised_name("application__lead__", language or get_language()), "application__reference")
    if sort == "reference":
        return grants.order_by("application__reference")
    return grants.order_by("application__project_name", "application__reference")


def call_target_areas(call: Call) -> list[tuple[str, TargetArea]]:
    """The call's target areas with their public ids ("<slug>-<number>")."""
    return [(f"{call.slug}-{area.number}", area) for area in TargetArea.objects.filter(call=call).order_by("number")]


def regions_of_grants(grants: QuerySet[Decision]) -> QuerySet[Region]:
    """The regions of the lead and partners of the grants (for a filter's choices)."""
    return Region.objects.filter(organisation__participations__application__decision__in=grants.values("pk")).distinct().order_by("code")


def _name_in(org: dict, language: str) -> str:
    return (org["name_sv"] if language == "sv" else "") or org["name_fi"]


def localised_record(record: dict, language: str | None = None) -> dict:
    """A grant_record with `name` added to its organisations and target areas and `call_title`, in
    the reader's language (organisations have Finnish and Swedish names; English reads Finnish)."""
    language = language or get_language() or "fi"
    record = dict(record)
    for org in [record["lead"], *record["partners"]]:
        org["name"] = _name_in(org, language)
        predecessor = org.get("predecessor")
        # "Kankaanpää (Honkajoki until 31.12.2020)" after a merger, otherwise the name.
        org["label"] = party_label(org["name"], _name_in(predecessor, language), predecessor["valid_until"]) if predecessor else org["name"]
    for area in record["target_areas"]:
        area["name"] = area.get(f"name_{language}") or area["name_fi"]
    record["call_title"] = record.get(f"call_title_{language}") or record["call_title_fi"]
    record["final_summary"], record["final_summary_language"] = summary_in(record, language)
    return record
