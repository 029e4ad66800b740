"""Two submits of the same application at the same moment give one version: the row lock serialises them."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from kuntadigi import clock
from kuntadigi.applications.models import Submission
from kuntadigi.applications.submission import submit_application
from tests import factories
from tests.integration import submission_data as data


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL; SQLite serialises writers on its own")
def test_simultaneous_submits_make_one_version():
    clock.set_now(factories.DURING_2020)
    call = factories.call()
    app = data.application(call, requested=Decimal("12750.00"))
    user = app.created_by
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(submit_application(user, app.pk))
        except Exception as error:  # collected and reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(result.already_submitted for result in results) == [False, True]
    assert Submission.objects.filter(application=app).count() == 1
