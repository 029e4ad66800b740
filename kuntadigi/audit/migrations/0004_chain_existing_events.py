"""Chain the events written before the hash chain existed, in id order, so that old trails verify.

The append-only triggers refuse the UPDATE, so this migration (run by the tables' owner) sets them
aside for its own transaction and puts them back before it commits. The hashes are computed by the
same pure function as services.record (kuntadigi/audit/chain.py, a stored format).
"""

import importlib

from django.db import migrations

from kuntadigi.audit import chain

BATCH = 2000


def _fields(event) -> chain.EventFields:
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


def chain_existing(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    if not AuditEvent.objects.exists():
        return
    connection = schema_editor.connection
    triggers = importlib.import_module("kuntadigi.audit.migrations.0002_append_only_triggers")
    if connection.vendor == "postgresql":
        # ALTER TABLE is refused while deferred checks of this transaction are pending: run them now.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_no_update")
    elif connection.vendor == "sqlite":
        for statement in triggers.SQLITE_DOWN:
            schema_editor.execute(statement)
    previous = chain.GENESIS
    batch = []
    # The rows are read with the model and written with plain SQL: the model's queryset refuses updates.
    with connection.cursor() as cursor:
        for event in AuditEvent.objects.order_by("id").iterator(chunk_size=BATCH):
            digest = chain.event_hash(_fields(event), previous)
            batch.append((previous, digest, event.pk))
            previous = digest
            if len(batch) >= BATCH:
                cursor.executemany("UPDATE audit_auditevent SET previous_hash = %s, hash = %s WHERE id = %s", batch)
                batch = []
        if batch:
            cursor.executemany("UPDATE audit_auditevent SET previous_hash = %s, hash = %s WHERE id = %s", batch)
    if connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_no_update")
    elif connection.vendor == "sqlite":
        for statement in triggers.SQLITE_UP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_event_hashes")]
    operations = [migrations.RunPython(chain_existing, migrations.RunPython.noop)]
