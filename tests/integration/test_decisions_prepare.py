"""Preparing a decision: only for screened applications, within the request and the allocation, by the
call's preparers and presenting officials, with every change in the audit trail."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from kuntadigi.applications.errors import Refused
from kuntadigi.audit.models import AuditEvent
from kuntadigi.decisions import services_decisions as services
from kuntadigi.decisions.models import Decision
from tests.integration import decisions_support as support


@pytest.fixture
def world(db):
    with translation.override("en"):  # English interface texts (the pages use /en/ addresses)
        yield support.build_world()


def url(name, *args):
    with translation.override("en"):
        return reverse(name, args=args)


def grant_form(world, app, **changes) -> dict:
    data = {
        "outcome": "grant",
        "amount": "12,750.00",
        "max_share": "85",
        "costs_from": "2021-01-01",
        "costs_until": "2022-10-31",
        "conditions": "Ehdot.",
        "reporting": "Raportointi.",
        "grounds": "",
        "reduction_reason": "Matkakulut eivät ole hyväksyttäviä.",
        "presenter": world.presenter.pk,
        "presenter_title": "neuvotteleva virkamies",
        "decision_maker": world.decision_maker.pk,
        "decision_maker_title": "finanssineuvos",
    }
    data.update(changes)
    return data


def data_for(world, app, **changes) -> services.DecisionData:
    data = services.defaults_for(app, world.preparer)
    data.presenter_id, data.presenter_title = world.presenter.pk, "konsultativ tjänsteman"
    data.decision_maker_id, data.decision_maker_title = world.decision_maker.pk, "finansråd"
    for key, value in changes.items():
        setattr(data, key, value)
    return data


def test_the_form_starts_from_the_proposal_and_the_calls_texts_in_the_applications_language(client, world):
    client.force_login(world.preparer)

    response = client.get(url("decisions:decision_prepare", world.apps["sv"].pk))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="12750.00"' in page  # the proposal, as English writes it
    assert 'value="85"' in page  # the call's maximum share
    assert "Understödet får användas endast för projektet." in page  # conditions in Swedish
    assert "Slutrapport och redovisning" in page
    assert 'value="2021-01-01"' in page and 'value="2022-10-31"' in page  # project start to project end
    assert "Suvi Savolainen" in page and "Anne-Marie Välikangas" in page


def test_a_preparer_saves_a_grant_draft_and_it_is_audited(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.preparer)
    app = world.apps["fi"]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("decisions:decision_prepare", app.pk), grant_form(world, app, amount="10 000"))

    assert response.status_code == 302
    assert response["Location"] == url("decisions:decision_preview", app.pk)
    decision = Decision.objects.get(application=app)
    assert (decision.outcome, decision.state, decision.amount, decision.max_share) == ("grant", "draft", Decimal("10000.00"), Decimal("0.8500"))
    assert (decision.presenter, decision.decision_maker, decision.language) == (world.presenter, world.decision_maker, "fi")
    assert decision.submission.number == 1
    assert decision.preview and decision.preview_of  # the watermarked preview was rendered on commit
    event = AuditEvent.objects.get(action="decision.prepare", application_id=app.pk)
    assert event.actor == world.preparer
    assert event.before == {}
    assert event.after["amount"] == "10000.00" and event.after["outcome"] == "grant"
    assert world.application("fi").state == "eligible"  # only signing decides


def test_a_new_draft_records_before_and_after(world):
    app = world.apps["fi"]
    first = services.prepare_decision(world.presenter, app.pk, data_for(world, app, amount=Decimal("10000.00")))

    services.prepare_decision(world.presenter, app.pk, data_for(world, app, amount=Decimal("9000.00"), version=first.version))

    event = AuditEvent.objects.filter(action="decision.prepare", application_id=app.pk).order_by("-id").first()
    assert (event.before["amount"], event.after["amount"]) == ("10000.00", "9000.00")
    assert (event.before["version"], event.after["version"]) == (1, 2)


def test_a_draft_saved_meanwhile_by_someone_else_is_not_overwritten(world):
    app = world.apps["fi"]
    services.prepare_decision(world.presenter, app.pk, data_for(world, app))
    stale = data_for(world, app, amount=Decimal("5000.00"), version=1)
    services.prepare_decision(world.preparer, app.pk, data_for(world, app, amount=Decimal("9000.00"), version=1))

    with pytest.raises(Refused, match="Someone else saved this decision"):
        services.prepare_decision(world.presenter, app.pk, stale)

    assert Decision.objects.get(application=app).amount == Decimal("9000.00")


@pytest.mark.parametrize("state_actions", [(), ("request_supplement",)], ids=["submitted", "supplement_requested"])
def test_an_application_that_was_not_screened_cannot_be_decided(client, world, state_actions):
    app = support.set_state(world.apps["unscreened"], *state_actions)
    client.force_login(world.preparer)

    page = client.get(url("decisions:decision_prepare", app.pk)).content.decode()
    response = client.post(
        url("decisions:decision_prepare", app.pk), grant_form(world, app, outcome="no_grant", no_grant_reason=world.call.no_grant_reasons.first().pk)
    )

    assert "has not been screened yet" in page
    assert 'id="decision-form"' not in page
    assert response.status_code == 200
    assert "has not been screened yet" in response.content.decode()
    assert not Decision.objects.filter(application=app).exists()
    with pytest.raises(Refused, match="not been screened"):
        services.prepare_decision(world.preparer, app.pk, data_for(world, app, outcome="no_grant"))


def test_an_ineligible_application_gets_no_grant_only(world):
    app = world.apps["ineligible"]

    with pytest.raises(Refused, match="screened ineligible"):
        services.prepare_decision(world.preparer, app.pk, data_for(world, app, outcome="grant", amount=Decimal("1000.00")))

    decision = services.prepare_decision(world.preparer, app.pk, data_for(world, app))
    assert (decision.outcome, decision.no_grant_reason.code) == ("no_grant", "conditions-not-met")


def test_an_amount_above_the_request_is_refused_with_its_reason(client, world):
    client.force_login(world.preparer)
    app = world.apps["fi"]  # 12 000 € applied for

    response = client.post(url("decisions:decision_prepare", app.pk), grant_form(world, app, amount="12,000.01"))

    page = response.content.decode().replace("\u00a0", " ")
    assert response.status_code == 200
    assert "The grant cannot be more than the 12,000.00 € applied for." in page
    assert 'href="#id_amount"' in page  # the error summary links to the field
    assert not Decision.objects.filter(application=app).exists()


def test_an_amount_above_what_is_left_of_the_allocation_is_refused(world):
    world.call.allocation.total = Decimal("20000.00")
    world.call.allocation.save()
    services.prepare_decision(world.preparer, world.apps["sv"].pk, data_for(world, world.apps["sv"], amount=Decimal("12750.00")))
    app = world.apps["fi"]

    with pytest.raises(Refused) as refused:
        services.prepare_decision(world.preparer, app.pk, data_for(world, app, amount=Decimal("8000.00")))

    assert "7,250.00 € left of the call's allocation" in refused.value.message.replace("\u00a0", " ")
    assert services.prepare_decision(world.preparer, app.pk, data_for(world, app, amount=Decimal("7250.00"))).amount == Decimal("7250.00")


def test_a_grant_waits_for_the_finalised_allocation(world):
    world.call.allocation.delete()
    app = world.apps["fi"]

    with pytest.raises(Refused, match="allocation has not been finalised"):
        services.prepare_decision(world.preparer, app.pk, data_for(world, app, amount=Decimal("1000.00")))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"max_share": "90"}, "at most 85 %"),
        ({"costs_until": "2022-11-01"}, "cannot go beyond 31 October 2022"),
        ({"costs_from": "2022-01-01", "costs_until": "2021-12-31"}, "must end after it begins"),
        ({"amount": "0"}, "more than zero euros"),
        ({"presenter_title": ""}, "Enter the title of the presenting official."),
        ({"presenter": ""}, "Choose the presenting official."),
        ({"conditions": ""}, "Enter the conditions of the grant."),
        ({"outcome": "no_grant"}, "Choose the reason for not granting."),
    ],
)
def test_the_terms_are_checked(client, world, changes, message):
    client.force_login(world.preparer)
    app = world.apps["fi"]

    response = client.post(url("decisions:decision_prepare", app.pk), grant_form(world, app, **{"amount": "10 000", **changes}))

    assert message in response.content.decode()
    assert not Decision.objects.filter(application=app).exists()


def test_the_presenter_and_decision_maker_must_hold_their_roles(world):
    app = world.apps["fi"]

    with pytest.raises(Refused, match="decision-maker from the call's decision-makers"):
        services.prepare_decision(world.preparer, app.pk, data_for(world, app, decision_maker_id=world.presenter.pk))
    with pytest.raises(Refused, match="presenting official from the call's presenting officials"):
        services.prepare_decision(world.preparer, app.pk, data_for(world, app, presenter_id=world.official.pk))


@pytest.mark.parametrize("who", ["decision_maker", "assessor", "official"])
def test_only_preparers_and_presenters_prepare(world, who):
    app = world.apps["fi"]

    with pytest.raises(Refused, match="Only the call's preparers and presenting officials prepare decisions"):
        services.prepare_decision(getattr(world, who), app.pk, data_for(world, app))


def test_a_no_grant_decision_gives_a_reason_and_grounds(client, world):
    client.force_login(world.presenter)
    app = world.apps["fi"]
    reason = world.call.no_grant_reasons.get(code="excluded-field")

    response = client.post(
        url("decisions:decision_prepare", app.pk),
        grant_form(world, app, outcome="no_grant", no_grant_reason=reason.pk, grounds="Hanke kohdistuu sosiaali- ja terveydenhuoltoon."),
    )

    assert response.status_code == 302
    decision = Decision.objects.get(application=app)
    assert (decision.outcome, decision.no_grant_reason, decision.amount, decision.conditions) == ("no_grant", reason, None, "")
    assert decision.grounds == "Hanke kohdistuu sosiaali- ja terveydenhuoltoon."
