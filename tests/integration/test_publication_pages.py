"""The public results pages: what anyone sees, without signing in, once a call's results are published."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse
from django.utils import translation

from kuntadigi.applications.models import Application
from kuntadigi.core import formats
from kuntadigi.publication.models import ResultsPublication
from kuntadigi.registry.models import Organisation
from tests import factories
from tests.integration.publication_support import amount, published_world

pytestmark = pytest.mark.django_db


def en(name: str, *args, query: str = "") -> str:
    with translation.override("en"):
        return reverse(name, args=args) + query


def lang_url(lang: str, name: str, *args) -> str:
    with translation.override(lang):
        return reverse(name, args=args)


def text(response) -> str:
    """The visible text of the page's main content, spaces collapsed."""
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", main)).replace("\xa0", " "))


def euros(value: Decimal) -> str:
    return formats.money(value, "en").replace("\xa0", " ")  # the pages here are English


def references(response) -> list[str]:
    return re.findall(r"DIGI-\d{4}-\d{4}(?= )", text(response).split("Projects shown")[-1])


# ── Index ────────────────────────────────────────────────────────────────────


def test_index_lists_published_calls_with_their_totals(client):
    world = published_world(4, n_rejected=3)
    published_world(2, slug="digi-2021", published=False)
    response = client.get(en("publication:index"))
    assert response.status_code == 200
    page = text(response)
    assert world.call.title_en in page
    assert "2021" not in page  # the unpublished call is not there
    assert "Applications received Funded projects Granted in total Appropriation" in page
    assert f"7 4 {euros(world.granted_total)} {euros(world.call.appropriation)}" in page
    assert "Fictional demo data" not in page
    assert f'href="{en("publication:call", world.call.slug)}"' in response.content.decode()


def test_index_without_published_results_says_so(client):
    published_world(2, published=False)
    assert "No call's results have been published yet." in text(client.get(en("publication:index")))


def test_main_navigation_links_to_the_results(client):
    response = client.get(lang_url("sv", "core:home"))
    assert f'href="{lang_url("sv", "publication:index")}"' in response.content.decode()


# ── One call ────────────────────────────────────────────────────────────────


def test_call_page_shows_every_funded_project_and_none_of_the_others(client):
    world = published_world(5, n_rejected=2)
    response = client.get(en("publication:call", world.call.slug))
    assert response.status_code == 200
    page = text(response)
    assert "Applications received 7 Funded projects 5" in page
    assert f"Granted in total {euros(world.granted_total)} Appropriation {euros(world.call.appropriation)}" in page
    assert "Projects shown: 5" in page
    for app, decision in zip(world.funded, world.decisions, strict=True):
        assert app.project_name in page
        assert euros(decision.amount) in page
        assert f'href="{en("publication:project", app.reference)}"' in response.content.decode()
    for app in world.rejected:
        assert app.project_name not in page
        assert app.reference not in page
    # The first project: lead, partners (linked to their pages), target areas, summary and grant.
    first = world.funded[0]
    lead, *partners = world.participants_of(first)
    card = page[page.index(first.project_name) :]
    card = card[: card.index("Grant at most") + 40]
    assert f"Lead applicant {lead.name_fi} Partners {partners[0].name_fi} , {partners[1].name_fi}" in card
    assert "Target areas 1. Sähköinen päätöksenteko (en)" in card
    assert f"Grant at most {euros(amount(0))}" in card
    assert first.summary in page
    html = response.content.decode()
    for org in (lead, *partners):
        assert f'href="{en("publication:municipality", org.municipality_code)}"' in html


def test_call_page_is_not_found_before_publication_and_for_unknown_calls(client):
    world = published_world(2, published=False)
    assert client.get(en("publication:call", world.call.slug)).status_code == 404
    assert client.get(en("publication:call", "no-such-call")).status_code == 404
    unpublished_call = factories.call("digi-2022", is_published=False)
    ResultsPublication.objects.create(call=unpublished_call, published_by=world.presenter)
    assert client.get(en("publication:call", "digi-2022")).status_code == 404


