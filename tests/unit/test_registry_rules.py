"""The registry's pure rules: official languages, legal names, validity on the municipal map,
successors after mergers and the reason a call refuses a merged municipality."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from kuntadigi.applications import rules as application_rules
from kuntadigi.registry import rules

HKI = ZoneInfo("Europe/Helsinki")


@pytest.mark.parametrize(
    ("status", "majority", "expected"),
    [
        (0, "fi", ("fi",)),
        (1, "fi", ("fi", "sv")),
        (2, "sv", ("sv",)),
        (3, "sv", ("sv", "fi")),
        (None, "", ("fi",)),  # a joint municipal authority without data
        (None, "sv", ("sv",)),
    ],
)
def test_official_languages_majority_first(status, majority, expected):
    assert rules.official_languages(status, majority) == expected


def test_legal_name_falls_back_to_the_other_language_then_to_the_name():
    assert rules.legal_name("sv", "Mäntyharjun kunta", "Mäntyharju kommun", "Mäntyharju") == "Mäntyharju kommun"
    assert rules.legal_name("fi", "Mäntyharjun kunta", "Mäntyharju kommun", "Mäntyharju") == "Mäntyharjun kunta"
    assert rules.legal_name("sv", "Itä-Uudenmaan kuntayhtymä", "", "Östra Nyland") == "Itä-Uudenmaan kuntayhtymä"
    assert rules.legal_name("fi", "", "Kristinestads stad", "Kristiinankaupunki") == "Kristinestads stad"
    assert rules.legal_name("fi", "", "", "Kristiinankaupunki") == "Kristiinankaupunki"


def test_validity_includes_both_ends():
    until = date(2020, 12, 31)
    assert rules.is_valid_on(None, until, date(2020, 12, 31))
    assert not rules.is_valid_on(None, until, date(2021, 1, 1))
    assert rules.is_valid_on(None, None, date(1900, 1, 1))
    assert not rules.is_valid_on(date(2021, 1, 1), None, date(2020, 12, 31))
    assert rules.is_valid_on(date(2021, 1, 1), None, date(2021, 1, 1))


def test_opening_day_is_the_day_in_helsinki():
    # 13.11.2019 at 00.30 in Helsinki is still 12.11. in UTC.
    assert rules.helsinki_day(datetime(2019, 11, 12, 22, 30, tzinfo=ZoneInfo("UTC"))) == date(2019, 11, 13)


# A small map: 1 Honkajoki merged into 2 Kankaanpää on 1.1.2021; 2 then (hypothetically) into 3 on 1.1.2023.
MAP = {1: (date(2020, 12, 31), 2), 2: (date(2022, 12, 31), 3), 3: (None, None), 4: (None, None)}


def step(node):
    return MAP[node]


def test_the_successor_takes_over_on_the_day_after_the_last_day():
    assert rules.successor_as_of(1, date(2020, 12, 31), step) == 1
    assert rules.successor_as_of(1, date(2021, 1, 1), step) == 2
    assert rules.successor_as_of(4, date(2030, 1, 1), step) == 4


def test_a_chain_of_mergers_is_followed_to_its_end():
    assert rules.succession(1, date(2023, 6, 1), step) == [(1, 2, date(2021, 1, 1)), (2, 3, date(2023, 1, 1))]
    assert rules.successor_as_of(1, date(2023, 6, 1), step) == 3
    assert rules.succession(1, date(2022, 6, 1), step) == [(1, 2, date(2021, 1, 1))]


def test_a_loop_of_successors_is_a_data_error():
    loop = {1: (date(2020, 12, 31), 2), 2: (date(2020, 12, 31), 1)}
    with pytest.raises(ValueError, match="loop"):
        rules.successor_as_of(1, date(2021, 1, 1), lambda node: loop[node])


def test_a_merged_municipality_is_refused_naming_the_merger():
    reason = rules.not_valid_reason("Honkajoki", None, date(2020, 12, 31), "Kankaanpää", date(2021, 3, 1))
    assert reason == "Honkajoki merged into Kankaanpää on 1 January 2021 and cannot take part in this call."
    assert rules.not_valid_reason("Honkajoki", None, date(2020, 12, 31), "Kankaanpää", date(2020, 6, 25)) is None


def test_other_reasons_name_the_dates():
    assert rules.not_valid_reason("Uusikunta", date(2021, 1, 1), None, None, date(2020, 6, 25)) == (
        "Uusikunta exists only from 1 January 2021 and cannot take part in this call."
    )
    assert rules.not_valid_reason("Vanhakunta", None, date(2019, 12, 31), None, date(2020, 6, 25)) == (
        "Vanhakunta existed until 31 December 2019 and cannot take part in this call."
    )


def test_the_reason_is_translated():
    with translation.override("fi"):
        reason = rules.not_valid_reason("Honkajoki", None, date(2020, 12, 31), "Kankaanpää", date(2021, 3, 1))
    assert reason == "Honkajoki liitettiin 1.1.2021 kuntaan Kankaanpää eikä voi osallistua tähän hakuun."
    with translation.override("sv"):
        reason = rules.not_valid_reason("Honkajoki", None, date(2020, 12, 31), "Kankaanpää", date(2021, 3, 1))
    assert reason == "Honkajoki slogs samman med Kankaanpää den 1.1.2021 och kan inte delta i den här utlysningen."


def test_party_label_notes_the_predecessor():
    assert rules.party_label("Kankaanpää", "Honkajoki", date(2020, 12, 31)) == "Kankaanpää (Honkajoki until 31 December 2020)"
    assert rules.party_label("Kankaanpää") == "Kankaanpää"
    with translation.override("sv"):
        assert rules.party_label("Kankaanpää", "Honkajoki", date(2020, 12, 31)) == "Kankaanpää (Honkajoki till 31.12.2020)"


def test_submission_refuses_each_party_that_did_not_exist_on_the_opening_day():
    parties = [
        application_rules.PartyOnTheMap(role="lead", name="Pori"),
        application_rules.PartyOnTheMap(role="partner", name="Honkajoki", valid_until=date(2020, 12, 31), successor_name="Kankaanpää"),
        application_rules.PartyOnTheMap(role="partner", name="Ulvila"),
    ]
    problems = application_rules.check_parties_exist(parties, date(2021, 3, 1))
    assert [(p.field, p.code, p.message) for p in problems] == [
        ("partners", "not_on_the_map", "Honkajoki merged into Kankaanpää on 1 January 2021 and cannot take part in this call.")
    ]
    assert application_rules.check_parties_exist(parties, date(2020, 6, 25)) == []
    lead = [application_rules.PartyOnTheMap(role="lead", name="Valtimo", valid_until=date(2019, 12, 31), successor_name="Nurmes")]
    assert [p.field for p in application_rules.check_parties_exist(lead, date(2020, 6, 25))] == ["lead"]
