"""The audit trail is append-only: neither the ORM nor raw SQL can change or remove an event.

The ORM refuses in AuditEvent/AuditEventQuerySet; the database refuses through the triggers of
kuntadigi/audit/migrations/0002 (SQLite and PostgreSQL). CI runs this file on both databases.
"""

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from kuntadigi.audit import services
from kuntadigi.audit.models import AppendOnlyError, AuditEvent
from tests import factories


@pytest.fixture
def event(db):
    organisation = factories.municipality("Auditkylä")
    return services.record(None, "organisation.created", organisation, after={"name": "Auditkylä"})


def _stored(pk: int) -> tuple[str, dict]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT action, object_type FROM audit_auditevent WHERE id = %s", [pk])
        row = cursor.fetchone()
    return row


def test_record_appends_an_event(event):
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.action == "organisation.created"
    assert stored.object_type == "registry.organisation"
    assert stored.after == {"name": "Auditkylä"}
    assert stored.actor is None


def test_orm_cannot_update_an_event(event):
    event.action = "organisation.deleted"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="organisation.deleted")
    assert _stored(event.pk) == ("organisation.created", "registry.organisation")


def test_orm_cannot_delete_an_event(event):
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_raw_sql_update_is_refused_by_the_database(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditevent SET action = %s WHERE id = %s", ["organisation.deleted", event.pk])
    assert _stored(event.pk) == ("organisation.created", "registry.organisation")


def test_raw_sql_delete_is_refused_by_the_database(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert _stored(event.pk) is not None


def test_queryset_raw_delete_is_refused_by_the_database(event):
    """Even Django's internal bulk delete, which skips the model's delete(), hits the trigger."""
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk)._raw_delete(using="default")
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_triggers_hold_outside_a_transaction_and_survive_a_test_flush():
    """In autocommit mode too; and the test database's flush (tests/conftest.py) keeps the triggers."""
    organisation = factories.municipality("Flushby")
    services.record(None, "organisation.created", organisation)
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()

    organisation = factories.municipality("Flushby")
    kept = services.record(None, "organisation.created", organisation)
    with pytest.raises(DatabaseError, match="append-only"), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = %s WHERE id = %s", ["x", kept.pk])
    with pytest.raises(DatabaseError, match="append-only"), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [kept.pk])
    assert _stored(kept.pk) == ("organisation.created", "registry.organisation")
