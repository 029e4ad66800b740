"""Queries the API needs beyond kuntadigi.publication.queries, built on it.

Lists carry their figures as subqueries, so a page of calls or organisations costs the same number of
queries however long it is. The figures mean what `call_totals` and `funded_decisions` say they mean.
"""

from __future__ import annotations

from django.db.models import F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from kuntadigi.applications.models import Participant
from kuntadigi.calls.models import Call
from kuntadigi.publication import queries
from kuntadigi.registry.models import Organisation, Region


def _count(rows: QuerySet, field: str = "pk") -> Coalesce:
    """COUNT of the rows, as a subquery (one row, no GROUP BY)."""
    counted = rows.order_by().annotate(_n=Func(F(field), function="COUNT", output_field=IntegerField())).values("_n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def public_calls() -> QuerySet[Call]:
    """Every published call, newest first, with the figures `call_totals` gives (read only where the
    call's results are published): received, funded, granted."""
    return queries.with_totals(Call.objects.filter(is_published=True).select_related("results_publication")).order_by("-opens_at", "slug")


def public_call(slug: str) -> Call | None:
    return public_calls().prefetch_related("target_areas").filter(slug=slug).first()


def totals(call: Call) -> queries.CallTotals | None:
    """The annotated figures of a call from `public_calls`, or None while its results are not public."""
    if not queries.is_published(call):
        return None
    return queries.totals_of(call)


def _identified() -> Q:
    """Organisations with a stable identifier: a municipality code or a business ID."""
    return Q(municipality_code__isnull=False) | Q(business_id__isnull=False)


def public_organisations(*, region: str | None = None, kind: str | None = None, taking_part: bool | None = None) -> QuerySet[Organisation]:
    """Organisations in the registry, by Finnish name, each with the number of published grants it
    takes part in (lead or partner)."""
    grants = queries.funded_decisions().filter(application__participants__organisation=OuterRef("pk"))
    orgs = Organisation.objects.filter(_identified()).select_related("region").annotate(grants_count=_count(grants)).order_by("name_fi", "pk")
    if region:
        orgs = orgs.filter(region__code=region)
    if kind:
        orgs = orgs.filter(kind=kind)
    if taking_part is not None:
        orgs = orgs.filter(grants_count__gt=0) if taking_part else orgs.filter(grants_count=0)
    return orgs


def public_organisation(identifier: str) -> Organisation | None:
    """One organisation by its municipality code or business ID."""
    orgs = public_organisations()
    if identifier.isdigit():
        return orgs.filter(municipality_code=identifier).first()
    return orgs.filter(business_id=identifier).first()


def organisation_id(org: Organisation) -> str:
    return org.municipality_code or org.business_id or ""


def filter_by_organisation(grants: QuerySet, identifier: str) -> QuerySet:
    """Grants in which the organisation (municipality code or business ID) takes part."""
    named = Q(organisation__municipality_code=identifier) if identifier.isdigit() else Q(organisation__business_id=identifier)
    return grants.filter(application__in=Participant.objects.filter(named).values("application"))


def public_regions() -> QuerySet[Region]:
    """Regions by code, each with its organisations and the published grants they take part in."""
    in_region = Participant.objects.filter(organisation__region=OuterRef(OuterRef("pk"))).values("application")
    return queries.regions().annotate(
        organisations_count=_count(Organisation.objects.filter(_identified(), region=OuterRef("pk"))),
        grants_count=_count(queries.funded_decisions().filter(application__in=in_region)),
    )
