"""Starting an application: who may, the reference numbering, the prefilled contact."""

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from kuntadigi import clock
from kuntadigi.applications import drafting
from kuntadigi.applications.models import Application, Participant
from kuntadigi.audit.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Pages in English, so that the assertions hold whatever the Finnish translations say."""
    with translation.override("en"):
        yield


def start_url(call, language="en"):
    return f"/{language}/calls/{call.slug}/apply/"


def test_anonymous_user_is_sent_to_sign_in_and_back(client, call_2020, during_call):
    response = client.get(start_url(call_2020))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign_in"))
    assert "next=/en/calls/digi-2020/apply/" in response["Location"]


def test_page_shows_the_call_and_the_users_organisations(client, call_2020, during_call):
    porvoo = factories.municipality("Porvoo", code="638", name_sv="Borgå")
    factories.municipality("Loviisa", code="434", name_sv="Lovisa")
    person = factories.member(porvoo)
    client.force_login(person)
    response = client.get(start_url(call_2020))
    page = response.content.decode()
    assert response.status_code == 200
    assert "State grant for promoting digitalisation in municipalities 2020" in page
    assert "Porvoo – Borgå" in page
    assert "Loviisa" not in page  # only the user's own organisations
    assert 'name="lead"' in page and 'type="radio"' in page


def test_user_without_organisation_is_told_to_ask_to_join(client, call_2020, during_call):
    client.force_login(factories.user())
    page = client.get(start_url(call_2020)).content.decode()
    assert reverse("accounts:organisations") in page
    assert 'name="lead"' not in page


def test_swedish_interface_proposes_swedish(client, call_2020, during_call):
    porvoo = factories.municipality("Porvoo", code="638", name_sv="Borgå")
    client.force_login(factories.member(porvoo))
    page = client.get(start_url(call_2020, "sv")).content.decode()
    assert '<input type="radio" name="language" value="sv" id="id_language_1" required checked>' in page
    finnish = client.get(start_url(call_2020, "en")).content.decode()
    assert '<input type="radio" name="language" value="fi" id="id_language_0" required checked>' in finnish


def test_start_creates_a_draft_with_reference_lead_and_contact(client, call_2020, during_call):
    porvoo = factories.municipality("Porvoo", code="638", name_sv="Borgå")
    person = factories.member(porvoo, "liisa@porvoo.fi", full_name="Liisa Laine", phone="040 111 2222")
    client.force_login(person)
    response = client.post(start_url(call_2020), {"lead": porvoo.pk, "language": "sv"})
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("applications:edit", kwargs={"pk": application.pk})
    assert application.reference == "DIGI-2020-0001"
    assert application.state == "draft" and application.language == "sv" and application.version == 1
    assert (application.contact_name, application.contact_email, application.contact_phone) == ("Liisa Laine", "liisa@porvoo.fi", "040 111 2222")
    assert list(application.participants.values_list("organisation_id", "role")) == [(porvoo.pk, Participant.Role.LEAD)]
    assert AuditEvent.objects.filter(action="application.started", application_id=application.pk, actor=person).exists()


def test_references_run_in_sequence_per_call(call_2020, during_call):
    other_call = factories.call("digi-2021", opens_at=call_2020.opens_at, closes_at=call_2020.closes_at)
    porvoo = factories.municipality()
    person = factories.member(porvoo)
    first = drafting.start_application(person, call_2020, porvoo, "fi")
    second = drafting.start_application(person, call_2020, porvoo, "fi")
    elsewhere = drafting.start_application(person, other_call, porvoo, "fi")
    assert [first.reference, second.reference, elsewhere.reference] == ["DIGI-2020-0001", "DIGI-2020-0002", "DIGI-2021-0001"]


def test_refused_when_the_call_is_closed(client, call_2020):
    clock.set_now(datetime(2020, 10, 5, 16, 15, tzinfo=factories.HKI))  # the deadline instant: closed
    porvoo = factories.municipality()
    person = factories.member(porvoo)
    client.force_login(person)
    page = client.get(start_url(call_2020)).content.decode()
    assert "The call has closed" in page
    response = client.post(start_url(call_2020), {"lead": porvoo.pk, "language": "fi"})
    assert response.status_code == 403
    assert "The call is not open for applications." in response.content.decode()
    assert not Application.objects.exists()


def test_refused_when_the_user_does_not_act_for_the_lead(client, call_2020, during_call):
    porvoo = factories.municipality()
    other = factories.municipality()
    person = factories.member(porvoo)
    client.force_login(person)
    response = client.post(start_url(call_2020), {"lead": other.pk, "language": "fi"})
    assert response.status_code == 200
    assert "Choose one of your organisations." in response.content.decode()
    assert not Application.objects.exists()
    with pytest.raises(drafting.Refused, match="only for an organisation you act for"):
        drafting.start_application(person, call_2020, other, "fi")
    assert not Application.objects.exists()


def test_pending_membership_does_not_count(call_2020, during_call):
    from kuntadigi.accounts.models import Membership

    porvoo = factories.municipality()
    person = factories.user()
    Membership.objects.create(user=person, organisation=porvoo, status=Membership.Status.PENDING)
    with pytest.raises(drafting.Refused):
        drafting.start_application(person, call_2020, porvoo, "fi")


def test_unpublished_call_is_not_found(client, during_call):
    hidden = factories.call("digi-hidden", is_published=False)
    client.force_login(factories.member(factories.municipality()))
    assert client.get(start_url(hidden)).status_code == 404
