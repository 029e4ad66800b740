"""The public results in a real browser, without JavaScript, in Finnish and Swedish: the results, a
call's funded projects (narrowed to a region with the plain form), a project, a municipality taking
part and the map. Every page passes axe-core (WCAG 2.1 A and AA), reads at 320 px and says that the
generated demo data is fictional. And a presenting official publishes a call's results with the plain form."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from kuntadigi.publication.models import ResultsPublication
from tests.browser.helpers import assert_no_axe_violations, assert_reads_at_320px, sign_in_as
from tests.integration.publication_support import published_world

pytestmark = pytest.mark.browser


def check(page, *, h1: str | None = None, fictional: bool = True) -> None:
    expect(page.locator("h1")).to_have_count(1)
    if h1:
        expect(page.locator("h1")).to_have_text(h1)
    if fictional:
        expect(page.locator(".fictional-notice")).to_be_visible()
    assert_no_axe_violations(page)
    assert_reads_at_320px(page)
    assert page.console_errors == [], f"console errors on {page.url}: {page.console_errors}"


@pytest.fixture
def results(site):
    return published_world(12, n_rejected=3, generated=True)


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_walk_from_the_results_to_the_map_without_javascript(nojs_page, site, results, lang):
    page = nojs_page
    call = results.call
    title = getattr(call, f"title_{lang}")

    # The main navigation leads to the results.
    page.goto(site.reverse("core:home", lang=lang))
    page.locator(".main-nav").locator(f'a[href="/{lang}/results/"]').click()
    expect(page.locator("html")).to_have_attribute("lang", lang)
    check(page)
    expect(page.locator("main table")).to_contain_text(title)

    # The call's funded projects, then narrowed to one region with the plain GET form.
    page.locator("main table").get_by_role("link", name=title).click()
    check(page, h1=title)
    expect(page.locator(".grant-card")).to_have_count(12)
    region = results.municipalities[0].region
    page.locator("select[name=region]").select_option(region.code)
    page.locator(".results-filter button[type=submit]").click()
    assert f"region={region.code}" in page.url
    shown = page.locator(".grant-card").count()
    assert 0 < shown < 12
    check(page, h1=title)

    # One project: the first on the page.
    card = page.locator(".grant-card").first
    project_name = card.locator("h3").inner_text()
    card.locator("h3 a").click()
    check(page, h1=project_name)
    expect(page.locator("main")).to_contain_text(title)

    # Its lead municipality, named in the reader's language.
    lead_link = page.locator("dl.facts dd a[href*='/municipalities/']").first
    code = lead_link.get_attribute("href").rstrip("/").rsplit("/", 1)[-1]
    municipality = next(org for org in results.municipalities if org.municipality_code == code)
    lead_link.click()
    name = municipality.name_sv if lang == "sv" else municipality.name_fi
    check(page, h1=name)
    expect(page.locator(".grant-card h3").filter(has_text=project_name)).to_have_count(1)

    # The map of the funded projects.
    page.locator("main").locator("a[href$='/map/']").click()
    assert page.url.endswith(f"/{lang}/map/")
    check(page)


def test_municipalities_list_searches_without_javascript(nojs_page, site, results):
    page = nojs_page
    page.goto(site.reverse("publication:municipalities", lang="sv"))
    check(page)
    org = results.municipalities[1]
    page.locator("input[name=q]").fill(org.name_sv[:5])
    page.locator("form[role=search] button[type=submit]").click()
    expect(page.locator("main table")).to_contain_text(org.name_sv)
    check(page)


def test_presenting_official_publishes_the_results_without_javascript(nojs_page, site):
    world = published_world(3, n_rejected=1, published=False)
    page = nojs_page
    sign_in_as(page, site, world.presenter)
    page.goto(site.reverse("decisions:decision_list", world.call.slug, lang="en"))
    page.get_by_role("link", name="Publish the results").click()
    expect(page.locator("h1")).to_have_text("Publish the results")
    expect(page.locator("dl.facts")).to_contain_text("Without a signed decision")
    check(page, fictional=False)
    page.get_by_role("button", name="Publish the results").click()
    expect(page.locator(".notice-success")).to_contain_text("The results of the call are published.")
    expect(page.locator("h1")).to_have_text(world.call.title_en)
    expect(page.locator(".grant-card")).to_have_count(3)
    check(page, fictional=False)
    assert ResultsPublication.objects.filter(call=world.call, published_by=world.presenter).exists()
