"""Simultaneous answers to a request for supplement give one new version, and a mark given while a
request is being sent waits for it: the application's row lock serialises them."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections

from kuntadigi import clock
from kuntadigi.applications.errors import Refused
from kuntadigi.applications.models import Submission
from kuntadigi.screening import services
from kuntadigi.screening.models import Screening, SupplementRequest
from tests.integration import screening_support as support

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL; SQLite serialises writers on its own"),
]


def run_together(*calls):
    barrier = threading.Barrier(len(calls))
    results, errors = [], []

    def run(call):
        try:
            barrier.wait()
            results.append(call())
        except Exception as error:  # collected and reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results, errors


def test_simultaneous_answers_make_one_version():
    world = support.World()
    services.request_supplement(world.preparer, world.app.pk, ["schedule"], "Aikataulu.", clock.now() + timedelta(days=7))
    results, errors = run_together(lambda: services.submit_supplement(world.lead, world.app.pk), lambda: services.submit_supplement(world.lead, world.app.pk))
    assert errors == []
    assert sorted(result.already_submitted for result in results) == [False, True]
    assert Submission.objects.filter(application=world.app).count() == 2
    assert SupplementRequest.objects.get().answer.number == 2


def test_a_request_and_a_mark_at_once_one_wins():
    world = support.World()
    results, errors = run_together(
        lambda: services.request_supplement(world.preparer, world.app.pk, ["schedule"], "Aikataulu.", clock.now() + timedelta(days=7)),
        lambda: services.mark_application(world.preparer, world.app.pk, "eligible", "Kunnossa."),
    )
    assert len(results) == 1
    assert len(errors) == 1 and isinstance(errors[0], Refused)
    stored = (SupplementRequest.objects.exists(), Screening.objects.exists())
    assert stored in {(True, False), (False, True)}
    assert world.refresh().state == ("supplement_requested" if stored[0] else "eligible")
