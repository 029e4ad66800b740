"""The shared builder of published results (publication_support.published_world) builds what it says."""

from decimal import Decimal

import pytest

from kuntadigi.publication import queries
from tests.integration.publication_support import amount, published_world

pytestmark = pytest.mark.django_db


def test_world_is_public_through_the_read_model():
    world = published_world(7, n_rejected=3)
    totals = queries.call_totals(world.call)
    assert (totals.received, totals.funded) == (10, 7)
    assert totals.granted == sum((amount(i) for i in range(7)), Decimal("0")) == world.granted_total
    records = [queries.grant_record(d) for d in queries.funded_decisions()]
    assert [r["id"] for r in records] == [f"DIGI-2020-{n:04d}" for n in range(1, 8)]
    assert records[0]["lead"]["municipality_code"] == world.municipalities[0].municipality_code
    assert [p["municipality_code"] for p in records[0]["partners"]] == [m.municipality_code for m in world.municipalities[1:3]]
    assert records[0]["fictional"] is False


def test_unpublished_world_shows_nothing_and_two_calls_coexist():
    published_world(2, slug="digi-2020", published=False)
    other = published_world(3, n_rejected=0, generated=True, slug="digi-2019")
    assert list(queries.published_calls()) == [other.call]
    assert queries.funded_decisions().count() == 3
    assert all(queries.grant_record(d)["fictional"] for d in queries.funded_decisions())
    assert other.call.opens_at.year == 2019
