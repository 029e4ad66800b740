"""The service's own pages in a real browser: help, the privacy notice, the cookie notice and the
accessibility statement pass axe-core (WCAG 2.1 A and AA) in Finnish and Swedish, read at 320 px without
sideways scrolling (their tables included), and every page's footer leads to them."""

import pytest
from playwright.sync_api import expect

from kuntadigi import clock
from kuntadigi.calls.models import Contact
from tests import factories
from tests.browser.helpers import assert_no_axe_violations, assert_reads_at_320px, assert_skip_link_comes_first

pytestmark = pytest.mark.browser

PAGES = ["core:help", "core:privacy", "core:cookies", "core:accessibility"]
HEADINGS = {
    "fi": {"core:help": "Ohjeet", "core:privacy": "Tietosuojaseloste", "core:cookies": "Evästeet", "core:accessibility": "Saavutettavuusseloste"},
    "sv": {"core:help": "Hjälp", "core:privacy": "Dataskyddsbeskrivning", "core:cookies": "Kakor", "core:accessibility": "Tillgänglighetsutlåtande"},
}


@pytest.fixture
def open_call(site):
    """The 2020 call on its last day, with a contact person (the help page lists the open calls' contacts)."""
    clock.set_now(factories.DURING_2020)
    call = factories.call("digi-2020")
    Contact.objects.create(
        call=call,
        order=1,
        name="Suvi Savolainen",
        role_fi="neuvotteleva virkamies",
        role_sv="konsultativ tjänsteman",
        role_en="Ministerial Adviser",
        phone="02955 30122",
        email="suvi.savolainen@vm.fi",
    )
    return call


@pytest.mark.parametrize("lang", ["fi", "sv"])
@pytest.mark.parametrize("name", PAGES)
def test_service_page_is_accessible_and_reads_at_320px(page, site, open_call, name, lang):
    response = page.goto(site.reverse(name, lang=lang))
    assert response.status == 200, f"{page.url} answered {response.status}"
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("h1")).to_have_text(HEADINGS[lang][name])
    assert_skip_link_comes_first(page)
    assert_no_axe_violations(page)
    assert_reads_at_320px(page)
    assert page.console_errors == [], f"console errors on {page.url}: {page.console_errors}"


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_the_footer_leads_to_each_service_page(page, site, open_call, lang):
    page.goto(site.reverse("core:home", lang=lang))
    for name in PAGES:
        page.locator("footer nav").get_by_role("link", name=HEADINGS[lang][name], exact=True).click()
        expect(page.locator("h1")).to_have_text(HEADINGS[lang][name])
    expect(page.locator("footer")).to_contain_text("0295 16001")


def test_help_names_the_open_calls_contact_in_swedish(page, site, open_call):
    page.goto(site.reverse("core:help", lang="sv"))
    main = page.locator("main")
    expect(main).to_contain_text(open_call.title_sv)
    expect(main).to_contain_text("Suvi Savolainen, konsultativ tjänsteman")
    expect(main.get_by_role("link", name="suvi.savolainen@vm.fi")).to_have_attribute("href", "mailto:suvi.savolainen@vm.fi")


@pytest.mark.parametrize(("lang", "heading"), [("fi", "Sivua ei löytynyt"), ("sv", "Sidan hittades inte")])
def test_the_service_404_page_is_accessible_and_reads_at_320px(page, site, lang, heading):
    response = page.goto(site(f"/{lang}/no-such-page/"))
    assert response.status == 404
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("h1")).to_have_text(heading)
    assert_no_axe_violations(page)
    assert_reads_at_320px(page)
