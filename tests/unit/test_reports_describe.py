"""The audit events of reports read as sentences (in English, Finnish and Swedish), and the changes between
two versions of a report are found field by field (pure; no database)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.utils import translation

from kuntadigi.audit.describe import Event, Lookups, describe, known_kinds
from kuntadigi.reports import content, diff

AT = datetime(2022, 12, 1, 9, 0, tzinfo=UTC)
LOOKUPS = Lookups(users={2: "Pekka Preparer"})
RECORDED = {
    "report.scheduled",
    "report.saved",
    "report.attachment_added",
    "report.submitted",
    "report.reviewed",
    "report.supplement_requested",
    "report.approved",
    "project.submit_final_report",
    "project.start_review",
    "project.return_for_supplement",
}


@pytest.mark.parametrize(
    ("action", "after", "expected"),
    [
        ("report.scheduled", {"kind": "final", "due_date": "2023-02-28"}, "Report due: final report by 28 February 2023"),
        ("report.saved", {"kind": "interim", "fields": ["improvement"]}, "Draft of the interim report saved"),
        (
            "report.attachment_added",
            {"kind": "final", "attachment": 4, "name": "vahvistus.pdf", "sha256": "ab" * 32, "size": 9},
            "Confirmation of the auditor or the finance office uploaded: vahvistus.pdf",
        ),
        ("report.submitted", {"kind": "final", "state": "submitted", "version": 1, "supplement": False}, "Final report submitted (version 1)"),
        ("report.submitted", {"kind": "final", "state": "submitted", "version": 2, "supplement": True}, "Supplemented final report submitted (version 2)"),
        ("report.reviewed", {"kind": "final", "part": "financial", "outcome": "passed", "version": 2}, "Financial review of the final report passed"),
        (
            "report.reviewed",
            {"kind": "interim", "part": "substantive", "outcome": "supplement", "version": 1},
            "Substantive review of the interim report: a supplement asked",
        ),
        (
            "report.supplement_requested",
            {"kind": "final", "part": "financial", "message": "Liitä pääkirjaote.", "due_date": "2022-12-15", "request": 3},
            "Supplement to the final report requested by 15 December 2022: Liitä pääkirjaote.",
        ),
        ("report.approved", {"kind": "final", "state": "approved"}, "Final report approved: every review passed"),
        ("project.start_review", {"state": "under_review"}, "The review of the final report began"),
    ],
)
def test_every_report_event_reads_as_a_sentence(action, after, expected):
    described = describe(Event(action, AT, 2, {}, after), LOOKUPS, "en")
    assert described.what == expected
    assert "_" not in described.what and "abab" not in described.what


def test_the_sentences_are_in_finnish_and_swedish():
    event = Event("report.reviewed", AT, 2, {}, {"kind": "final", "part": "substantive", "outcome": "passed", "version": 1})
    assert describe(event, LOOKUPS, "fi").what == "Asiatarkastus hyväksytty (loppuraportti)"
    assert describe(event, LOOKUPS, "sv").what == "Sakgranskning godkänd (slutrapport)"


def test_every_kind_the_reports_record_has_a_sentence():
    assert known_kinds() >= RECORDED


@pytest.fixture
def _english():
    with translation.override("en"):
        yield


def version(**changes) -> dict:
    data = content.empty() | {"improvement": "Asiointi verkossa parani.", "indicators": [{"name": "Verkkoasiointi", "planned": "60", "achieved": "72"}]}
    data["attachments"] = [{"kind": "confirmation", "name": "v.pdf", "sha256": "1" * 64, "size": 9}]
    return data | changes


def test_the_same_version_has_no_changes(_english):
    assert diff.diff(version(), version()) == []


def test_a_changed_text_an_indicator_and_an_attachment_are_found_in_page_order(_english):
    after = version(
        improvement="Asiointi verkossa parani selvästi.",
        indicators=[{"name": "Verkkoasiointi", "planned": "60", "achieved": "75"}],
        attachments=[{"kind": "confirmation", "name": "v2.pdf", "sha256": "2" * 64, "size": 9}],
    )
    changes = diff.diff(version(), after)
    assert [c.field for c in changes] == ["improvement", "indicators", "attachments"]
    assert ("insert", " selvästi") in changes[0].segments
    assert changes[1].removed == ("Verkkoasiointi: planned 60, achieved 72",)
    assert changes[1].added == ("Verkkoasiointi: planned 60, achieved 75",)
    assert [label for label, _items in diff.sections(changes)] == ["What the project achieved", "Indicators, planned and achieved", "Financial part"]
