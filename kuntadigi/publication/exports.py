"""The open data files: every funded grant of the published calls as CSV, XLSX and a 360Giving data package.

Everything is read through `queries` (grant_record is the one list of public fields) and written
grant by grant from `queries.iter_grants`, so memory stays flat however many grants there are:
CSV and JSON are generators of bytes for a StreamingHttpResponse, XLSX is written by openpyxl's
write-only workbook into a temporary file that is then streamed.

Spreadsheet cells that a spreadsheet could run as a formula (a text starting with = + - @, a tab or a
carriage return) get a leading apostrophe (`neutralise`, shared with the officials' ranking export).

The 360Giving mapping (standard 1.4, checked against the official package schema in
data/360giving/):

- id: "<PUBLICATION_GRANT_ID_PREFIX>-<application reference>" (360G-kuntadigi-DIGI-2020-0001)
- fundingOrganization: settings.PUBLICATION_FUNDER (the Ministry of Finance, org-id FI-PRO-<business ID>)
- recipientOrganization: the lead applicant; id "FI-PRO-<business ID>" when the registry knows the
  business ID (then also companyNumber), otherwise "<prefix>-municipality-<municipality code>" (or
  "<prefix>-organisation-<business ID or name>" for a joint authority)
- beneficiaryLocation: the lead and partner municipalities, geoCode the Statistics Finland
  municipality code with geoCodeType "LAU" (see GEO_CODE_TYPE)
- classifications: the call's target areas (vocabulary "kuntadigi-target-area", code "<slug>-<number>")
- plannedDates: the project's start and end; additional_data: everything else public (partners,
  target areas, maximum share, eligible cost period, fictional)
"""

from __future__ import annotations

import csv
import json
import logging
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from kuntadigi import clock
from kuntadigi.decisions.exports import neutralise
from kuntadigi.decisions.models import Decision

from . import queries

log = logging.getLogger(__name__)

LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
GIVING_VERSION = "1.4"
# 360Giving's geoCodeType codelist names only British gazetteers. A Finnish municipality code is the
# municipality's code in Eurostat's Local Administrative Units (LAU), so we name that (docs/decisions.md).
GEO_CODE_TYPE = "LAU"
TARGET_AREA_VOCABULARY = "kuntadigi-target-area"
LIST_SEPARATOR = "; "
# Grants read per query (their partners and target areas are fetched once per chunk).
CHUNK_SIZE = 500


# ── Field descriptions (the open data page shows these) ─────────────────────


@dataclass(frozen=True)
class Field:
    name: str
    meaning: str | Promise
    type: str | Promise
    example: str


TEXT, NUMBER, DATE, BOOLEAN, CODE = _("text"), _("decimal number"), _("date (YYYY-MM-DD)"), _("true or false"), _("code")
LIST = _("list, separated by semicolons")


def _names(items: list[dict], key: str) -> str:
    return LIST_SEPARATOR.join(item[key] or "" for item in items)


