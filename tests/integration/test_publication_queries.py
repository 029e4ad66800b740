"""The public results pages run a constant number of queries, whatever the number of grants (issue 5):
the same count at 10 and at 200 funded projects. And the read model's own sums agree with the data."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from kuntadigi.publication import queries
from tests.integration.publication_support import amount, published_world

pytestmark = pytest.mark.django_db

# Queries per page for an anonymous visitor (no session is read).
EXPECTED = {
    # the calls with their totals in one query
    "index": 1,
    # the call, its totals (2), target areas, regions of its grants, the page's count and rows, participants, target areas
    "call": 9,
    "call_filtered": 9,
    "call_page_2": 9,
    # the grant, its participants, its target areas
    "project": 3,
    # the count, the page's rows, whether any published call is fictional
    "municipalities": 3,
    # the municipality, the predecessors merged into it, its totals, the page's count and rows, participants, target areas
    "municipality": 7,
}


def urls(world) -> dict[str, str]:
    slug = world.call.slug
    busy = max(world.municipalities, key=lambda org: sum(org in world.participants_of(app) for app in world.funded[:30]))
    with translation.override("en"):
        return {
            "index": reverse("publication:index"),
            "call": reverse("publication:call", args=[slug]),
            "call_filtered": reverse("publication:call", args=[slug]) + f"?sort=lead&area={slug}-1&region={world.regions[0].code}",
            "call_page_2": reverse("publication:call", args=[slug]) + "?sort=amount&page=2",
            "project": reverse("publication:project", args=[world.funded[-1].reference]),
            "municipalities": reverse("publication:municipalities") + "?q=a",
            "municipality": reverse("publication:municipality", args=[busy.municipality_code]),
        }


@pytest.mark.parametrize("n_funded", [10, 200])
@pytest.mark.parametrize("page", list(EXPECTED))
def test_public_pages_run_constant_queries(client, django_assert_num_queries, n_funded, page):
    world = published_world(n_funded, n_rejected=5, generated=True)
    url = urls(world)[page]
    with django_assert_num_queries(EXPECTED[page]):
        response = client.get(url)
    assert response.status_code == 200
    assert "Fictional demo data." in response.content.decode()
    if page == "call":
        assert f"Projects shown: {n_funded}" in response.content.decode()


def test_read_model_totals_agree_with_the_grants():
    world = published_world(12, n_rejected=4)
    other = published_world(3, n_rejected=1, slug="digi-2019")
    (first, first_totals), (second, second_totals) = queries.published_calls_with_totals()
    assert (first, second) == (world.call, other.call)  # newest first
    assert (first_totals.received, first_totals.funded, first_totals.granted) == (16, 12, world.granted_total)
    assert (second_totals.received, second_totals.funded, second_totals.granted) == (4, 3, other.granted_total)
    assert queries.call_totals(world.call) == first_totals
    # A municipality's totals span both calls (the two worlds reuse the same real municipalities).
    org = world.municipalities[2]
    mine = [(i, app) for i, app in enumerate(world.funded) if org in world.participants_of(app)]
    mine += [(i, app) for i, app in enumerate(other.funded) if org in other.participants_of(app)]
    totals = queries.organisation_totals(org)
    assert totals["projects"] == len(mine) > 0
    assert totals["led"] == sum(app.lead_id == org.pk for _i, app in mine)
    assert totals["partnered"] == totals["projects"] - totals["led"]
    assert totals["granted"] == sum((amount(i) for i, _app in mine), Decimal("0"))
    assert totals["calls"] == len({app.call_id for _i, app in mine})
    assert totals["fictional"] == 0
