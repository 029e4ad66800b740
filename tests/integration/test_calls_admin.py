"""Officials create and edit calls in the Django admin, with every text in every language."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from kuntadigi.calls.models import Call
from tests import factories

pytestmark = pytest.mark.django_db

INLINES = ("target_areas", "exclusions", "cost_categories", "criteria", "faq", "contacts")


def texts(name: str, value: str) -> dict:
    return {f"{name}_{lang}": f"{value} ({lang})" for lang in ("fi", "sv", "en")}


def new_call_form() -> dict:
    data = {
        "slug": "digi-2022",
        "is_published": "on",
        **texts("title", "Digi 2022"),
        **texts("funder", "VM"),
        **texts("summary", "Yhteishankkeet"),
        **texts("purpose", "Tarkoitus"),
        "opens_at_0": "2022-02-01",
        "opens_at_1": "10:00:00",
        "closes_at_0": "2022-04-25",
        "closes_at_1": "16:15:00",
        "project_end_latest": "2024-09-30",
        "appropriation": "10000000.00",
        "min_municipalities": "2",
        "max_grant_share": "0.85",
        "acceptance_days": "30",
        "held_back_share": "0.10",
        "cost_tolerance": "0.10",
        "final_report_months": "4",
        "interim_report_dates": "[]",
        "budget_item": "28.90.32",
        "accounting_codes": "{}",
        "summary_max_chars": "2000",
        "score_min": "1",
        "score_max": "5",
    }
    for prefix in INLINES:
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0", f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"})
    data.update({"target_areas-TOTAL_FORMS": "1", "target_areas-0-number": "1", **{f"target_areas-0-{k}": v for k, v in texts("name", "Tiedon laatu").items()}})
    data.update({"cost_categories-TOTAL_FORMS": "1", "cost_categories-0-order": "0", "cost_categories-0-code": "staff"})
    data.update({f"cost_categories-0-{k}": v for k, v in texts("name", "Henkilöstökulut").items()})
    return data


@pytest.fixture
def official_admin(client):
    client.force_login(factories.user(official=True, is_staff=True, is_superuser=True))
    return client


def test_the_admin_is_closed_to_the_public(client, call_2020):
    response = client.get("/fi/admin/calls/call/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_staff_see_the_calls_and_edit_every_language(official_admin, call_2020):
    listing = official_admin.get("/fi/admin/calls/call/")
    change = official_admin.get(f"/fi/admin/calls/call/{call_2020.pk}/change/")

    assert listing.status_code == 200
    assert "digi-2020" in listing.content.decode()
    html = change.content.decode()
    assert change.status_code == 200
    for field in (
        "title_fi",
        "title_sv",
        "title_en",
        "purpose_sv",
        "max_grant_share",
        "closes_at_0",
        "aland_may_apply",
        "eligible_cost_types_sv",
        "held_back_share",
        "budget_item",
    ):
        assert f'name="{field}"' in html
    for prefix in INLINES:
        assert f'name="{prefix}-TOTAL_FORMS"' in html
    assert 'name="target_areas-0-name_sv"' in html
    assert 'name="criteria-0-weight"' in html
    assert 'name="cost_categories-0-description_sv"' in html


def test_staff_add_a_call_with_its_rows_and_helsinki_times(official_admin):
    response = official_admin.post("/fi/admin/calls/call/add/", new_call_form())

    assert response.status_code == 302, response.content.decode()[:3000]
    call = Call.objects.get(slug="digi-2022")
    assert call.title_sv == "Digi 2022 (sv)"
    assert call.closes_at == datetime(2022, 4, 25, 13, 15, tzinfo=UTC)  # 16.15 Helsinki summer time
    assert call.opens_at == datetime(2022, 2, 1, 8, 0, tzinfo=UTC)  # 10.00 Helsinki winter time
    assert call.max_grant_share == Decimal("0.85")
    assert call.target_areas.get().name_en == "Tiedon laatu (en)"
    assert call.cost_categories.get().code == "staff"


def test_a_call_without_a_swedish_title_is_refused(official_admin):
    data = new_call_form()
    data["title_sv"] = ""

    response = official_admin.post("/fi/admin/calls/call/add/", data)

    assert response.status_code == 200
    assert not Call.objects.filter(slug="digi-2022").exists()


def test_staff_let_alands_municipalities_apply_in_a_call(official_admin):
    form = new_call_form()
    form.update({"aland_may_apply": "on", "eligible_cost_types_fi": "Henkilöstökulut\nOstopalvelut", "ineligible_cost_types_fi": "Arvonlisävero"})
    response = official_admin.post("/fi/admin/calls/call/add/", form)

    assert response.status_code == 302, response.content.decode()[:3000]
    call = Call.objects.get(slug="digi-2022")
    assert call.aland_may_apply is True
    assert call.cost_types_in("fi") == (("Henkilöstökulut", "Ostopalvelut"), ("Arvonlisävero",))