def test_call_page_sorts_by_amount_lead_and_name(client):
    world = published_world(8, n_rejected=0)
    # Plain ASCII names, so that the expected order does not depend on the database's collation of ä and ö.
    for i, app in enumerate(world.funded):
        app.project_name = f"Project {'HDAGBFCE'[i]}"
        Application.objects.filter(pk=app.pk).update(project_name=app.project_name)
    for i, org in enumerate(world.municipalities):
        org.name_fi = org.name_sv = f"Town {'MLKJIHGFEDCBA'[i % 13]}{i}"
        Organisation.objects.filter(pk=org.pk).update(name_fi=org.name_fi, name_sv=org.name_sv)
    for app in world.funded:
        app.lead = next(org for org in world.municipalities if org.pk == app.lead_id)
    by_amount = references(client.get(en("publication:call", world.call.slug, query="?sort=amount")))
    expected = [d.application.reference for d in sorted(world.decisions, key=lambda d: (-d.amount, d.application.reference))]
    assert by_amount == expected
    by_name = references(client.get(en("publication:call", world.call.slug)))
    assert by_name == [a.reference for a in sorted(world.funded, key=lambda a: (a.project_name, a.reference))]
    by_lead = references(client.get(en("publication:call", world.call.slug, query="?sort=lead")))
    assert by_lead == [a.reference for a in sorted(world.funded, key=lambda a: (a.lead.name_fi, a.reference))]


def test_call_page_filters_by_target_area_and_region(client):
    world = published_world(10, n_rejected=0)
    # Project i has target area i % 5 + 1, and odd ones also (i + 2) % 5 + 1.
    area_3 = [a.reference for i, a in enumerate(world.funded) if 3 in {i % 5 + 1} | ({(i + 2) % 5 + 1} if i % 2 else set())]
    response = client.get(en("publication:call", world.call.slug, query="?area=digi-2020-3&sort=reference"))
    assert references(response) == area_3
    assert f"Projects shown: {len(area_3)} of 10" in text(response)
    region = world.municipalities[0].region
    in_region = sorted(a.reference for a in world.funded if any(org.region_id == region.pk for org in world.participants_of(a)))
    response = client.get(en("publication:call", world.call.slug, query=f"?region={region.code}&sort=reference"))
    assert references(response) == in_region
    assert f'<option value="{region.code}" selected>' in response.content.decode()


def test_call_page_explains_a_choice_it_does_not_know_and_shows_everything(client):
    world = published_world(3, n_rejected=0)
    response = client.get(en("publication:call", world.call.slug, query="?area=digi-2020-99&sort=cheapest"))
    assert response.status_code == 200
    page = text(response)
    assert "Some choices were not understood" in page
    assert "Target area: Select a valid choice." in page
    assert "Projects shown: 3" in page


def test_call_page_paginates_in_the_database(client):
    world = published_world(60, n_rejected=0)
    first = client.get(en("publication:call", world.call.slug, query="?sort=reference"))
    assert references(first) == [f"DIGI-2020-{n:04d}" for n in range(1, 51)]
    assert "Page 1 of 2" in text(first)
    assert "?sort=reference&amp;page=2" in first.content.decode()
    second = client.get(en("publication:call", world.call.slug, query="?sort=reference&page=2"))
    assert references(second) == [f"DIGI-2020-{n:04d}" for n in range(51, 61)]


def test_fictional_call_says_so_on_every_page(client):
    world = published_world(2, n_rejected=0, generated=True)
    org = world.municipalities[0]
    for url in (
        en("publication:index"),
        en("publication:call", world.call.slug),
        en("publication:project", world.funded[0].reference),
        en("publication:municipality", org.municipality_code),
        en("publication:municipalities"),
    ):
        assert "Fictional demo data." in text(client.get(url)), url


def test_real_call_has_no_fictional_notice(client):
    world = published_world(2, n_rejected=0)
    for url in (en("publication:call", world.call.slug), en("publication:project", world.funded[0].reference)):
        assert "Fictional demo data." not in text(client.get(url))


def test_call_page_in_swedish_uses_swedish_names(client):
    world = published_world(12, n_rejected=0)
    taking_part = {org for app in world.funded for org in world.participants_of(app)}
    bilingual = [org for org in taking_part if org.name_sv != org.name_fi]
    assert bilingual  # Kokkola (Karleby), Lahti (Lahtis), ...
    page = text(client.get(lang_url("sv", "publication:call", world.call.slug)))
    assert world.call.title_sv in page
    for org in bilingual:
        assert org.name_sv in page
        assert f" {org.name_fi} " not in page


# ── The call's public page links to its results ─────────────────────────────


def test_call_detail_links_to_results_once_published(client):
    world = published_world(2, n_rejected=0, published=False)
    results_link = f'href="{en("publication:call", world.call.slug)}"'
    assert results_link not in client.get(en("calls:detail", world.call.slug)).content.decode()
    ResultsPublication.objects.create(call=world.call, published_by=world.presenter)
    response = client.get(en("calls:detail", world.call.slug))
    assert results_link in response.content.decode()
    assert "The results of this call are published." in text(response)


# ── One project ──────────────────────────────────────────────────────────────