# The CSV and XLSX columns: (field, how to take it from a grant_record).
COLUMNS: list[tuple[Field, Any]] = [
    (Field("id", _("The grant's identifier: the application's reference, stable across versions of the data."), CODE, "DIGI-2020-0001"), lambda r: r["id"]),
    (Field("call", _("The call's identifier (its address on this site)."), CODE, "digi-2020"), lambda r: r["call"]),
    (Field("call_title_fi", _("The call's title in Finnish."), TEXT, "Kuntien digitalisaation kannustinjärjestelmä 2020"), lambda r: r["call_title_fi"]),
    (Field("call_title_sv", _("The call's title in Swedish."), TEXT, "Incitamentsystemet för digitalisering i kommunerna 2020"), lambda r: r["call_title_sv"]),
    (Field("call_title_en", _("The call's title in English."), TEXT, "Incentive system for municipal digitalisation 2020"), lambda r: r["call_title_en"]),
    (Field("project_name", _("The project's name, as the applicant wrote it."), TEXT, "Avoin kunta"), lambda r: r["project_name"]),
    (Field("summary", _("The project's summary, as the applicant wrote it."), TEXT, "Yhteinen sähköinen asiointi…"), lambda r: r["summary"]),
    (Field("language", _("The language of the application: fi or sv."), CODE, "fi"), lambda r: r["language"]),
    (Field("lead_id", _("The lead applicant: its municipality code, or the business ID of a joint authority."), CODE, "109"), lambda r: r["lead"]["id"]),
    (Field("lead_name_fi", _("The lead applicant's name in Finnish."), TEXT, "Hämeenlinna"), lambda r: r["lead"]["name_fi"]),
    (Field("lead_name_sv", _("The lead applicant's name in Swedish."), TEXT, "Tavastehus"), lambda r: r["lead"]["name_sv"]),
    (Field("lead_business_id", _("The lead applicant's business ID, when known."), CODE, "0139613-3"), lambda r: r["lead"]["business_id"]),
    (Field("lead_region", _("The code of the lead applicant's region."), CODE, "05"), lambda r: r["lead"]["region_code"]),
    (Field("partner_ids", _("The partners' municipality codes (or business IDs)."), LIST, "905; 434"), lambda r: _names(r["partners"], "id")),
    (Field("partner_names_fi", _("The partners' names in Finnish, in the same order."), LIST, "Vaasa; Loviisa"), lambda r: _names(r["partners"], "name_fi")),
    (Field("partner_names_sv", _("The partners' names in Swedish, in the same order."), LIST, "Vasa; Lovisa"), lambda r: _names(r["partners"], "name_sv")),
    (
        Field("target_areas", _("The call's target areas the project serves: '<call>-<number>'."), LIST, "digi-2020-1; digi-2020-3"),
        lambda r: _names(r["target_areas"], "id"),
    ),
    (
        Field("target_area_names_fi", _("The target areas' names in Finnish, in the same order."), LIST, "Asiointi; Tiedolla johtaminen"),
        lambda r: _names(r["target_areas"], "name_fi"),
    ),
    (Field("amount_granted", _("The grant at most, in euros (a point before the cents)."), NUMBER, "12750.00"), lambda r: r["amount_granted"]),
    (Field("max_share", _("The grant's maximum share of the eligible costs (0.85 is 85 %)."), NUMBER, "0.8500"), lambda r: r["max_share"]),
    (Field("currency", _("The currency of the amounts."), CODE, "EUR"), lambda r: r["currency"]),
    (Field("decision_date", _("The date of the grant decision."), DATE, "2020-12-11"), lambda r: r["decision_date"]),
    (Field("costs_from", _("Costs are eligible from this date."), DATE, "2021-01-01"), lambda r: r["costs_from"]),
    (Field("costs_until", _("Costs are eligible until this date."), DATE, "2022-10-31"), lambda r: r["costs_until"]),
    (Field("project_start", _("The project's planned start."), DATE, "2021-01-01"), lambda r: r["project_start"]),
    (Field("project_end", _("The project's planned end."), DATE, "2022-10-31"), lambda r: r["project_end"]),
    (
        Field("fictional", _("true when the grant is generated demonstration data, not a real decision."), BOOLEAN, "false"),
        lambda r: r["fictional"],
    ),
    (
        Field("status", _("The project's status: running, completed (settled or closed) or refused (the recipient refused the grant)."), CODE, "running"),
        lambda r: r["status"],
    ),
    (
        Field("amount_paid", _("The euros paid to the project so far (payments in batches marked paid); empty for a refused grant."), NUMBER, "8925.00"),
        lambda r: r["amount_paid"],
    ),
    (
        Field("final_summary_fi", _("The public summary of the approved final report, in Finnish (empty until the report is approved)."), TEXT, "Hanke toi…"),
        lambda r: r["final_summary_fi"],
    ),
    (Field("final_summary_sv", _("The same summary in Swedish."), TEXT, "Projektet gav…"), lambda r: r["final_summary_sv"]),
    (Field("final_summary_en", _("The same summary in English."), TEXT, "The project brought…"), lambda r: r["final_summary_en"]),
]

HEADERS = [field.name for field, _take in COLUMNS]

