"""A preparer marks an application eligible or ineligible with a written reason, after the call has
closed and before a decision; every mark is in the audit trail with the values before and after."""

from datetime import date

import pytest
from django.utils import translation

from kuntadigi import clock
from kuntadigi.applications.errors import Refused
from kuntadigi.audit.models import AuditEvent
from kuntadigi.decisions.models import Decision
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
    return support.World()


def post_mark(client, world, outcome, reason):
    client.force_login(world.preparer)
    return client.post(world.page("mark"), {"outcome": outcome, "reason": reason, "failed_conditions": ["other"] if outcome == "ineligible" else []})


def test_marking_eligible_with_a_reason(client, world):
    response = post_mark(client, world, "eligible", "Täyttää hakuehdot.")
    assert response.status_code == 302
    assert response["Location"].endswith("#screening")
    assert world.refresh().state == "eligible"
    screening = Screening.objects.get(application=world.app)
    assert (screening.outcome, screening.reason, screening.marked_by) == ("eligible", "Täyttää hakuehdot.", world.preparer)
    page = client.get(world.page()).content.decode()
    assert "The application was marked eligible." in page
    assert "Täyttää hakuehdot." in page
    event = AuditEvent.objects.get(action="screening.marked")
    assert event.actor == world.preparer
    assert event.application_id == world.app.pk
    assert event.before == {"state": "submitted", "outcome": None, "reason": None, "failed_conditions": None}
    assert event.after == {"state": "eligible", "outcome": "eligible", "reason": "Täyttää hakuehdot.", "failed_conditions": [], "version": world.app.version}


def test_without_a_reason_nothing_is_marked(client, world):
    response = post_mark(client, world, "ineligible", "   ")
    assert response.status_code == 200
    assert "Write the reason for the mark." in response.content.decode()
    assert 'href="#id_reason"' in response.content.decode()
    assert world.refresh().state == "submitted"
    assert not Screening.objects.exists()
    assert not AuditEvent.objects.filter(action="screening.marked").exists()
    with pytest.raises(Refused, match="reason"):
        services.mark_application(world.preparer, world.app.pk, "ineligible", "", ["other"])


def test_changing_the_mark_keeps_one_screening_and_audits_the_change(client, world):
    post_mark(client, world, "eligible", "Täyttää hakuehdot.")
    post_mark(client, world, "ineligible", "Sote-hanke, ei rahoiteta.")
    assert world.refresh().state == "ineligible"
    screening = Screening.objects.get(application=world.app)
    assert (screening.outcome, screening.reason) == ("ineligible", "Sote-hanke, ei rahoiteta.")
    events = list(AuditEvent.objects.filter(action="screening.marked").order_by("id"))
    assert len(events) == 2
    assert events[1].before == {"state": "eligible", "outcome": "eligible", "reason": "Täyttää hakuehdot.", "failed_conditions": []}
    assert events[1].after["outcome"] == "ineligible"
    # The same mark with a new reason changes only the reason.
    post_mark(client, world, "ineligible", "Sosiaali- ja terveydenhuollon hanke.")
    assert world.refresh().state == "ineligible"
    assert Screening.objects.get().reason == "Sosiaali- ja terveydenhuollon hanke."
    assert AuditEvent.objects.filter(action="screening.marked").count() == 3


def test_before_the_deadline_marking_is_refused(client, world):
    clock.set_now(factories.DURING_2020)
    response = post_mark(client, world, "eligible", "Täyttää hakuehdot.")
    assert response.status_code == 302
    assert world.refresh().state == "submitted"
    page = client.get(world.page()).content.decode()
    assert "Applications are screened after the call has closed." in page
    assert 'action="{}"'.format(world.page("mark")) not in page  # no form


def test_after_a_signed_decision_marking_is_refused(client, world):
    services.mark_application(world.preparer, world.app.pk, "eligible", "Täyttää hakuehdot.")
    Decision.objects.create(
        application=world.app,
        outcome="grant",
        language="fi",
        state="signed",
        amount=world.app.requested_grant,
        presenter=world.presenter,
        decision_maker=world.decision_maker,
        prepared_by=world.preparer,
        decision_date=date(2020, 12, 11),
        signed_at=clock.now(),
    )
    with pytest.raises(Refused, match="decided"):
        services.mark_application(world.preparer, world.app.pk, "ineligible", "Myöhemmin havaittu.", ["other"])
    response = post_mark(client, world, "ineligible", "Myöhemmin havaittu.")
    assert response.status_code == 302
    assert world.refresh().state == "eligible"
    assert Screening.objects.get().outcome == "eligible"


def test_a_draft_decision_does_not_block(world):
    services.mark_application(world.preparer, world.app.pk, "eligible", "Täyttää hakuehdot.")
    Decision.objects.create(
        application=world.app,
        outcome="grant",
        language="fi",
        amount=world.app.requested_grant,
        presenter=world.presenter,
        decision_maker=world.decision_maker,
        prepared_by=world.preparer,
    )
    services.mark_application(world.preparer, world.app.pk, "ineligible", "Korjattu arvio.", ["other"])
    assert world.refresh().state == "ineligible"


@pytest.mark.parametrize("who", ["presenter", "decision_maker"])
def test_only_preparers_mark(client, world, who):
    person = getattr(world, who)
    with pytest.raises(Refused, match="preparers"):
        services.mark_application(person, world.app.pk, "eligible", "x")
    client.force_login(person)
    page = client.get(world.page()).content.decode()
    assert "Only the call&#x27;s preparers screen applications." in page
    response = client.post(world.page("mark"), {"outcome": "eligible", "reason": "x"})
    assert response.status_code == 302
    assert world.refresh().state == "submitted"


@pytest.mark.parametrize("who", ["official", "lead", "partner", "assessor"])
def test_others_learn_nothing(client, world, who):
    client.force_login(getattr(world, who))
    response = client.post(world.page("mark"), {"outcome": "eligible", "reason": "x"})
    assert response.status_code == 404
    assert world.refresh().state == "submitted"


def test_an_unknown_outcome_is_refused(client, world):
    response = post_mark(client, world, "maybe", "x")
    assert response.status_code == 200
    assert response.context["mark_form"].errors["outcome"]
    with pytest.raises(Refused):
        services.mark_application(world.preparer, world.app.pk, "maybe", "x")


def test_an_ineligible_mark_names_the_conditions_not_met(client, world):
    client.force_login(world.preparer)
    response = client.post(world.page("mark"), {"outcome": "ineligible", "reason": "Ei kohdealueita."})
    assert response.status_code == 200
    assert "Choose the conditions of the call that the application does not meet." in response.content.decode()
    assert world.refresh().state != "ineligible"

    post = {"outcome": "ineligible", "reason": "Ei kohdealueita.", "failed_conditions": ["target_areas"]}
    client.post(world.page("mark"), post)
    screening = Screening.objects.get(application=world.app)
    assert screening.failed_conditions == ["target_areas"]
    page = client.get(world.page("application")).content.decode()
    assert "The project must concern at least one target area of the call." in page
