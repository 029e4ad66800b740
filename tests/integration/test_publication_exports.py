"""The open data downloads (/data/...): CSV, XLSX and the 360Giving data package, per call and for
every published call; what they carry, how texts are kept from running as formulas, that the
360Giving package validates against the official schema, and that the files stream in chunks."""

from __future__ import annotations

import csv
import gc
import io
import json
import re
import weakref
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.http import FileResponse, StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from jsonschema import Draft202012Validator, FormatChecker
from openpyxl import load_workbook
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from kuntadigi.applications.models import Application
from kuntadigi.calls.models import Call
from kuntadigi.decisions.models import Decision
from kuntadigi.publication import exports
from tests import factories
from tests.integration.publication_support import published_world

SCHEMA_DIR = Path(settings.BASE_DIR) / "data" / "360giving"


@pytest.fixture
def worlds(db):
    """The 2020 call published with five grants (two rejected), the 2019 call published with three
    generated (fictional) grants, and the 2021 call decided but not published."""
    real = published_world(5, n_rejected=2, slug="digi-2020")
    demo = published_world(3, n_rejected=1, generated=True, slug="digi-2019")
    hidden = published_world(2, n_rejected=0, slug="digi-2021", published=False)
    return real, demo, hidden


def content(response) -> bytes:
    if isinstance(response, StreamingHttpResponse):
        return b"".join(response.streaming_content)
    return response.content


def read_csv(response) -> list[dict]:
    body = content(response)
    assert body.startswith("\ufeff".encode())  # the byte order mark, so that Excel reads ä and ö right
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def read_xlsx(response) -> list[list]:
    workbook = load_workbook(io.BytesIO(content(response)), read_only=True)
    return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


def giving_validator() -> Draft202012Validator:
    """The official 360Giving package schema, its $ref to the grant schema resolved from our copy (no network)."""
    package = json.loads((SCHEMA_DIR / "360-giving-package-schema.json").read_text(encoding="utf-8"))
    grant = json.loads((SCHEMA_DIR / "360-giving-schema.json").read_text(encoding="utf-8"))
    # Both declare draft 2020-12, but as http://json-schema.org/draft/2020-12/schema, which is not the
    # dialect's canonical https address: so the dialect is named here rather than detected.
    assert package["$schema"] == grant["$schema"] == "http://json-schema.org/draft/2020-12/schema"
    registry = Registry().with_resources([(schema["$id"], DRAFT202012.create_resource(schema)) for schema in (package, grant)])
    return Draft202012Validator(package, registry=registry, format_checker=FORMATS)


# The schema tells dates from date-times with oneOf [{format: date-time}, {pattern: YYYY-MM-DD}], so
# formats must be checked, as 360Giving's own validator (CoVE) does. jsonschema checks "date-time" and
# "uri" only with optional packages that are not installed: these are the two checks, after RFC 3339
# and RFC 3986.
FORMATS = FormatChecker(formats=())
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


@FORMATS.checks("date-time")
def is_date_time(value) -> bool:
    if not isinstance(value, str):
        return True
    if not DATE_TIME.match(value):
        return False
    datetime.fromisoformat(value.upper().replace("Z", "+00:00"))  # raises for impossible dates
    return True


@FORMATS.checks("uri")
def is_uri(value) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme and parts.netloc) and not any(char.isspace() for char in value)


def test_the_format_checks_tell_dates_from_date_times():
    assert is_date_time("2020-12-11T10:00:00+02:00") and is_date_time("2020-12-11T08:00:00Z")
    assert not is_date_time("2020-12-11")
    assert is_uri("https://kuntadigi.fi/data/grants.csv") and not is_uri("/data/grants.csv")