# The fields of a grant in the 360Giving package (the package's own fields are described on the page).
GIVING_FIELDS: list[Field] = [
    Field("id", _("The grant's 360Giving identifier: the prefix and the application's reference."), CODE, "360G-kuntadigi-DIGI-2020-0001"),
    Field("title", _("The project's name."), TEXT, "Avoin kunta"),
    Field("description", _("The project's summary (marked as fictional for generated data)."), TEXT, "Yhteinen sähköinen asiointi…"),
    Field("currency", _("Always EUR."), CODE, "EUR"),
    Field("amountAwarded", _("The grant at most, in euros, as an exact number."), NUMBER, "12750.00"),
    Field("awardDate", _("The date of the grant decision."), DATE, "2020-12-11"),
    Field("plannedDates", _("The project's planned start and end."), _("list of events"), '[{"startDate": "2021-01-01", "endDate": "2022-10-31"}]'),
    Field(
        "recipientOrganization",
        _("The lead applicant: id FI-PRO-<business ID> when known (with companyNumber), otherwise 360G-kuntadigi-municipality-<code>."),
        _("list of organisations"),
        '[{"id": "360G-kuntadigi-municipality-109", "name": "Hämeenlinna"}]',
    ),
    Field(
        "fundingOrganization",
        _("The Ministry of Finance (org-id FI-PRO-0245439-9)."),
        _("list of organisations"),
        '[{"id": "FI-PRO-0245439-9", "name": "Valtiovarainministeriö"}]',
    ),
    Field("grantProgramme", _("The call: its identifier, title and address."), _("list"), '[{"code": "digi-2020", "title": "…"}]'),
    Field(
        "beneficiaryLocation",
        _("The lead and partner municipalities: geoCode the municipality code, geoCodeType LAU (Local Administrative Units), countryCode FI."),
        _("list of locations"),
        '[{"geoCode": "109", "geoCodeType": "LAU", "name": "Hämeenlinna"}]',
    ),
    Field(
        "classifications",
        _("The target areas (vocabulary kuntadigi-target-area, code '<call>-<number>')."),
        _("list"),
        '[{"vocabulary": "kuntadigi-target-area", "code": "digi-2020-1"}]',
    ),
    Field("fromOpenCall", _("Always Yes: the grants come from open calls."), CODE, "Yes"),
    Field(
        "additional_data",
        _(
            "Everything else that is public: the reference, call, lead and partners (codes, names, regions), target areas, "
            "the maximum share, the eligible cost period, fictional, the project's status (running, completed, refused), "
            "amountPaid (euros paid so far; null for a refused grant) and finalReportSummary (fi, sv, en; once the final report is approved)."
        ),
        _("object"),
        '{"reference": "DIGI-2020-0001", "fictional": false, …}',
    ),
]


# ── Reading the grants ───────────────────────────────────────────────────────


def each_grant(grants: QuerySet[Decision]) -> Iterator[Decision]:
    """The grants chunk by chunk (queries.iter_grants), each one let go once it is written.

    select_related and prefetch_related link a decision and its application both ways, and an
    application and its participants too: reference cycles, which only Python's cyclic garbage
    collector frees, and late, so memory would climb chunk after chunk (measured: the peak grew by
    some 16 MiB every 500 grants). Cutting the links of a written grant lets reference counting free every chunk as
    soon as the next one is read, so memory stays flat (bench/export_bench.py)."""
    for decision in queries.iter_grants(grants, chunk_size=CHUNK_SIZE):
        yield decision
        application = decision.application
        getattr(application, "_prefetched_objects_cache", {}).clear()
        application._state.fields_cache.clear()
        decision._state.fields_cache.clear()


# ── CSV ──────────────────────────────────────────────────────────────────────


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def csv_row(record: dict) -> list[str]:
    return [neutralise(_cell_text(take(record))) for _field, take in COLUMNS]


class _Line:
    """A file-like object whose write returns what it was given (so csv.writer produces one line at a time)."""

    def write(self, value: str) -> str:
        return value


def csv_stream(grants: QuerySet[Decision]) -> Iterator[bytes]:
    """UTF-8 with a byte order mark (so that Excel reads ä and ö right), comma-separated, one row per grant."""
    writer = csv.writer(_Line(), lineterminator="\r\n")
    yield ("\ufeff" + writer.writerow(HEADERS)).encode("utf-8")
    for decision in each_grant(grants):
        yield writer.writerow(csv_row(queries.grant_record(decision))).encode("utf-8")


