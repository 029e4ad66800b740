"""Simultaneous changes: references stay unique and in sequence, and of two saves made from the same
version exactly one lands (the row locks serialise them)."""

import threading

import pytest
from django.db import connection, connections

from kuntadigi import clock
from kuntadigi.applications import drafting
from kuntadigi.applications.models import Application
from tests import factories

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL; SQLite serialises writers on its own"),
]


def run_together(functions):
    barrier = threading.Barrier(len(functions))
    results, errors = [], []

    def run(function):
        try:
            barrier.wait()
            results.append(function())
        except Exception as error:  # collected and checked by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(function,)) for function in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results, errors


def test_simultaneous_starts_get_distinct_references_in_sequence():
    clock.set_now(factories.DURING_2020)
    call = factories.call()
    leads = [factories.municipality() for _ in range(5)]
    users = [factories.member(lead) for lead in leads]
    results, errors = run_together([lambda u=u, lead=lead: drafting.start_application(u, call, lead, "fi") for u, lead in zip(users, leads, strict=True)])
    assert errors == [] and len(results) == 5
    assert sorted(Application.objects.values_list("reference", flat=True)) == [f"DIGI-2020-{n:04d}" for n in range(1, 6)]


def test_two_saves_from_the_same_version_one_wins_the_other_is_stale():
    clock.set_now(factories.DURING_2020)
    call = factories.call()
    lead = factories.municipality()
    user = factories.member(lead)
    application = drafting.start_application(user, call, lead, "fi")
    results, errors = run_together(
        [lambda text=text: drafting.save_draft(user, Application.objects.get(pk=application.pk), {"objectives": text}, 1) for text in ("A", "B")]
    )
    assert len(results) == 1 and len(errors) == 1 and isinstance(errors[0], drafting.StaleVersion)
    application.refresh_from_db()
    assert application.version == 2
    assert application.objectives == results[0][0].objectives
