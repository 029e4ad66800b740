from django.db import connection, models, transaction

from kuntadigi import clock

from . import chain
from .models import AuditEvent

# On PostgreSQL, audit_chain_head() (migration 0005) takes a transaction-level advisory lock and then
# reads the last event's hash with a fresh snapshot, in one round trip: two transactions recording at
# once take turns, and the second chains to the first's event. SQLite serialises writers itself
# (BEGIN IMMEDIATE, settings.py), so there a plain read of the last hash is enough.
_POSTGRES_HEAD = "SELECT audit_chain_head()"
_HEAD = "SELECT hash FROM audit_auditevent ORDER BY id DESC LIMIT 1"


def _chain_head() -> str:
    with connection.cursor() as cursor:
        cursor.execute(_POSTGRES_HEAD if connection.vendor == "postgresql" else _HEAD)
        row = cursor.fetchone()
    return (row[0] if row else None) or chain.GENESIS


def record(actor, action: str, obj: models.Model, *, application_id: int | None = None, before=None, after=None) -> AuditEvent:
    """Append one event. Call it inside the use case's transaction so that both land or neither.

    The event is chained to the one before it (kuntadigi/audit/chain.py): one query for the chain's
    head, one for the insert. On PostgreSQL the lock behind the head is held until the caller's
    transaction ends, so recording transactions take turns from here to their commit.
    """
    event = AuditEvent(
        at=clock.now(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        application_id=application_id,
        before=before or {},
        after=after or {},
    )
    with transaction.atomic(savepoint=False):
        event.previous_hash = _chain_head()
        event.hash = chain.event_hash(fields_of(event), event.previous_hash)
        event.save(force_insert=True)
    return event


# Someone at the ministry read an application, one of its attachments or one of its documents.
READ = "application.read"


def record_read(user, application, what: str, obj: models.Model | None = None, *, as_official: bool = False, **details) -> AuditEvent | None:
    """Record who read what of the application, and when (`what`: see READ_KINDS; `obj` the attachment,
    version or document read, the application by default). Applicants' own reads are not recorded: a
    reader who acts for one of the application's organisations is skipped, unless the page is an
    officials' page (`as_official`). Reads stay out of the application's timeline (screening.timeline)."""
    from kuntadigi import permissions

    if not getattr(user, "is_authenticated", False):
        return None
    if not as_official and permissions.is_application_member(user, application):
        return None
    return record(user, READ, obj if obj is not None else application, application_id=application.pk, after={"read": what, **details})


def record_list_read(user, call, what: str, application_ids: list[int]) -> AuditEvent | None:
    """An export of an officials' list of the call's applications: one `application.read` event for the
    export (on the call), naming how many applications it held and which (`after.applications`)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return record(user, READ, call, after={"read": what, "count": len(application_ids), "applications": list(application_ids)})


def fields_of(event) -> chain.EventFields:
    """The hashed fields of an event (a model instance, or a historical one in a migration)."""
    return chain.EventFields(
        at=event.at,
        actor_id=event.actor_id,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        application_id=event.application_id,
        before=event.before,
        after=event.after,
    )
