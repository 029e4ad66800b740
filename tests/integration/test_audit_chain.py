"""The audit trail's hash chain in the database: record() chains, verify_audit finds a broken link,
the migration chains old events, and two transactions recording at once do not fork the chain."""

import importlib
import re
import time

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from kuntadigi.audit import chain, services
from kuntadigi.audit.models import AuditEvent
from tests import factories
from tests.concurrency import run_together

TRIGGERS = importlib.import_module("kuntadigi.audit.migrations.0002_append_only_triggers")
CHAINING = importlib.import_module("kuntadigi.audit.migrations.0004_chain_existing_events")


def _record_three():
    organisation = factories.municipality("Ketjula")
    return [services.record(None, f"organisation.step{n}", organisation, after={"n": n, "share": 0.85}) for n in range(3)]


def _as_owner_update(sql: str, params: list) -> None:
    """What only the tables' owner can do: set the append-only trigger aside for one statement."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE waits for no deferred check
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_no_update")
            cursor.execute(sql, params)
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_no_update")
        else:
            for statement in TRIGGERS.SQLITE_DOWN:
                cursor.execute(statement)
            cursor.execute(sql, params)
            for statement in TRIGGERS.SQLITE_UP:
                cursor.execute(statement)


class _Editor:
    """What the migration's function uses of a schema editor: its connection and execute(). (SQLite's
    real schema editor cannot be opened inside the test's transaction.)"""

    connection = connection

    def execute(self, statement):
        with connection.cursor() as cursor:
            cursor.execute(statement)


def _verify() -> str:
    from io import StringIO

    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_each_event_carries_the_hash_of_the_one_before():
    first, second, third = _record_three()
    stored = list(AuditEvent.objects.filter(pk__in=[first.pk, second.pk, third.pk]).order_by("id"))
    assert stored[0].previous_hash == chain.GENESIS
    assert stored[1].previous_hash == stored[0].hash and stored[2].previous_hash == stored[1].hash
    for event in stored:
        assert event.hash == chain.event_hash(services.fields_of(event), event.previous_hash)


@pytest.mark.django_db
def test_an_intact_chain_verifies():
    _record_three()
    assert "intact: 3 events" in _verify()


@pytest.mark.django_db
def test_an_event_changed_by_the_owner_is_reported_as_the_first_broken_link():
    _, second, _ = _record_three()
    _as_owner_update("UPDATE audit_auditevent SET after = %s WHERE id = %s", ['{"n": 1, "share": 0.5}', second.pk])
    with pytest.raises(CommandError) as refused:
        _verify()
    message = str(refused.value)
    assert f"broken at event id {second.pk}" in message
    assert "does not match its content" in message
    assert f"found {second.hash}" in message
    assert "Events verified before it: 1." in message


@pytest.mark.django_db
def test_a_removed_event_is_reported_at_the_next_one():
    first, second, third = _record_three()
    _as_owner_update("DELETE FROM audit_auditevent WHERE id = %s", [second.pk])
    with pytest.raises(CommandError, match=f"broken at event id {third.pk}: its link to the event before it") as refused:
        _verify()
    assert f"Expected previous_hash {first.hash}, found {second.hash}" in str(refused.value)


def test_verify_audit_exits_non_zero_on_a_broken_chain(db):
    """As a command line: status 1, and the message on standard error."""
    _, second, _ = _record_three()
    _as_owner_update("UPDATE audit_auditevent SET action = %s WHERE id = %s", ["organisation.hidden", second.pk])
    with pytest.raises(SystemExit) as exited:
        from django.core.management import ManagementUtility

        ManagementUtility(["manage.py", "verify_audit"]).execute()
    assert exited.value.code == 1


@pytest.mark.django_db
def test_the_migration_chains_events_written_before_the_chain_in_id_order():
    organisation = factories.municipality("Vanhala")
    with connection.cursor() as cursor:
        for n in range(3):
            cursor.execute(
                "INSERT INTO audit_auditevent (at, action, object_type, object_id, before, after, previous_hash, hash)"
                " VALUES (%s, %s, 'registry.organisation', %s, '{}', %s, '', '')",
                [f"2019-12-0{3 - n}T10:00:00+00:00", f"old.{n}", str(organisation.pk), f'{{"n": {n}}}'],
            )
    with pytest.raises(CommandError, match="broken"):
        _verify()
    CHAINING.chain_existing(apps, _Editor())
    assert "intact: 3 events" in _verify()
    services.record(None, "new.event", organisation)
    assert "intact: 4 events" in _verify()
    # The triggers are back after the migration.
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'x'")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the advisory lock is PostgreSQL's; SQLite serialises writers on its own")
@pytest.mark.django_db(transaction=True)
def test_two_transactions_recording_at_once_do_not_fork_the_chain():
    organisation = factories.municipality("Samaanaikala")

    def slow():
        with transaction.atomic():
            services.record(None, "concurrent.slow", organisation)
            time.sleep(1.0)  # holds the chain's head until it commits

    def quick():
        time.sleep(0.3)  # starts while the slow one holds its transaction open
        with transaction.atomic():
            services.record(None, "concurrent.quick", organisation)

    assert run_together(slow, quick) == [None, None]
    slow_event, quick_event = AuditEvent.objects.order_by("id")
    assert (slow_event.action, quick_event.action) == ("concurrent.slow", "concurrent.quick")
    assert quick_event.previous_hash == slow_event.hash
    assert "intact: 2 events" in _verify()


def test_record_adds_one_query_for_the_chain(db, django_assert_num_queries):
    organisation = factories.municipality("Laskula")
    with transaction.atomic(), django_assert_num_queries(2):  # the chain's head (under its lock), the insert
        services.record(None, "organisation.counted", organisation)


@pytest.mark.django_db
def test_events_cut_from_the_end_are_found_by_the_anchor_an_earlier_run_printed():
    _record_three()
    printed = _verify()
    head = re.search(r"Head: (\d+:[0-9a-f]{64})", printed).group(1)
    assert _verify().count(head) == 1  # the same head while nothing was added
    newest = AuditEvent.objects.order_by("-id").first()
    _as_owner_update("DELETE FROM audit_auditevent WHERE id = %s", [newest.pk])
    assert "intact" in _verify()  # what is left still chains: the chain alone cannot tell
    with pytest.raises(CommandError, match=f"event id {newest.pk} should have hash .* found \\(no such event\\)"):
        call_command("verify_audit", anchor=[head])


@pytest.mark.django_db
def test_an_anchor_is_id_and_hash():
    with pytest.raises(CommandError, match="An anchor is ID:HASH"):
        call_command("verify_audit", anchor=["12"])
