"""The officials' follow-up lists of a call's funded projects run as many queries for 12 running projects as
for 3: the payment review list, the overdue list and the payment batches list. Data from `manage.py
generate_bulk` and kuntadigi/demo/bulk_projects.py, as bench/followup_bench.py makes it at 10,000."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from kuntadigi import clock
from kuntadigi.accounts.models import User
from kuntadigi.calls.models import Call, CallRole
from kuntadigi.demo import bulk_projects
from kuntadigi.payments.lifecycle import State as RequestState
from kuntadigi.payments.models import Payment, PaymentBatch, PaymentRequest
from kuntadigi.projects.models import FundedProject
from kuntadigi.reports.lifecycle import State as ReportState
from kuntadigi.reports.models import Report
from tests import factories

pytestmark = pytest.mark.django_db

NOW = datetime(2023, 3, 1, 10, 0, tzinfo=factories.HKI)
LISTS = ("payment_review:list", "followup:overdue", "payments_batches:list")


@pytest.fixture
def reference_data(db):
    call_command("load_reference_data", verbosity=0, stdout=io.StringIO())
    call_command("load_calls", verbosity=0, stdout=io.StringIO())
    approver = User.objects.create_user(email="maksaja@example.fi", is_official=True)
    yield approver
    clock.reset()


def running(slug: str, count: int, approver) -> Call:
    call_command("generate_bulk", call=slug, count=count, seed=13, funded_share=1, drafts_share=0, ineligible_share=0, publish=True, stdout=io.StringIO())
    call = Call.objects.get(slug=slug)
    CallRole.objects.create(call=call, user=approver, role=CallRole.Role.PAYMENT_APPROVER)
    clock.set_now(NOW)
    bulk_projects.give_payer(call)
    bulk_projects.running_projects(call, now=NOW)
    bulk_projects.fill(call, preparer=preparer_of(call), approver=approver, now=NOW, paid_batch_size=2)
    return call


def preparer_of(call: Call) -> User:
    return CallRole.objects.get(call=call, role=CallRole.Role.PREPARER).user


def query_counts(client, call: Call) -> dict[str, int]:
    client.force_login(preparer_of(call))
    counts = {}
    for name in LISTS:
        with translation.override("en"):
            url = reverse(name, args=[call.slug])
        assert client.get(url).status_code == 200  # the session and the roles, once
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        counts[name] = len(captured)
    return counts


def test_the_generated_projects_are_what_the_lists_show(reference_data):
    call = running("digi-2021", 12, reference_data)
    projects = FundedProject.objects.filter(application__call=call)
    assert projects.count() == 12 and not projects.exclude(state="running").exists() and not projects.filter(iban="").exists()
    requests = PaymentRequest.objects.filter(project__application__call=call)
    assert requests.filter(state=RequestState.APPROVED).count() == 12
    assert requests.filter(state=RequestState.SUBMITTED).count() == 6 and requests.filter(state=RequestState.CHECKED).count() == 3
    payments = Payment.objects.filter(project__application__call=call)
    assert payments.count() == 12 and payments.filter(batch__state=PaymentBatch.State.PAID).count() == 10
    assert Report.objects.filter(project__application__call=call, state=ReportState.DRAFT).count() == 3  # projects 0, 5 and 10


def test_the_follow_up_lists_take_the_same_queries_for_3_and_12_projects(client, reference_data):
    few = running("digi-2019-2", 3, reference_data)
    many = running("digi-2021", 12, reference_data)
    assert query_counts(client, few) == query_counts(client, many)
    client.force_login(preparer_of(many))
    with translation.override("en"):
        review = client.get(reverse("payment_review:list", args=[many.slug])).context["follow_up"]
        overdue = client.get(reverse("followup:overdue", args=[many.slug])).context["overdue"]
        batches = list(client.get(reverse("payments_batches:list", args=[many.slug])).context["batches"])
    assert len(review.to_check) == 6 and len(review.to_approve) == 3
    assert len(overdue.reports) == 3 and len(overdue.payment_requests) == 3  # submitted 30 days ago: i % 4 == 0
    assert len(batches) == 5 and all(batch.state == PaymentBatch.State.PAID for batch in batches)
