"""Close every settled project whose balance is paid, whose excess is returned in full, or whose balance is zero.

Daily (cron or a systemd timer, like start_funded_projects): a balance payment is paid when its batch
is marked paid, which the payments pages do; this closes the project the day after at the latest.
Idempotent: a closed project is left alone, and one still waiting for its money stays settled.
"""

from django.core.management.base import BaseCommand

from kuntadigi.projects import services_settlement


class Command(BaseCommand):
    help = "Close settled projects whose balance is paid or returned (safe to run again)."

    def handle(self, *args, **options):
        closed = services_settlement.close_due()
        self.stdout.write(f"Projects closed: {closed}")
