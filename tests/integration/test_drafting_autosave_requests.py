"""The autosave as the browser sends it (url-encoded) and as the form itself would (multipart): both
save the same way, with the same guarantees: the version check, the call's own target areas, one
audit event per save, and the row lock taken only for the lead's staff."""

from urllib.parse import urlencode

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from kuntadigi import clock
from kuntadigi.applications import drafting
from kuntadigi.audit.models import AuditEvent
from tests import factories
from tests.integration import submission_data
from tests.integration.test_drafting_autosave_queries import form_data

pytestmark = pytest.mark.django_db

URLENCODED = "application/x-www-form-urlencoded;charset=UTF-8"


@pytest.fixture
def lead_draft(client, call_2020):
    clock.set_now(factories.DURING_2020)
    application = submission_data.application(call_2020)
    client.force_login(application.created_by)
    return application


def autosave_url(application) -> str:
    with translation.override("en"):
        return reverse("applications:autosave", args=[application.pk])


def post(client, application, data: dict, encoding: str):
    if encoding == "urlencoded":
        return client.post(autosave_url(application), urlencode(data, doseq=True), content_type=URLENCODED)
    return client.post(autosave_url(application), data)  # the test client's default: multipart


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_an_autosave_saves_the_texts_and_records_one_audit_event(client, lead_draft, encoding):
    unchanged = {name: getattr(lead_draft, name) for name in ("current_state", "change_in_ways_of_working", "rollout_and_spread", "prior_work")}
    response = post(client, lead_draft, form_data(lead_draft, objectives="Rivi 1\r\nRivi 2", **unchanged), encoding)
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True and body["version"] == lead_draft.version + 1
    assert sorted(body["changed"]) == ["objectives", "summary"]
    saved = type(lead_draft).objects.get(pk=lead_draft.pk)
    assert saved.objectives == "Rivi 1\nRivi 2"  # line breaks normalised as on the Save button's path
    assert saved.version == body["version"]
    events = AuditEvent.objects.filter(action="application.saved", application_id=lead_draft.pk)
    assert [event.after for event in events] == [{"fields": body["changed"], "version": body["version"]}]


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_an_autosave_from_a_stale_page_is_409_and_writes_nothing(client, lead_draft, encoding):
    page_version = lead_draft.version
    drafting.save_draft(lead_draft.created_by, lead_draft, {"objectives": "Toisen välilehden teksti."}, page_version)
    events_before = AuditEvent.objects.count()
    response = post(client, lead_draft, form_data(lead_draft, version=page_version, objectives="Vanha sivu."), encoding)
    assert response.status_code == 409
    assert response.json()["stale"] is True
    lead_draft.refresh_from_db()
    assert lead_draft.objectives == "Toisen välilehden teksti."
    assert lead_draft.version == page_version + 1
    assert AuditEvent.objects.count() == events_before


def test_changing_the_target_areas_by_autosave_saves_them(client, lead_draft):
    area = lead_draft.call.target_areas.get(number=5)
    response = post(client, lead_draft, form_data(lead_draft, target_areas=[area.pk]), "urlencoded")
    assert response.status_code == 200
    assert "target_areas" in response.json()["changed"]
    assert list(lead_draft.target_areas.values_list("number", flat=True)) == [5]


def test_a_target_area_of_another_call_is_a_field_error_and_nothing_is_saved(client, lead_draft):
    other_call = factories.call("digi-2021")
    foreign = other_call.target_areas.get(number=1)
    response = post(client, lead_draft, form_data(lead_draft, target_areas=[foreign.pk], objectives="Ei tallennu."), "urlencoded")
    assert response.status_code == 400
    assert "target_areas" in response.json()["errors"]
    lead_draft.refresh_from_db()
    assert lead_draft.objectives != "Ei tallennu."
    assert sorted(lead_draft.target_areas.values_list("number", flat=True)) == [2, 3]


def test_the_service_refuses_ids_of_another_calls_target_areas(lead_draft):
    other_call = factories.call("digi-2021")
    foreign = other_call.target_areas.get(number=1)
    with pytest.raises(drafting.Refused):
        drafting.save_draft(lead_draft.created_by, lead_draft, {"target_areas": [foreign.pk]}, lead_draft.version)
    with pytest.raises(drafting.Refused):  # an instance of another call's area is looked up too
        drafting.save_draft(lead_draft.created_by, lead_draft, {"target_areas": [foreign]}, lead_draft.version)
    assert sorted(lead_draft.target_areas.values_list("number", flat=True)) == [2, 3]


def test_save_draft_saves_a_row_its_caller_locked_within_the_callers_transaction(lead_draft):
    with transaction.atomic():
        locked = drafting._lock(lead_draft)
        saved, changed = drafting.save_draft(lead_draft.created_by, locked, {"objectives": "Lukittu."}, locked.version, locked=True)
    assert changed == ["objectives"] and saved is locked
    lead_draft.refresh_from_db()
    assert lead_draft.objectives == "Lukittu." and lead_draft.version == saved.version


