"""Load the reference data of the registry from data/:

- municipalities-2020.csv: the 19 regions and the 310 municipalities of 2020;
- municipal-language-2013-2022.csv: each municipality's linguistic status (kielilaki 423/2003, 5 §);
- municipal-mergers-2019-2023.csv: the mergers of the programme's years: the merged municipality's
  last day and its successor (a municipality missing from the 2020 list, such as Valtimo, is created
  as a historical one, in its successor's region);
- municipal-legal-names.csv: the legal names in Finnish and Swedish ("Mäntyharjun kunta" /
  "Mäntyharju kommun"). They fill only a legal name the registry does not have yet: a name an
  official set on the registry page is kept.

Then the parties of decided applications are brought up to date with the mergers that have taken
effect (applications.parties.apply_municipal_mergers).

Idempotent: rows are matched on their code; a second run changes nothing and creates nothing.
"""

import csv
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from kuntadigi import clock
from kuntadigi.registry.models import Organisation, Region

DATA = Path(settings.BASE_DIR) / "data"
DEFAULT_FILE = DATA / "municipalities-2020.csv"
LANGUAGE_FILE = DATA / "municipal-language-2013-2022.csv"
MERGERS_FILE = DATA / "municipal-mergers-2019-2023.csv"
LEGAL_NAMES_FILE = DATA / "municipal-legal-names.csv"
POPULATION_YEAR = 2019
COLUMNS = {"code", "name_fi", "name_sv", "population_2019", "region_code", "region_fi", "region_sv", "region_en"}
LANGUAGE_COLUMNS = {"code", "language_status", "majority_language", "sami_language_area"}
MERGER_COLUMNS = {"effective_date", "merged_code", "merged_name_fi", "merged_name_sv", "successor_code"}
LEGAL_NAME_COLUMNS = {"code", "legal_name_fi", "legal_name_sv", "kind_fi"}
# The ending each legal name has, by the kind of municipality (kunta / kaupunki).
LEGAL_NAME_ENDINGS = {"kunta": ("kunta", "kommun"), "kaupunki": ("kaupunki", "stad")}


