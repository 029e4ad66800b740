"""Load the 19 regions and the 310 municipalities of 2020 from data/municipalities-2020.csv.

Idempotent: rows are matched on their code; a second run changes nothing and creates nothing.
"""

import csv
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from kuntadigi.registry.models import Organisation, Region

DEFAULT_FILE = Path(settings.BASE_DIR) / "data" / "municipalities-2020.csv"
POPULATION_YEAR = 2019
COLUMNS = {"code", "name_fi", "name_sv", "population_2019", "region_code", "region_fi", "region_sv", "region_en"}


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


class Command(BaseCommand):
    help = "Load the regions and municipalities of 2020 (Statistics Finland, CC BY 4.0). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(DEFAULT_FILE), help="CSV file (default: data/municipalities-2020.csv)")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"File not found: {path}")
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = COLUMNS - set(reader.fieldnames or [])
            if missing:
                raise CommandError(f"{path.name}: missing columns: {', '.join(sorted(missing))}")
            rows = list(reader)

        counts = {"regions": {"created": 0, "updated": 0, "unchanged": 0}, "municipalities": {"created": 0, "updated": 0, "unchanged": 0}}
        with transaction.atomic():
            regions: dict[str, Region] = {}
            for row in rows:
                code = row["region_code"].strip()
                if code in regions:
                    continue
                names = {f"name_{lang}": row[f"region_{lang}"].strip() for lang in ("fi", "sv", "en")}
                result = _sync(Region, {"code": code}, names)
                counts["regions"][result] += 1
                regions[code] = Region.objects.get(code=code)
            for line, row in enumerate(rows, start=2):
                code = row["code"].strip()
                if len(code) != 3 or not code.isdigit():
                    raise CommandError(f"{path.name}, line {line}: the municipality code must be three digits, got {code!r}.")
                try:
                    population = int(row["population_2019"])
                except ValueError as error:
                    raise CommandError(f"{path.name}, line {line}: population is not a whole number.") from error
                values = {
                    "kind": Organisation.Kind.MUNICIPALITY,
                    "name_fi": row["name_fi"].strip(),
                    "name_sv": row["name_sv"].strip() or row["name_fi"].strip(),
                    "region_id": regions[row["region_code"].strip()].pk,
                    "population": population,
                    "population_year": POPULATION_YEAR,
                }
                counts["municipalities"][_sync(Organisation, {"municipality_code": code}, values)] += 1

        for what, result in counts.items():
            total = sum(result.values())
            self.stdout.write(f"{what}: {total} in the file, {result['created']} created, {result['updated']} updated, {result['unchanged']} unchanged")
