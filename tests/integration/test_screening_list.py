"""The screening list of a call: received applications with the automatic checks, for the call's
officials only; filters, pages and a constant number of queries."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from kuntadigi.applications.models import Application
from kuntadigi.screening import services
from tests import factories
from tests.integration import screening_support as support
from tests.integration import submission_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def world():
    return support.World()


def list_url(world, **query):
    url = reverse("screening:list", args=[world.call.slug])
    if query:
        from urllib.parse import urlencode

        url += "?" + urlencode(query)
    return url


def references(response):
    return [row.application.reference for row in response.context["rows"]]


@pytest.mark.parametrize("who", ["preparer", "presenter", "decision_maker"])
def test_the_calls_officials_see_the_list(client, world, who):
    client.force_login(getattr(world, who))
    response = client.get(list_url(world))
    assert response.status_code == 200
    assert references(response) == [world.app.reference]


@pytest.mark.parametrize("who", ["official", "assessor", "lead", "partner", "admin"])
def test_others_get_404(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get(list_url(world)).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, world):
    response = client.get(list_url(world))
    assert response.status_code == 302
    assert reverse("accounts:sign_in") in response["Location"]


def test_a_role_in_another_call_is_not_enough(client, world):
    other = factories.call("digi-2021")
    person = support.official(other, "preparer")
    client.force_login(person)
    assert client.get(list_url(world)).status_code == 404


def rows_of(response) -> dict:
    return {row.application.pk: row for row in response.context["rows"]}


def test_drafts_are_not_listed_and_flagged_checks_show_their_reason(client, world):
    submission_data.application(world.call, lead=factories.municipality("Kotka"), partners=[factories.municipality("Hamina")], project_name="Luonnos")
    flagged = support.submitted(
        world.call,
        lead=factories.municipality("Lahti"),
        partners=[factories.municipality("Hollola")],
        summary="Sote-keskuksen ja terveysasemien ajanvaraus.",
        project_name="Ajanvaraus",
    )
    client.force_login(world.preparer)
    response = client.get(list_url(world))
    assert references(response) == [world.app.reference, flagged.reference]
    page = response.content.decode()
    assert "Luonnos" not in page
    assert "For a person to judge. The texts mention Social and health care: Sote-keskuksen, terveysasemien." in page
    assert "1 check flagged" in page
    # The list shows what needs a person's eye; every check with its reason is on the application's page.
    assert "Submitted 5 October 2020 at 12:00, before the call closed 5 October 2020 at 16:15." not in page
    assert f"All {len(rows_of(response)[world.app.pk].checks)} checks passed" in page
    application_page = client.get(reverse("screening:application", args=[world.app.pk])).content.decode()
    assert "Submitted 5 October 2020 at 12:00, before the call closed 5 October 2020 at 16:15." in application_page
    rows = {row.application.pk: row for row in response.context["rows"]}
    assert [check.code for check in rows[flagged.pk].flags] == ["exclusions"]
    assert rows[world.app.pk].flags == []


def test_checks_read_the_latest_submitted_version_not_the_live_application(client, world):
    Application.objects.filter(pk=world.app.pk).update(requested_grant=Decimal("999999.00"))
    client.force_login(world.preparer)
    row = client.get(list_url(world)).context["rows"][0]
    assert not row.flags


def test_filter_by_state_and_by_flag(client, world):
    flagged = support.submitted(world.call, summary="Terveysneuvonta verkossa.", project_name="Neuvonta")
    services.mark_application(world.preparer, world.app.pk, "eligible", "Täyttää ehdot.")
    client.force_login(world.preparer)
    assert references(client.get(list_url(world, state="eligible"))) == [world.app.reference]
    assert references(client.get(list_url(world, state="submitted"))) == [flagged.reference]
    assert references(client.get(list_url(world, flag="any"))) == [flagged.reference]
    assert references(client.get(list_url(world, flag="exclusions"))) == [flagged.reference]
    assert references(client.get(list_url(world, flag="none"))) == [world.app.reference]
    assert references(client.get(list_url(world, flag="vat"))) == []
    assert references(client.get(list_url(world, flag="nonsense", state="nonsense"))) == [world.app.reference, flagged.reference]
    page = client.get(list_url(world, state="eligible")).content.decode()
    assert "Täyttää ehdot." in page


def test_pages_of_25(client, world):
    for index in range(26):
        support.submitted(world.call, project_name=f"Hanke {index}")
    client.force_login(world.preparer)
    first = client.get(list_url(world))
    assert len(first.context["rows"]) == 25
    assert first.context["page"].paginator.count == 27
    second = client.get(list_url(world, page=2))
    assert len(second.context["rows"]) == 2
    assert "Page 2 of 2" in second.content.decode()
    flagged_pages = client.get(list_url(world, flag="none", page=2))
    assert len(flagged_pages.context["rows"]) == 2
    assert "flag=none&amp;page=1" in flagged_pages.content.decode()


def _make(world, count):
    for index in range(count):
        support.submitted(world.call, project_name=f"Hanke {index}", summary="Sote" if index % 2 else "Kokoukset")


@pytest.mark.parametrize("flag", ["", "any"])
def test_a_constant_number_of_queries(client, world, django_assert_num_queries, flag):
    client.force_login(world.preparer)
    query = {"flag": flag} if flag else {}
    _make(world, 2)
    client.get(list_url(world, **query))  # warm the session
    # With a filter by the checks: one more query finds the applications whose stored checks are stale.
    # (One of the 11 reads the municipality codes of Åland, which the call does not allow.)
    with django_assert_num_queries(11 if not flag else 12) as few:
        response = client.get(list_url(world, **query))
    assert len(response.context["rows"]) == (3 if not flag else 1)
    count = len(few.captured_queries)
    _make(world, 17)
    if flag:
        client.get(list_url(world, **query))  # the new applications' checks are stored on first sight
    with django_assert_num_queries(count):
        response = client.get(list_url(world, **query))
    assert len(response.context["rows"]) == (20 if not flag else 9)
