"""The project page's autosave in Chromium: application.js posts the form url-encoded in the
background, the server saves it, and the page keeps the new version so that the next autosave and the
Save button are not taken for a stale page."""

from urllib.parse import parse_qs

import pytest
from playwright.sync_api import expect

from kuntadigi import clock
from kuntadigi.applications.models import Application
from kuntadigi.audit.models import AuditEvent
from tests import factories
from tests.browser.helpers import sign_in_as
from tests.integration import submission_data

pytestmark = pytest.mark.browser


def open_project_page(page, site):
    """A draft of the lead's staff member signed in on its project page: (application, autosave URL)."""
    clock.set_now(factories.DURING_2020)
    application = submission_data.application(factories.call())
    sign_in_as(page, site, application.created_by, clear=True)
    page.goto(site.reverse("applications:edit", application.pk, lang="en"))
    return application, site.reverse("applications:autosave", application.pk, lang="en")


def test_typing_is_saved_in_the_background_and_the_save_button_still_works(page, site):
    application, autosave_url = open_project_page(page, site)

    with page.expect_response(autosave_url) as first:
        page.fill("#id_objectives", "Sähköiset kokoukset kaikissa kunnissa.\nJa avoin päätöksenteko.")
    assert first.value.status == 200
    assert first.value.request.headers["content-type"].startswith("application/x-www-form-urlencoded")
    expect(page.locator("#autosave-status")).to_contain_text("Saved automatically at")
    expect(page.locator("input[name=version]")).to_have_value(str(application.version + 1))
    saved = Application.objects.get(pk=application.pk)
    assert saved.objectives == "Sähköiset kokoukset kaikissa kunnissa.\nJa avoin päätöksenteko."
    assert saved.project_name == application.project_name  # the fields not typed in stay as saved
    assert sorted(saved.target_areas.values_list("number", flat=True)) == [2, 3]

    with page.expect_response(autosave_url) as second:
        page.fill("#id_prior_work", "Rakentuu Riihimäen ja Hämeenlinnan kokemuksiin.")
    assert second.value.status == 200 and second.value.json()["changed"] == ["prior_work"]
    posted = parse_qs(second.value.request.post_data, keep_blank_values=True)  # only what changed since the last save
    assert posted["fields"] == ["prior_work"] and "objectives" not in posted and "project_name" not in posted
    expect(page.locator("input[name=version]")).to_have_value(str(application.version + 2))

    page.fill("#id_project_name", "Avoin kunta 2")
    with page.expect_navigation():
        page.locator("form.application-form button[type=submit]").click()
    final = Application.objects.get(pk=application.pk)
    assert final.project_name == "Avoin kunta 2" and final.prior_work == "Rakentuu Riihimäen ja Hämeenlinnan kokemuksiin."
    assert AuditEvent.objects.filter(action="application.saved", application_id=application.pk).count() == final.version - application.version
    assert page.console_errors == []


def test_after_a_save_that_failed_the_next_autosave_keeps_everything_typed(page, site):
    application, autosave_url = open_project_page(page, site)

    # Typed, then saved with the button at once (before the background save): the e-mail address is
    # wrong, so nothing is saved and the page comes back with what was typed and the error.
    page.fill("#id_project_name", "Kirjoitettu nimi")
    page.fill("#id_contact_email", "maija.example.fi")
    with page.expect_navigation():
        page.locator("form.application-form button[type=submit]").click()
    expect(page.locator("#id_project_name")).to_have_value("Kirjoitettu nimi")
    assert Application.objects.get(pk=application.pk).project_name == application.project_name

    # Correcting the address saves in the background what the page shows, the name included.
    with page.expect_response(autosave_url) as saved:
        page.fill("#id_contact_email", "maija@example.fi")
    assert saved.value.status == 200
    assert "project_name" in parse_qs(saved.value.request.post_data)["fields"][0].split(",")
    final = Application.objects.get(pk=application.pk)
    assert final.project_name == "Kirjoitettu nimi" and final.contact_email == "maija@example.fi"
    assert page.console_errors == []
