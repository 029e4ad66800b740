"""The project page's autosave in Chromium: application.js posts the form url-encoded in the
background, the server saves it, and the page keeps the new version so that the next autosave and the
Save button are not taken for a stale page."""

import pytest
from playwright.sync_api import expect

from kuntadigi import clock
from kuntadigi.applications.models import Application
from kuntadigi.audit.models import AuditEvent
from tests import factories
from tests.browser.helpers import sign_in_as
from tests.integration import submission_data

pytestmark = pytest.mark.browser


def test_typing_is_saved_in_the_background_and_the_save_button_still_works(page, site):
    clock.set_now(factories.DURING_2020)
    application = submission_data.application(factories.call())
    sign_in_as(page, site, application.created_by, clear=True)
    page.goto(site.reverse("applications:edit", application.pk, lang="en"))
    autosave_url = site.reverse("applications:autosave", application.pk, lang="en")

    with page.expect_response(autosave_url) as first:
        page.fill("#id_objectives", "Sähköiset kokoukset kaikissa kunnissa.\nJa avoin päätöksenteko.")
    assert first.value.status == 200
    assert first.value.request.headers["content-type"].startswith("application/x-www-form-urlencoded")
    expect(page.locator("#autosave-status")).to_contain_text("Saved automatically at")
    expect(page.locator("input[name=version]")).to_have_value(str(application.version + 1))
    saved = Application.objects.get(pk=application.pk)
    assert saved.objectives == "Sähköiset kokoukset kaikissa kunnissa.\nJa avoin päätöksenteko."
    assert saved.project_name == application.project_name  # the other fields went along unchanged
    assert sorted(saved.target_areas.values_list("number", flat=True)) == [2, 3]

    with page.expect_response(autosave_url) as second:
        page.fill("#id_prior_work", "Rakentuu Riihimäen ja Hämeenlinnan kokemuksiin.")
    assert second.value.status == 200 and second.value.json()["changed"] == ["prior_work"]
    expect(page.locator("input[name=version]")).to_have_value(str(application.version + 2))

    page.fill("#id_project_name", "Avoin kunta 2")
    with page.expect_navigation():
        page.locator("form.application-form button[type=submit]").click()
    final = Application.objects.get(pk=application.pk)
    assert final.project_name == "Avoin kunta 2" and final.prior_work == "Rakentuu Riihimäen ja Hämeenlinnan kokemuksiin."
    assert AuditEvent.objects.filter(action="application.saved", application_id=application.pk).count() == final.version - application.version
    assert page.console_errors == []
