"""The public statistics: applications received and projects funded by target area, region and size
of the lead applicant, euros granted per call; only published calls, counts of received applications
and never their contents; a constant number of queries however many grants."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse
from django.utils import translation

from kuntadigi.applications.models import Application, Participant
from kuntadigi.core import formats
from kuntadigi.registry.models import Organisation, Region
from tests import factories
from tests.integration.publication_support import published_world

pytestmark = pytest.mark.django_db


def en(name: str) -> str:
    with translation.override("en"):
        return reverse(name)


def euros(value: Decimal) -> str:
    return formats.money(value, "en").replace("\xa0", " ")  # the pages here are English


def plain(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)).replace("\xa0", " ")).strip()


def chart_table(html: str, chart_id: str) -> dict[str, list[str]]:
    """The table that goes with a chart: {category: [value texts]}."""
    table = re.search(rf'<caption id="{chart_id}-caption">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        cells = [plain(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        rows[cells[0]] = cells[1:]
    return rows


def svg_values(html: str, chart_id: str) -> list[str]:
    svg = re.search(rf'aria-labelledby="{chart_id}-title {chart_id}-desc".*?</svg>', html, re.S).group(0)
    return [plain(text) for text in re.findall(r'<text [^>]*class="chart-value">(.*?)</text>', svg, re.S)]


@pytest.fixture
def small_world():
    """Three funded projects and one without a grant. Project i is led by m[i]; target areas: 0 → 1;
    1 → 2 and 4; 2 → 3; the rejected 3 → 4 and 1. Leads' residents: 3 000, 15 000, 150 000, 60 000."""
    world = published_world(3, n_rejected=1)
    for org, population in zip(world.municipalities[:4], [3000, 15000, 150000, 60000], strict=True):
        Organisation.objects.filter(pk=org.pk).update(population=population)
    return world


def test_target_areas_count_received_and_funded(client, small_world):
    html = client.get(en("publication:statistics")).content.decode()
    rows = chart_table(html, "chart-target-areas")
    areas = [area.name_en for area in small_world.target_areas]
    assert rows == {areas[0]: ["2", "1"], areas[1]: ["1", "1"], areas[2]: ["1", "1"], areas[3]: ["2", "1"], areas[4]: ["0", "0"]}
    # The bars carry the same numbers as the table, row by row.
    assert svg_values(html, "chart-target-areas") == [value for values in rows.values() for value in values]


def test_regions_count_each_application_once_by_its_lead(client, small_world):
    html = client.get(en("publication:statistics")).content.decode()
    rows = chart_table(html, "chart-regions")
    expected: dict[str, list[int]] = {}
    for i, org in enumerate(small_world.municipalities[:4]):
        received, funded = expected.get(org.region.name_en, [0, 0])
        expected[org.region.name_en] = [received + 1, funded + (1 if i < 3 else 0)]
    for name, (received, funded) in expected.items():
        assert rows[name] == [str(received), str(funded)]
    assert sum(int(values[0]) for values in rows.values()) == 4
    assert sum(int(values[1]) for values in rows.values()) == 3
    assert len(rows) == Region.objects.count()  # every region, those without applications too


def test_size_classes_count_by_the_lead_applicants_residents(client, small_world):
    rows = chart_table(client.get(en("publication:statistics")).content.decode(), "chart-sizes")
    assert rows == {
        "Under 5 000 residents": ["1", "1"],
        "5 000–19 999 residents": ["1", "1"],
        "20 000–49 999 residents": ["0", "0"],
        "50 000–99 999 residents": ["1", "0"],
        "100 000 residents or more": ["1", "1"],
    }


def test_a_joint_authority_lead_has_its_own_class(client, small_world):
    authority = factories.joint_authority()
    funded = small_world.funded[0]
    Application.objects.filter(pk=funded.pk).update(lead=authority)
    Participant.objects.filter(application=funded, role="lead").update(organisation=authority)
    rows = chart_table(client.get(en("publication:statistics")).content.decode(), "chart-sizes")
    assert rows["Joint municipal authority"] == ["1", "1"]
    assert rows["Under 5 000 residents"] == ["0", "0"]


