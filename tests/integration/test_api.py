"""The open data API (/api/v1/ and /api/schema): what a developer reading the public data gets.

Only published calls' signed grants are shown, with stable identifiers, money as decimal strings, pages
with counts and links, clear 404 and 422 answers in JSON, and a constant number of queries per page.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kuntadigi.api.pagination import MAX_PAGE_SIZE
from kuntadigi.applications.models import Participant
from kuntadigi.publication import queries
from tests import factories
from tests.integration.publication_support import published_world

pytestmark = pytest.mark.django_db

GRANTS = "/api/v1/grants"
CALLS = "/api/v1/calls"
ORGANISATIONS = "/api/v1/organisations"


@pytest.fixture
def world():
    """digi-2020: 5 funded and 2 rejected, published. digi-2021: decided and signed, not yet published."""
    published = published_world(5, n_rejected=2)
    unpublished = published_world(3, n_rejected=1, slug="digi-2021", published=False)
    return published, unpublished


def get(client, url, **params):
    response = client.get(url, params)
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return response, json.loads(response.content)


def all_grants(client, **params) -> list[dict]:
    response, body = get(client, GRANTS, page_size=MAX_PAGE_SIZE, **params)
    assert response.status_code == 200, body
    assert body["count"] == len(body["items"])
    return body["items"]


def references(apps) -> list[str]:
    return [app.reference for app in apps]


# ── Grants: only public data ────────────────────────────────────────────────


def test_grants_are_the_signed_grants_of_published_calls_only(client, world):
    published, unpublished = world
    ids = [grant["id"] for grant in all_grants(client)]
    assert ids == references(published.funded)  # by reference, stable
    for app in published.rejected + unpublished.funded + unpublished.rejected:
        assert client.get(f"{GRANTS}/{app.reference}").status_code == 404


def test_a_grant_carries_its_public_fields_and_nothing_private(client, world):
    published, _ = world
    app, decision = published.funded[0], published.decisions[0]
    response, grant = get(client, f"{GRANTS}/{app.reference}")
    assert response.status_code == 200
    assert grant["id"] == app.reference
    assert grant["call"] == "digi-2020"
    assert grant["project_name"] == app.project_name
    # Money is a decimal string in euros, never a float.
    assert grant["amount_granted"] == f"{decision.amount:.2f}"
    assert isinstance(grant["amount_granted"], str)
    assert Decimal(grant["amount_granted"]) == decision.amount
    assert grant["currency"] == "EUR"
    assert grant["max_share"] == "0.85"
    assert grant["decision_date"] == "2020-12-11"  # ISO 8601
    assert grant["costs_until"] == published.call.project_end_latest.isoformat()
    assert grant["fictional"] is False
    lead, *partners = published.participants_of(app)
    assert grant["lead"]["id"] == lead.municipality_code
    assert [p["id"] for p in grant["partners"]] == [p.municipality_code for p in sorted(partners, key=lambda org: org.name_fi)]
    assert [area["id"] for area in grant["target_areas"]] == [f"digi-2020-{area.number}" for area in app.target_areas.order_by("number")]
    assert grant["html_url"] == "http://testserver" + reverse("publication:project", kwargs={"reference": app.reference})
    assert grant["api_url"] == f"http://testserver{GRANTS}/{app.reference}"
    # The same record as every other public view of the grant (grant_record), plus links.
    record = queries.grant_record(queries.grant(app.reference))
    assert set(grant) == set(record) | {"api_url", "html_url"}
    text = response.content.decode()
    for private in (app.contact_email, app.contact_name, app.contact_phone, app.current_state, decision.conditions, "Projektipäällikkö"):
        assert private not in text


def test_generated_grants_say_they_are_fictional(client, world):
    demo = published_world(2, n_rejected=0, generated=True, slug="digi-2019")
    grants = all_grants(client, call="digi-2019")
    assert [grant["id"] for grant in grants] == references(demo.funded)
    assert all(grant["fictional"] is True for grant in grants)
    assert all(grant["fictional"] is False for grant in all_grants(client, call="digi-2020"))


def test_unknown_grant_is_404_in_json(client, world):
    for reference in ("DIGI-2020-9999", "nothing/with/slashes", "ä ö"):
        response, body = get(client, f"{GRANTS}/{reference}")
        assert response.status_code == 404
        assert "No published grant" in body["detail"]


# ── Grants: filters ─────────────────────────────────────────────────────────


def test_filter_by_call(client, world):
    published, _ = world
    assert [g["id"] for g in all_grants(client, call="digi-2020")] == references(published.funded)
    assert all_grants(client, call="digi-2021") == []  # decided, not published
    assert all_grants(client, call="no-such-call") == []


def funded_with(published, **participant_filter) -> list[str]:
    """References of the published call's funded grants with a participant matching the filter."""
    rows = Participant.objects.filter(application__in=published.funded, **participant_filter).select_related("application")
    return sorted({p.application.reference for p in rows})


