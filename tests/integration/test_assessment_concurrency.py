"""Simultaneous requests on PostgreSQL: row locks keep spreading, assigning and submitting consistent."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.utils import translation

from kuntadigi.applications.errors import Refused
from kuntadigi.assessment import services
from kuntadigi.assessment.models import Assignment
from kuntadigi.audit.models import AuditEvent
from tests.integration import assessment_data as data

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL; SQLite serialises writers on its own"),
]


def _twice(action) -> tuple[list, list]:
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            with translation.override("en"):
                results.append(action())
        except Exception as error:  # collected and checked by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results, errors


def test_simultaneous_spreads_give_each_application_its_number_once():
    w = data.world()
    results, errors = _twice(lambda: services.spread(w.preparer, w.call, 2))
    assert errors == []
    assert sorted(len(outcome.created) for outcome in results) == [0, 4]
    for app in (w.app_a, w.app_b):
        assert Assignment.objects.filter(application=app).count() == 2
    assert AuditEvent.objects.filter(action="assessment.assigned").count() == 4


def test_simultaneous_assignments_of_the_same_pair_make_one():
    w = data.world()
    results, errors = _twice(lambda: services.assign(w.preparer, w.app_a.pk, w.anna.pk))
    assert len(results) == 1
    assert len(errors) == 1 and isinstance(errors[0], Refused)
    assert Assignment.objects.filter(application=w.app_a, assessor=w.anna).count() == 1


def test_simultaneous_submits_of_one_assessment_submit_it_once():
    w = data.world()
    assignment = services.assign(w.preparer, w.app_a.pk, w.anna.pk)
    results, errors = _twice(lambda: data.score_all(w.anna, assignment, [3, 4, 5]))
    assert len(results) == 1
    assert len(errors) == 1 and "can no longer be changed" in str(errors[0])
    assert AuditEvent.objects.filter(action="assessment.submitted").count() == 1