@pytest.mark.django_db(transaction=True)
def test_save_draft_with_locked_outside_a_transaction_is_an_error(call_2020):
    clock.set_now(factories.DURING_2020)
    application = submission_data.application(call_2020)
    with pytest.raises(RuntimeError):
        drafting.save_draft(application.created_by, application, {"objectives": "Ei lukkoa."}, application.version, locked=True)
    application.refresh_from_db()
    assert application.objectives != "Ei lukkoa."


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no row locks (SELECT ... FOR UPDATE)")
def test_the_autosave_locks_the_application_row_only_for_the_leads_staff(client, lead_draft):
    with CaptureQueriesContext(connection) as lead_queries:
        assert post(client, lead_draft, form_data(lead_draft), "urlencoded").status_code == 200
    locking = [query["sql"] for query in lead_queries.captured_queries if "FOR UPDATE" in query["sql"]]
    assert len(locking) == 1 and 'FOR UPDATE OF "applications_application"' in locking[0]
    partner_user = factories.member(submission_data.partner(lead_draft).organisation)
    client.force_login(partner_user)
    lead_draft.refresh_from_db()
    with CaptureQueriesContext(connection) as partner_queries:
        assert post(client, lead_draft, form_data(lead_draft), "urlencoded").status_code == 403
    # The one locking read is limited to applications the user's organisations lead: for a partner it
    # finds (and locks) no row, and the application is then read without a lock.
    partner_locking = [query["sql"] for query in partner_queries.captured_queries if "FOR UPDATE" in query["sql"]]
    assert len(partner_locking) == 1 and '"applications_application"."lead_id" IN (' in partner_locking[0]
    assert [query for query in partner_queries.captured_queries if "FOR UPDATE" not in query["sql"] and '"applications_application"."id" = ' in query["sql"]]


# ── Only the fields that changed ─────────────────────────────────────────────────────────────────


def test_an_autosave_of_the_changed_fields_saves_them_and_leaves_the_rest_as_saved(client, lead_draft):
    before = type(lead_draft).objects.get(pk=lead_draft.pk)
    body = {"version": lead_draft.version, "fields": "objectives,declaration_not_excluded", "objectives": "Vain tämä muuttui."}
    response = post(client, lead_draft, body, "urlencoded")  # an unticked box posts nothing: named in fields, it is saved unticked
    assert response.status_code == 200
    assert sorted(response.json()["changed"]) == (["declaration_not_excluded", "objectives"] if before.declaration_not_excluded else ["objectives"])
    saved = type(lead_draft).objects.get(pk=lead_draft.pk)
    assert saved.objectives == "Vain tämä muuttui." and saved.declaration_not_excluded is False
    for name in ("project_name", "language", "summary", "current_state", "prior_work", "start_date", "end_date", "contact_name", "contact_email"):
        assert getattr(saved, name) == getattr(before, name), name
    assert sorted(saved.target_areas.values_list("number", flat=True)) == [2, 3]


def test_an_autosave_that_names_no_field_changes_nothing(client, lead_draft):
    events_before = AuditEvent.objects.count()
    response = post(client, lead_draft, {"version": lead_draft.version, "fields": ""}, "urlencoded")
    assert response.status_code == 200
    assert response.json() == {"ok": True, "version": lead_draft.version, "saved_at": drafting.saved_at(lead_draft), "changed": []}
    assert AuditEvent.objects.count() == events_before


def test_a_changed_field_is_validated_as_on_the_whole_form(client, lead_draft):
    response = post(
        client, lead_draft, {"version": lead_draft.version, "fields": "end_date,objectives", "end_date": "31.13.2021", "objectives": "Ei."}, "urlencoded"
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["end_date"]
    lead_draft.refresh_from_db()
    assert lead_draft.objectives != "Ei."


def test_an_autosave_naming_a_field_the_page_does_not_have_is_refused_and_saves_nothing(client, lead_draft):
    response = post(client, lead_draft, {"version": lead_draft.version, "fields": "objectives,state", "objectives": "Ei.", "state": "submitted"}, "urlencoded")
    assert response.status_code == 400
    assert response.json()["ok"] is False and "reload the page" in response.json()["message"]
    lead_draft.refresh_from_db()
    assert lead_draft.objectives != "Ei." and lead_draft.state == "draft"


def test_the_project_page_tells_the_script_when_it_shows_values_that_were_not_saved(client, lead_draft):
    with translation.override("en"):
        url = reverse("applications:edit", args=[lead_draft.pk])
    assert "data-autosave-unsaved" not in client.get(url).content.decode()
    response = client.post(url, form_data(lead_draft, end_date="not a date", objectives="Ei tallennettu."))
    assert response.status_code == 200
    page = response.content.decode()
    assert "data-autosave-url" in page and "data-autosave-unsaved" in page
