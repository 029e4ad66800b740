"""The officials' work page and the assessor's filtered queue in a real browser: axe-core (WCAG 2.1 A/AA)
finds nothing in Finnish and Swedish, they read at 320 px, and the queue's filter works without JavaScript."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from kuntadigi import clock
from kuntadigi.accounts.models import Membership
from kuntadigi.applications.lifecycle import State
from kuntadigi.assessment.models import Assignment
from kuntadigi.calls.models import CallRole
from tests import factories
from tests.browser.helpers import assert_no_axe_violations, check_page, sign_in_as
from tests.integration import ranking_support as data

pytestmark = pytest.mark.browser


@pytest.fixture
def work(site):
    clock.set_now(factories.CLOSES_2020 + timedelta(days=20))
    call = factories.call("digi-2020")
    older = factories.call("digi-2019", opens_at=factories.OPENS_2020.replace(year=2019), closes_at=factories.CLOSES_2020.replace(year=2019))
    official = factories.user("kaikki@vm.example.fi", official=True, full_name="Kaisa Kaikki")
    for each in (call, older):
        for role in ("preparer", "presenter", "decision_maker", "assessor"):
            CallRole.objects.create(call=each, user=official, role=role)
    for state in (State.SUBMITTED, State.SUPPLEMENT_REQUESTED, State.ELIGIBLE, State.INELIGIBLE):
        data.application(call, state=state)
    for each in (call, older):
        Assignment.objects.create(application=data.application(each, state=State.ELIGIBLE), assessor=official, assigned_by=official)
    data.score(data.application(older, state=State.GRANTED), official, 4)
    Membership.objects.create(user=factories.user("uusi@example.fi"), organisation=factories.municipality("Porvoo", code="638"))
    return call, older, official


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_the_work_page_is_accessible(page, site, work, lang):
    call, _older, official = work
    sign_in_as(page, site, official)
    check_page(page, site.reverse("officials:work", lang=lang))
    expect(page.locator("nav.process-steps")).to_have_count(2)
    check_page(page, site.reverse("assessment:queue", lang=lang) + f"?call={call.pk}&state=to_score")
    check_page(page, site.reverse("applications:official_calls", lang=lang))


def test_the_queue_filters_without_javascript(nojs_page, site, work):
    page = nojs_page
    _call, older, official = work
    sign_in_as(page, site, official)
    page.goto(site.reverse("officials:work", lang="en"))
    page.get_by_role("link", name="My tasks").first.click()
    expect(page.locator("h1")).to_have_text("My tasks")
    page.goto(site.reverse("assessment:queue", lang="en"))
    expect(page.locator("main table tbody tr")).to_have_count(3)
    page.get_by_label("Call").select_option(str(older.pk))
    page.get_by_label("Your assessment").select_option("to_score")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("main table tbody tr")).to_have_count(1)
    assert_no_axe_violations(page)