# ── XLSX ─────────────────────────────────────────────────────────────────────


def _xlsx_value(value):
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def xlsx_file(grants: QuerySet[Decision], sheet_title: str = "grants") -> IO[bytes]:
    """The grants as an XLSX workbook in an anonymous temporary file (deleted when closed), rewound.
    openpyxl's write-only mode writes rows as they come, so memory does not grow with the count."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title[:31])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for name in HEADERS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    money = {"amount_granted", "amount_paid"}
    for decision in each_grant(grants):
        record = queries.grant_record(decision)
        row = []
        for field, take in COLUMNS:
            value = take(record)
            if isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=_xlsx_value(value))
                cell.data_type = "s"  # never a formula
            else:
                cell = WriteOnlyCell(sheet, value=value)
                if field.name in money and value is not None:
                    cell.number_format = "#,##0.00"
                elif isinstance(value, date):
                    cell.number_format = "yyyy-mm-dd"
            row.append(cell)
        sheet.append(row)
    output = tempfile.TemporaryFile(suffix=".xlsx")
    workbook.save(output)
    output.seek(0)
    return output


# ── 360Giving ────────────────────────────────────────────────────────────────


def to_json(value) -> str:
    """JSON text of plain data in which a Decimal is written as the exact number it is (12750.00 stays
    12750.00: no float on the way). Dates become YYYY-MM-DD."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(key), ensure_ascii=False)}: {to_json(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(to_json(item) for item in value) + "]"
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"not a finite number: {value}")
        return f"{value:f}"
    if isinstance(value, date):
        return json.dumps(value.isoformat())
    if isinstance(value, Promise):
        value = str(value)
    return json.dumps(value, ensure_ascii=False)


def funder() -> dict:
    configured = settings.PUBLICATION_FUNDER
    return {"id": configured["id"], "name": configured["name"]}


def grant_id_prefix() -> str:
    return settings.PUBLICATION_GRANT_ID_PREFIX


def organisation_id(org: dict) -> str:
    """A 360Giving organisation identifier: FI-PRO-<business ID> (the Finnish Patent and Registration
    Office's register) when known, otherwise one of our own, stable across versions of the data."""
    if org["business_id"]:
        return f"FI-PRO-{org['business_id']}"
    if org["municipality_code"]:
        return f"{grant_id_prefix()}-municipality-{org['municipality_code']}"
    return f"{grant_id_prefix()}-organisation-{slugify(org['name_fi'])}"


def _location(org: dict) -> dict:
    return {"name": org["name_fi"], "countryCode": "FI", "geoCode": org["municipality_code"], "geoCodeType": GEO_CODE_TYPE}


class CallLinks:
    """Addresses of calls on the site, worked out once per call (not per grant)."""

    def __init__(self) -> None:
        self._urls: dict[str, str] = {}

    def __call__(self, slug: str) -> str:
        if slug not in self._urls:
            with translation.override("fi"):
                self._urls[slug] = settings.SITE_URL + reverse("calls:detail", kwargs={"slug": slug})
        return self._urls[slug]


FICTIONAL_MARK = "Fictional demonstration data, not a real grant decision."


