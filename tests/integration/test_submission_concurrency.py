"""Two submits of the same application at the same moment give one version: the row lock serialises them.

The second submitter waits for the first one's transaction, then finds the application submitted and is
told so ("already submitted at ..."), in the service and through two simultaneous HTTP requests.
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kuntadigi import clock
from kuntadigi.applications.lifecycle import State
from kuntadigi.applications.models import Submission
from kuntadigi.applications.submission import submit_application
from kuntadigi.audit.models import AuditEvent
from tests import factories
from tests.concurrency import run_together
from tests.integration import submission_data as data

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL; SQLite serialises writers on its own"),
]


def _ready_application():
    clock.set_now(factories.DURING_2020)
    call = factories.call()
    return data.application(call, requested=Decimal("12750.00"))


def _assert_one_version(app):
    app.refresh_from_db()
    assert app.state == State.SUBMITTED
    assert app.version == 2
    assert Submission.objects.filter(application=app).count() == 1
    assert AuditEvent.objects.filter(action="application.submit", application_id=app.pk).count() == 1


def test_simultaneous_submits_make_one_version_and_tell_the_second_submitter():
    app = _ready_application()
    user = app.created_by

    results = run_together(lambda: submit_application(user, app.pk), lambda: submit_application(user, app.pk))

    assert not [result for result in results if isinstance(result, Exception)], results
    first, second = sorted(results, key=lambda result: result.already_submitted)
    assert (first.already_submitted, first.message, first.problems) == (False, "", [])
    assert second.already_submitted is True
    assert second.submission == first.submission  # sent to the one receipt
    assert _already_message(first.submission) == second.message
    _assert_one_version(app)


def _already_message(submission) -> str:
    from kuntadigi.core.templatetags.kd import helsinki

    with translation.override("en"):
        return f"The application was already submitted at {helsinki(submission.submitted_at)}."


def test_two_simultaneous_submit_requests_give_one_version_and_two_clear_answers():
    app = _ready_application()
    user = app.created_by
    with translation.override("en"):
        url = reverse("applications:submit", args=[app.pk])
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(user)

    responses = run_together(*[lambda client=client: client.post(url) for client in clients])

    assert not [response for response in responses if isinstance(response, Exception)], responses
    submission = Submission.objects.get(application=app)
    with translation.override("en"):
        receipt = reverse("applications:receipt", args=[app.pk, submission.number])
    assert [(response.status_code, response.url) for response in responses] == [(302, receipt), (302, receipt)]
    pages = [client.get(receipt).content.decode() for client in clients]
    told = sorted(("The application has been submitted." in page, _already_message(submission) in page) for page in pages)
    assert told == [(False, True), (True, False)]  # one was told it submitted, the other that it was already submitted
    _assert_one_version(app)