def test_project_page_shows_the_public_fields(client):
    world = published_world(3, n_rejected=1)
    app = world.funded[1]
    lead, *partners = world.participants_of(app)
    response = client.get(en("publication:project", app.reference))
    assert response.status_code == 200
    page = text(response)
    assert app.project_name in page
    assert f"Reference {app.reference} Call {world.call.title_en}" in page
    assert f"Lead applicant {lead.name_fi} Partners {partners[0].name_fi}" in page
    assert "Target areas 2. Sähköiset kokoukset (en) 4. Etätyö (en)" in page
    assert f"Grant at most {euros(amount(1))}" in page
    assert "Maximum share of the eligible costs 85 %" in page
    assert "Date of decision 11 December 2020" in page
    assert "Eligible costs 11 December 2020–31 October 2022" in page
    assert "Project 1 January 2021–31 October 2022" in page
    assert app.summary in page
    html = response.content.decode()
    assert f'href="{en("publication:municipality", lead.municipality_code)}"' in html
    assert f'href="{en("publication:call", world.call.slug)}"' in html


def test_project_page_is_not_found_unless_public(client):
    world = published_world(2, n_rejected=1)
    hidden = published_world(1, n_rejected=0, slug="digi-2021", published=False)
    assert client.get(en("publication:project", world.rejected[0].reference)).status_code == 404
    assert client.get(en("publication:project", hidden.funded[0].reference)).status_code == 404
    assert client.get(en("publication:project", "DIGI-2020-9999")).status_code == 404


# ── Municipalities ───────────────────────────────────────────────────────────


def test_municipality_page_lists_its_projects_as_lead_and_partner(client):
    world = published_world(7, n_rejected=1)
    hidden = published_world(3, n_rejected=0, slug="digi-2021", published=False)
    org = world.municipalities[1]  # leads project 1, partner of 0 (offset 1) and 6 (offset 2: 6 % 3 == 0, 8 % 7 == 1)
    mine = [a for a in world.funded if org in world.participants_of(a)]
    led = [a for a in mine if a.lead_id == org.pk]
    response = client.get(en("publication:municipality", org.municipality_code))
    assert response.status_code == 200
    page = text(response)
    total = sum((d.amount for d in world.decisions if d.application in mine), Decimal("0"))
    assert f"Funded projects {len(mine)} As lead applicant {len(led)} As partner {len(mine) - len(led)}" in page
    assert f"Granted to its projects {euros(total)}" in page
    for app in mine:
        assert app.project_name in page
    for app in hidden.funded:
        assert app.reference not in page
    assert page.count("Role in the project Lead applicant") == len(led)
    assert page.count("Role in the project Partner") == len(mine) - len(led)


def test_municipality_page_of_an_unknown_code_is_not_found(client):
    published_world(2, n_rejected=0)
    assert client.get(en("publication:municipality", "999")).status_code == 404
    joint = factories.joint_authority()
    assert client.get(en("publication:municipality", joint.business_id)).status_code == 404


def test_municipalities_list_counts_and_searches(client):
    world = published_world(6, n_rejected=2)
    response = client.get(en("publication:municipalities"))
    assert response.status_code == 200
    page = text(response)
    taking_part = {org for app in world.funded for org in world.participants_of(app)}
    assert f"Municipalities: {len(taking_part)}" in page
    # Municipalities only in rejected applications are not listed.
    only_rejected = {org for app in world.rejected for org in world.participants_of(app)} - taking_part
    for org in only_rejected:
        assert f'href="{en("publication:municipality", org.municipality_code)}"' not in response.content.decode()
    org = world.municipalities[0]
    response = client.get(en("publication:municipalities", query=f"?q={org.name_fi[:4].lower()}"))
    page = text(response)
    assert org.name_fi in page
    assert "Municipalities: " in page
    assert f'value="{org.name_fi[:4].lower()}"' in response.content.decode()
    assert "No municipality taking part in a funded project matches the name." in text(client.get(en("publication:municipalities", query="?q=zzzz")))


# ── Well-formed pages (tests/integration/test_html_validity.py's checker) ───


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_results_pages_are_valid_html(client, lang):
    from tests.integration.test_html_validity import check_page

    world = published_world(3, n_rejected=1, generated=True)
    org = world.municipalities[0]
    check_page(client, "publication:index", lang)
    check_page(client, "publication:call", lang, world.call.slug)
    check_page(client, "publication:project", lang, world.funded[0].reference)
    check_page(client, "publication:municipalities", lang)
    check_page(client, "publication:municipality", lang, org.municipality_code)
    client.force_login(world.preparer)
    check_page(client, "publication:publish", lang, world.call.slug)
