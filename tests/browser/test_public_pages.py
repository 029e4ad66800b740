"""The public pages in a real browser, in Finnish, Swedish and English: the home page, the list of
calls and a call's page. Each is in the right language, keeps the page when the language changes,
passes axe-core (WCAG 2.1 A and AA), reads at 320 px, starts with the skip link and runs no inline script.
"""

import pytest
from playwright.sync_api import expect

from kuntadigi import clock
from tests import factories
from tests.browser.helpers import assert_no_axe_violations, assert_reads_at_320px, assert_skip_link_comes_first, path_of

pytestmark = pytest.mark.browser

LANGUAGES = ["fi", "sv", "en"]
SWITCHER = {"fi": "Suomeksi", "sv": "På svenska", "en": "In English"}
PAGES = {
    "home": ("core:home", ()),
    "calls": ("calls:list", ()),
    "call": ("calls:detail", ("digi-2020",)),
}


@pytest.fixture
def open_call(site):
    """The 2020 call, published, on its last day (5.10.2020 at 12.00, four hours before it closes)."""
    clock.set_now(factories.DURING_2020)
    return factories.call("digi-2020")


def address(site, page_name: str, lang: str) -> str:
    name, args = PAGES[page_name]
    return site.reverse(name, *args, lang=lang)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("page_name", list(PAGES))
def test_public_page_in_each_language(page, site, open_call, page_name, lang):
    response = page.goto(address(site, page_name, lang))
    assert response.status == 200, f"{page.url} answered {response.status}"

    assert_skip_link_comes_first(page)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    main = page.locator("main")
    expect(main).to_contain_text(getattr(open_call, f"title_{lang}"))
    main_text = main.inner_text()
    for other in LANGUAGES:
        if other != lang:
            assert getattr(open_call, f"title_{other}") not in main_text, f"the {other} title is shown on the {lang} page"
    expect(page.locator("h1")).to_have_count(1)

    assert_no_axe_violations(page)
    assert_reads_at_320px(page)
    assert page.console_errors == [], f"console errors on {page.url}: {page.console_errors}"


@pytest.mark.parametrize("page_name", list(PAGES))
def test_language_switcher_keeps_the_page(page, site, open_call, page_name):
    page.goto(address(site, page_name, "fi"))
    for lang in ["sv", "en", "fi"]:
        page.locator(".lang-switch").get_by_role("link", name=SWITCHER[lang]).click()
        expect(page.locator("html")).to_have_attribute("lang", lang)
        assert path_of(page.url) == path_of(address(site, page_name, lang))
        expect(page.locator("main")).to_contain_text(getattr(open_call, f"title_{lang}"))
        expect(page.locator(".lang-switch").get_by_role("link", name=SWITCHER[lang])).to_have_attribute("aria-current", "true")


@pytest.mark.parametrize("page_name", list(PAGES))
def test_content_security_policy_forbids_inline_script(page, site, open_call, page_name):
    response = page.goto(address(site, page_name, "fi"))
    policy = response.headers.get("content-security-policy")
    assert policy, "no Content-Security-Policy header"
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert "script-src" in directives, policy
    assert "'unsafe-inline'" not in directives["script-src"], policy
    assert "'unsafe-inline'" not in directives.get("style-src", []), policy

    # The page itself keeps to the policy: no inline script, no event-handler or style attributes.
    inline = page.evaluate(
        """() => ({
            scripts: document.querySelectorAll('script:not([src])').length,
            styles: document.querySelectorAll('[style]').length,
            handlers: Array.from(document.querySelectorAll('*')).filter(el => Array.from(el.attributes).some(a => a.name.startsWith('on'))).length,
        })"""
    )
    assert inline == {"scripts": 0, "styles": 0, "handlers": 0}
    assert page.console_errors == []

    # And the browser enforces it: an injected inline script does not run.
    ran = page.evaluate(
        """() => {
            const script = document.createElement('script');
            script.textContent = 'window.inlineScriptRan = true;';
            document.body.appendChild(script);
            return window.inlineScriptRan === true;
        }"""
    )
    assert ran is False
    assert any("Content Security Policy" in error for error in page.console_errors)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_not_found_page_is_accessible_and_leads_on(page, site, lang):
    response = page.goto(f"{site.url}/{lang}/no-such-page/")
    assert response.status == 404
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("h1")).to_have_count(1)
    assert_skip_link_comes_first(page)
    assert_no_axe_violations(page)
    assert_reads_at_320px(page)
    page.locator("main a").first.click()
    assert path_of(page.url) == f"/{lang}/"
