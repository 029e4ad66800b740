"""A draft's save locks its own application row only: never the call's row or the lead's, which every
other application of the call (or of the lead) needs too. At a deadline hundreds of drafts of one call
are saved at once; a lock on the call would make each save wait for all the others."""

import psycopg
import pytest
from django.db import connection, transaction

from kuntadigi import clock
from kuntadigi.applications import drafting
from tests import factories

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL; SQLite serialises writers on its own"),
]


def lock_now(table: str, pk: int) -> bool:
    """Whether another connection can lock the row at once (FOR UPDATE NOWAIT)."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=False) as other:
        try:
            other.execute(f"SELECT id FROM {table} WHERE id = %s FOR UPDATE NOWAIT", [pk])  # noqa: S608 (fixed table names)
        except psycopg.errors.LockNotAvailable:
            return False
        finally:
            other.rollback()
    return True


def test_saving_a_draft_locks_the_application_but_not_its_call_or_lead():
    clock.set_now(factories.DURING_2020)
    call = factories.call()
    lead = factories.municipality()
    user = factories.member(lead)
    application = drafting.start_application(user, call, lead, "fi")
    with transaction.atomic():
        drafting._lock(application)
        assert not lock_now("applications_application", application.pk)
        assert lock_now("calls_call", call.pk)
        assert lock_now("registry_organisation", lead.pk)


def test_two_drafts_of_one_call_and_lead_are_saved_while_the_other_is_locked():
    clock.set_now(factories.DURING_2020)
    call = factories.call()
    lead = factories.municipality()
    user = factories.member(lead)
    first = drafting.start_application(user, call, lead, "fi")
    second = drafting.start_application(user, call, lead, "fi")
    with transaction.atomic():
        drafting._lock(first)
        assert lock_now("applications_application", second.pk)