def test_euros_granted_per_call_oldest_first(client):
    first = published_world(2, n_rejected=1, slug="digi-2020")
    second = published_world(3, n_rejected=0, slug="digi-2021")
    published_world(4, n_rejected=0, slug="digi-2022", published=False)
    html = client.get(en("publication:statistics")).content.decode()
    rows = chart_table(html, "chart-calls")
    assert list(rows) == [f"{first.call.title_en} (2020)", f"{second.call.title_en} (2021)"]
    assert list(rows.values()) == [[euros(first.granted_total)], [euros(second.granted_total)]]
    assert svg_values(html, "chart-calls") == [euros(first.granted_total), euros(second.granted_total)]
    text = plain(html)
    assert "Applications received 6 " in text and "Projects funded 5 " in text
    assert euros(first.granted_total + second.granted_total) in text


def test_a_chosen_call_narrows_the_counts(client):
    published_world(2, n_rejected=1, slug="digi-2020")
    published_world(3, n_rejected=0, slug="digi-2021")
    text = plain(client.get(en("publication:statistics") + "?call=digi-2021").content.decode())
    assert "Applications received 3 " in text and "Projects funded 3 " in text
    assert client.get(en("publication:statistics") + "?call=nothing").status_code == 404


def test_drafts_and_unpublished_calls_are_not_counted(client, small_world):
    draft = Application.objects.create(
        call=small_world.call, reference="DIGI-2020-9999", lead=small_world.municipalities[4], created_by=small_world.preparer, project_name="Luonnos"
    )
    draft.target_areas.add(small_world.target_areas[4])
    hidden = published_world(2, n_rejected=1, slug="digi-2021", published=False)
    html = client.get(en("publication:statistics")).content.decode()
    assert "Applications received 4 " in plain(html)
    assert chart_table(html, "chart-target-areas")[small_world.target_areas[4].name_en] == ["0", "0"]
    assert hidden.call.title_en not in html
    # Counts only: nothing an applicant wrote in an application that was not funded.
    for application in small_world.rejected:
        assert application.project_name not in html and application.reference not in html


def test_fictional_results_carry_the_notice(client):
    published_world(1, n_rejected=0, generated=True, slug="digi-2019")
    assert "Fictional demo data." in client.get(en("publication:statistics")).content.decode()


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_the_statistics_read_in_finnish_and_swedish(client, lang):
    published_world(2, n_rejected=0)
    with translation.override(lang):
        response = client.get(reverse("publication:statistics"))
    assert response.status_code == 200
    assert re.search(r'viewBox="0 0 400 \d+(\.\d+)?"', response.content.decode())  # no decimal commas in the SVG


QUERIES = 12  # published calls; target areas + received + funded; regions + received + funded; received + funded by size; calls + received + funded per call


@pytest.mark.parametrize("n_funded", [10, 200])
def test_the_statistics_take_the_same_few_queries_however_many_grants(client, n_funded, django_assert_num_queries):
    published_world(n_funded, n_rejected=3)
    url = en("publication:statistics")
    with django_assert_num_queries(QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert f"Projects funded {n_funded} " in plain(response.content.decode())


def test_the_results_pages_link_to_the_statistics_and_the_map(client):
    world = published_world(1, n_rejected=0)
    index = client.get(en("publication:index")).content.decode()
    assert f'href="{en("publication:statistics")}"' in index and f'href="{en("publication:map")}"' in index
    with translation.override("en"):
        call_page = client.get(reverse("publication:call", kwargs={"slug": world.call.slug})).content.decode()
    assert f'href="{en("publication:statistics")}?call={world.call.slug}"' in call_page
