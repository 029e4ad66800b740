"""Walk the audit trail's hash chain in id order and report the first broken link.

    manage.py verify_audit

Exit status 0 when every event chains to the one before it and its hash matches its content; 1
(with the event's id and the expected and found hashes) at the first event that does not.
"""

from django.core.management.base import BaseCommand, CommandError

from kuntadigi.audit import chain
from kuntadigi.audit.models import AuditEvent

FIELDS = ("id", "at", "actor_id", "action", "object_type", "object_id", "application_id", "before", "after", "previous_hash", "hash")


def _rows():
    for row in AuditEvent.objects.order_by("id").values_list(*FIELDS).iterator(chunk_size=2000):
        event_id, at, actor_id, action, object_type, object_id, application_id, before, after, previous_hash, stored_hash = row
        fields = chain.EventFields(at, actor_id, action, object_type, object_id, application_id, before, after)
        yield event_id, fields, previous_hash, stored_hash


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain; report the first broken link and exit 1 if there is one."

    def handle(self, *args, **options):
        count, broken = chain.first_broken_link(_rows())
        if broken is None:
            self.stdout.write(f"The audit trail is intact: {count} event{'' if count == 1 else 's'}, each chained to the one before it.")
            return
        if broken.what == "previous_hash":
            problem = "its link to the event before it does not match (an event before it was removed, added or reordered)"
        else:
            problem = "its hash does not match its content (the event was changed)"
        raise CommandError(
            f"The audit trail is broken at event id {broken.event_id}: {problem}. "
            f"Expected {broken.what} {broken.expected}, found {broken.found or '(empty)'}. "
            f"Events verified before it: {count - 1}."
        )
