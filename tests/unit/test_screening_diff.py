"""What changed between two submitted versions (pure; no database)."""

from __future__ import annotations

import copy

import pytest
from django.utils import translation

from kuntadigi.screening import diff
from tests.unit.test_screening_rules import BASE, org


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def changed(**changes):
    data = copy.deepcopy(BASE)
    data.update(changes)
    return data


def only(changes, name):
    found = [change for change in changes if change.field == name]
    assert len(found) == 1, [c.field for c in changes]
    return found[0]


def test_the_same_content_has_no_changes():
    assert diff.diff(BASE, copy.deepcopy(BASE)) == []


def test_a_text_change_gives_before_after_and_word_pieces():
    after = changed(objectives="Kokoukset verkossa ja päätökset avoimesti.")
    changes = diff.diff(BASE, after)
    assert [c.field for c in changes] == ["objectives"]
    change = changes[0]
    assert change.kind == diff.TEXT
    assert change.section == "texts"
    assert change.label == "Objectives and the concrete improvement"
    assert (change.before, change.after) == ("Kokoukset verkossa.", "Kokoukset verkossa ja päätökset avoimesti.")
    assert change.segments == (("equal", "Kokoukset verkossa"), ("insert", " ja päätökset avoimesti"), ("equal", "."))


def test_word_pieces_show_a_replaced_word_as_deleted_then_inserted():
    assert diff.text_segments("yksi kaksi kolme", "yksi neljä kolme") == (("equal", "yksi "), ("delete", "kaksi"), ("insert", "neljä"), ("equal", " kolme"))
    assert "".join(text for op, text in diff.text_segments("a b", "c d e") if op != "delete") == "c d e"
    assert "".join(text for op, text in diff.text_segments("a b", "c d e") if op != "insert") == "a b"


def test_target_areas_as_removed_and_added_items_with_names():
    change = only(diff.diff(BASE, changed(target_areas=[3, 5]), area_names={2: "Kokoukset", 3: "Osallistuminen", 5: "Palvelut"}), "target_areas")
    assert change.kind == diff.LIST
    assert change.removed == ("2. Kokoukset",)
    assert change.added == ("5. Palvelut",)
    assert change.before == ("2. Kokoukset", "3. Osallistuminen")


def test_partners_added_and_removed():
    after = changed(partners=[org("Lapinjärvi", "407", confirmed_at=None)])
    change = only(diff.diff(BASE, after), "partners")
    assert change.removed == ("Loviisa",)
    assert change.added == ("Lapinjärvi",)


def test_a_partners_new_confirmation_alone_is_not_a_change_of_partners():
    after = changed(partners=[org("Loviisa", "434", confirmed_at="2020-11-01T09:00:00+00:00")])
    assert diff.diff(BASE, after) == []


def test_budget_lines_and_requested_grant():
    lines = copy.deepcopy(BASE["budget"])
    lines[1]["amount"] = "6000.00"
    after = changed(budget=lines, requested_grant="13600.00")
    changes = diff.diff(BASE, after, category_names={"services": "Ostopalvelut", "staff": "Henkilöstökulut"})
    budget = only(changes, "budget")
    assert budget.removed == ("Loviisa – Ostopalvelut – Koulutus – 5,000.00\u00a0€",)
    assert budget.added == ("Loviisa – Ostopalvelut – Koulutus – 6,000.00\u00a0€",)
    grant = only(changes, "requested_grant")
    assert (grant.before, grant.after) == ("12,750.00\u00a0€", "13,600.00\u00a0€")
    with translation.override("sv"):  # Finnish and Swedish pages write sums the Finnish way
        grant = only(diff.diff(BASE, after), "requested_grant")
        assert (grant.before, grant.after) == ("12\u00a0750,00\u00a0€", "13\u00a0600,00\u00a0€")


def test_an_identical_budget_line_twice_counts_twice():
    line = BASE["budget"][0]
    change = only(diff.diff(BASE, changed(budget=[*BASE["budget"], dict(line)])), "budget")
    assert change.removed == ()
    assert change.added == ("Porvoo – staff – Projektipäällikkö – 10,000.00\u00a0€",)


def test_attachments_by_name_and_content():
    first = {"name": "plan.pdf", "content_type": "application/pdf", "size": 9, "sha256": "a" * 64, "description": ""}
    same_name_new_content = {**first, "sha256": "b" * 64}
    before = changed(attachments=[first])
    change = only(diff.diff(before, changed(attachments=[same_name_new_content])), "attachments")
    assert change.removed == (f"plan.pdf (SHA-256 {'a' * 64})",)
    assert change.added == (f"plan.pdf (SHA-256 {'b' * 64})",)
    # A new description alone does not change the file.
    assert diff.diff(before, changed(attachments=[{**first, "description": "Suunnitelma"}])) == []


def test_schedule_contact_and_declaration_as_values():
    after = changed(end_date="2022-06-30", contact={"name": "Maija", "email": "maija@porvoo.fi", "phone": "040 1"}, declaration_not_excluded=False)
    changes = diff.diff(BASE, after)
    assert [c.field for c in changes] == ["end_date", "contact.email", "contact.phone", "declaration_not_excluded"]
    end = only(changes, "end_date")
    assert (end.before, end.after, end.kind) == ("31 October 2022", "30 June 2022", diff.VALUE)
    with translation.override("fi"):
        end = only(diff.diff(BASE, after), "end_date")
        assert (end.before, end.after) == ("31.10.2022", "30.6.2022")
    assert only(changes, "contact.phone").before == ""
    assert only(changes, "declaration_not_excluded").after == "not given"


def test_changes_grouped_by_section_in_page_order():
    after = changed(requested_grant="12000.00", project_name="Avoimempi kunta", end_date="2022-06-30")
    grouped = diff.sections(diff.diff(BASE, after))
    assert [label for label, _items in grouped] == ["Project", "Schedule", "Cost estimate (excluding VAT)"]


def test_only_the_changes_of_the_reopened_parts():
    after = changed(
        target_areas=[2, 4],
        end_date="2022-06-30",
        partners=[org("Lapinjärvi", "407")],
        requested_grant="13000.00",
        summary="Toinen yhteenveto.",
    )
    changes = diff.diff(BASE, after)
    # Loviisa's cost line now names no organisation of the application: a budget change too.
    assert [c.field for c in diff.in_parts(changes, ["budget"])] == ["budget", "requested_grant"]
    assert [c.field for c in diff.in_parts(changes, ["target_areas", "partners"])] == ["target_areas", "partners"]
    assert diff.in_parts(changes, ["schedule", "project"]) == []  # no reason needed, not shown in this view
