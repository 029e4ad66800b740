"""Make the funded project of every signed grant decision that has none yet (idempotent).

Signing a grant makes its project in the same transaction (kuntadigi.decisions.services_decisions);
this command is for grants signed before projects existed, and for decisions written directly by the
bulk demo generator. A command rather than a data migration: it runs the same service as the signing
(one audit event 'project.created' per project, the service as its actor), and it can be run again
at any time without making a second project.
"""

from django.core.management.base import BaseCommand

from kuntadigi.projects import services
from kuntadigi.reports import services_reports


class Command(BaseCommand):
    help = "Make the funded project of every signed grant decision that has none yet (safe to run again)."

    def handle(self, *args, **options):
        made = services.create_missing()
        self.stdout.write(f"Funded projects made: {made}")
        self.stdout.write(f"Reports made: {services_reports.make_missing()}")
