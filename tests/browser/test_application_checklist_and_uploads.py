"""The application form's tab bar as a checklist, several files uploaded at once, and the changed
pages (attachments, delete, print, the officials' audit timeline) without accessibility violations."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from kuntadigi import clock
from kuntadigi.applications.models import Attachment
from tests import factories
from tests.browser.helpers import assert_no_axe_violations, sign_in_as
from tests.integration import screening_support, submission_data
from tests.integration.drafting_support import MINIMAL_PDF

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_the_tab_bar_tells_what_is_missing_and_the_lead_uploads_two_files_at_once(page, site, tmp_path):
    clock.set_now(factories.DURING_2020)
    application = submission_data.application(factories.call(), requested=Decimal("12750.00"))
    sign_in_as(page, site, application.created_by, clear=True)

    page.goto(site.reverse("applications:budget", application.pk, lang="fi"))
    nav = page.locator("nav.application-nav")
    expect(nav.get_by_role("link", name="Hanke valmis")).to_be_visible()
    expect(nav.get_by_role("link", name="Tarkista ja lähetä")).to_be_visible()
    assert_no_axe_violations(page)

    # Emptying the project's name makes the project tab say that something is missing.
    page.goto(site.reverse("applications:edit", application.pk, lang="fi"))
    page.fill("#id_project_name", "")
    with page.expect_navigation():
        page.locator("form.application-form button[type=submit]").click()
    expect(nav.get_by_role("link", name="Hanke 1 kohta puuttuu")).to_be_visible()

    first, second = tmp_path / "suunnitelma.pdf", tmp_path / "sopimus.pdf"
    first.write_bytes(MINIMAL_PDF)
    second.write_bytes(MINIMAL_PDF.replace(b"%%EOF", b"% toinen\n%%EOF"))
    page.goto(site.reverse("applications:attachments", application.pk, lang="fi"))
    assert_no_axe_violations(page)
    page.set_input_files("#id_file", [str(first), str(second)])
    with page.expect_navigation():
        page.get_by_role("button", name="Lataa").click()
    expect(page.locator("#attachments")).to_contain_text("suunnitelma.pdf")
    expect(page.locator("#attachments")).to_contain_text("sopimus.pdf")
    assert sorted(Attachment.objects.values_list("original_name", flat=True)) == ["sopimus.pdf", "suunnitelma.pdf"]
    expect(page.get_by_role("link", name="Esikatsele suunnitelma.pdf (avautuu uuteen välilehteen)")).to_be_visible()
    assert_no_axe_violations(page)

    page.goto(site.reverse("applications:print", application.pk, lang="fi"))
    expect(page.locator(".draft-mark").first).to_have_text("LUONNOS – ei lähetetty")
    assert_no_axe_violations(page)
    page.goto(site.reverse("applications:delete", application.pk, lang="sv"))
    expect(page.get_by_role("button", name="Radera utkastet för gott")).to_be_visible()
    assert_no_axe_violations(page)
    assert page.console_errors == []


def test_the_officials_timeline_reads_as_sentences_in_swedish_without_violations(page, site):
    world = screening_support.World()
    sign_in_as(page, site, world.preparer, clear=True)
    page.goto(site.reverse("screening:application", world.app.pk, lang="sv"))
    timeline = page.locator("ol.timeline")
    expect(timeline).to_contain_text("Ansökan skickad, kvittonummer 1")
    expect(timeline).to_contain_text("5.10.2020 kl. 12.00 · Liisa Lead (projektadministratör, Borgå)")
    assert_no_axe_violations(page)
