"""data/municipal-legal-names.csv, compiled for the project: its form, checked against the registry's
reference data (every municipality once, each legal name ending as its kind requires)."""

import csv
from pathlib import Path

from kuntadigi.registry.management.commands.load_reference_data import LEGAL_NAME_ENDINGS, legal_name_problem

DATA = Path(__file__).resolve().parents[2] / "data"


def rows(name: str) -> list[dict]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_municipality_of_the_registry_is_there_once():
    codes = [row["code"] for row in rows("municipal-legal-names.csv")]
    registry = {row["code"] for row in rows("municipalities-2020.csv")} | {row["merged_code"] for row in rows("municipal-mergers-2019-2023.csv")}
    assert len(codes) == len(set(codes)), "a code is there twice"
    assert set(codes) == registry
    assert len(codes) == 311  # the 310 of 2020 and Valtimo


def test_each_name_ends_as_its_kind_requires():
    problems = [(row["code"], legal_name_problem(row)) for row in rows("municipal-legal-names.csv") if legal_name_problem(row)]
    assert problems == []
    for row in rows("municipal-legal-names.csv"):
        fi_ending, sv_ending = LEGAL_NAME_ENDINGS[row["kind_fi"]]
        assert row["legal_name_fi"].endswith(" " + fi_ending) and row["legal_name_sv"].endswith(" " + sv_ending)
        assert row["legal_name_fi"] == row["legal_name_fi"].strip() and "  " not in row["legal_name_fi"] + row["legal_name_sv"]


def test_the_kinds_are_the_cities_of_2020():
    kinds = {row["code"]: row["kind_fi"] for row in rows("municipal-legal-names.csv")}
    assert sum(kind == "kaupunki" for kind in kinds.values()) == 107
    assert kinds["091"] == kinds["287"] == kinds["478"] == kinds["214"] == "kaupunki"  # Helsinki, Kristiinankaupunki, Maarianhamina, Kankaanpää
    assert kinds["507"] == kinds["170"] == kinds["099"] == kinds["911"] == "kunta"  # Mäntyharju, Jomala, Honkajoki, Valtimo


def test_the_problem_check_catches_a_wrong_ending():
    assert legal_name_problem({"kind_fi": "kunta", "legal_name_fi": "Mäntyharjun kaupunki", "legal_name_sv": "Mäntyharju kommun"})
    assert legal_name_problem({"kind_fi": "kaupunki", "legal_name_fi": "Helsingin kaupunki", "legal_name_sv": "Helsingfors kommun"})
    assert legal_name_problem({"kind_fi": "kylä", "legal_name_fi": "X", "legal_name_sv": "Y"})
    assert legal_name_problem({"kind_fi": "kunta", "legal_name_fi": "Mäntyharjun kunta", "legal_name_sv": "Mäntyharju kommun"}) is None


def test_some_names_known_to_be_hard():
    names = {row["code"]: (row["legal_name_fi"], row["legal_name_sv"]) for row in rows("municipal-legal-names.csv")}
    assert names["398"] == ("Lahden kaupunki", "Lahtis stad")
    assert names["405"] == ("Lappeenrannan kaupunki", "Villmanstrands stad")
    assert names["235"] == ("Kauniaisten kaupunki", "Grankulla stad")
    assert names["743"][0] == "Seinäjoen kaupunki"
    assert names["078"] == ("Hangon kaupunki", "Hangö stad")
    assert names["139"][0] == "Iin kunta"
    assert names["231"] == ("Kaskisten kaupunki", "Kaskö stad")
    assert names["936"][0] == "Virtain kaupunki"
    assert names["176"][0] == "Juuan kunta"
    assert names["284"][0] == "Kosken Tl kunta"
    assert names["599"] == ("Pedersören kunta", "Pedersöre kommun")
