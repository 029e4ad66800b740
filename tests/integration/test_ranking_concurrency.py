"""Proposals, filling and finalising of one call happen one at a time: the call row is locked."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum

from kuntadigi import clock
from kuntadigi.applications.errors import Refused
from kuntadigi.decisions import services_ranking
from kuntadigi.decisions.models import Allocation, Proposal
from tests import factories
from tests.concurrency import run_together
from tests.integration import ranking_support as data

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL; SQLite serialises writers on its own"),
]


@pytest.fixture
def world():
    clock.set_now(factories.CLOSES_2020 + (factories.CLOSES_2020 - factories.OPENS_2020) / 10)
    call = factories.call(appropriation=Decimal("30000.00"))
    preparer = data.role(call, "preparer")
    apps = [data.application(call, requested=amount) for amount in ("20000.00", "10000.00", "5000.00")]
    return call, preparer, apps


def test_simultaneous_proposals_for_all_make_one_proposal_each(world):
    call, preparer, _apps = world

    results = run_together(
        lambda: services_ranking.propose_requested_for_all(preparer, call),
        lambda: services_ranking.propose_requested_for_all(preparer, call),
    )

    assert sorted(results) == [0, 3]
    assert Proposal.objects.count() == 3


def test_finalising_while_an_amount_changes_keeps_the_total_true(world):
    call, preparer, apps = world
    services_ranking.propose(preparer, call, apps[0].pk, Decimal("20000.00"), "")
    services_ranking.propose(preparer, call, apps[1].pk, Decimal("10000.00"), "")
    services_ranking.propose(preparer, call, apps[2].pk, Decimal("0.00"), "Ei mahdu.")

    results = run_together(
        lambda: services_ranking.finalise(preparer, call),
        lambda: services_ranking.propose(preparer, call, apps[1].pk, Decimal("5000.00"), "Osittain."),
    )

    assert not any(isinstance(result, Exception) and not isinstance(result, Refused) for result in results), results
    allocation = Allocation.objects.get(call=call)
    assert allocation.total == Proposal.objects.aggregate(total=Sum("amount"))["total"]
