"""The public results pages (funded projects by call, project and municipality) and the officials'
page that publishes a call's results. Public pages read only through queries.py and show only what
`grant_record` holds; views parse, call queries or the service, render."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kuntadigi import permissions
from kuntadigi.applications.errors import Refused
from kuntadigi.calls.models import Call

from . import queries, services
from .forms import MunicipalitySearchForm, ResultsFilterForm
from .models import ResultsPublication

GRANTS_PER_PAGE = 50
MUNICIPALITIES_PER_PAGE = 100


def _percent(share: Decimal | None) -> str:
    if share is None:
        return ""
    return f"{(share * 100).normalize():f}".replace(".", ",")


def _records(decisions) -> list[dict]:
    """The public records of a page of grants, with names in the reader's language."""
    rows = []
    for decision in decisions:
        record = queries.localised_record(queries.grant_record(decision))
        record["max_share_percent"] = _percent(record["max_share"])
        rows.append(record)
    return rows


def _query(**params) -> str:
    """The list's GET parameters (without page=) for the pagination links."""
    return urlencode({key: value for key, value in params.items() if value})


# ── Public pages ────────────────────────────────────────────────────────────


@require_GET
def index(request):
    rows = queries.published_calls_with_totals()
    return render(
        request,
        "publication/results_index.html",
        {"rows": rows, "fictional": any(call.generated_content for call, _totals in rows)},
    )


@require_GET
def call_results(request, slug: str):
    call = queries.published_call(slug)
    if call is None:
        raise Http404
    grants = queries.funded_grants().filter(application__call=call)
    areas = queries.call_target_areas(call)
    regions = list(queries.regions_of_grants(grants))
    form = ResultsFilterForm(
        request.GET,
        areas=[(key, f"{area.number}. {area.name}") for key, area in areas],
        regions=[(region.code, region.name) for region in regions],
    )
    area, region, sort = form.value("area"), form.value("region"), form.value("sort") or "name"
    shown = queries.sort_grants(queries.filter_grants(grants, target_area=area or None, region=region or None), sort)
    page = Paginator(shown, GRANTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "publication/results_call.html",
        {
            "call": call,
            "totals": queries.call_totals(call),
            "form": form,
            "filtered": bool(area or region),
            "page": page,
            "grants": _records(page.object_list),
            "query": _query(area=area, region=region, sort=sort if sort != "name" else ""),
        },
    )


@require_GET
def project(request, reference: str):
    decision = queries.grant(reference)
    if decision is None:
        raise Http404
    record = _records([decision])[0]
    return render(request, "publication/results_project.html", {"grant": record, "call": decision.application.call})


@require_GET
def municipality(request, code: str):
    org = queries.municipality(code)
    if org is None:
        raise Http404
    # A municipality stands for those merged into it: their projects are its own from the merger on.
    ids = queries.standing_for(org)
    totals = queries.organisation_totals(org, ids)
    page = Paginator(queries.grants_of_organisation(org, ids), GRANTS_PER_PAGE).get_page(request.GET.get("page"))
    grants = _records(page.object_list)
    for decision, record in zip(page.object_list, grants, strict=True):
        record["role"] = queries.role_of(decision, ids)
    return render(
        request,
        "publication/results_municipality.html",
        {
            "municipality": org,
            "totals": totals,
            "page": page,
            "grants": grants,
            "fictional": bool(totals["fictional"]),
            "merged_into": org.successor_on(queries.today()) if org.successor_id else None,
        },
    )


@require_GET
def municipalities(request):
    form = MunicipalitySearchForm(request.GET)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    page = Paginator(queries.participating_municipalities(search), MUNICIPALITIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "publication/results_municipalities.html",
        {
            "form": form,
            "search": search,
            "page": page,
            "rows": list(page.object_list),
            "query": _query(q=search),
            "fictional": queries.published_calls().filter(generated_content=True).exists(),
        },
    )


# ── The officials' page: publish the results ───────────────────────────────


@login_required
@require_http_methods(["GET", "POST"])
def publish(request, slug: str):
    call = get_object_or_404(Call, slug=slug)
    if not permissions.can_view_decisions(request.user, call):
        raise Http404
    if request.method == "POST":
        try:
            services.publish_results(request.user, call)
        except Refused as refused:
            messages.error(request, refused.message)
            return redirect("publication:publish", slug=call.slug)
        messages.success(request, _("The results of the call are published. Anyone can now see the funded projects on this page."))
        return redirect("publication:call", slug=call.slug)
    return render(
        request,
        "publication/publish.html",
        {
            "call": call,
            "allowed": permissions.can_publish_results(request.user, call),
            "publication": ResultsPublication.objects.filter(call=call).select_related("published_by").first(),
            "readiness": services.readiness(call),
        },
    )
