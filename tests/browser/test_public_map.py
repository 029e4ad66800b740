"""The public map and statistics in a real browser: Finnish and Swedish, axe-core (WCAG 2.1 A and AA),
320 px without sideways scrolling, the keyboard reaches the map's links, and all of it without JavaScript."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_no_axe_violations, assert_reads_at_320px
from tests.integration.publication_support import published_world

pytestmark = pytest.mark.browser


@pytest.fixture
def results(reference_data):
    """Every municipality and region of 2020, and a published call with twelve funded projects of
    generated demo content."""
    return published_world(12, n_rejected=3, generated=True)


@pytest.mark.parametrize("lang", ["fi", "sv"])
@pytest.mark.parametrize("name", ["publication:map", "publication:statistics"])
def test_map_and_statistics_pass_axe_and_read_at_320_px(page, site, results, name, lang):
    response = page.goto(site.reverse(name, lang=lang))
    assert response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator(".fictional-notice")).to_be_visible()
    expect(page.locator("h1")).to_have_count(1)
    assert_no_axe_violations(page)
    assert_reads_at_320px(page)
    # At 320 px the pictures shrink to the column instead of overflowing it.
    page.set_viewport_size({"width": 320, "height": 800})
    for svg in page.locator("main svg").all():
        assert svg.bounding_box()["width"] <= 320
    assert page.console_errors == []


# The class of the shape and the name of the map link that has focus, or null outside the maps.
FOCUSED_MAP_LINK = """() => {
    const el = document.activeElement;
    if (!el || !el.closest('svg')) return null;
    return [el.querySelector('path').getAttribute('class'), el.querySelector('title').textContent];
}"""


def test_tab_reaches_a_region_and_a_municipality_on_the_map(page, site, results):
    page.goto(site.reverse("publication:map", lang="fi"))
    page.locator("#id_call").focus()  # the last control before the maps
    reached = []
    for _ in range(80):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED_MAP_LINK)
        if focused:
            reached.append(focused)
        if any("muni-" in cls for cls, _title in reached):
            break
    region = next((title for cls, title in reached if cls.startswith("region")), None)
    municipality = next((title for cls, title in reached if cls.startswith("muni-")), None)
    assert region and "€" in region, reached  # the link's name states the figure
    assert municipality, reached
    # Enter follows the focused municipality's link to its page.
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert municipality.split(":")[0] in page.locator("h1").inner_text()


@pytest.mark.parametrize("name", ["publication:map", "publication:statistics"])
def test_the_pages_work_without_javascript(nojs_page, site, results, name):
    nojs_page.goto(site.reverse(name, lang="sv"))
    expect(nojs_page.locator("main svg").first).to_be_visible()
    # The call chooser is a plain form: choosing a call and submitting narrows the page.
    nojs_page.locator("#id_call").select_option(results.call.slug)
    nojs_page.locator("form.filter-form button[type=submit]").click()
    assert f"call={results.call.slug}" in nojs_page.url
    expect(nojs_page.locator("main")).to_contain_text("12")
    assert_no_axe_violations(nojs_page)


# Every table on the page and its scroll container, with how much wider its content is than its box.
TABLE_OVERFLOW = """() => {
    const rows = [];
    document.querySelectorAll('main table').forEach((table, index) => {
        const wrap = table.closest('.table-wrap');
        for (const [what, el] of [['table', table], ['container', wrap]]) {
            if (!el) continue;
            rows.push({table: index, what, caption: (table.caption ? table.caption.textContent : '').trim(),
                       scroll: el.scrollWidth, client: el.clientWidth});
        }
    });
    return {rows, page: document.documentElement.scrollWidth, viewport: document.documentElement.clientWidth};
}"""


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_the_map_tables_fit_their_columns_at_1280_px_and_the_page_never_scrolls_sideways(page, site, results, lang):
    """At 1280 px no table on the map page, nor its scroll container, is wider than its box; at 320 px the
    page itself does not scroll sideways (a table may scroll inside its own container)."""
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(site.reverse("publication:map", lang=lang))
    measured = page.evaluate(TABLE_OVERFLOW)
    assert len({row["table"] for row in measured["rows"]}) == 2, measured  # the regions' and the municipalities' tables
    overflowing = [row for row in measured["rows"] if row["scroll"] > row["client"]]
    assert overflowing == [], overflowing
    assert measured["page"] <= measured["viewport"], measured

    page.set_viewport_size({"width": 320, "height": 800})
    narrow = page.evaluate(TABLE_OVERFLOW)
    assert narrow["page"] <= narrow["viewport"], narrow
    # A table wider than the column scrolls inside its container, which stays within the page.
    for wrap in page.locator("main .table-wrap").all():
        assert wrap.bounding_box()["x"] + wrap.bounding_box()["width"] <= 321
