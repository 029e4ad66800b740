"""A payment batch cannot change once exported, in the database itself and not only in the services
(kuntadigi/payments/services_batches.py): the bank has the file.

- A payment in an exported (or paid) batch keeps its batch, project, request, amount, account and end-to-end
  id; no payment is put into such a batch.
- An exported batch keeps its call, number, due date, export and files; it only goes on to paid (state,
  value date, who marked it and when), and a paid batch stays as it is.
UPDATE triggers only: deleting is refused by the foreign keys (PROTECT), and the tests' flush still empties
the tables."""

from django.db import migrations

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION payment_in_exported_batch() RETURNS trigger AS $$
BEGIN
  IF (OLD.batch_id IS DISTINCT FROM NEW.batch_id OR OLD.project_id IS DISTINCT FROM NEW.project_id
      OR OLD.request_id IS DISTINCT FROM NEW.request_id OR OLD.amount IS DISTINCT FROM NEW.amount
      OR OLD.iban IS DISTINCT FROM NEW.iban OR OLD.bic IS DISTINCT FROM NEW.bic
      OR OLD.end_to_end_id IS DISTINCT FROM NEW.end_to_end_id)
     AND EXISTS (SELECT 1 FROM payments_paymentbatch b WHERE b.id IN (OLD.batch_id, NEW.batch_id) AND b.state <> 'open') THEN
    RAISE EXCEPTION 'A payment batch cannot change once exported';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER payment_in_exported_batch BEFORE UPDATE ON payments_payment
  FOR EACH ROW EXECUTE FUNCTION payment_in_exported_batch();

CREATE OR REPLACE FUNCTION payment_batch_exported() RETURNS trigger AS $$
BEGIN
  IF OLD.state <> 'open' AND (
       NEW.state = 'open' OR (OLD.state = 'paid' AND ROW(NEW.state, NEW.value_date, NEW.paid_by_id, NEW.paid_marked_at)
                                                IS DISTINCT FROM ROW(OLD.state, OLD.value_date, OLD.paid_by_id, OLD.paid_marked_at))
       OR ROW(NEW.call_id, NEW.number, NEW.due_date, NEW.exported_by_id, NEW.exported_at, NEW.message_id, NEW.total,
              NEW.credit_transfer_file, NEW.credit_transfer_sha256, NEW.accounting_file, NEW.accounting_sha256)
          IS DISTINCT FROM
          ROW(OLD.call_id, OLD.number, OLD.due_date, OLD.exported_by_id, OLD.exported_at, OLD.message_id, OLD.total,
              OLD.credit_transfer_file, OLD.credit_transfer_sha256, OLD.accounting_file, OLD.accounting_sha256)) THEN
    RAISE EXCEPTION 'A payment batch cannot change once exported';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER payment_batch_exported BEFORE UPDATE ON payments_paymentbatch
  FOR EACH ROW EXECUTE FUNCTION payment_batch_exported();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS payment_in_exported_batch ON payments_payment;
DROP FUNCTION IF EXISTS payment_in_exported_batch();
DROP TRIGGER IF EXISTS payment_batch_exported ON payments_paymentbatch;
DROP FUNCTION IF EXISTS payment_batch_exported();
"""
SQLITE_UP = [
    """CREATE TRIGGER payment_in_exported_batch BEFORE UPDATE ON payments_payment
  WHEN (OLD.batch_id IS NOT NEW.batch_id OR OLD.project_id IS NOT NEW.project_id OR OLD.request_id IS NOT NEW.request_id
        OR OLD.amount IS NOT NEW.amount OR OLD.iban IS NOT NEW.iban OR OLD.bic IS NOT NEW.bic OR OLD.end_to_end_id IS NOT NEW.end_to_end_id)
   AND EXISTS (SELECT 1 FROM payments_paymentbatch b WHERE b.id IN (OLD.batch_id, NEW.batch_id) AND b.state <> 'open')
  BEGIN SELECT RAISE(ABORT, 'A payment batch cannot change once exported'); END;""",
    """CREATE TRIGGER payment_batch_exported BEFORE UPDATE ON payments_paymentbatch
  WHEN OLD.state <> 'open' AND (
       NEW.state = 'open'
       OR (OLD.state = 'paid' AND (NEW.state IS NOT OLD.state OR NEW.value_date IS NOT OLD.value_date
                                   OR NEW.paid_by_id IS NOT OLD.paid_by_id OR NEW.paid_marked_at IS NOT OLD.paid_marked_at))
       OR NEW.call_id IS NOT OLD.call_id OR NEW.number IS NOT OLD.number OR NEW.due_date IS NOT OLD.due_date
       OR NEW.exported_by_id IS NOT OLD.exported_by_id OR NEW.exported_at IS NOT OLD.exported_at OR NEW.message_id IS NOT OLD.message_id
       OR NEW.total IS NOT OLD.total OR NEW.credit_transfer_file IS NOT OLD.credit_transfer_file
       OR NEW.credit_transfer_sha256 IS NOT OLD.credit_transfer_sha256 OR NEW.accounting_file IS NOT OLD.accounting_file
       OR NEW.accounting_sha256 IS NOT OLD.accounting_sha256)
  BEGIN SELECT RAISE(ABORT, 'A payment batch cannot change once exported'); END;""",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS payment_in_exported_batch;", "DROP TRIGGER IF EXISTS payment_batch_exported;"]


def up(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_UP:
            schema_editor.execute(statement)


def down(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_DOWN:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_payments")]
    operations = [migrations.RunPython(up, down)]
