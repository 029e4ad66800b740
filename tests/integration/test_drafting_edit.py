"""The project page: saving a draft, optimistic locking (two tabs) and autosave."""

import re
from datetime import date, datetime

import pytest
from django.utils import translation

from kuntadigi import clock
from kuntadigi.applications import drafting
from kuntadigi.audit.models import AuditEvent
from tests import factories
from tests.integration.drafting_support import Draft

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Pages in English, so that the assertions hold whatever the Finnish translations say."""
    with translation.override("en"):
        yield


FIELDS = [
    "project_name",
    "summary",
    "current_state",
    "objectives",
    "change_in_ways_of_working",
    "rollout_and_spread",
    "prior_work",
    "start_date",
    "end_date",
    "contact_name",
    "contact_email",
    "contact_phone",
    "declaration_not_excluded",
]


def form_data(page: str) -> dict:
    """What a browser would post from the page as it was rendered (text inputs, textareas, checked boxes)."""
    data = {}
    for tag in re.findall(r"<input[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        if not name:
            continue
        kind = (re.search(r'type="([^"]+)"', tag) or [None, "text"])[1]
        value = re.search(r'value="([^"]*)"', tag)
        if kind in {"checkbox", "radio"}:
            if " checked" in tag:
                data.setdefault(name[1], []).append(value[1] if value else "on")
        else:
            data[name[1]] = value[1] if value else ""
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>\n?(.*?)</textarea>', page, re.S):
        data[name] = text
    return data


@pytest.fixture
def draft(during_call):
    return Draft()


def test_page_has_every_section_with_label_hint_and_default_ids(client, draft):
    client.force_login(draft.user)
    response = client.get(draft.url("edit"))
    page = response.content.decode()
    assert response.status_code == 200
    for name in FIELDS:
        assert f'id="id_{name}"' in page, name
        assert f'for="id_{name}"' in page, name
    assert '<fieldset class="field" id="id_target_areas"' in page
    assert "<legend>Target areas</legend>" in page
    assert page.count('name="target_areas"') == 5
    assert 'type="date"' in page and 'max="2022-10-31"' in page
    assert "The project must end by 31 October 2022." in page
    assert 'data-max-chars="2000"' in page and "At most 2000 characters." in page
    assert "Social and health care" in page  # the call's exclusion, listed for the declaration
    assert 'name="version" value="1"' in page
    assert 'aria-current="page"' in page and "Review and submit" in page
    assert "<script>" not in page and 'style="' not in page
    # Contact prefilled from the user who started it.
    assert 'value="Liisa Lead"' in page


def test_save_draft_stores_fields_bumps_version_and_audits(client, draft):
    client.force_login(draft.user)
    page = client.get(draft.url("edit")).content.decode()
    data = form_data(page)
    areas = list(draft.call.target_areas.order_by("number").values_list("pk", flat=True))
    data.update(
        project_name="Sähköinen kokous",
        summary="Lyhyesti\r\nkaksi riviä",
        target_areas=[str(areas[0]), str(areas[3])],
        start_date="2021-01-01",
        end_date="31.12.2021",
        declaration_not_excluded="on",
    )
    clock.set_now(datetime(2020, 10, 1, 12, 5, tzinfo=factories.HKI))
    response = client.post(draft.url("edit"), data)
    assert response.status_code == 302 and response["Location"] == draft.url("edit")
    application = draft.refresh()
    assert application.project_name == "Sähköinen kokous"
    assert application.summary == "Lyhyesti\nkaksi riviä"
    assert sorted(application.target_areas.values_list("number", flat=True)) == [1, 4]
    assert (application.start_date, application.end_date) == (date(2021, 1, 1), date(2021, 12, 31))
    assert application.declaration_not_excluded is True
    assert application.version == 2
    assert application.updated_at == clock.now()
    event = AuditEvent.objects.get(action="application.saved")
    assert set(event.after["fields"]) == {"project_name", "summary", "target_areas", "start_date", "end_date", "declaration_not_excluded"}
    followed = client.get(response["Location"]).content.decode()
    assert "Saved at 12.05." in followed


def test_incomplete_draft_is_fine_but_format_is_checked(client, draft):
    client.force_login(draft.user)
    data = form_data(client.get(draft.url("edit")).content.decode())
    data.update(contact_email="not-an-address", end_date="2021-02-30", summary="x" * 2001)
    response = client.post(draft.url("edit"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'class="error-summary"' in page
    assert 'href="#id_contact_email"' in page and 'href="#id_end_date"' in page and 'href="#id_summary"' in page
    assert "This text is 2001 characters long; the limit is 2000." in page
    assert 'value="not-an-address"' in page  # the input is kept
    assert draft.refresh().version == 1


def test_end_date_after_the_call_limit_is_saved_with_a_warning(client, draft):
    client.force_login(draft.user)
    data = form_data(client.get(draft.url("edit")).content.decode())
    data.update(end_date="2022-11-01")
    client.post(draft.url("edit"), data)
    assert draft.refresh().end_date == date(2022, 11, 1)
    page = client.get(draft.url("edit")).content.decode()
    assert "The project must end by 31 October 2022." in page and "fix these before submitting" in page


def test_stale_page_is_refused_and_nothing_is_overwritten(client, draft):
    """Two tabs: both open version 1; the first saves; the second's save is refused, its text shown."""
    client.force_login(draft.user)
    tab_one = form_data(client.get(draft.url("edit")).content.decode())
    tab_two = form_data(client.get(draft.url("edit")).content.decode())
    clock.set_now(datetime(2020, 10, 2, 9, 41, tzinfo=factories.HKI))
    tab_one.update(project_name="Tab one wins", objectives="First objectives")
    assert client.post(draft.url("edit"), tab_one).status_code == 302
    tab_two.update(project_name="Tab two text", objectives="Second objectives, typed carefully")
    response = client.post(draft.url("edit"), tab_two)
    page = response.content.decode()
    assert response.status_code == 409
    assert "This application was changed by someone else (or in another tab) at 09.41 after you opened it." in page
    assert "Your text below was NOT saved." in page
    assert "Second objectives, typed carefully" in page  # nothing typed is lost
    application = draft.refresh()
    assert (application.project_name, application.objectives, application.version) == ("Tab one wins", "First objectives", 2)


