"""Record the successions that municipal mergers brought to decided applications (run daily).

From the day a party of a decided application merged into another municipality, the successor is
the party: this records that once per party in the audit trail (`application.party_succeeded`).
Safe to run any number of times; `load_reference_data` runs it too.
"""

from django.core.management.base import BaseCommand

from kuntadigi import clock
from kuntadigi.applications.parties import apply_municipal_mergers


class Command(BaseCommand):
    help = "Record once, in the audit trail, each decided application's party that a municipal merger has replaced by its successor. Run daily."

    def handle(self, *args, **options):
        recorded = apply_municipal_mergers(clock.now())
        self.stdout.write(f"{recorded} new successions recorded")
