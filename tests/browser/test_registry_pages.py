"""The officials' registry pages in a real browser without JavaScript: axe-core (WCAG 2.1 A/AA) finds
nothing, they read at 320 px; an official opens a municipality from the list, a wrong business ID is
refused with the error linked to its field and what was typed kept, and then the legal names and the
business ID are saved."""

from datetime import date

import pytest
from playwright.sync_api import expect

from kuntadigi.registry.models import Organisation
from tests import factories
from tests.browser.helpers import assert_no_axe_violations, assert_reads_at_320px, check_page, sign_in_as

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_an_official_corrects_a_municipalitys_legal_identity(nojs_page, site, lang):
    page = nojs_page
    kankaanpaa = factories.municipality("Kankaanpää", code="214", language_status=0, majority_language="fi")
    honkajoki = factories.municipality("Honkajoki", code="099", language_status=0, majority_language="fi")
    factories.merged(honkajoki, kankaanpaa, date(2020, 12, 31))
    factories.joint_authority("Satakunnan kuntayhtymä", business_id="0201256-6", legal_name_fi="Satakunnan kuntayhtymä")
    sign_in_as(page, site, factories.user(official=True), clear=True)

    check_page(page, site.reverse("registry:organisations", lang=lang))
    page.select_option("#id_organisation", label="Honkajoki (099)")
    page.locator("main form[method=get] button[type=submit]").click()
    page.wait_for_url(f"**/registry/organisations/{honkajoki.pk}/")
    expect(page.locator("main dl.facts")).to_contain_text("31.12.2020")
    assert_no_axe_violations(page)

    page.fill("#id_li-legal_name_fi", "Honkajoen kunta")
    page.fill("#id_li-legal_name_sv", "Honkajoki kommun")
    page.fill("#id_li-business_id", "1234567-8")
    page.locator("#legal-identity-form button[type=submit]").click()
    expect(page.locator(".error-summary a[href='#id_li-business_id']")).to_have_count(1)
    expect(page.locator("#id_li-legal_name_fi")).to_have_value("Honkajoen kunta")
    assert_no_axe_violations(page)
    assert_reads_at_320px(page)

    page.fill("#id_li-business_id", "0201256-6")  # the joint authority's
    page.locator("#legal-identity-form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_have_count(1)
    page.fill("#id_li-business_id", "")
    page.locator("#legal-identity-form button[type=submit]").click()
    page.wait_for_url(f"**/registry/organisations/{honkajoki.pk}/")
    expect(page.locator(".error-summary")).to_have_count(0)
    honkajoki = Organisation.objects.get(pk=honkajoki.pk)
    assert (honkajoki.legal_name_fi, honkajoki.legal_name_sv, honkajoki.business_id) == ("Honkajoen kunta", "Honkajoki kommun", None)
