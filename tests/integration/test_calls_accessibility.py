"""The call pages with the real call data (data/calls/*.json) in a real browser: axe-core (WCAG 2.1 A
and AA) finds nothing, they read at 320 px, and the questions and answers open without JavaScript.

Uses the browser fixtures of tests/browser (Chromium via Playwright, the live server).
"""

from io import StringIO

import pytest
from django.core.management import call_command

from kuntadigi import clock
from tests import factories
from tests.browser.conftest import browser, browser_context, page, site  # noqa: F401 (fixtures)
from tests.browser.helpers import assert_no_axe_violations, assert_reads_at_320px

pytestmark = pytest.mark.browser


@pytest.fixture
def loaded_calls(site):  # noqa: F811
    call_command("load_calls", stdout=StringIO())


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
@pytest.mark.parametrize(
    ("name", "args", "now"),
    [
        ("calls:list", (), factories.DURING_2020),
        ("calls:detail", ("digi-2020",), factories.DURING_2020),  # open: the start button
        ("calls:detail", ("digi-2020",), factories.CLOSES_2020),  # closed: the notice
        ("calls:detail", ("digi-2021",), factories.DURING_2020),  # upcoming
    ],
)
def test_call_pages_pass_axe_and_read_at_320px(page, site, loaded_calls, lang, name, args, now):  # noqa: F811
    clock.set_now(now)

    response = page.goto(site.reverse(name, *args, lang=lang))

    assert response.status == 200
    assert page.locator("h1").count() == 1
    assert_no_axe_violations(page)
    assert_reads_at_320px(page)
    assert page.console_errors == []


def test_questions_and_answers_open_without_javascript(browser, site, loaded_calls):  # noqa: F811
    clock.set_now(factories.DURING_2020)
    context = browser.new_context(java_script_enabled=False)
    try:
        no_js = context.new_page()
        no_js.goto(site.reverse("calls:detail", "digi-2020", lang="en"))
        question = no_js.locator("details summary").first
        answer = no_js.locator("details .faq-answer").first
        assert not answer.is_visible()

        question.click()

        assert answer.is_visible()
        assert "Municipalities apply jointly" in answer.inner_text()
    finally:
        context.close()
