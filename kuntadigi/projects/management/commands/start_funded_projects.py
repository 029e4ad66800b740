"""Start every accepted project whose account is given and whose eligible-cost period has begun.

Daily (cron or a systemd timer, like apply_municipal_mergers): a project accepted and given its account
before its period begins starts on the period's first day. Idempotent: a running project is left alone.
"""

from django.core.management.base import BaseCommand

from kuntadigi.projects import services
from kuntadigi.reports import services_reports


class Command(BaseCommand):
    help = "Start every accepted funded project whose account is given and whose eligible-cost period has begun (safe to run again)."

    def handle(self, *args, **options):
        started = services.start_due()
        self.stdout.write(f"Funded projects started: {started}")
        self.stdout.write(f"Reports made: {services_reports.make_missing()}")
