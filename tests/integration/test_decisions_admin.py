"""The admin shows decisions, proposals and allocations for reading only: changes go through the services."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from kuntadigi.decisions import services_decisions as services
from kuntadigi.decisions.models import Decision
from tests import factories
from tests.integration import decisions_support as support


@pytest.fixture
def world(db):
    return support.build_world()


def test_a_system_administrator_reads_but_cannot_change_a_decision(client, world):
    app = world.apps["fi"]
    data = services.defaults_for(app, world.preparer)
    data.presenter_id, data.presenter_title = world.presenter.pk, "neuvotteleva virkamies"
    data.decision_maker_id, data.decision_maker_title = world.decision_maker.pk, "finanssineuvos"
    decision = services.prepare_decision(world.preparer, app.pk, data)
    client.force_login(factories.user("admin@vm.fi", is_staff=True, is_superuser=True))
    with translation.override("en"):
        changelist = reverse("admin:decisions_decision_changelist")
        change = reverse("admin:decisions_decision_change", args=[decision.pk])
        add = reverse("admin:decisions_decision_add")

    assert client.get(changelist).status_code == 200
    page = client.get(change)
    assert page.status_code == 200 and app.reference in page.content.decode()
    assert client.post(change, {"amount": "1"}).status_code == 403
    assert client.get(add).status_code == 403
    assert Decision.objects.get(pk=decision.pk).amount == decision.amount
    for name in ("admin:decisions_proposal_changelist", "admin:decisions_allocation_changelist"):
        with translation.override("en"):
            assert client.get(reverse(name)).status_code == 200