def assert_valid_360giving(package: dict) -> None:
    errors = sorted(giving_validator().iter_errors(package), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


# ── CSV ──────────────────────────────────────────────────────────────────────


def test_csv_of_a_call_has_its_funded_grants_only(client, worlds):
    real, _demo, _hidden = worlds
    response = client.get(reverse("data:call_csv", args=["digi-2020"]))
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="kuntadigi-digi-2020-grants.csv"'
    rows = read_csv(response)
    assert [row["id"] for row in rows] == [app.reference for app in real.funded]
    assert not {app.reference for app in real.rejected} & {row["id"] for row in rows}
    first, decision = rows[0], real.decisions[0]
    lead = real.funded[0].lead
    assert first["amount_granted"] == f"{decision.amount:.2f}"  # exact, with a point before the cents
    assert first["currency"] == "EUR"
    assert first["lead_id"] == lead.municipality_code
    assert first["lead_name_fi"] == lead.name_fi
    assert first["decision_date"] == decision.decision_date.isoformat()
    assert first["fictional"] == "false"
    assert first["call"] == "digi-2020"
    assert first["target_areas"].startswith("digi-2020-")
    # Nothing that is not public: no contacts, no budget, no scores.
    assert not {"contact_email", "requested", "score"} & set(first)


def test_csv_of_everything_spans_the_published_calls_and_marks_fictional_grants(client, worlds):
    real, demo, hidden = worlds
    rows = read_csv(client.get(reverse("data:all_csv")))
    assert response_filename(client.get(reverse("data:all_csv"))) == "kuntadigi-grants.csv"
    ids = [row["id"] for row in rows]
    assert ids == [a.reference for a in real.funded] + [a.reference for a in demo.funded]  # newest call first
    assert not {a.reference for a in hidden.funded} & set(ids)
    fictional = {row["id"]: row["fictional"] for row in rows}
    assert {fictional[a.reference] for a in demo.funded} == {"true"}
    assert {fictional[a.reference] for a in real.funded} == {"false"}


def response_filename(response) -> str:
    return response["Content-Disposition"].split('filename="')[1].rstrip('"')


def test_unicode_names_come_through_in_csv_and_xlsx(client, worlds):
    real, _demo, _hidden = worlds
    app = real.funded[1]
    Application.objects.filter(pk=app.pk).update(project_name="Åland–Pyhäjärvi: ääni & öljy – «test» 日本")
    rows = read_csv(client.get(reverse("data:call_csv", args=["digi-2020"])))
    assert rows[1]["project_name"] == "Åland–Pyhäjärvi: ääni & öljy – «test» 日本"
    sheet = read_xlsx(client.get(reverse("data:call_xlsx", args=["digi-2020"])))
    assert sheet[2][exports.HEADERS.index("project_name")] == "Åland–Pyhäjärvi: ääni & öljy – «test» 日本"


@pytest.mark.parametrize("text", ['=HYPERLINK("http://evil.example","x")', "+SUM(A1:A9)", "-2+3", "@cmd", "\tTAB", "\rCR"])
def test_texts_that_look_like_formulas_stay_text(client, worlds, text):
    real, _demo, _hidden = worlds
    app = real.funded[0]
    Application.objects.filter(pk=app.pk).update(project_name=text, summary=text)
    row = read_csv(client.get(reverse("data:call_csv", args=["digi-2020"])))[0]
    assert row["project_name"] == "'" + text
    assert row["summary"] == "'" + text
    workbook = load_workbook(io.BytesIO(content(client.get(reverse("data:call_xlsx", args=["digi-2020"])))))
    cell = workbook.worksheets[0].cell(row=2, column=exports.HEADERS.index("project_name") + 1)
    assert cell.data_type == "s"
    # An XML reader gives a carriage return back as a line feed, or as it was (openpyxl with lxml).
    assert cell.value.replace("\r", "\n") == "'" + text.replace("\r", "\n")


# ── XLSX ─────────────────────────────────────────────────────────────────────


def test_xlsx_of_a_call_and_of_everything(client, worlds):
    real, demo, _hidden = worlds
    response = client.get(reverse("data:call_xlsx", args=["digi-2020"]))
    assert response.status_code == 200
    assert isinstance(response, FileResponse)
    assert response["Content-Type"] == exports_xlsx_type()
    assert response_filename(response) == "kuntadigi-digi-2020-grants.xlsx"
    sheet = read_xlsx(response)
    assert sheet[0] == exports.HEADERS
    assert [row[0] for row in sheet[1:]] == [a.reference for a in real.funded]
    amount = sheet[1][exports.HEADERS.index("amount_granted")]
    assert Decimal(str(amount)) == real.decisions[0].amount
    assert sheet[1][exports.HEADERS.index("fictional")] is False

    everything = read_xlsx(client.get(reverse("data:all_xlsx")))
    assert len(everything) == 1 + len(real.funded) + len(demo.funded)
    fictional = {row[0]: row[exports.HEADERS.index("fictional")] for row in everything[1:]}
    assert all(fictional[a.reference] is True for a in demo.funded)


def exports_xlsx_type() -> str:
    return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ── Unpublished and unknown calls ────────────────────────────────────────────


@pytest.mark.parametrize("name", ["data:call_csv", "data:call_xlsx", "data:call_360giving"])
@pytest.mark.parametrize("slug", ["digi-2021", "no-such-call"])
def test_an_unpublished_or_unknown_calls_files_do_not_exist(client, worlds, name, slug):
    assert client.get(reverse(name, args=[slug])).status_code == 404


def test_a_published_call_whose_results_are_not_out_has_no_files(client, db):
    published_world(2, n_rejected=0, slug="digi-2020", published=False)
    assert client.get(reverse("data:call_csv", args=["digi-2020"])).status_code == 404
    assert read_csv(client.get(reverse("data:all_csv"))) == []


def test_downloads_answer_get_and_head_only(client, worlds):
    assert client.post(reverse("data:all_csv")).status_code == 405
    assert client.head(reverse("data:call_csv", args=["digi-2020"])).status_code == 200


# ── 360Giving ────────────────────────────────────────────────────────────────


def test_360giving_package_of_a_call_validates_and_maps_the_grants(client, worlds):
    real, _demo, _hidden = worlds
    response = client.get(reverse("data:call_360giving", args=["digi-2020"]))
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response_filename(response) == "kuntadigi-digi-2020-grants-360giving.json"
    body = content(response)
    package = json.loads(body)
    assert_valid_360giving(package)
    assert package["version"] == "1.4"
    assert package["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert package["fictional"] is False
    assert package["downloadURL"].endswith("/data/digi-2020/grants-360giving.json")

    grants = package["grants"]
    assert [g["id"] for g in grants] == [f"360G-kuntadigi-{a.reference}" for a in real.funded]
    first, app, decision = grants[0], real.funded[0], real.decisions[0]
    assert first["fundingOrganization"] == [{"id": "FI-PRO-0245439-9", "name": "Valtiovarainministeriö"}]
    assert first["recipientOrganization"][0]["id"] == f"360G-kuntadigi-municipality-{app.lead.municipality_code}"
    assert first["recipientOrganization"][0]["name"] == app.lead.name_fi
    assert first["currency"] == "EUR"
    assert first["awardDate"] == decision.decision_date.isoformat()
    assert first["plannedDates"] == [{"startDate": app.start_date.isoformat(), "endDate": app.end_date.isoformat()}]
    codes = [loc["geoCode"] for loc in first["beneficiaryLocation"]]
    assert codes[0] == app.lead.municipality_code
    assert {loc["geoCodeType"] for loc in first["beneficiaryLocation"]} == {"LAU"}
    assert [p.municipality_code for p in real.participants_of(app)][1:] == [p["municipality_code"] for p in first["additional_data"]["partners"]]
    assert sorted(codes) == sorted(p.municipality_code for p in real.participants_of(app))
    assert all(c["vocabulary"] == "kuntadigi-target-area" and c["code"].startswith("digi-2020-") for c in first["classifications"])
    assert first["additional_data"]["fictional"] is False
    # The amount is written as the exact decimal number, not through a float.
    exact = json.loads(body, parse_float=Decimal)
    assert [g["amountAwarded"] for g in exact["grants"]] == [d.amount for d in real.decisions]
    assert f'"amountAwarded": {decision.amount:.2f}'.encode() in body


def test_360giving_recipient_is_identified_by_business_id_when_known(client, worlds):
    real, _demo, _hidden = worlds
    lead = real.funded[0].lead
    lead.business_id = "0204819-8"
    lead.save(update_fields=["business_id"])
    package = json.loads(content(client.get(reverse("data:call_360giving", args=["digi-2020"]))))
    recipient = package["grants"][0]["recipientOrganization"][0]
    assert recipient["id"] == "FI-PRO-0204819-8"
    assert recipient["companyNumber"] == "0204819-8"
    assert_valid_360giving(package)


def test_360giving_package_of_the_demo_data_validates_and_says_it_is_fictional(client, worlds):
    package = json.loads(content(client.get(reverse("data:call_360giving", args=["digi-2019"]))))
    assert_valid_360giving(package)
    assert package["fictional"] is True
    assert "Fictional" in package["description"]
    assert {g["additional_data"]["fictional"] for g in package["grants"]} == {True}
    assert all(g["description"].startswith(exports.FICTIONAL_MARK) for g in package["grants"])

    everything = json.loads(content(client.get(reverse("data:all_360giving"))))
    assert_valid_360giving(everything)
    assert everything["fictional"] is True
    assert len(everything["grants"]) == 8


def test_funder_and_prefix_come_from_settings(client, worlds, settings):
    settings.PUBLICATION_FUNDER = {"id": "FI-PRO-1234567-1", "name": "Finansministeriet"}
    settings.PUBLICATION_GRANT_ID_PREFIX = "360G-vm"
    package = json.loads(content(client.get(reverse("data:call_360giving", args=["digi-2020"]))))
    assert package["grants"][0]["fundingOrganization"] == [{"id": "FI-PRO-1234567-1", "name": "Finansministeriet"}]
    assert package["grants"][0]["id"].startswith("360G-vm-DIGI-2020-")
    assert package["publisher"] == {"name": "Finansministeriet", "identifier": "FI-PRO-1234567-1"}
    assert_valid_360giving(package)


def through_option_exists() -> bool:
    from kuntadigi.demo.management.commands.generate_applications import Command

    return any("--through" in action.option_strings for action in Command().create_parser("manage.py", "generate_applications")._actions)


def test_360giving_package_of_the_demo_generator_validates(client, db):
    """What `make run` shows: the 2019 call's applications generated and carried through to published results."""
    if not through_option_exists():
        pytest.skip("generate_applications has no --through stage yet")
    for n in range(8):
        factories.municipality(f"Kunta {n}", code=f"{100 + n:03d}")
    call_command("load_calls", str(Path(settings.BASE_DIR) / "data" / "calls" / "digi-2019-2.json"), stdout=io.StringIO())
    Call.objects.filter(slug="digi-2019-2").update(appropriation=Decimal("600000.00"))
    call_command("generate_applications", "--call", "digi-2019-2", "--count", "6", "--seed", "11", "--through", "published", stdout=io.StringIO())
    package = json.loads(content(client.get(reverse("data:call_360giving", args=["digi-2019-2"]))))
    assert_valid_360giving(package)
    assert package["fictional"] is True
    granted = Decision.objects.filter(application__call__slug="digi-2019-2", outcome=Decision.Outcome.GRANT, state=Decision.State.SIGNED)
    assert sorted(g["additional_data"]["reference"] for g in package["grants"]) == sorted(d.application.reference for d in granted)
    rows = read_csv(client.get(reverse("data:call_csv", args=["digi-2019-2"])))
    assert {row["fictional"] for row in rows} == {"true"}


def test_exact_json_numbers():
    assert exports.to_json({"a": Decimal("12750.00"), "b": [Decimal("0.8500"), None, True], "c": 'ä"<'}) == (
        '{"a": 12750.00, "b": [0.8500, null, true], "c": "ä\\"<"}'
    )
    assert exports.to_json(Decimal("1E+3")) == "1000"
    with pytest.raises(ValueError):
        exports.to_json(Decimal("NaN"))


# ── Streaming ────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("name", ["data:all_csv", "data:all_360giving"])
def test_files_stream_the_grants_chunk_by_chunk(client, db, monkeypatch, name):
    """The first chunk of grants is read before the response starts (so a database that does not
    answer is an error page, not a 200), and each further chunk of grants costs the same constant
    number of queries (the grants' rows come from one query read in chunks; their partners and target
    areas from two queries per chunk)."""
    world = published_world(12, n_rejected=0, slug="digi-2020")
    monkeypatch.setattr(exports, "CHUNK_SIZE", 5)
    with CaptureQueriesContext(connection) as started:
        response = client.get(reverse(name))
    assert isinstance(response, StreamingHttpResponse)
    assert any("decisions_decision" in query["sql"] for query in started.captured_queries)  # the grants' query ran
    chunks = iter(response.streaming_content)
    with CaptureQueriesContext(connection) as first_grant:
        next(chunks)  # the header (CSV) or the package's metadata (JSON)
        first = next(chunks)
    assert world.funded[0].reference.encode() in first
    assert len(first_grant) == 0  # read before the response started
    with CaptureQueriesContext(connection) as rest:
        remaining = list(chunks)
    assert len(rest) == 2 * 2  # two more chunks (5 + 2 grants), two queries each
    assert sum(world.funded[-1].reference.encode() in part for part in remaining) == 1


@pytest.mark.parametrize("name", ["data:all_csv", "data:all_360giving", "data:all_xlsx"])
def test_written_grants_are_freed_without_waiting_for_the_garbage_collector(client, db, monkeypatch, name):
    """Related rows point back at each other (a decision and its application, an application and its
    participants): the export cuts those links once a grant is written, so that reference counting
    frees every chunk and memory stays flat. With the cyclic collector off, nothing may survive."""
    published_world(7, n_rejected=0, slug="digi-2020")
    monkeypatch.setattr(exports, "CHUNK_SIZE", 3)
    seen: list[weakref.ref] = []
    original = exports.queries.iter_grants

    def watched(grants, chunk_size):
        for decision in original(grants, chunk_size=chunk_size):
            seen.append(weakref.ref(decision))
            yield decision

    monkeypatch.setattr(exports.queries, "iter_grants", watched)
    gc.collect()
    gc.disable()
    try:
        content(client.get(reverse(name)))
        alive = [ref for ref in seen if ref() is not None]
    finally:
        gc.enable()
    assert len(seen) == 7
    assert alive == []


def test_xlsx_is_written_in_write_only_mode_chunk_by_chunk(client, db, monkeypatch):
    published_world(12, n_rejected=0, slug="digi-2020")
    monkeypatch.setattr(exports, "CHUNK_SIZE", 5)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("data:call_xlsx", args=["digi-2020"]))
    assert isinstance(response, FileResponse)
    grant_queries = [q for q in queries if "decisions_decision" in q["sql"] or "applications_participant" in q["sql"]]
    assert len([q for q in grant_queries if "applications_participant" in q["sql"] and "IN (" in q["sql"]]) == 3  # one per chunk
    assert len(read_xlsx(response)) == 13


# ── The open data page ───────────────────────────────────────────────────────


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_open_data_page_lists_the_downloads_of_published_calls(client, worlds, lang):
    with translation.override(lang):
        url = reverse("publication:open_data")
    assert url.startswith(f"/{lang}/")
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    for slug in ("digi-2020", "digi-2019"):
        assert f'href="/data/{slug}/grants.csv"' in page
        assert f'href="/data/{slug}/grants.xlsx"' in page
        assert f'href="/data/{slug}/grants-360giving.json"' in page
    assert "digi-2021" not in page
    assert 'href="/data/grants.csv"' in page
    assert 'href="/data/grants-360giving.json"' in page
    assert 'href="https://creativecommons.org/licenses/by/4.0/"' in page
    assert 'href="/api/schema"' in page
    for name in exports.HEADERS:
        assert f"<code>{name}</code>" in page
    for field in exports.GIVING_FIELDS:
        assert f"<code>{field.name}</code>" in page
    assert 'class="fictional-notice"' in page  # the 2019 call is generated


def test_open_data_page_in_english_explains_the_licence_and_identifiers(client, worlds):
    with translation.override("en"):
        page = client.get(reverse("publication:open_data")).content.decode()
    assert "Creative Commons Attribution 4.0" in page
    assert "Source: Ministry of Finance" in page
    assert "360G-kuntadigi-" in page
    assert "FI-PRO-0245439-9" in page


def test_footer_links_to_the_open_data_page(client, db):
    factories.call()
    with translation.override("en"):
        home, open_data = reverse("core:home"), reverse("publication:open_data")
    assert f'href="{open_data}"' in client.get(home).content.decode()


# ── A download whose database fails ──────────────────────────────────────────


class DatabaseDown(Exception):
    pass


@pytest.mark.parametrize("name", ["data:call_csv", "data:call_360giving"])
def test_a_database_failure_before_the_first_grant_is_an_error_page_not_a_200(client, worlds, monkeypatch, name):
    def unreachable(grants, chunk_size=500):
        raise DatabaseDown("the database did not answer")
        yield  # a generator, as the real one, so nothing fails before the stream is read

    monkeypatch.setattr("kuntadigi.publication.queries.iter_grants", unreachable)
    client.raise_request_exception = False
    response = client.get(reverse(name, args=["digi-2020"]))
    assert response.status_code == 500
    assert not isinstance(response, StreamingHttpResponse)


@pytest.mark.parametrize(("name", "interrupted"), [("data:call_csv", exports.CSV_INTERRUPTED), ("data:call_360giving", exports.JSON_INTERRUPTED)])
def test_a_failure_mid_stream_ends_the_file_with_a_line_saying_it_is_incomplete_and_aborts(client, worlds, monkeypatch, name, interrupted):
    real_record = exports.queries.grant_record
    served = []

    def failing_after_two(decision):
        if len(served) == 2:
            raise DatabaseDown("the connection was lost")
        served.append(decision.pk)
        return real_record(decision)

    monkeypatch.setattr(exports.queries, "grant_record", failing_after_two)
    response = client.get(reverse(name, args=["digi-2020"]))
    assert response.status_code == 200  # the first grant was read before the response started
    received = []
    with pytest.raises(DatabaseDown):
        for chunk in response.streaming_content:
            received.append(chunk)
    assert received[-1] == interrupted
    body = b"".join(received).decode("utf-8-sig")
    assert "this file is incomplete" in body.splitlines()[-1]
    if name == "data:call_csv":
        rows = list(csv.reader(io.StringIO(body)))
        assert rows[-1][0].startswith("# ERROR: the download was interrupted")
        assert len([row for row in rows[1:] if row and not row[0].startswith("#")]) == 2


def test_a_complete_csv_has_no_error_line(client, worlds):
    body = content(client.get(reverse("data:call_csv", args=["digi-2020"]))).decode("utf-8-sig")
    assert "ERROR" not in body and body.endswith("\r\n")
