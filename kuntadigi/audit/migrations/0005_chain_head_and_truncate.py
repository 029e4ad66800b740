"""PostgreSQL: the chain's head under a lock, and TRUNCATE refused like UPDATE and DELETE.

audit_chain_head() takes a transaction-level advisory lock and then reads the last event's hash. Being
VOLATILE, its query takes a fresh snapshot after the lock is granted, so a transaction that waited
sees the event the other one committed and chains to it (services.record). The lock is held until the
recording transaction ends.

Row triggers do not see TRUNCATE, so a statement trigger refuses it. (SQLite has no TRUNCATE.)
"""

from django.db import migrations

# 418313950580 ("audit" in ASCII) is the advisory lock key of the audit chain: any fixed number would do.
POSTGRES_UP = """
CREATE OR REPLACE FUNCTION audit_chain_head() RETURNS varchar AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(418313950580);
  RETURN (SELECT hash FROM audit_auditevent ORDER BY id DESC LIMIT 1);
END;
$$ LANGUAGE plpgsql VOLATILE;
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent
  FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_chain_head();
"""


def up(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP)


def down(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_chain_existing_events")]
    operations = [migrations.RunPython(up, down)]
