"""The officials' lists: calls with counts, and the submitted applications of a call."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from kuntadigi.applications.models import Application
from tests import factories
from tests.integration import submission_data as data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def official(call_2020):
    """The call's preparer: the lists are of the calls in which one has a role."""
    return factories.official_in(call_2020)


def submit(app, at, requested=None):
    """Mark an application submitted directly: the list only reads state, time and amount."""
    Application.objects.filter(pk=app.pk).update(state="submitted", submitted_at=at, **({"requested_grant": requested} if requested else {}))


def make(call, lead_name, project, at, requested):
    app = data.application(call, lead=factories.municipality(lead_name), partners=[factories.municipality(f"{lead_name} kumppani")], project_name=project)
    submit(app, at, requested)
    return app


def list_url(call, **query):
    address = reverse("applications:official_list", args=[call.slug])
    if query:
        from urllib.parse import urlencode

        address += "?" + urlencode(query)
    return address


def rows(response):
    return [app.reference for app in response.context["page"].object_list]


def test_calls_with_counts_of_submitted_applications(client, call_2020, official):
    t = factories.DURING_2020
    make(call_2020, "Oulu", "A", t, Decimal("100.00"))
    make(call_2020, "Turku", "B", t, Decimal("100.00"))
    data.application(call_2020, lead=factories.municipality("Pori"), partners=[factories.municipality()])  # a draft
    client.force_login(official)
    response = client.get(reverse("applications:official_calls"))
    assert response.status_code == 200
    assert [(c.slug, c.received_count) for c in response.context["calls"]] == [("digi-2020", 2)]
    assert list_url(call_2020) in response.content.decode()


def test_list_shows_submitted_applications_in_order_of_submission(client, call_2020, official):
    t = factories.DURING_2020
    late = make(call_2020, "Oulu", "Myöhäinen", t, Decimal("300.00"))
    early = make(call_2020, "Turku", "Aikainen", t - timedelta(days=2), Decimal("50000.00"))
    middle = make(call_2020, "Espoo", "Keskimmäinen", t - timedelta(days=1), Decimal("200.00"))
    draft = data.application(call_2020, lead=factories.municipality("Pori"), partners=[factories.municipality()], project_name="Luonnos")
    other_call = factories.call("digi-2021")
    make(other_call, "Vantaa", "Toinen haku", t, Decimal("1.00"))

    client.force_login(official)
    response = client.get(list_url(call_2020))
    assert response.status_code == 200
    assert rows(response) == [early.reference, middle.reference, late.reference]
    text = response.content.decode()
    assert "Turku kumppani" in text  # partners
    assert "50,000.00\u00a0€" in text  # requested, as euros
    assert "3 October 2020 at 12:00" in text  # submission time in Helsinki
    assert draft.reference not in text and "Toinen haku" not in text

    assert rows(client.get(list_url(call_2020, sort="requested"))) == [early.reference, late.reference, middle.reference]
    assert rows(client.get(list_url(call_2020, sort="lead"))) == [middle.reference, late.reference, early.reference]
    assert rows(client.get(list_url(call_2020, sort="nonsense"))) == [early.reference, middle.reference, late.reference]
    assert rows(client.get(list_url(call_2020, lead="tur"))) == [early.reference]


def test_list_is_paginated_by_50(client, call_2020, official):
    t = factories.DURING_2020
    lead = factories.municipality("Oulu")
    partner = factories.municipality("Kemi")
    for i in range(51):
        app = data.application(call_2020, lead=lead, partners=[partner], created_by=official, complete=False, confirmed=False)
        submit(app, t + timedelta(seconds=i), Decimal("10.00"))
    client.force_login(official)
    first = client.get(list_url(call_2020))
    assert len(rows(first)) == 50
    assert "Next page" in first.content.decode()
    second = client.get(list_url(call_2020, page=2))
    assert len(rows(second)) == 1


@pytest.mark.parametrize("count", [3, 30])
def test_list_takes_a_constant_number_of_queries(client, call_2020, official, django_assert_num_queries, count):
    t = factories.DURING_2020
    lead = factories.municipality("Oulu")
    partners = [factories.municipality("Kemi"), factories.municipality("Tornio")]
    for i in range(count):
        app = data.application(call_2020, lead=lead, partners=partners, created_by=official, complete=False, confirmed=False)
        submit(app, t + timedelta(seconds=i), Decimal("10.00"))
    client.force_login(official)
    # session, user, call, the user's roles in the call (the list is its officials'), count, page, partners
    with django_assert_num_queries(7):
        response = client.get(list_url(call_2020))
    assert len(rows(response)) == count


def test_an_official_without_a_role_in_the_call_gets_404_and_no_link(client, call_2020, official):
    make(call_2020, "Oulu", "A", factories.DURING_2020, Decimal("100.00"))
    other = factories.call("digi-2021")
    client.force_login(factories.official_in(other))
    response = client.get(reverse("applications:official_calls"))
    assert response.status_code == 200
    assert list_url(other) in response.content.decode()
    assert list_url(call_2020) not in response.content.decode()
    assert client.get(list_url(call_2020)).status_code == 404
    client.force_login(factories.user(official=True))  # the ministry-wide flag alone opens no call's applications
    assert client.get(list_url(call_2020)).status_code == 404


def test_non_officials_get_404(client, call_2020):
    app = data.application(call_2020)
    submit(app, factories.DURING_2020)
    client.force_login(app.created_by)  # an applicant
    assert client.get(reverse("applications:official_calls")).status_code == 404
    assert client.get(list_url(call_2020)).status_code == 404
    client.logout()
    assert client.get(list_url(call_2020)).status_code == 302  # anonymous: sign in first
