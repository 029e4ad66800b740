"""The open data API (/api/v1/): published calls, their funded grants and the organisations taking part.

Read-only and public. Everything is read through kuntadigi.publication.queries (and the list helpers in
kuntadigi.api.queries built on it): only calls whose results are published and only their signed grant
decisions are shown, with the public fields `grant_record` lists.
"""

from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from ninja import NinjaAPI, Path, Query, Router
from ninja.errors import HttpError
from ninja.pagination import paginate

from kuntadigi.publication import queries

from . import queries as api_queries
from . import schemas
from .pagination import Pages

LICENCE = {"name": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"}
MAX_AGE = 300  # seconds: results change only when an official publishes a call's results

DESCRIPTION = """\
Open data of the state grants for municipal digitalisation: the calls, the grants awarded in calls whose
results are published, and the municipalities and joint municipal authorities taking part.

* Read-only and public: no key, no session. Every answer may be cached for five minutes and read from
  any origin (CORS).
* Stable identifiers: a call is its identifier (`digi-2020`), a grant its application's reference
  (`DIGI-2020-0001`), an organisation its municipality code (`638`) or business ID (`0201256-6`), a
  region its code (`01`), a target area `<call>-<number>` (`digi-2020-3`).
* Lists come in pages (`page`, `page_size` up to 100) with the total `count` and links to the `next`
  and `previous` pages.
* Money is a decimal string in euros (`"12750.00"`, never a number), with `currency` `EUR`; dates
  and times are ISO 8601.
* Grants marked `"fictional": true` are generated demonstration data, not real decisions.
* A parameter that is not valid is answered 422 with what is wrong; an identifier that names nothing
  public, 404.

Licence: CC BY 4.0. Name the source: "Source: Ministry of Finance, grants for municipal digitalisation
(kuntadigi), licence CC BY 4.0."
"""


def open_data(view):
    """Public GET answers: cacheable by anyone for five minutes and readable from any origin."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if request.method in ("GET", "HEAD") and response.status_code < 500:
            patch_cache_control(response, public=True, max_age=MAX_AGE)
            response["Access-Control-Allow-Origin"] = "*"
        return response

    return wrapped


api = NinjaAPI(
    title="kuntadigi open data API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api:v1",
    openapi_url=None,  # served at /api/schema (kuntadigi/api/urls.py)
    docs_url=None,  # the interactive page needs scripts our CSP refuses; the schema is linked instead
    servers=[{"url": settings.SITE_URL, "description": "This service"}],
    openapi_extra={
        "info": {
            "license": LICENCE,
            "contact": {"name": "Ministry of Finance, grants for municipal digitalisation (kuntadigi)", "url": f"{settings.SITE_URL}/"},
        },
    },
)
api.add_decorator(open_data, mode="view")


@api.exception_handler(queries.UnknownFilter)
def malformed_filter(request: HttpRequest, exc: queries.UnknownFilter) -> HttpResponse:
    """A target area the query layer cannot read (the parameter's pattern normally refuses it first)."""
    problem = {"type": "value_error", "loc": ["query", "target_area"], "msg": f"Not a target area identifier: {exc}"}
    return api.create_response(request, {"detail": [problem]}, status=422)


NOT_FOUND = {404: schemas.NotFound, 422: schemas.Invalid}
LISTED = {422: schemas.Invalid}


# ── Links ────────────────────────────────────────────────────────────────────


def absolute(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path)


def html_link(request: HttpRequest, name: str, **kwargs) -> str:
    """A public page in the site's default language (the same link whatever the reader's)."""
    with translation.override(settings.LANGUAGE_CODE):
        return absolute(request, reverse(name, kwargs=kwargs))


def api_link(request: HttpRequest, name: str, query: str = "", **kwargs) -> str:
    return absolute(request, reverse(f"api:v1:{name}", kwargs=kwargs) + (f"?{query}" if query else ""))


def project_page(request: HttpRequest, reference: str) -> str:
    return html_link(request, "publication:project", reference=reference)


# ── Records ──────────────────────────────────────────────────────────────────


def organisation_ref(request: HttpRequest, record: dict) -> dict:
    return {**record, "api_url": api_link(request, "organisation", id=record["id"])}


def party_ref(request: HttpRequest, record: dict) -> dict:
    """A grant's lead or partner (queries.party_record) with the links of it and of its predecessor."""
    predecessor = record["predecessor"]
    if predecessor is not None:
        predecessor = {**predecessor, "api_url": api_link(request, "organisation", id=predecessor["id"])}
    return {**organisation_ref(request, record), "predecessor": predecessor}


def grant_out(decision, request: HttpRequest) -> dict:
    record = queries.grant_record(decision)
    return {
        **record,
        "lead": party_ref(request, record["lead"]),
        "partners": [party_ref(request, partner) for partner in record["partners"]],
        "api_url": api_link(request, "grant", id=record["id"]),
        "html_url": project_page(request, record["id"]),
    }


def organisation_out(org, request: HttpRequest) -> dict:
    record = queries.organisation_record(org)
    region = org.region
    return {
        **organisation_ref(request, record),
        "region_name_fi": region.name_fi if region else None,
        "region_name_sv": region.name_sv if region else None,
        "region_name_en": region.name_en if region else None,
        "grants_count": org.grants_count,
        "grants_url": api_link(request, "grants", query=f"organisation={record['id']}"),
    }


def call_out(call, request: HttpRequest) -> dict:
    totals = api_queries.totals(call)
    published = totals is not None
    return {
        "id": call.slug,
        **{f"title_{lang}": getattr(call, f"title_{lang}") for lang in ("fi", "sv", "en")},
        **{f"funder_{lang}": getattr(call, f"funder_{lang}") for lang in ("fi", "sv", "en")},
        "appropriation": call.appropriation,
        "currency": "EUR",
        "opens_at": call.opens_at,
        "closes_at": call.closes_at,
        "results_published": published,
        "results_published_at": call.results_publication.published_at if published else None,
        "totals": (
            {
                "received": totals.received,
                "funded": totals.funded,
                "granted": totals.granted,
                "share_of_appropriation": totals.share_of_appropriation,
                "currency": "EUR",
            }
            if published
            else None
        ),
        "fictional": call.generated_content,
        "api_url": api_link(request, "call", id=call.slug),
        "html_url": html_link(request, "calls:detail", slug=call.slug),
        "grants_url": api_link(request, "grants", query=f"call={call.slug}") if published else None,
    }


def region_out(region, request: HttpRequest) -> dict:
    return {
        "id": region.code,
        "name_fi": region.name_fi,
        "name_sv": region.name_sv,
        "name_en": region.name_en,
        "organisations_count": region.organisations_count,
        "grants_count": region.grants_count,
        "api_url": api_link(request, "region", id=region.code),
        "organisations_url": api_link(request, "organisations", query=f"region={region.code}"),
        "grants_url": api_link(request, "grants", query=f"region={region.code}"),
    }


# ── Operations ───────────────────────────────────────────────────────────────

router = Router()


@router.get("/", response=schemas.Index, url_name="index", summary="Where everything is", tags=["index"])
def index(request: HttpRequest):
    """Links to the lists, the OpenAPI document and the licence."""
    return {
        "title": api.title,
        "licence": LICENCE["name"],
        "licence_url": LICENCE["url"],
        "schema_url": absolute(request, reverse("api:schema")),
        "calls_url": api_link(request, "calls"),
        "grants_url": api_link(request, "grants"),
        "organisations_url": api_link(request, "organisations"),
        "regions_url": api_link(request, "regions"),
    }


@router.get("/calls", response={200: list[schemas.Call], **LISTED}, url_name="calls", summary="Calls", tags=["calls"])
@paginate(Pages, item=call_out)
def calls(request: HttpRequest):
    """Every published call, newest first. Its totals and grants are public once its results are."""
    return api_queries.public_calls()


@router.get("/calls/{path:id}", response={200: schemas.CallDetail, **NOT_FOUND}, url_name="call", summary="One call", tags=["calls"])
def call(request: HttpRequest, id: str = Path(..., description="Identifier of the call, e.g. `digi-2020`.", examples=["digi-2020"])):
    """A published call by its identifier, with its target areas."""
    found = api_queries.public_call(id)
    if found is None:
        raise HttpError(404, f"No published call has the identifier {id!r}.")
    areas = [
        {"id": f"{found.slug}-{area.number}", "number": area.number, "name_fi": area.name_fi, "name_sv": area.name_sv, "name_en": area.name_en}
        for area in sorted(found.target_areas.all(), key=lambda area: area.number)
    ]
    return {**call_out(found, request), "target_areas": areas}


@router.get("/grants", response={200: list[schemas.Grant], **LISTED}, url_name="grants", summary="Funded grants", tags=["grants"])
@paginate(Pages, item=grant_out)
def grants(request: HttpRequest, filters: Query[schemas.GrantFilters]):
    """Grants of the calls whose results are published, newest call first, then by reference. Filters
    combine (all must hold); a value that names nothing gives an empty list."""
    found = queries.filter_grants(
        queries.funded_grants(), call=filters.call, municipality=filters.municipality, region=filters.region, target_area=filters.target_area
    )
    if filters.organisation:
        found = api_queries.filter_by_organisation(found, filters.organisation)
    return found


@router.get("/grants/{path:id}", response={200: schemas.Grant, **NOT_FOUND}, url_name="grant", summary="One grant", tags=["grants"])
def grant(
    request: HttpRequest,
    id: str = Path(..., description="The grant's identifier: its application's reference.", examples=["DIGI-2020-0001"]),
):
    """A funded grant by its identifier (its application's reference)."""
    found = queries.grant(id)
    if found is None:
        raise HttpError(404, f"No published grant has the identifier {id!r}.")
    return grant_out(found, request)


@router.get("/organisations", response={200: list[schemas.Organisation], **LISTED}, url_name="organisations", summary="Organisations", tags=["organisations"])
@paginate(Pages, item=organisation_out)
def organisations(request: HttpRequest, filters: Query[schemas.OrganisationFilters]):
    """Municipalities and joint municipal authorities in the registry, by Finnish name, with the
    number of published grants each takes part in."""
    return api_queries.public_organisations(region=filters.region, kind=filters.kind, taking_part=filters.taking_part)


@router.get(
    "/organisations/{path:id}",
    response={200: schemas.OrganisationDetail, **NOT_FOUND},
    url_name="organisation",
    summary="One organisation",
    tags=["organisations"],
)
def organisation(request: HttpRequest, id: str = Path(..., description="Municipality code (e.g. `638`) or business ID (e.g. `0201256-6`).", examples=["638"])):
    """An organisation by its municipality code or business ID, with the published grants it takes part in."""
    found = api_queries.public_organisation(id)
    if found is None:
        raise HttpError(404, f"No organisation has the identifier {id!r}.")
    taken = []
    ids = queries.standing_for(found)  # with the predecessors merged into it by today, as on its public page
    for decision in queries.grants_of_organisation(found, ids):
        record = queries.grant_record(decision)
        taken.append(
            {
                "id": record["id"],
                "call": record["call"],
                "project_name": record["project_name"],
                "role": queries.role_of(decision, ids),
                "amount_granted": record["amount_granted"],
                "currency": "EUR",
                "fictional": record["fictional"],
                "api_url": api_link(request, "grant", id=record["id"]),
                "html_url": project_page(request, record["id"]),
            }
        )
    return {**organisation_out(found, request), "grants": taken}


@router.get("/regions", response={200: list[schemas.Region], **LISTED}, url_name="regions", summary="Regions", tags=["regions"])
@paginate(Pages, item=region_out)
def regions(request: HttpRequest):
    """The regions (maakunnat) by code, with the number of organisations and of published grants."""
    return api_queries.public_regions()


@router.get("/regions/{path:id}", response={200: schemas.Region, **NOT_FOUND}, url_name="region", summary="One region", tags=["regions"])
def region(request: HttpRequest, id: str = Path(..., description="The region's code (two digits).", examples=["01"])):
    """A region by its code."""
    found = api_queries.public_regions().filter(code=id).first()
    if found is None:
        raise HttpError(404, f"No region has the code {id!r}.")
    return region_out(found, request)


api.add_router("", router)