def test_filter_by_municipality_region_and_organisation(client, world):
    published, _ = world
    org = published.municipalities[1]
    taking_part = funded_with(published, organisation=org)
    assert len(taking_part) >= 2  # lead of one project, partner of others
    assert [g["id"] for g in all_grants(client, municipality=org.municipality_code)] == taking_part
    assert [g["id"] for g in all_grants(client, organisation=org.municipality_code)] == taking_part
    in_region = funded_with(published, organisation__region=org.region)
    assert [g["id"] for g in all_grants(client, region=org.region.code)] == in_region
    assert all_grants(client, municipality="999") == []


def test_filter_by_target_area_and_combined(client, world):
    published, _ = world
    area = published.target_areas[0]
    addressing = sorted(app.reference for app in published.funded if app.target_areas.filter(pk=area.pk).exists())
    assert addressing
    assert [g["id"] for g in all_grants(client, target_area=f"digi-2020-{area.number}")] == addressing
    assert all_grants(client, target_area="digi-2021-1") == []
    lead = published.municipalities[0]
    both = [g["id"] for g in all_grants(client, target_area=f"digi-2020-{area.number}", municipality=lead.municipality_code)]
    assert both and set(both) <= set(addressing)


@pytest.mark.parametrize(
    "params, parameter",
    [
        ({"municipality": "63"}, "municipality"),
        ({"municipality": "abc"}, "municipality"),
        ({"region": "1"}, "region"),
        ({"target_area": "digi-2020-x"}, "target_area"),
        ({"target_area": "3"}, "target_area"),
        ({"call": "a b"}, "call"),
        ({"organisation": "12345"}, "organisation"),
        ({"page": "0"}, "page"),
        ({"page": "x"}, "page"),
        ({"page_size": str(MAX_PAGE_SIZE + 1)}, "page_size"),
    ],
)
def test_invalid_parameters_are_422_naming_the_parameter(client, world, params, parameter):
    response, body = get(client, GRANTS, **params)
    assert response.status_code == 422
    assert [problem["loc"] for problem in body["detail"]] == [["query", parameter]]
    assert body["detail"][0]["msg"]


# ── Pagination and queries ─────────────────────────────────────────────────


def test_pages_have_count_and_links_that_keep_the_filters(client, world):
    published, _ = world
    _, first = get(client, GRANTS, call="digi-2020", page_size=2)
    assert first["count"] == 5
    assert [g["id"] for g in first["items"]] == references(published.funded[:2])
    assert first["previous"] is None
    assert first["next"] == "http://testserver/api/v1/grants?call=digi-2020&page=2&page_size=2"
    _, second = get(client, first["next"])
    assert [g["id"] for g in second["items"]] == references(published.funded[2:4])
    assert second["previous"] == "http://testserver/api/v1/grants?call=digi-2020&page=1&page_size=2"
    _, last = get(client, second["next"])
    assert [g["id"] for g in last["items"]] == references(published.funded[4:])
    assert last["next"] is None
    _, beyond = get(client, GRANTS, page=9, page_size=2)
    assert beyond["items"] == [] and beyond["count"] == 5
    assert beyond["previous"].endswith("page=3&page_size=2")


def test_default_page_size(client, world):
    _, body = get(client, GRANTS)
    assert body["page"] == 1 and body["page_size"] == 25


@pytest.mark.parametrize("url", [GRANTS, CALLS, ORGANISATIONS, "/api/v1/regions"])
def test_a_page_costs_the_same_queries_however_long(client, url):
    published_world(30, n_rejected=0)
    published_world(2, n_rejected=0, slug="digi-2019")

    def queries_for(size):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, {"page_size": size})
        assert response.status_code == 200
        assert len(json.loads(response.content)["items"]) == min(size, json.loads(response.content)["count"])
        return len(captured)

    assert queries_for(1) == queries_for(30)


def test_grant_list_queries(client, django_assert_num_queries):
    published_world(30, n_rejected=0)
    # count, the page, its participants, its target areas
    with django_assert_num_queries(4):
        assert client.get(GRANTS, {"page_size": 30}).status_code == 200


# ── Calls ───────────────────────────────────────────────────────────────────


