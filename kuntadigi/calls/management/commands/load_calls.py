"""Load calls from their data files: `manage.py load_calls [files...]` (default: every data/calls/*.json)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kuntadigi.calls.loader import CallDataError, default_files, read, sync


class Command(BaseCommand):
    help = "Create or update calls from JSON files (default: data/calls/*.json). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="Call files (default: every data/calls/*.json)")

    def handle(self, *args, **options):
        paths = options["files"] or default_files()
        if not paths:
            raise CommandError("No call files found in data/calls/.")
        try:
            # Check every file first, so that one broken file loads nothing.
            checked = [(Path(path).name, read(path)) for path in paths]
            for source, call_data in checked:
                result = sync(call_data, source)
                if result.created:
                    status = "created"
                elif result.changed_anything:
                    status = "updated"
                else:
                    status = "unchanged"
                rows = result.changed
                self.stdout.write(f"{result.slug}: {status} ({rows['created']} rows created, {rows['updated']} updated, {rows['removed']} removed)")
        except CallDataError as error:
            lines = "\n".join(f"  - {problem}" for problem in error.problems)
            raise CommandError(f"{error.source}: the call file is not valid:\n{lines}") from error
