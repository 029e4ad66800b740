"""The open data page in a real browser, in Finnish, Swedish and English: it passes axe-core (WCAG 2.1
A and AA), reads at 320 px, starts with the skip link, and its download links give the files."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_no_axe_violations, assert_reads_at_320px, assert_skip_link_comes_first
from tests.integration.publication_support import published_world

pytestmark = pytest.mark.browser


@pytest.fixture
def published(site):
    published_world(4, n_rejected=1, slug="digi-2020")
    published_world(2, n_rejected=0, generated=True, slug="digi-2019")


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_open_data_page_is_accessible_in_each_language(page, site, published, lang):
    response = page.goto(site.reverse("publication:open_data", lang=lang))
    assert response.status == 200
    assert_skip_link_comes_first(page)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator('a[href="/data/digi-2020/grants.csv"]')).to_have_count(1)
    expect(page.locator(".fictional-notice")).to_have_count(1)
    assert_no_axe_violations(page)
    assert_reads_at_320px(page)
    assert page.console_errors == []


def test_the_footer_leads_to_open_data_and_a_download_works(page, site, published):
    page.goto(site.reverse("core:home", lang="en"))
    page.locator("footer").get_by_role("link", name="Open data").click()
    expect(page.locator("h1")).to_have_text("Open data")
    with page.expect_download() as info:
        page.locator('a[href="/data/digi-2020/grants.csv"]').click()
    download = info.value
    assert download.suggested_filename == "kuntadigi-digi-2020-grants.csv"
    text = open(download.path(), encoding="utf-8-sig", newline="").read()
    assert text.startswith("id,call,")
    assert text.count("\r\n") == 5  # the header and four grants