def test_calls_list_every_published_call_with_totals_only_when_results_are_public(client, world):
    published, _ = world
    _, body = get(client, CALLS)
    assert [call["id"] for call in body["items"]] == ["digi-2021", "digi-2020"]  # newest first
    later, call = body["items"]
    assert later["results_published"] is False
    assert later["totals"] is None and later["grants_url"] is None and later["results_published_at"] is None
    totals = queries.call_totals(published.call)
    assert call["results_published"] is True
    assert call["totals"] == {
        "received": totals.received,
        "funded": 5,
        "granted": f"{published.granted_total:.2f}",
        "share_of_appropriation": format((published.granted_total / Decimal("10000000.00")).quantize(Decimal("0.0001")).normalize(), "f"),
        "currency": "EUR",
    }
    assert totals.received == 7
    assert call["appropriation"] == "10000000.00"
    assert call["grants_url"] == "http://testserver/api/v1/grants?call=digi-2020"
    assert call["html_url"] == "http://testserver" + reverse("calls:detail", args=["digi-2020"])
    assert call["opens_at"].startswith("2020-06-25T")


def test_call_detail_and_404(client, world):
    response, call = get(client, f"{CALLS}/digi-2020")
    assert response.status_code == 200
    assert [area["id"] for area in call["target_areas"]] == [f"digi-2020-{n}" for n in range(1, 6)]
    assert call["totals"]["funded"] == 5
    factories.call("draft-2022", is_published=False)
    for slug in ("draft-2022", "nothing"):
        response, body = get(client, f"{CALLS}/{slug}")
        assert response.status_code == 404
        assert "No published call" in body["detail"]


# ── Organisations ──────────────────────────────────────────────────────────


def test_organisations_taking_part_with_their_grant_counts(client, world):
    published, _ = world
    factories.joint_authority("Kuntayhtymä Testi", business_id="0201256-6")
    _, body = get(client, ORGANISATIONS, taking_part="true", page_size=MAX_PAGE_SIZE)
    counted = {org["id"]: org["grants_count"] for org in body["items"]}
    expected = {}
    for participant in Participant.objects.filter(application__in=published.funded).select_related("organisation"):
        code = participant.organisation.municipality_code
        expected[code] = expected.get(code, 0) + 1
    assert counted == expected  # the unpublished call's grants are not counted
    _, rest = get(client, ORGANISATIONS, taking_part="false", page_size=MAX_PAGE_SIZE)
    assert "0201256-6" in {org["id"] for org in rest["items"]}
    assert not set(counted) & {org["id"] for org in rest["items"]}


def test_organisation_filters(client, world):
    published, _ = world
    factories.joint_authority("Kuntayhtymä Testi", business_id="0201256-6")
    _, joint = get(client, ORGANISATIONS, kind="joint_authority")
    assert [org["id"] for org in joint["items"]] == ["0201256-6"]
    region = published.municipalities[0].region
    _, in_region = get(client, ORGANISATIONS, region=region.code, page_size=MAX_PAGE_SIZE)
    assert in_region["items"] and all(org["region_code"] == region.code for org in in_region["items"])
    assert in_region["items"][0]["region_name_fi"] == region.name_fi
    response, body = get(client, ORGANISATIONS, kind="city")
    assert response.status_code == 422 and body["detail"][0]["loc"] == ["query", "kind"]
    response, body = get(client, ORGANISATIONS, taking_part="perhaps")
    assert response.status_code == 422 and body["detail"][0]["loc"] == ["query", "taking_part"]


def test_organisation_detail_lists_its_public_grants_with_its_role(client, world):
    published, _ = world
    org = published.municipalities[1]
    response, body = get(client, f"{ORGANISATIONS}/{org.municipality_code}")
    assert response.status_code == 200
    assert body["id"] == org.municipality_code and body["name_fi"] == org.name_fi
    roles = {
        p.application.reference: p.role for p in Participant.objects.filter(organisation=org, application__in=published.funded).select_related("application")
    }
    assert {grant["id"]: grant["role"] for grant in body["grants"]} == roles
    assert body["grants_count"] == len(roles)
    assert set(body) >= set(queries.organisation_record(org))
    joint = factories.joint_authority("Kuntayhtymä Testi", business_id="0201256-6")
    _, by_business_id = get(client, f"{ORGANISATIONS}/{joint.business_id}")
    assert by_business_id["kind"] == "joint_authority" and by_business_id["grants"] == []
    for unknown in ("999", "1234567-8", "x"):
        response, body = get(client, f"{ORGANISATIONS}/{unknown}")
        assert response.status_code == 404 and "No organisation" in body["detail"]


