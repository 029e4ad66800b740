"""The budget page: lines per organisation, totals on the server, the 85 % limit, optimistic locking."""

import re
from decimal import Decimal

import pytest
from django.utils import translation

from kuntadigi.applications import drafting
from kuntadigi.applications.models import BudgetLine
from kuntadigi.audit.models import AuditEvent
from tests import factories
from tests.integration.drafting_support import Draft

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def draft(during_call):
    draft = Draft()
    draft.partner = draft.add_partner(factories.municipality("Loviisa", code="434", name_sv="Lovisa"))
    draft.refresh()
    return draft


def category(draft, code):
    return draft.call.cost_categories.get(code=code).pk


def post_data(draft, rows, requested="", version=None, initial=0):
    """The budget form as a browser posts it: rows are (participant, category code, description, amount[, line id, delete])."""
    data = {
        "version": str(version or draft.refresh().version),
        "requested_grant": requested,
        "lines-TOTAL_FORMS": str(len(rows)),
        "lines-INITIAL_FORMS": str(initial),
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        participant, code, description, amount, *rest = row
        data[f"lines-{index}-participant"] = str(participant.pk) if participant else ""
        data[f"lines-{index}-category"] = str(category(draft, code)) if code else ""
        data[f"lines-{index}-description"] = description
        data[f"lines-{index}-amount"] = amount
        data[f"lines-{index}-line_id"] = str(rest[0]) if rest and rest[0] else ""
        if len(rest) > 1 and rest[1]:
            data[f"lines-{index}-DELETE"] = "on"
    return data


def text_of(page: str, attribute: str) -> list[str]:
    return re.findall(rf"<[^>]*{attribute}[^>]*>([^<]*)<", page)


def test_page_has_the_table_rows_requested_grant_and_vat_note(client, draft):
    client.force_login(draft.user)
    page = client.get(draft.url("budget")).content.decode()
    assert '<table class="stack budget-table" id="budget" data-share="0.8500"' in page
    assert 'id="budget-0"' in page and 'id="budget-2"' in page and 'id="budget-3"' not in page  # three blank rows
    assert 'id="id_requested_grant"' in page
    assert "VAT is not an eligible cost" in page
    assert "without VAT" in page
    # Labels for every input in a row, and the call's cost categories.
    assert '<label class="visually-hidden" for="id_lines-0-amount">Amount without VAT (EUR), row 1</label>' in page
    for name in ("Henkilöstökulut (en)", "Matkakulut (en)", "Muut kulut (en)"):
        assert name in page
    assert "<template" in page  # the empty row the script copies


def test_save_lines_as_english_writes_numbers_and_see_server_totals(client, draft):
    client.force_login(draft.user)
    lead = draft.lead_participant()
    rows = [
        (lead, "staff", "Project manager", "1,234.50"),
        (lead, "travel", "Trips", "100.25"),
        (draft.partner, "staff", "Part-time", "1\u00a0000"),
        (None, "", "", ""),  # a blank row is ignored
    ]
    response = client.post(draft.url("budget"), post_data(draft, rows, requested="1,984.53"))
    assert response.status_code == 302
    amounts = sorted(BudgetLine.objects.values_list("amount", flat=True))
    assert amounts == [Decimal("100.25"), Decimal("1000.00"), Decimal("1234.50")]
    application = draft.refresh()
    assert application.requested_grant == Decimal("1984.53") and application.version == 3
    assert AuditEvent.objects.filter(action="application.budget_saved").count() == 1
    page = client.get(draft.url("budget")).content.decode()
    assert "The budget was saved." in page
    # 2334.75 eligible; 85 % = 1984.5375, rounded down to 1984.53: the request is exactly the maximum.
    assert text_of(page, 'data-total="eligible"')[0] == "2,334.75\u00a0€"
    assert text_of(page, 'data-total="max"')[0] == "1,984.53\u00a0€"


def test_totals_per_organisation_category_share_and_own_financing(client, draft):
    lead = draft.lead_participant()
    application = draft.application
    lines = draft.lines((lead, "staff", "600.00"), (lead, "travel", "400.01"), (draft.partner, "staff", "33333.32"))
    drafting.save_budget(draft.user, application, lines, Decimal("28333.33"), application.version)
    client.force_login(draft.user)
    page = client.get(draft.url("budget")).content.decode()
    assert text_of(page, f'data-participant-total="{lead.pk}"') == ["1,000.01\u00a0€"]
    assert text_of(page, f'data-participant-total="{draft.partner.pk}"') == ["33,333.32\u00a0€"]
    assert text_of(page, f'data-category-total="{category(draft, "staff")}"') == ["33,933.32\u00a0€"]
    assert text_of(page, f'data-category-total="{category(draft, "rent")}"') == ["0.00\u00a0€"]
    # 34333.33 × 0.85 = 29183.3305 → 29183.33
    assert set(text_of(page, 'data-total="eligible"')) == {"34,333.33\u00a0€"}
    assert set(text_of(page, 'data-total="max"')) == {"29,183.33\u00a0€"}
    assert text_of(page, 'data-total="requested"') == ["28,333.33\u00a0€"]
    assert text_of(page, 'data-total="own"') == ["6,000.00\u00a0€"]
    assert text_of(page, 'data-total="share"') == ["82,52\u00a0%"]  # 82.5242…


@pytest.mark.parametrize(("eligible", "maximum"), [("1000.01", "850.00"), ("33333.33", "28333.33")])
def test_the_maximum_is_accepted_and_one_cent_more_refused_with_lines_kept(client, draft, eligible, maximum):
    client.force_login(draft.user)
    lead = draft.lead_participant()
    too_much = str(Decimal(maximum) + Decimal("0.01"))
    response = client.post(draft.url("budget"), post_data(draft, [(lead, "staff", "Everything", eligible)], requested=too_much))
    page = response.content.decode()
    assert response.status_code == 200
    formatted = f"{Decimal(maximum):,.2f}"  # the page is English: 28,333.33
    assert f"at most 85 % of the eligible costs, {formatted} €." in page
    assert 'href="#id_requested_grant"' in page
    # Nothing was saved, and what was typed is still on the page.
    assert not BudgetLine.objects.exists() and draft.refresh().requested_grant is None
    assert 'value="Everything"' in page and f'value="{eligible}"' in page and f'value="{too_much}"' in page
    # The maximum itself is accepted.
    response = client.post(draft.url("budget"), post_data(draft, [(lead, "staff", "Everything", eligible)], requested=maximum))
    assert response.status_code == 302
    assert draft.refresh().requested_grant == Decimal(maximum)


def test_zero_negative_and_unreadable_amounts_are_refused(client, draft):
    client.force_login(draft.user)
    lead = draft.lead_participant()
    rows = [(lead, "staff", "zero", "0"), (lead, "travel", "negative", "-5.00"), (lead, "rent", "words", "lots"), (lead, "other", "", "1.234")]
    page = client.post(draft.url("budget"), post_data(draft, rows, requested="-1")).content.decode()
    assert page.count("A cost must be more than zero euros.") == 4  # in the summary and next to each of the two rows
    assert 'href="#id_lines-0-amount"' in page and 'href="#id_lines-1-amount"' in page
    assert "Enter an amount in euros and cents, for example 1,234.50." in page
    assert "“1.234” can be read in more than one way. Enter the amount in euros and cents, for example 1,234.50." in page
    assert 'href="#id_lines-3-amount"' in page  # three decimals: thousands or decimals?
    assert "The grant applied for must be more than zero euros." in page
    assert not BudgetLine.objects.exists()


def test_missing_organisation_or_category_in_a_filled_row(client, draft):
    client.force_login(draft.user)
    page = client.post(draft.url("budget"), post_data(draft, [(None, "", "Something", "10")])).content.decode()
    assert "Choose the organisation." in page and "Choose the cost category." in page
    assert not BudgetLine.objects.exists()


def test_edit_and_delete_lines_keep_identity(client, draft):
    lead = draft.lead_participant()
    application = draft.application
    drafting.save_budget(draft.user, application, draft.lines((lead, "staff", "100"), (draft.partner, "travel", "50")), None, application.version)
    first, second = BudgetLine.objects.order_by("id")
    client.force_login(draft.user)
    rows = [
        (lead, "staff", "Changed", "120.00", first.pk),
        (draft.partner, "travel", "travel 1", "50.00", second.pk, True),
        (draft.partner, "services", "New", "10", None),
    ]
    response = client.post(draft.url("budget"), post_data(draft, rows, initial=2))
    assert response.status_code == 302
    lines = list(BudgetLine.objects.order_by("id").values_list("id", "description", "amount"))
    assert lines[0] == (first.pk, "Changed", Decimal("120.00"))
    assert [line[1:] for line in lines[1:]] == [("New", Decimal("10.00"))]


def test_stale_budget_is_refused_and_nothing_overwritten(client, draft):
    client.force_login(draft.user)
    lead = draft.lead_participant()
    version = draft.refresh().version
    first = post_data(draft, [(lead, "staff", "First tab", "100")], version=version)
    second = post_data(draft, [(lead, "staff", "Second tab", "999")], version=version)
    assert client.post(draft.url("budget"), first).status_code == 302
    response = client.post(draft.url("budget"), second)
    page = response.content.decode()
    assert response.status_code == 409
    assert "was changed by someone else (or in another tab)" in page
    assert 'value="Second tab"' in page
    assert list(BudgetLine.objects.values_list("description", flat=True)) == ["First tab"]


def test_a_line_for_an_organisation_not_in_the_application_is_refused(draft):
    stranger = factories.municipality()
    other = Draft(call=draft.call, lead=stranger, user=factories.member(stranger))
    application = draft.refresh()
    lines = [{"id": None, "participant_id": other.lead_participant().pk, "category_id": category(draft, "staff"), "description": "", "amount": Decimal("5")}]
    with pytest.raises(drafting.Refused) as refused:
        drafting.save_budget(draft.user, application, lines, None, application.version)
    assert [p.code for p in refused.value.problems] == ["organisation_not_participant"]


def test_partner_sees_the_budget_read_only(client, draft):
    partner_user = factories.member(draft.partner.organisation)
    client.force_login(partner_user)
    page = client.get(draft.url("budget")).content.decode()
    assert "Save the budget" not in page and 'id="budget-0"' not in page
    response = client.post(draft.url("budget"), post_data(draft, [(draft.partner, "staff", "Mine", "10")]))
    assert response.status_code == 302
    assert not BudgetLine.objects.exists()


def test_finnish_and_swedish_interfaces_read_amounts_their_way(client, draft):
    client.force_login(draft.user)
    lead = draft.lead_participant()
    for language, amount, requested in (("fi", "250 000,50", "1 000"), ("sv", "250\u202f000,50 €", "1\u00a0000,00")):
        with translation.override(language):
            url = draft.url("budget")
        response = client.post(url, post_data(draft, [(lead, "staff", "Work", amount)], requested=requested))
        assert response.status_code == 302, language
        assert list(BudgetLine.objects.values_list("amount", flat=True)) == [Decimal("250000.50")]
        assert draft.refresh().requested_grant == Decimal("1000.00")
        BudgetLine.objects.all().delete()


def test_in_english_250_000_is_a_quarter_of_a_million_and_in_finnish_it_is_refused(client, draft):
    client.force_login(draft.user)
    lead = draft.lead_participant()
    response = client.post(draft.url("budget"), post_data(draft, [(lead, "staff", "Work", "250,000")], requested="1,000"))
    assert response.status_code == 302
    assert list(BudgetLine.objects.values_list("amount", flat=True)) == [Decimal("250000.00")]
    BudgetLine.objects.all().delete()
    with translation.override("fi"):
        url = draft.url("budget")
    response = client.post(url, post_data(draft, [(lead, "staff", "Work", "250,000")], requested="1 000"))
    assert response.status_code == 200
    assert 'href="#id_lines-0-amount"' in response.content.decode()
    assert not BudgetLine.objects.exists()


def test_an_amount_over_the_columns_size_is_a_field_error_not_a_crash(client, draft):
    client.force_login(draft.user)
    lead = draft.lead_participant()
    response = client.post(draft.url("budget"), post_data(draft, [(lead, "staff", "Everything", "99999999999999999")], requested="1000000000000"))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("The amount is too large: at most 12 digits before the cents.") >= 2
    assert 'href="#id_lines-0-amount"' in page and 'href="#id_requested_grant"' in page
    assert not BudgetLine.objects.exists()
