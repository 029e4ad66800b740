"""A preparer marks several applications on the screening list at once, with one shared reason: each
through the single mark's checks, one audit event each, all in one transaction. When any of them
cannot be marked, none is, and the list says which and why, the choices kept. Plain HTML form."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from kuntadigi import clock
from kuntadigi.applications.errors import Refused
from kuntadigi.applications.models import Application
from kuntadigi.audit.models import AuditEvent
from kuntadigi.screening import services
from kuntadigi.screening.models import Screening
from tests import factories
from tests.integration import screening_support as support

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def world():
    world = support.World()
    world.second = support.submitted(world.call, project_name="Toinen")
    world.third = support.submitted(world.call, project_name="Kolmas")
    return world


def bulk_url(world, **query) -> str:
    address = reverse("screening:bulk_mark", args=[world.call.slug])
    if query:
        from urllib.parse import urlencode

        address += "?" + urlencode(query)
    return address


def marks(world) -> dict[int, str]:
    return dict(Screening.objects.filter(application__call=world.call).values_list("application_id", "outcome"))


def test_the_list_has_a_checkbox_per_application_and_the_shared_mark_form(client, world):
    client.force_login(world.preparer)
    page = client.get(world.page("list")).content.decode()
    assert f'action="{bulk_url(world)}"' in page
    for app in (world.app, world.second, world.third):
        assert f'name="applications" value="{app.pk}"' in page
        assert f'<label for="choose-{app.pk}" class="visually-hidden">Choose {app.reference}</label>' in page
    assert "Mark the chosen applications" in page


@pytest.mark.parametrize("who", ["presenter", "decision_maker"])
def test_others_who_see_the_list_get_no_checkboxes(client, world, who):
    client.force_login(getattr(world, who))
    page = client.get(world.page("list")).content.decode()
    assert 'name="applications"' not in page
    assert bulk_url(world) not in page


def test_no_checkboxes_before_the_call_closes(client, world):
    clock.set_now(factories.DURING_2020)
    client.force_login(world.preparer)
    assert 'name="applications"' not in client.get(world.page("list")).content.decode()


def test_several_applications_marked_with_one_reason_one_event_each(client, world):
    client.force_login(world.preparer)
    before = AuditEvent.objects.filter(action="screening.marked").count()
    response = client.post(
        bulk_url(world, state="submitted"), {"applications": [world.app.pk, world.third.pk], "outcome": "eligible", "reason": "Täyttää ehdot."}
    )
    assert response.status_code == 302
    assert response["Location"] == world.page("list") + "?state=submitted"
    assert marks(world) == {world.app.pk: "eligible", world.third.pk: "eligible"}
    assert set(Screening.objects.values_list("reason", flat=True)) == {"Täyttää ehdot."}
    events = AuditEvent.objects.filter(action="screening.marked").order_by("pk")
    assert events.count() == before + 2
    assert sorted(event.application_id for event in events) == sorted([world.app.pk, world.third.pk])
    assert all(event.after["reason"] == "Täyttää ehdot." and event.actor == world.preparer for event in events)
    page = client.get(response["Location"]).content.decode()
    assert "2 applications were marked eligible." in page


def test_ineligible_together_names_the_conditions_not_met(client, world):
    client.force_login(world.preparer)
    client.post(
        bulk_url(world),
        {"applications": [world.second.pk, world.third.pk], "outcome": "ineligible", "reason": "Ei kohdealueita.", "failed_conditions": ["target_areas"]},
    )
    assert marks(world) == {world.second.pk: "ineligible", world.third.pk: "ineligible"}
    assert [screening.failed_conditions for screening in Screening.objects.all()] == [["target_areas"], ["target_areas"]]


def test_when_one_cannot_be_marked_none_is_and_the_list_says_which(client, world):
    services.request_supplement(world.preparer, world.second.pk, ["schedule"], "Aikataulu.", clock.now() + timedelta(days=3))
    client.force_login(world.preparer)
    events = AuditEvent.objects.count()
    response = client.post(bulk_url(world), {"applications": [world.app.pk, world.second.pk, world.third.pk], "outcome": "eligible", "reason": "Kunnossa."})
    assert response.status_code == 200
    page = response.content.decode()
    assert "No application was marked: 1 chosen application cannot be marked." in page
    assert f"<strong>{world.second.reference}</strong>: A request for supplement is waiting for its answer until its due time." in page
    assert marks(world) == {}
    assert AuditEvent.objects.count() == events
    assert Application.objects.get(pk=world.app.pk).state == "submitted"
    for app in (world.app, world.second, world.third):  # the choices are kept, to untick the one and try again
        assert f'value="{app.pk}" id="choose-{app.pk}" checked' in page
    assert "Kunnossa." in page


def test_the_failures_are_in_finnish_and_swedish(client, world):
    services.request_supplement(world.preparer, world.second.pk, ["schedule"], "Aikataulu.", clock.now() + timedelta(days=3))
    client.force_login(world.preparer)
    for lang in ("fi", "sv"):
        with translation.override(lang):
            page = client.post(bulk_url(world), {"applications": [world.second.pk], "outcome": "eligible", "reason": "Kunnossa."}).content.decode()
            english = "No application was marked"
            assert english not in page and "cannot be marked" not in page, lang


def test_nothing_chosen_or_no_reason_is_an_error_on_the_form(client, world):
    client.force_login(world.preparer)
    response = client.post(bulk_url(world), {"outcome": "eligible", "reason": ""})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose at least one application." in page
    assert "Write the reason for the mark." in page
    assert "There is a problem" in page
    assert marks(world) == {}


def test_an_application_of_another_call_spoils_the_batch(client, world):
    other_call = factories.call("digi-2021", opens_at=factories.OPENS_2020, closes_at=factories.CLOSES_2020)
    stranger = support.submitted(other_call)
    client.force_login(world.preparer)
    response = client.post(bulk_url(world), {"applications": [world.app.pk, stranger.pk], "outcome": "eligible", "reason": "x"})
    assert response.status_code == 200
    assert "not among the call&#x27;s received applications" in response.content.decode()
    assert not Screening.objects.exists()


@pytest.mark.parametrize("who", ["presenter", "decision_maker"])
def test_only_preparers_mark_together(client, world, who):
    client.force_login(getattr(world, who))
    response = client.post(bulk_url(world), {"applications": [world.app.pk], "outcome": "eligible", "reason": "x"}, follow=True)
    assert "Only the call&#x27;s preparers screen applications." in response.content.decode()
    assert not Screening.objects.exists()


@pytest.mark.parametrize("who", ["official", "assessor", "lead", "partner", "admin"])
def test_others_get_404_and_change_nothing(client, world, who):
    client.force_login(getattr(world, who))
    assert client.post(bulk_url(world), {"applications": [world.app.pk], "outcome": "eligible", "reason": "x"}).status_code == 404
    assert client.get(bulk_url(world)).status_code == 405
    assert not Screening.objects.exists()


def test_the_service_refuses_the_whole_batch(world):
    services.request_supplement(world.preparer, world.third.pk, ["schedule"], "Aikataulu.", clock.now() + timedelta(days=3))
    with pytest.raises(services.BatchRefused) as refused:
        services.mark_applications(world.preparer, world.call, [world.third.pk, world.app.pk], "eligible", "Kunnossa.")
    assert [failure.reference for failure in refused.value.failures] == [world.third.reference]
    assert not Screening.objects.exists()
    with pytest.raises(Refused, match="at least one"):
        services.mark_applications(world.preparer, world.call, [], "eligible", "Kunnossa.")
    with pytest.raises(Refused, match="reason"):
        services.mark_applications(world.preparer, world.call, [world.app.pk], "eligible", "  ")
    marked = services.mark_applications(world.preparer, world.call, [world.app.pk, world.second.pk], "eligible", "Kunnossa.")
    assert [screening.application_id for screening in marked] == sorted([world.app.pk, world.second.pk])