def test_service_refuses_stale_version_without_writing(draft):
    application = draft.application
    drafting.save_draft(draft.user, application, {"project_name": "A"}, 1)
    with pytest.raises(drafting.StaleVersion):
        drafting.save_draft(draft.user, application, {"project_name": "B"}, 1)
    assert draft.refresh().project_name == "A"


def test_saving_without_changes_keeps_the_version(client, draft):
    client.force_login(draft.user)
    data = form_data(client.get(draft.url("edit")).content.decode())
    client.post(draft.url("edit"), data)
    assert draft.refresh().version == 1
    assert not AuditEvent.objects.filter(action="application.saved").exists()


def test_autosave_answers_json_and_the_explicit_save_then_works(client, draft):
    client.force_login(draft.user)
    data = form_data(client.get(draft.url("edit")).content.decode())
    clock.set_now(datetime(2020, 10, 1, 12, 5, tzinfo=factories.HKI))
    data.update(project_name="Autosaved")
    response = client.post(draft.url("autosave"), data)
    assert response.status_code == 200
    assert response.json() == {"ok": True, "version": 2, "saved_at": "12.05", "changed": ["project_name"]}
    assert draft.refresh().project_name == "Autosaved"
    # The page updates its hidden version from the answer; the Save button then works.
    data.update(version="2", objectives="Typed after the autosave")
    assert client.post(draft.url("edit"), data).status_code == 302
    assert draft.refresh().version == 3


def test_autosave_on_a_stale_version_is_409_and_writes_nothing(client, draft):
    client.force_login(draft.user)
    data = form_data(client.get(draft.url("edit")).content.decode())
    drafting.save_draft(draft.user, draft.application, {"project_name": "Someone else"}, 1)
    data.update(project_name="Mine")
    response = client.post(draft.url("autosave"), data)
    assert response.status_code == 409
    body = response.json()
    assert body["ok"] is False and "was changed by someone else" in body["message"]
    assert draft.refresh().project_name == "Someone else"


def test_autosave_with_bad_format_is_400_with_field_errors(client, draft):
    client.force_login(draft.user)
    data = form_data(client.get(draft.url("edit")).content.decode())
    data.update(contact_email="nope")
    response = client.post(draft.url("autosave"), data)
    assert response.status_code == 400
    assert "contact_email" in response.json()["errors"]


def test_autosave_needs_sign_in_post_and_membership(client, draft):
    assert client.post(draft.url("autosave"), {}).status_code == 401
    outsider = factories.member(factories.municipality())
    client.force_login(outsider)
    assert client.post(draft.url("autosave"), {"version": "1"}).status_code == 404
    client.force_login(draft.user)
    assert client.get(draft.url("autosave")).status_code == 405


def test_others_get_404_and_partners_see_it_read_only(client, draft):
    partner = factories.municipality("Loviisa", code="434")
    draft.add_partner(partner)
    client.force_login(factories.member(factories.municipality()))
    assert client.get(draft.url("edit")).status_code == 404
    partner_user = factories.member(partner)
    client.force_login(partner_user)
    page = client.get(draft.url("edit")).content.decode()
    assert "Only the lead applicant&#x27;s staff can edit the application." in page
    assert re.search(r'<input type="text" name="project_name"[^>]* disabled', page)
    assert "data-autosave-url" not in page
    response = client.post(draft.url("edit"), {"version": "2", "project_name": "Hijack"})
    assert response.status_code == 302
    assert draft.refresh().project_name == ""


def test_closed_call_cannot_be_edited(client, draft):
    client.force_login(draft.user)
    data = form_data(client.get(draft.url("edit")).content.decode())
    clock.set_now(datetime(2020, 10, 5, 16, 15, tzinfo=factories.HKI))
    data.update(project_name="Too late")
    client.post(draft.url("edit"), data)
    assert draft.refresh().project_name == ""
    assert client.post(draft.url("autosave"), data).status_code == 403


def test_anonymous_is_sent_to_sign_in(client, draft):
    response = client.get(draft.url("edit"))
    assert response.status_code == 302 and "next=" in response["Location"]