# ── Regions ────────────────────────────────────────────────────────────────


def test_regions_with_their_organisations_and_grants(client, world):
    published, _ = world
    region = published.municipalities[0].region
    _, body = get(client, "/api/v1/regions", page_size=MAX_PAGE_SIZE)
    codes = [item["id"] for item in body["items"]]
    assert codes == sorted(codes) and region.code in codes
    response, one = get(client, f"/api/v1/regions/{region.code}")
    assert response.status_code == 200
    assert one == next(item for item in body["items"] if item["id"] == region.code)
    assert one["name_fi"] == region.name_fi
    assert one["grants_count"] == len(funded_with(published, organisation__region=region))
    assert one["organisations_count"] == get(client, ORGANISATIONS, region=region.code)[1]["count"]
    _, listed = get(client, one["grants_url"])
    assert listed["count"] == one["grants_count"]
    response, missing = get(client, "/api/v1/regions/99")
    assert response.status_code == 404 and "No region" in missing["detail"]


# ── The schema and the site's middleware ────────────────────────────────────


def test_schema_describes_every_field_and_parameter(client):
    response, schema = get(client, "/api/schema")
    assert response.status_code == 200
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["license"] == {"name": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"}
    assert schema["info"]["contact"]["name"]
    assert schema["servers"]
    assert set(schema["paths"]) == {
        "/api/v1/",
        "/api/v1/calls",
        "/api/v1/calls/{id}",
        "/api/v1/grants",
        "/api/v1/grants/{id}",
        "/api/v1/organisations",
        "/api/v1/organisations/{id}",
        "/api/v1/regions",
        "/api/v1/regions/{id}",
    }
    undescribed = []
    for name, component in schema["components"]["schemas"].items():
        for field, details in component.get("properties", {}).items():
            if not details.get("description"):
                undescribed.append(f"{name}.{field}")
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation.get("description") and operation.get("summary"), path
            undescribed += [f"{method} {path} {p['name']}" for p in operation["parameters"] if not p.get("description")]
    assert not undescribed
    amount = schema["components"]["schemas"]["Grant"]["properties"]["amount_granted"]
    assert amount["type"] == "string"


def test_no_interactive_docs_page(client):
    # Swagger UI needs scripts our Content-Security-Policy refuses; the schema is the documentation.
    assert client.get("/api/v1/docs").status_code == 404
    assert client.get("/api/docs").status_code == 404


@pytest.mark.parametrize("url", ["/api/schema", "/api/v1/", CALLS, GRANTS, f"{GRANTS}/NOPE", f"{GRANTS}?page=0"])
def test_public_answers_are_cacheable_and_readable_from_any_origin(client, world, url):
    response = client.get(url, HTTP_ORIGIN="https://example.org")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
    assert "Set-Cookie" not in response


def test_the_answers_do_not_depend_on_the_readers_language(client, world):
    _, finnish = get(client, f"{GRANTS}/DIGI-2020-0001")
    client.cookies["django_language"] = "sv"
    response = client.get(f"{GRANTS}/DIGI-2020-0001", HTTP_ACCEPT_LANGUAGE="sv")
    assert response.status_code == 200
    assert json.loads(response.content) == finnish
    # No redirect to a language prefix, for a 404 either.
    assert client.get(f"{GRANTS}/DIGI-2020-9999", HTTP_ACCEPT_LANGUAGE="en").status_code == 404


def test_api_root_and_index(client, world):
    response = client.get("/api/")
    assert response.status_code == 302 and response["Location"] == "/api/v1/"
    _, index = get(client, "/api/v1/")
    assert index["schema_url"] == "http://testserver/api/schema"
    assert index["licence_url"] == "https://creativecommons.org/licenses/by/4.0/"
    for key in ("calls_url", "grants_url", "organisations_url", "regions_url"):
        assert client.get(index[key]).status_code == 200


def test_only_get(client, world):
    assert client.post(GRANTS, {}).status_code == 405
    assert client.post(f"{GRANTS}/DIGI-2020-0001").status_code == 405


def test_a_method_the_api_does_not_have_is_refused_in_json(client, db):
    response = client.put("/api/v1/calls/digi-2020")

    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert "GET" in response["Allow"] and "not allowed" in response.json()["detail"]


def test_an_address_that_matches_no_operation_is_answered_in_json(client, db):
    response = client.get("/api/v1/calls/%0Adigi")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found: the address names nothing public."}