def giving_grant(record: dict, call_url: str) -> dict:
    """One grant in 360Giving's terms, from the public record."""
    lead = record["lead"]
    recipient = {"id": organisation_id(lead), "name": lead["name_fi"]}
    if lead["business_id"]:
        recipient["companyNumber"] = lead["business_id"]
    recipient["addressCountry"] = "FI"
    description = record["summary"] or record["project_name"] or record["id"]
    if record["fictional"]:
        description = f"{FICTIONAL_MARK} {description}"
    grant: dict[str, Any] = {
        "id": f"{grant_id_prefix()}-{record['id']}",
        "title": record["project_name"] or record["id"],
        "description": description,
        "currency": record["currency"],
        "amountAwarded": record["amount_granted"],
        "awardDate": record["decision_date"],
    }
    if record["project_start"]:
        event = {"startDate": record["project_start"]}
        if record["project_end"]:
            event["endDate"] = record["project_end"]
        grant["plannedDates"] = [event]
    grant["recipientOrganization"] = [recipient]
    grant["fundingOrganization"] = [funder()]
    grant["grantProgramme"] = [{"code": record["call"], "title": record["call_title_fi"], "url": call_url}]
    grant["fromOpenCall"] = "Yes"
    locations = [_location(org) for org in [lead, *record["partners"]] if org["municipality_code"]]
    if locations:
        grant["beneficiaryLocation"] = locations
    if record["target_areas"]:
        grant["classifications"] = [{"vocabulary": TARGET_AREA_VOCABULARY, "code": area["id"], "title": area["name_fi"]} for area in record["target_areas"]]
    grant["additional_data"] = {
        "reference": record["id"],
        "call": record["call"],
        "callTitle": {"fi": record["call_title_fi"], "sv": record["call_title_sv"], "en": record["call_title_en"]},
        "language": record["language"],
        "lead": lead,
        "partners": record["partners"],
        "targetAreas": record["target_areas"],
        "maxShare": record["max_share"],
        "eligibleCostsFrom": record["costs_from"],
        "eligibleCostsUntil": record["costs_until"],
        "fictional": record["fictional"],
        "status": record["status"],
        "amountPaid": record["amount_paid"],
    }
    summary = {language: record[f"final_summary_{language}"] for language in ("fi", "sv", "en")}
    if any(summary.values()):
        grant["additional_data"]["finalReportSummary"] = summary
    if grant["awardDate"] is None:  # a signed decision always has a date; never write an invalid one
        del grant["awardDate"]
    return grant


@dataclass(frozen=True)
class PackageInfo:
    identifier: str
    title: str
    description: str
    download_url: str
    access_url: str
    fictional: bool


def package_head(info: PackageInfo) -> dict:
    configured = settings.PUBLICATION_FUNDER
    publisher = {"name": configured["name"], "identifier": configured["id"]}
    if configured.get("website"):
        publisher["website"] = configured["website"]
    description = info.description
    if info.fictional:
        description = f"{description} {FICTIONAL_MARK}"
    return {
        "version": GIVING_VERSION,
        "identifier": info.identifier,
        "title": info.title,
        "description": description,
        "issued": clock.now().date().isoformat(),
        "publisher": publisher,
        "license": LICENCE_URL,
        "downloadURL": info.download_url,
        "accessURL": info.access_url,
        "fictional": info.fictional,
    }


def giving_stream(grants: QuerySet[Decision], info: PackageInfo) -> Iterator[bytes]:
    """The 360Giving data package, written grant by grant: the package's metadata, then "grants"."""
    head = to_json(package_head(info))
    yield (head[:-1] + ', "grants": [\n').encode("utf-8")
    links = CallLinks()
    first = True
    for decision in each_grant(grants):
        record = queries.grant_record(decision)
        text = to_json(giving_grant(record, links(record["call"])))
        yield (text if first else ",\n" + text).encode("utf-8")
        first = False
    yield b"\n]}\n"


# ── A download that fails halfway ────────────────────────────────────────────

# The last line of a download that failed after it had started: the file cannot pass for complete.
CSV_INTERRUPTED = b"\r\n# ERROR: the download was interrupted by an error on the server; this file is incomplete. Download it again.\r\n"
JSON_INTERRUPTED = b"\n/* ERROR: the download was interrupted by an error on the server; this file is incomplete. Download it again. */\n"


def guarded(chunks: Iterable[bytes], interrupted: bytes) -> Iterator[bytes]:
    """The chunks; when one fails, a last line that says the file is incomplete, and then the error
    again, so that the server aborts the connection instead of ending the response normally (a
    chunked response then lacks its last chunk, and clients report the transfer as broken)."""
    try:
        yield from chunks
    except Exception:
        log.exception("An open data download was interrupted")
        yield interrupted
        raise


def consume(chunks: Iterable[bytes]) -> bytes:
    """All of a stream at once (for tests and small files)."""
    return b"".join(chunks)
