"""The autosave is the most frequent request at a deadline: its queries stay few and fixed."""

import pytest
from django.urls import reverse
from django.utils import translation

from kuntadigi import clock
from tests import factories
from tests.integration import submission_data

pytestmark = pytest.mark.django_db


def form_data(application, **changes) -> dict:
    data = {
        "version": application.version,
        "project_name": application.project_name,
        "language": "fi",
        "target_areas": [area.pk for area in application.target_areas.all()],
        "summary": "Uusi tiivistelmä.",
        "objectives": "Uudet tavoitteet.",
        "start_date": "2021-01-01",
        "end_date": "2022-10-31",
        "contact_name": "Maija Meikäläinen",
        "contact_email": "maija@example.fi",
        "signatory_name": application.signatory_name,
        "signatory_title": application.signatory_title,
        "declaration_not_excluded": "on",
    }
    data.update(changes)
    return data


def lead_signed_in(client, call):
    """A draft of `call` and its lead's staff member signed in: (application, autosave URL)."""
    clock.set_now(factories.DURING_2020)
    application = submission_data.application(call)
    client.force_login(application.created_by)
    with translation.override("en"):
        return application, reverse("applications:autosave", args=[application.pk])


def test_an_autosave_by_the_lead_runs_a_fixed_handful_of_queries(client, call_2020, django_assert_num_queries):
    application, url = lead_signed_in(client, call_2020)
    # session, user, memberships, the application read and locked at once, the form's target areas
    # (which are the call's, so not looked up again), the target areas chosen, the update, the audit
    # chain's head and the audit event (+ savepoint and release inside the test's transaction)
    data = form_data(application)
    with django_assert_num_queries(11):
        response = client.post(url, data)
    assert response.status_code == 200
    assert response.json()["ok"] is True
    application.refresh_from_db()
    assert application.objectives == "Uudet tavoitteet."


def test_an_autosave_by_someone_outside_the_application_stays_unknown(client, call_2020):
    clock.set_now(factories.DURING_2020)
    application = submission_data.application(call_2020)
    outsider = factories.member(factories.municipality("Muu kunta"))
    client.force_login(outsider)
    with translation.override("en"):
        url = reverse("applications:autosave", args=[application.pk])
    assert client.post(url, form_data(application)).status_code == 404
    assert client.post(reverse("applications:autosave", args=[application.pk + 1000]), form_data(application)).status_code == 404


def test_a_partner_may_see_the_application_but_its_autosave_is_refused(client, call_2020):
    clock.set_now(factories.DURING_2020)
    application = submission_data.application(call_2020)
    partner_user = factories.member(submission_data.partner(application).organisation)
    client.force_login(partner_user)
    with translation.override("en"):
        url = reverse("applications:autosave", args=[application.pk])
    response = client.post(url, form_data(application, objectives="Kumppanin teksti."))
    assert response.status_code == 403
    application.refresh_from_db()
    assert application.objectives != "Kumppanin teksti."


def test_an_autosave_of_one_changed_text_looks_up_no_target_areas(client, call_2020, django_assert_num_queries):
    application, url = lead_signed_in(client, call_2020)
    # What the browser sends while someone types: the one field that changed. Session, user,
    # memberships, the application read and locked, the update, the audit chain's head and the audit
    # event, and the savepoint and its release inside the test's transaction.
    with django_assert_num_queries(9):
        response = client.post(url, {"version": application.version, "fields": "objectives", "objectives": "Kirjoitan."})
    assert response.status_code == 200 and response.json()["changed"] == ["objectives"]