def _sync(model, lookup: dict, values: dict) -> str:
    """Create or update one row; 'created', 'updated' or 'unchanged'. Saves only what differs."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        model.objects.create(**lookup, **values)
        return "created"
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if not changed:
        return "unchanged"
    for name in changed:
        setattr(obj, name, values[name])
    obj.save(update_fields=changed)
    return "updated"


def read_rows(path: Path, columns: set[str]) -> list[dict]:
    if not path.exists():
        raise CommandError(f"File not found: {path}")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = columns - set(reader.fieldnames or [])
        if missing:
            raise CommandError(f"{path.name}: missing columns: {', '.join(sorted(missing))}")
        return [{key: (value or "").strip() for key, value in row.items()} for row in reader]


def _code(path: Path, line: int, value: str) -> str:
    if len(value) != 3 or not value.isdigit():
        raise CommandError(f"{path.name}, line {line}: the municipality code must be three digits, got {value!r}.")
    return value


def language_values(path: Path, line: int, row: dict) -> dict:
    """The language fields of one row of the language file, checked."""
    status = row["language_status"]
    if status not in {"0", "1", "2", "3"}:
        raise CommandError(f"{path.name}, line {line}: language_status must be 0, 1, 2 or 3, got {status!r}.")
    majority = row["majority_language"]
    expected = "fi" if status in {"0", "1"} else "sv"
    if majority != expected:
        raise CommandError(f"{path.name}, line {line}: language_status {status} has the majority language {expected}, got {majority!r}.")
    if row["sami_language_area"] not in {"0", "1"}:
        raise CommandError(f"{path.name}, line {line}: sami_language_area must be 0 or 1.")
    return {"language_status": int(status), "majority_language": majority, "sami_language_area": row["sami_language_area"] == "1"}


def legal_name_problem(row: dict) -> str | None:
    """What is wrong with one row of the legal names file, or None."""
    kind = row["kind_fi"]
    if kind not in LEGAL_NAME_ENDINGS:
        return f"kind_fi must be kunta or kaupunki, got {kind!r}"
    fi_ending, sv_ending = LEGAL_NAME_ENDINGS[kind]
    if not row["legal_name_fi"].endswith(f" {fi_ending}"):
        return f"the Finnish legal name of a {kind} ends in '{fi_ending}': {row['legal_name_fi']!r}"
    if not row["legal_name_sv"].endswith(f" {sv_ending}"):
        return f"the Swedish legal name of a {kind} ends in '{sv_ending}': {row['legal_name_sv']!r}"
    return None


class Command(BaseCommand):
    help = (
        "Load the regions and municipalities of 2020 (Statistics Finland, CC BY 4.0), their languages, the mergers "
        "of 2019-2023 and the legal names, then apply the mergers to decided applications. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(DEFAULT_FILE), help="CSV file (default: data/municipalities-2020.csv)")

    def handle(self, *args, **options):
        path = Path(options["file"])
        rows = read_rows(path, COLUMNS)
        language_rows = read_rows(LANGUAGE_FILE, LANGUAGE_COLUMNS)
        merger_rows = read_rows(MERGERS_FILE, MERGER_COLUMNS)
        legal_rows = read_rows(LEGAL_NAMES_FILE, LEGAL_NAME_COLUMNS)

        counts = {what: {"created": 0, "updated": 0, "unchanged": 0} for what in ("regions", "municipalities", "languages", "mergers")}
        with transaction.atomic():
            regions: dict[str, Region] = {}
            for row in rows:
                code = row["region_code"]
                if code in regions:
                    continue
                names = {f"name_{lang}": row[f"region_{lang}"] for lang in ("fi", "sv", "en")}
                result = _sync(Region, {"code": code}, names)
                counts["regions"][result] += 1
                regions[code] = Region.objects.get(code=code)
            for line, row in enumerate(rows, start=2):
                code = _code(path, line, row["code"])
                try:
                    population = int(row["population_2019"])
                except ValueError as error:
                    raise CommandError(f"{path.name}, line {line}: population is not a whole number.") from error
                values = {
                    "kind": Organisation.Kind.MUNICIPALITY,
                    "name_fi": row["name_fi"],
                    "name_sv": row["name_sv"] or row["name_fi"],
                    "region_id": regions[row["region_code"]].pk,
                    "population": population,
                    "population_year": POPULATION_YEAR,
                }
                counts["municipalities"][_sync(Organisation, {"municipality_code": code}, values)] += 1

            for line, row in enumerate(language_rows, start=2):
                code = _code(LANGUAGE_FILE, line, row["code"])
                if not Organisation.objects.filter(municipality_code=code).exists():
                    raise CommandError(f"{LANGUAGE_FILE.name}, line {line}: no municipality has the code {code}.")
                counts["languages"][_sync(Organisation, {"municipality_code": code}, language_values(LANGUAGE_FILE, line, row))] += 1

            for line, row in enumerate(merger_rows, start=2):
                counts["mergers"][self._merge(line, row)] += 1

            filled = self._legal_names(legal_rows)

        for what, result in counts.items():
            total = sum(result.values())
            self.stdout.write(f"{what}: {total} in the file, {result['created']} created, {result['updated']} updated, {result['unchanged']} unchanged")
        self.stdout.write(f"legal names: {len(legal_rows)} in the file, {filled} filled in")

        from kuntadigi.applications.parties import apply_municipal_mergers

        recorded = apply_municipal_mergers(clock.now())
        self.stdout.write(f"mergers applied to decided applications: {recorded} new successions recorded")

    def _merge(self, line: int, row: dict) -> str:
        """One merger: the merged municipality ends the day before `effective_date` and its successor
        carries on. A municipality missing from the 2020 list is created as a historical one."""
        try:
            effective = date.fromisoformat(row["effective_date"])
        except ValueError as error:
            raise CommandError(f"{MERGERS_FILE.name}, line {line}: effective_date must be a date (YYYY-MM-DD).") from error
        code = _code(MERGERS_FILE, line, row["merged_code"])
        successor = Organisation.objects.filter(municipality_code=_code(MERGERS_FILE, line, row["successor_code"])).first()
        if successor is None:
            raise CommandError(f"{MERGERS_FILE.name}, line {line}: the successor {row['successor_code']} is not in the registry.")
        values = {"valid_until": date.fromordinal(effective.toordinal() - 1), "successor_id": successor.pk}
        if not Organisation.objects.filter(municipality_code=code).exists():
            # A municipality that no longer existed in 2020: its successor's region, no population figure.
            values.update(
                kind=Organisation.Kind.MUNICIPALITY,
                name_fi=row["merged_name_fi"],
                name_sv=row["merged_name_sv"] or row["merged_name_fi"],
                region_id=successor.region_id,
            )
        return _sync(Organisation, {"municipality_code": code}, values)

    def _legal_names(self, legal_rows: list[dict]) -> int:
        """Fill the legal names the registry does not have; returns how many organisations got one."""
        municipalities = {org.municipality_code: org for org in Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY)}
        seen: set[str] = set()
        filled = 0
        for line, row in enumerate(legal_rows, start=2):
            code = _code(LEGAL_NAMES_FILE, line, row["code"])
            problem = legal_name_problem(row)
            if problem:
                raise CommandError(f"{LEGAL_NAMES_FILE.name}, line {line}: {problem}.")
            if code in seen:
                raise CommandError(f"{LEGAL_NAMES_FILE.name}, line {line}: the code {code} is there twice.")
            seen.add(code)
            org = municipalities.get(code)
            if org is None:
                raise CommandError(f"{LEGAL_NAMES_FILE.name}, line {line}: no municipality has the code {code}.")
            changed = [name for name in ("legal_name_fi", "legal_name_sv") if not getattr(org, name)]
            for name in changed:
                setattr(org, name, row[name])
            if changed:
                org.save(update_fields=changed)
                filled += 1
        return filled
