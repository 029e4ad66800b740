"""Publishing a call's results: the officials' page and the use case behind it."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kuntadigi.applications.errors import Refused
from kuntadigi.audit.models import AuditEvent
from kuntadigi.calls.models import CallRole
from kuntadigi.decisions.models import Decision
from kuntadigi.publication import services
from kuntadigi.publication.models import ResultsPublication
from tests import factories
from tests.integration.publication_support import published_world

pytestmark = pytest.mark.django_db

NOT_YOURS = "Only the call's preparers and presenting official publish its results."


def en(name: str, *args) -> str:
    with translation.override("en"):
        return reverse(name, args=args)


def text(response) -> str:
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", main)).replace("\xa0", " "))


@pytest.fixture
def world():
    return published_world(4, n_rejected=2, published=False)


def publish_form(world) -> str:
    return f'<form method="post" action="{en("publication:publish", world.call.slug)}">'


def unsign_one(world) -> None:
    Decision.objects.filter(pk=world.rejected_decisions[0].pk).update(state=Decision.State.DRAFT)


# ── The page ─────────────────────────────────────────────────────────────────


def test_anonymous_is_asked_to_sign_in(client, world):
    for response in (client.get(en("publication:publish", world.call.slug)), client.post(en("publication:publish", world.call.slug))):
        assert response.status_code == 302
        assert "/sign-in/" in response["Location"]
    assert not ResultsPublication.objects.exists()


@pytest.mark.parametrize("who", ["official", "member", "assessor"])
def test_those_who_cannot_see_the_calls_decisions_get_not_found(client, world, who):
    person = {
        "official": lambda: factories.user("other@vm.fi", official=True),
        "member": lambda: factories.member(world.municipalities[0], "member@kunta.fi", admin=True),
        "assessor": lambda: _assessor(world),
    }[who]()
    client.force_login(person)
    assert client.get(en("publication:publish", world.call.slug)).status_code == 404
    assert client.post(en("publication:publish", world.call.slug)).status_code == 404
    assert client.get(en("publication:publish", "no-such-call")).status_code == 404
    assert not ResultsPublication.objects.exists()


def _assessor(world):
    person = factories.user("assessor@example.fi", assessor=True)
    CallRole.objects.create(call=world.call, user=person, role="assessor")
    return person


def test_decision_maker_sees_the_reason_and_cannot_publish(client, world):
    client.force_login(world.decision_maker)
    response = client.get(en("publication:publish", world.call.slug))
    assert response.status_code == 200
    assert NOT_YOURS in text(response)
    assert publish_form(world) not in response.content.decode()
    response = client.post(en("publication:publish", world.call.slug), follow=True)
    assert response.redirect_chain[-1][0] == en("publication:publish", world.call.slug)
    assert NOT_YOURS in text(response)
    assert not ResultsPublication.objects.exists()
    assert not AuditEvent.objects.filter(action="results.published").exists()


def test_page_shows_readiness_and_refuses_while_a_decision_is_unsigned(client, world):
    unsign_one(world)
    client.force_login(world.preparer)
    response = client.get(en("publication:publish", world.call.slug))
    page = text(response)
    assert "Applications received 6 Signed grant decisions 4 Signed no-grant decisions 1 Without a signed decision 1" in page
    assert "Applications without a signed decision: 1. Publish the results once every decision is signed." in page
    assert publish_form(world) not in response.content.decode()
    response = client.post(en("publication:publish", world.call.slug), follow=True)
    assert response.redirect_chain[-1][0] == en("publication:publish", world.call.slug)
    assert "Applications without a signed decision: 1. Publish the results once every decision is signed." in text(response)
    assert not ResultsPublication.objects.exists()
    assert client.get(en("publication:call", world.call.slug)).status_code == 404


def test_presenter_publishes_and_lands_on_the_public_results(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.presenter)
    url = en("publication:publish", world.call.slug)
    response = client.get(url)
    page = text(response)
    assert "Applications received 6 Signed grant decisions 4 Signed no-grant decisions 2 Without a signed decision 0" in page
    assert "not the contact persons, budgets, attachments, assessments or scores" in page
    assert publish_form(world) in response.content.decode()
    assert client.post(url).status_code == 403  # without the form's CSRF token nothing happens
    assert not ResultsPublication.objects.exists()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode()).group(1)
    response = client.post(url, {"csrfmiddlewaretoken": token}, follow=True)
    assert response.redirect_chain == [(en("publication:call", world.call.slug), 302)]
    assert "The results of the call are published." in text(response)
    assert "Funded projects 4" in text(response)
    publication = ResultsPublication.objects.get(call=world.call)
    assert publication.published_by == world.presenter
    event = AuditEvent.objects.get(action="results.published")
    assert event.actor == world.presenter
    assert event.object_type == "publication.resultspublication"
    assert event.object_id == str(publication.pk)
    assert event.after == {"call": world.call.slug, "funded": 4}
    # Anonymous visitors see the results now.
    assert Client().get(en("publication:call", world.call.slug)).status_code == 200


def test_publishing_twice_is_refused_and_the_page_says_when_it_was_done(client, world):
    client.force_login(world.preparer)
    client.post(en("publication:publish", world.call.slug))
    response = client.get(en("publication:publish", world.call.slug))
    assert "The results were published on" in text(response)
    assert "by Pertti Valmistelija" in text(response)
    assert publish_form(world) not in response.content.decode()
    response = client.post(en("publication:publish", world.call.slug), follow=True)
    assert "The results of this call are already published." in text(response)
    assert ResultsPublication.objects.count() == 1
    assert AuditEvent.objects.filter(action="results.published").count() == 1


# ── The decisions list links to the page ────────────────────────────────────


def test_decisions_list_links_to_publishing_for_those_who_may(client, world):
    publish_link = f'href="{en("publication:publish", world.call.slug)}"'
    client.force_login(world.preparer)
    assert publish_link in client.get(en("decisions:decision_list", world.call.slug)).content.decode()
    client.force_login(world.decision_maker)
    assert publish_link not in client.get(en("decisions:decision_list", world.call.slug)).content.decode()
    ResultsPublication.objects.create(call=world.call, published_by=world.preparer)
    response = client.get(en("decisions:decision_list", world.call.slug))
    assert "The results were published on" in text(response)
    assert f'href="{en("publication:call", world.call.slug)}"' in response.content.decode()


# ── The use case ─────────────────────────────────────────────────────────────


def test_permission_is_checked_before_anything_else(world):
    unsign_one(world)
    stranger = factories.user("stranger@vm.fi", official=True)
    with translation.override("en"), pytest.raises(Refused) as refused:
        services.publish_results(stranger, world.call)
    assert refused.value.message == NOT_YOURS
    with translation.override("en"), pytest.raises(Refused) as refused:
        services.publish_results(world.decision_maker, world.call)
    assert refused.value.message == NOT_YOURS


def test_an_unpublished_call_cannot_have_public_results(world):
    world.call.is_published = False
    world.call.save(update_fields=["is_published"])
    with translation.override("en"), pytest.raises(Refused) as refused:
        services.publish_results(world.preparer, world.call)
    assert refused.value.message == "The call itself is not published, so its results cannot be."
    assert not ResultsPublication.objects.exists()


def test_an_application_still_being_screened_blocks_publication(world):
    Decision.objects.filter(pk=world.rejected_decisions[1].pk).delete()
    with translation.override("en"), pytest.raises(Refused) as refused:
        services.publish_results(world.presenter, world.call)
    assert refused.value.message.startswith("Applications without a signed decision: 1.")
    assert services.undecided_count(world.call) == 1
    readiness = services.readiness(world.call)
    assert (readiness.received, readiness.undecided, readiness.granted, readiness.not_granted, readiness.ready) == (6, 1, 4, 1, False)


def test_publication_records_who_and_how_many(world):
    publication = services.publish_results(world.preparer, world.call)
    assert publication.published_by == world.preparer
    assert AuditEvent.objects.get(action="results.published").after == {"call": world.call.slug, "funded": 4}
