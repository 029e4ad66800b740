"""The officials' lists of a call (the submitted applications and the screening list): searched by
project name, summary, municipality and reference with one shared helper; exported as filtered to CSV
and XLSX, the export recorded as one read; the same number of queries for 3 and for 20 applications.
Runs on SQLite and on PostgreSQL (full-text search there)."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation

from kuntadigi.applications.models import Application
from kuntadigi.applications.search import search_applications, words
from kuntadigi.audit.models import AuditEvent
from tests import factories
from tests.integration import screening_support as support

pytestmark = pytest.mark.django_db

LISTS = ("applications:official_list", "screening:list")
EXPORTS = {"applications:official_list": "applications:official_list_export", "screening:list": "screening:list_export"}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def world():
    """Porvoo/Borgå leads world.app with Loviisa/Lovisa; a second application by Kotka with Hamina as partner."""
    world = support.World()
    world.other = support.submitted(
        world.call,
        lead=factories.municipality("Kotka", name_sv="Kotka"),
        partners=[factories.municipality("Hamina", name_sv="Fredrikshamn")],
        project_name="Digitaalinen asiointi",
        summary="Sähköinen ajanvaraus kaikille asukkaille.",
    )
    Application.objects.filter(pk=world.other.pk).update(reference="VM/123/2020")
    world.other.refresh_from_db()
    return world


def url(name: str, world, **query) -> str:
    address = reverse(name, args=[world.call.slug])
    return address + ("?" + urlencode(query) if query else "")


def export_url(name: str, world, fmt: str, **query) -> str:
    address = reverse(EXPORTS[name], args=[world.call.slug, fmt])
    return address + ("?" + urlencode(query) if query else "")


def found(client, name: str, world, text: str) -> list[str]:
    response = client.get(url(name, world, q=text))
    assert response.status_code == 200
    if name == "screening:list":
        return sorted(row.application.reference for row in response.context["rows"])
    return sorted(application.reference for application in response.context["page"].object_list)


# ── Searching ───────────────────────────────────────────────────────────────


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize(
    "text, which",
    [
        ("asiointi", "other"),  # a word of the project name
        ("ajanvaraus", "other"),  # of the summary
        ("digitaali", "other"),  # the start of a word
        ("Porvoo", "app"),  # the lead's Finnish name
        ("Borgå", "app"),  # its Swedish name
        ("lovisa", "app"),  # a partner's Swedish name, in lower case
        ("Hamina", "other"),  # a partner's Finnish name
        ("VM/123/2020", "other"),  # the reference as written
        ("vm/123", "other"),  # its start
        ("Kotka digitaalinen", "other"),  # every word, in any of the texts
        ("Kotka Porvoo", None),  # no application has both
        ("Oulu", None),
    ],
)
def test_the_lists_find_by_name_summary_municipality_and_reference(client, world, name, text, which):
    client.force_login(world.preparer)
    expected = sorted([getattr(world, which).reference]) if which else []
    assert found(client, name, world, text) == expected


@pytest.mark.parametrize("name", LISTS)
def test_an_empty_or_wordless_search_lists_everything(client, world, name):
    client.force_login(world.preparer)
    everything = sorted([world.app.reference, world.other.reference])
    assert found(client, name, world, "") == everything
    assert found(client, name, world, "  &|!:*  ") == everything


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's Finnish configuration")
def test_on_postgresql_an_inflected_name_finds_the_municipality(client, world):
    client.force_login(world.preparer)
    assert found(client, "applications:official_list", world, "Porvoon") == [world.app.reference]
    assert found(client, "screening:list", world, "Loviisan") == [world.app.reference]  # a partner
    assert found(client, "screening:list", world, "Kotkan") == [world.other.reference]


def test_the_search_helper_keeps_only_words():
    assert words("VM/123/2020 & digi:* | !x") == ["VM", "123", "2020", "digi", "x"]
    assert words("Åland–Ahvenanmaa") == ["Åland", "Ahvenanmaa"]


def test_the_helper_narrows_any_queryset(world):
    assert list(search_applications(Application.objects.all(), "asiointi")) == [world.other]
    assert search_applications(Application.objects.all(), "").count() == 2


@pytest.mark.parametrize("name", LISTS)
def test_the_search_stays_in_the_pages_links_and_the_downloads(client, world, name):
    client.force_login(world.preparer)
    page = client.get(url(name, world, q="Porvoo")).content.decode()
    assert 'value="Porvoo"' in page
    assert export_url(name, world, "csv").split("?")[0] in page
    assert "q=Porvoo" in page.split(export_url(name, world, "csv").split("?")[0], 1)[1][:80]


@pytest.mark.parametrize("lang, label", [("fi", "Hae"), ("sv", "Sök")])
def test_the_search_box_is_in_finnish_and_swedish(client, world, lang, label):
    client.force_login(world.preparer)
    with translation.override(lang):
        page = client.get(reverse("screening:list", args=[world.call.slug])).content.decode()
    assert f">{label}</label>" in page


# ── Exports ─────────────────────────────────────────────────────────────────


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.mark.parametrize("name", LISTS)
def test_the_csv_export_holds_the_filtered_list(client, world, name):
    client.force_login(world.preparer)
    response = client.get(export_url(name, world, "csv", q="Porvoo"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="{world.call.slug}-' in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == ["Reference", "Project", "Lead applicant", "Partners", "Grant applied for (EUR)", "State", "Submitted (Helsinki time)"]
    assert rows[1:] == [[world.app.reference, "Avoin kunta", "Porvoo", "Loviisa", "12750.00", "Submitted", "2020-10-05 12:00"]]


def test_the_export_is_in_the_readers_language(client, world):
    client.force_login(world.preparer)
    with translation.override("sv"):
        rows = read_csv(client.get(export_url("screening:list", world, "csv", q="Porvoo")))
    assert rows[0][0] == "Ansökningsnummer"
    assert rows[1][2] == "Borgå" and rows[1][3] == "Lovisa"


@pytest.mark.parametrize("name", LISTS)
def test_a_formula_in_a_project_name_stays_text(client, world, name):
    Application.objects.filter(pk=world.app.pk).update(project_name='=HYPERLINK("http://x.example","y")')
    Application.objects.filter(pk=world.other.pk).update(project_name="@SUM(1)")
    client.force_login(world.preparer)
    names = {row[0]: row[1] for row in read_csv(client.get(export_url(name, world, "csv")))[1:]}
    assert names[world.app.reference] == '\'=HYPERLINK("http://x.example","y")'
    assert names[world.other.reference] == "'@SUM(1)"

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(client.get(export_url(name, world, "xlsx")).content)).active
    cells = {sheet.cell(row, 1).value: sheet.cell(row, 2) for row in range(2, sheet.max_row + 1)}
    assert cells[world.app.reference].value.startswith("'=") and cells[world.app.reference].data_type == "s"


@pytest.mark.parametrize("name", LISTS)
def test_the_xlsx_export_has_amounts_and_times_as_values(client, world, name):
    from openpyxl import load_workbook

    client.force_login(world.preparer)
    response = client.get(export_url(name, world, "xlsx", q="VM/123/2020"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "Reference"
    values = [cell.value for cell in sheet[2]]
    assert values[:4] == ["VM/123/2020", "Digitaalinen asiointi", "Kotka", "Hamina"]
    assert Decimal(str(values[4])) == Decimal("12750")
    assert values[6] == datetime(2020, 10, 5, 12, 0)  # Helsinki wall time
    assert sheet.max_row == 2


@pytest.mark.parametrize("name", LISTS)
def test_an_export_is_recorded_as_one_read_naming_the_applications(client, world, name):
    client.force_login(world.preparer)
    before = AuditEvent.objects.count()
    client.get(export_url(name, world, "csv"))
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("pk")
    assert event.action == "application.read" and event.actor == world.preparer
    assert event.object_type == "calls.call" and event.object_id == str(world.call.pk)
    assert event.after["read"].endswith("_csv")
    assert event.after["count"] == 2
    assert sorted(event.after["applications"]) == sorted([world.app.pk, world.other.pk])


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("who", ["official", "assessor", "lead", "partner", "admin"])
def test_only_those_who_see_the_list_download_it(client, world, name, who):
    client.force_login(getattr(world, who))
    before = AuditEvent.objects.count()
    for fmt in ("csv", "xlsx"):
        assert client.get(export_url(name, world, fmt)).status_code == 404
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("name", LISTS)
def test_the_downloads_for_the_calls_officials_and_nobody_else(client, world, name):
    assert client.get(export_url(name, world, "csv")).status_code == 302  # to sign in
    for who in ("preparer", "presenter", "decision_maker"):
        client.force_login(getattr(world, who))
        assert client.get(export_url(name, world, "csv")).status_code == 200
        assert client.get(export_url(name, world, "pdf")).status_code == 404
    other = support.official(factories.call("digi-2021"), "preparer")
    client.force_login(other)
    assert client.get(export_url(name, world, "csv")).status_code == 404


# ── A constant number of queries ────────────────────────────────────────────


def _more(world, count: int) -> None:
    for index in range(count):
        support.submitted(world.call, project_name=f"Hanke {index}", partners=[factories.municipality(), factories.municipality()])


@pytest.mark.parametrize(
    "address",
    [
        lambda w: url("applications:official_list", w),
        lambda w: url("applications:official_list", w, q="hanke", sort="lead"),
        lambda w: url("screening:list", w),
        lambda w: url("screening:list", w, q="hanke", state="submitted"),
        lambda w: export_url("applications:official_list", w, "csv"),
        lambda w: export_url("applications:official_list", w, "xlsx", q="hanke"),
        lambda w: export_url("screening:list", w, "csv", q="hanke"),
        lambda w: export_url("screening:list", w, "xlsx"),
    ],
    ids=["list", "list searched", "screening", "screening searched", "csv", "xlsx searched", "screening csv searched", "screening xlsx"],
)
def test_the_same_number_of_queries_for_3_and_for_20_applications(client, world, django_assert_num_queries, django_assert_max_num_queries, address):
    _more(world, 1)  # three applications
    client.force_login(world.preparer)
    assert client.get(address(world)).status_code == 200  # warm the session
    with django_assert_max_num_queries(20) as at_3:
        assert client.get(address(world)).status_code == 200
    count = len(at_3.captured_queries)  # now: the next request empties the connection's log
    _more(world, 17)
    assert Application.objects.filter(call=world.call).count() == 20
    client.get(address(world))
    with django_assert_num_queries(count):
        assert client.get(address(world)).status_code == 200
