"""Send the reminders due today, each once, and delete old message records. Run daily (cron or a
systemd timer; see docs/operations.md). Safe to run any number of times, and two runs at once."""

from django.core.management.base import BaseCommand, CommandError

from kuntadigi import clock
from kuntadigi.notifications import reminders, reminders_followup

KINDS = ("reminder_draft", "reminder_confirmation", "reminder_supplement", *reminders_followup.KINDS)


class Command(BaseCommand):
    help = (
        "Send the reminders due now (drafts not submitted and partners not confirmed 7 days and 1 day before a call closes; "
        "requests for supplement the day before they are due; funded projects' reports 14 and 3 days before they are due and weekly "
        "when overdue, and grants not yet accepted 7 days and 1 day before the acceptance date), each once, and delete message records older than "
        "KUNTADIGI_MESSAGE_RETENTION_DAYS. Run daily."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what would be sent and deleted; send and delete nothing.")

    def handle(self, *args, dry_run: bool = False, **options):
        summary = reminders.run(clock.now(), dry_run=dry_run)
        verb = "would be sent" if dry_run else "sent"
        for kind in KINDS:
            self.stdout.write(f"{kind}: {summary.sent.get(kind, 0)} {verb}")
        self.stdout.write(f"message records older than the retention period {'to delete' if dry_run else 'deleted'}: {summary.deleted_messages}")
        if summary.failed:
            # A non-zero exit, so that cron's mail or the systemd unit's failed state tells the operators.
            raise CommandError(f"reminders that could not be sent (see the log; the next run tries them again): {summary.failed}")
