"""The public map: regions by euros granted per resident, municipalities taking part, tables of the
same figures; only published results; a constant number of queries however many grants."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse
from django.utils import translation

from kuntadigi.core import formats
from kuntadigi.publication import maps
from kuntadigi.registry.models import Organisation, Region
from tests.integration.publication_support import published_world

pytestmark = pytest.mark.django_db


def en(name: str, **kwargs) -> str:
    with translation.override("en"):
        return reverse(name, kwargs=kwargs)


def euros(value: Decimal) -> str:
    return formats.money(value, "en").replace("\xa0", " ")  # the pages here are English


def plain(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)).replace("\xa0", " ")).strip()


def region_row(html: str, code: str) -> list[str]:
    """The cells of the region's row of the table, as text."""
    row = re.search(rf'<tr id="region-{code}">(.*?)</tr>', html, re.S).group(1)
    return [plain(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]


@pytest.fixture
def small_world():
    """Three funded projects of known populations: project 0 is led by m0 (30 000 residents) with m1 and
    m2 (10 000 each), project 1 by m1 with m2, project 2 by m2 with m3 (no other municipality exists)."""
    world = published_world(3, n_rejected=1)
    for org, population in zip(world.municipalities[:4], [30000, 10000, 10000, 50000], strict=True):
        Organisation.objects.filter(pk=org.pk).update(population=population)
    Organisation.objects.filter(pk__in=[org.pk for org in world.municipalities[4:]]).update(population=None)
    return world


def expected_shares(world) -> dict[str, Decimal]:
    """By municipality code, worked out by hand from the populations above and the grants 10 000.00,
    17 919.01 and 25 838.02."""
    m = [org.municipality_code for org in world.municipalities]
    amounts = [d.amount for d in world.decisions]
    assert amounts == [Decimal("10000.00"), Decimal("17919.01"), Decimal("25838.02")]
    return {
        m[0]: Decimal("6000.00"),  # 3/5 of project 0
        m[1]: Decimal("2000.00") + Decimal("8959.51"),  # 1/5 of project 0, half of project 1 (the odd cent: the earlier, the lead)
        m[2]: Decimal("2000.00") + Decimal("8959.50") + Decimal("4306.34"),  # and 1/6 of project 2 (10 000 of 60 000)
        m[3]: Decimal("21531.68"),  # 5/6 of project 2
    }


def test_regions_show_euros_per_resident_worked_out_by_hand(client, small_world):
    world = small_world
    shares = expected_shares(world)
    by_region: dict[str, Decimal] = {}
    for org in world.municipalities[:4]:
        by_region[org.region.code] = by_region.get(org.region.code, Decimal("0")) + shares[org.municipality_code]
    populations = {}
    for org in Organisation.objects.select_related("region").filter(kind="municipality"):
        populations[org.region.code] = populations.get(org.region.code, 0) + (org.population or 0)

    response = client.get(en("publication:map"))
    assert response.status_code == 200
    html = response.content.decode()
    for code, granted in by_region.items():
        cells = region_row(html, code)
        per_resident = (granted / populations[code]).quantize(Decimal("0.01"))
        assert cells[1] == euros(granted)
        assert cells[2] == f"{populations[code]:,}".replace(",", " ")
        assert cells[3] == euros(per_resident)
    # The whole country adds up to the grants.
    foot = plain(re.search(r"<tfoot>(.*?)</tfoot>", html, re.S).group(1))
    assert euros(sum(shares.values())) in foot and euros(Decimal("53757.03")) in foot
    # A region without projects says so: nothing granted, no projects.
    empty = Region.objects.exclude(code__in=by_region).first()
    if empty is not None:
        assert region_row(html, empty.code)[1] == euros(Decimal("0")) and region_row(html, empty.code)[4] == "0"


def test_each_region_with_projects_is_a_link_on_the_map_named_by_its_figures(client, small_world):
    world = small_world
    html = client.get(en("publication:map")).content.decode()
    regions = {org.region for org in world.municipalities[:4]}
    links = re.findall(r'<a href="([^"]+)" class="map-link"><title>([^<]+)</title><path d="(M[^"]+)" class="region choro-(\d)"', html)
    assert {unescape(title).split(":")[0] for _href, title, _d, _cls in links} == {region.name_en for region in regions}
    call_url = en("publication:call", slug=world.call.slug)
    for href, title, d, _cls in links:
        # One call is published, so a region leads to that call's projects in the region.
        assert unescape(href).startswith(call_url + "?region=")
        code = unescape(href).rsplit("=", 1)[1]
        assert d == maps.finland().regions[code]
        assert "per resident" in title and "projects:" in title
    # The legend has a class for every colour used.
    for _href, _title, _d, number in links:
        assert f'class="swatch choro-{number}"' in html


def test_municipalities_taking_part_link_to_their_pages_and_lead_differs_from_partner(client, small_world):
    world = small_world
    html = client.get(en("publication:map")).content.decode()
    m = world.municipalities
    leads = re.findall(r'<a href="([^"]+)" class="map-link"><title>[^<]+</title><path d="M[^"]+" class="muni-lead"', html)
    partners = re.findall(r'<a href="([^"]+)" class="map-link"><title>[^<]+</title><path d="M[^"]+" class="muni-partner"', html)
    assert sorted(leads) == sorted(en("publication:municipality", code=org.municipality_code) for org in m[:3])
    assert partners == [en("publication:municipality", code=m[3].municipality_code)]
    assert "Lead applicant in at least one project (solid)" in html and "Partner only (striped)" in html
    # The table beside the map: every municipality taking part, with its roles and share.
    table = html[html.index('id="municipalities-table-caption"') :]
    shares = expected_shares(world)
    for org in m[:4]:
        row = re.search(rf'<tr>\s*<th scope="row"><a href="{en("publication:municipality", code=org.municipality_code)}">(.*?)</tr>', table, re.S)
        assert row, org.name_fi
        assert euros(shares[org.municipality_code]) in plain(row.group(1))
    assert m[4].name_fi not in plain(table)


def test_only_published_results_are_on_the_map(client):
    published_world(2, n_rejected=0, slug="digi-2020")
    hidden = published_world(3, n_rejected=0, slug="digi-2021", published=False)
    html = client.get(en("publication:map")).content.decode()
    assert "Projects funded 2 " in plain(html)
    assert hidden.call.slug not in html
    assert client.get(en("publication:map") + "?call=digi-2021").status_code == 404
    assert client.get(en("publication:map") + "?call=no-such-call").status_code == 404


def test_a_call_can_be_chosen(client):
    published_world(2, n_rejected=0, slug="digi-2020")
    later = published_world(4, n_rejected=0, slug="digi-2021")
    text = plain(client.get(en("publication:map")).content.decode())
    assert "Projects funded 6 " in text
    html = client.get(en("publication:map") + "?call=digi-2021").content.decode()
    assert "Projects funded 4 " in plain(html)
    assert euros(later.granted_total) in plain(html)
    assert '<option value="digi-2021" selected>' in html


def test_across_calls_a_region_leads_to_its_row_of_the_table(client):
    published_world(1, n_rejected=0, slug="digi-2020")
    published_world(1, n_rejected=0, slug="digi-2021")
    html = client.get(en("publication:map")).content.decode()
    hrefs = re.findall(r'<a href="([^"]+)" class="map-link"><title>[^<]+</title><path d="M[^"]+" class="region', html)
    assert hrefs and all(href.startswith("#region-") for href in hrefs)
    assert all(f'<tr id="{href[1:]}">' in html for href in hrefs)


def test_generated_results_carry_the_fictional_notice(client):
    published_world(1, n_rejected=0, generated=True, slug="digi-2019")
    published_world(1, n_rejected=0, slug="digi-2020")
    assert "Fictional demo data." in client.get(en("publication:map")).content.decode()
    assert "Fictional demo data." not in client.get(en("publication:map") + "?call=digi-2020").content.decode()


def test_no_published_results_yet(client):
    published_world(1, n_rejected=0, published=False)
    response = client.get(en("publication:map"))
    assert response.status_code == 200
    assert "No call has published its results yet." in plain(response.content.decode())


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_map_reads_in_every_language(client, lang):
    published_world(2, n_rejected=0)
    with translation.override(lang):
        url = reverse("publication:map")
    response = client.get(url)
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in response.content.decode()


def test_numbers_in_the_svg_are_not_localised(client):
    """Finnish writes decimals with a comma; the SVG's numbers must keep their points."""
    published_world(2, n_rejected=0)
    with translation.override("fi"):
        html = client.get(reverse("publication:map")).content.decode()
    assert re.search(r'viewBox="0 0 \d+ \d+"', html)


QUERIES = 7  # published calls; the grants, their participants, their target areas; region populations; regions; municipalities


@pytest.mark.parametrize("n_funded", [10, 200])
def test_the_map_takes_the_same_few_queries_however_many_grants(client, n_funded, django_assert_num_queries):
    published_world(n_funded, n_rejected=0)
    url = en("publication:map")
    client.get(url)  # warm the map's geometry cache
    with django_assert_num_queries(QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('class="map-link"') > 10
