"""Two grants of one call prepared at the same instant cannot together exceed the finalised allocation:
the call row is locked while the remaining allocation is computed; signing twice at once signs once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum

from kuntadigi.applications.errors import Refused
from kuntadigi.audit.models import AuditEvent
from kuntadigi.decisions import services_decisions as services
from kuntadigi.decisions.models import Decision
from tests.concurrency import run_together
from tests.integration import decisions_support as support

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL; SQLite serialises writers on its own"),
]


def data_for(world, key, amount) -> services.DecisionData:
    data = services.defaults_for(world.application(key), world.preparer)
    data.presenter_id, data.presenter_title = world.presenter.pk, "neuvotteleva virkamies"
    data.decision_maker_id, data.decision_maker_title = world.decision_maker.pk, "finanssineuvos"
    data.amount = amount
    data.reduction_reason = data.reduction_reason or "Osa kustannuksista ei ole hyväksyttäviä."  # both may be below the request
    return data


def test_two_grants_at_once_stay_within_the_allocation():
    world = support.build_world(allocation=Decimal("15000.00"))
    sv, fi = data_for(world, "sv", Decimal("10000.00")), data_for(world, "fi", Decimal("10000.00"))

    results = run_together(
        lambda: services.prepare_decision(world.preparer, world.apps["sv"].pk, sv),
        lambda: services.prepare_decision(world.presenter, world.apps["fi"].pk, fi),
    )

    refused = [r for r in results if isinstance(r, Refused)]
    assert len(refused) == 1 and "left of the call's allocation" in refused[0].message, results
    assert Decision.objects.aggregate(total=Sum("amount"))["total"] == Decimal("10000.00")


def test_signing_twice_at_once_signs_once():
    world = support.build_world()
    services.prepare_decision(world.preparer, world.apps["fi"].pk, data_for(world, "fi", Decimal("10000.00")))

    results = run_together(
        lambda: services.sign_decision(world.decision_maker, world.apps["fi"].pk),
        lambda: services.sign_decision(world.decision_maker, world.apps["fi"].pk),
    )

    assert sum(isinstance(r, Refused) for r in results) == 1, results
    assert AuditEvent.objects.filter(action="decision.sign").count() == 1
    assert world.application("fi").state == "granted"
