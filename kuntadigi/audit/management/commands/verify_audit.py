"""Walk the audit trail's hash chain in id order and report the first broken link.

    manage.py verify_audit [--anchor ID:HASH ...]

A chain alone cannot show that its newest events were cut off (or the table rolled back to an older
copy): what is left still chains. So an intact run prints the head, "Head: ID:HASH", to be kept outside
the database (the daily cron report, the ministry's case file); a later run given that anchor checks that
the event is still there with the same hash, and so that nothing up to it was removed.

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


def _anchor(value: str) -> tuple[int, str]:
    event_id, _, expected = value.partition(":")
    if not event_id.isdigit() or len(expected) != 64:
        raise CommandError(f"An anchor is ID:HASH as printed by an earlier run, not {value!r}.")
    return int(event_id), expected


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain; report the first broken link and exit 1 if there is one."

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchor",
            action="append",
            default=[],
            metavar="ID:HASH",
            help="a head printed by an earlier run and kept outside the database; the event must still be there with that hash",
        )

    def handle(self, *args, **options):
        anchors = [_anchor(value) for value in options["anchor"]]
        count, broken = chain.first_broken_link(_rows())
        if broken is None:
            for event_id, expected in anchors:
                found = AuditEvent.objects.filter(pk=event_id).values_list("hash", flat=True).first()
                if found != expected:
                    raise CommandError(
                        f"The audit trail does not reach the anchor: event id {event_id} should have hash {expected}, "
                        f"found {found or '(no such event)'}. Events were removed from its end or the table was rolled back."
                    )
            self.stdout.write(f"The audit trail is intact: {count} event{'' if count == 1 else 's'}, each chained to the one before it.")
            head = AuditEvent.objects.order_by("-id").values_list("id", "hash").first()
            if head is not None:
                self.stdout.write(f"Head: {head[0]}:{head[1]} (keep it outside the database and pass it as --anchor next time)")
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
