"""Queue the PDF task again for every signed decision whose document is not stored yet (e.g. after a
worker failed), and, with --notify, the notification of every signed decision not yet notified."""

from django.core.management.base import BaseCommand

from kuntadigi.decisions.models import Decision
from kuntadigi.decisions.tasks import notify_decision, render_decision_pdf


class Command(BaseCommand):
    help = "Queue the rendering of signed decisions without a stored document (and, with --notify, their notification)."

    def add_arguments(self, parser):
        parser.add_argument("--notify", action="store_true", help="Also queue the notification of signed decisions with a document but not yet notified.")

    def handle(self, *args, notify=False, **options):
        missing = list(Decision.objects.filter(state=Decision.State.SIGNED, document_sha256="").values_list("pk", flat=True))
        for pk in missing:
            render_decision_pdf.enqueue(pk)
        unnotified = []
        if notify:
            unnotified = list(
                Decision.objects.filter(state=Decision.State.SIGNED, notified_at__isnull=True).exclude(document_sha256="").values_list("pk", flat=True)
            )
            for pk in unnotified:
                notify_decision.enqueue(pk)
        self.stdout.write(f"{len(missing)} document(s) and {len(unnotified)} notification(s) queued")
