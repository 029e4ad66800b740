"""The submission pages in a real browser: axe-core (WCAG 2.1 A/AA) finds nothing, they read at 320 px,
have one h1, and a partner confirms and the lead submits with plain forms."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from kuntadigi import clock
from kuntadigi.applications.models import Submission
from tests import factories
from tests.browser.helpers import check_page, sign_in_as
from tests.integration import submission_data as data

pytestmark = pytest.mark.browser


@pytest.fixture
def application(site):
    clock.set_now(factories.DURING_2020)
    call = factories.call("digi-2020")
    return data.application(call, confirmed=False, requested=Decimal("12750.00"))


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_partner_confirms_and_lead_submits(page, site, application, lang):
    partner = data.partner(application)
    sign_in_as(page, site, factories.member(partner.organisation))
    check_page(page, site.reverse("applications:detail", application.pk, lang=lang))
    check_page(page, site.reverse("applications:confirm", application.pk, lang=lang))
    page.fill("#id_authorised_name", "Kaisa Kunnanjohtaja")
    page.fill("#id_authorised_title", "kunnanjohtaja")
    # The confirmation's form (the page also offers a form to decline).
    page.locator('main form[action$="/confirm/"] button[type=submit]').click()
    page.wait_for_url(site.reverse("applications:detail", application.pk, lang=lang))
    partner.refresh_from_db()
    assert partner.confirmed_at is not None and partner.authorised_name == "Kaisa Kunnanjohtaja"

    page.context.clear_cookies()
    sign_in_as(page, site, application.created_by)
    check_page(page, site.reverse("applications:submit", application.pk, lang=lang))
    page.locator("main form[data-once] button[type=submit]").click()
    page.wait_for_url(site.reverse("applications:receipt", application.pk, 1, lang=lang))
    assert Submission.objects.filter(application=application).count() == 1
    check_page(page, page.url)
    check_page(page, site.reverse("applications:withdraw", application.pk, lang=lang))
    check_page(page, site.reverse("applications:detail", application.pk, lang=lang))


def test_review_with_problems_and_focus_on_the_summary(page, site, application):
    sign_in_as(page, site, application.created_by)
    check_page(page, site.reverse("applications:submit", application.pk, lang="en"))
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary.locator("a")).to_contain_text(["has not confirmed its participation"])
    assert page.evaluate("() => document.activeElement.classList.contains('error-summary')")
    expect(page.locator("main form[data-once]")).to_have_count(0)


def test_official_pages(page, site, application):
    from kuntadigi.applications.models import Application

    Application.objects.filter(pk=application.pk).update(state="submitted", submitted_at=clock.now())
    sign_in_as(page, site, factories.official_in(application.call))  # the call's preparer: lists are per call role
    check_page(page, site.reverse("applications:official_calls", lang="sv"))
    check_page(page, site.reverse("applications:official_list", "digi-2020", lang="sv"))
    expect(page.locator("main table")).to_contain_text(application.reference)
