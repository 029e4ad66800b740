"""Decisions that hold up: their grounds name the decisive facts, and only two different people, neither
tied to a party, present and sign them. Read back from the signed PDFs, in Finnish and in Swedish."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from kuntadigi.applications.errors import Refused
from kuntadigi.assessment.models import Tie
from kuntadigi.calls.models import CallRole
from kuntadigi.decisions import services_decisions as services
from kuntadigi.decisions.models import Decision
from kuntadigi.screening.models import Screening
from tests.integration import decisions_support as support
from tests.integration.test_decisions_pdf import prepare, signed_pdf, wording


@pytest.fixture
def world(db):
    return support.build_world()


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_an_ineligible_application_is_told_the_condition_it_failed_and_nothing_of_assessment(world, language, django_capture_on_commit_callbacks):
    app = world.apps["ineligible"]
    app.language = language
    app.save(update_fields=["language"])
    Screening.objects.create(
        application=app,
        outcome="ineligible",
        reason="Hanke kohdistuu sosiaali- ja terveydenhuoltoon.",
        failed_conditions=["target_areas"],
        marked_by=world.preparer,
    )
    prepare(world, "ineligible")

    text = signed_pdf(world, "ineligible", django_capture_on_commit_callbacks)

    assert wording(language, "The application does not meet the following conditions of the call:") in text
    assert wording(language, "The project must concern at least one target area of the call.") in text
    assert "Hanke kohdistuu sosiaali- ja terveydenhuoltoon." in text
    assert wording(language, "The applications were assessed against the criteria of the call:") not in text
    assert "VN/1234/2020" in text


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_a_reduced_grant_prints_its_reason(world, language, django_capture_on_commit_callbacks):
    app = world.apps["fi"]
    app.language = language
    app.save(update_fields=["language"])
    prepare(world, "fi")  # the proposal of 10 000 € of the 12 000 € applied for, with its reason

    text = signed_pdf(world, "fi", django_capture_on_commit_callbacks)

    assert (
        wording(
            language, "The grant is less than the %(requested)s euros applied for; %(amount)s euros are granted because:", requested="12 000", amount="10 000"
        )
        in text
    )
    assert "Matkakuluja ei hyväksytä täysimääräisinä." in text


def test_a_grant_below_the_request_without_a_reason_is_refused(world):
    with pytest.raises(Refused) as refused:
        prepare(world, "fi", reduction_reason="")
    assert refused.value.field == "reduction_reason"


def test_the_presenting_official_cannot_also_make_the_decision(world):
    CallRole.objects.create(call=world.call, user=world.presenter, role="decision_maker")  # holds both roles

    with pytest.raises(Refused) as refused:
        prepare(world, "sv", decision_maker_id=world.presenter.pk)

    assert [problem.code for problem in refused.value.problems] == ["same_person"]
    assert not Decision.objects.filter(application=world.apps["sv"]).exists()


def test_a_decision_maker_tied_to_a_party_cannot_sign(world):
    prepare(world, "sv")
    partner = world.apps["sv"].participants.exclude(organisation=world.apps["sv"].lead).get().organisation
    Tie.objects.create(assessor=world.decision_maker, organisation=partner, kind="board")

    with pytest.raises(Refused) as refused:
        services.sign_decision(world.decision_maker, world.apps["sv"].pk)

    assert "Anne-Marie Välikangas" in refused.value.message and "Loviisa" in refused.value.message
    assert refused.value.field == "decision_maker"
    assert Decision.objects.get(application=world.apps["sv"]).state == Decision.State.DRAFT


def test_signing_needs_the_diary_number(world):
    prepare(world, "sv", diary_number="")
    world.call.diary_number = ""
    world.call.save(update_fields=["diary_number"])

    with pytest.raises(Refused) as refused:
        services.sign_decision(world.decision_maker, world.apps["sv"].pk)

    assert refused.value.field == "diary_number"
    assert Decimal(Decision.objects.get(application=world.apps["sv"]).amount) == Decimal("12750.00")


def test_a_decision_maker_declares_a_tie_on_the_ties_page_and_is_then_disqualified(client, world):
    client.force_login(world.decision_maker)
    page = client.get(reverse("decisions:decision_list", args=[world.call.slug])).content.decode()
    assert reverse("assessment:ties") in page

    loviisa = world.apps["sv"].participants.exclude(organisation=world.apps["sv"].lead).get().organisation
    response = client.post(reverse("assessment:ties"), {"organisation_id": loviisa.pk, "kind": "board", "note": ""})
    assert response.status_code == 302
    assert Tie.objects.filter(assessor=world.decision_maker, organisation=loviisa).exists()

    with pytest.raises(Refused) as refused:
        prepare(world, "sv")
    assert refused.value.field == "decision_maker"


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_an_eligible_application_left_without_a_grant_is_told_its_score_rank_and_the_cut_off(world, language, django_capture_on_commit_callbacks):
    from kuntadigi.calls.models import NoGrantReason
    from kuntadigi.decisions.models import Proposal
    from tests.integration import ranking_support

    funded, unfunded = world.apps["sv"], world.apps["fi"]
    unfunded.language = language
    unfunded.save(update_fields=["language"])
    ranking_support.score(funded, world.assessor, 4)
    ranking_support.score(unfunded, world.assessor, 2)
    Proposal.objects.filter(application=unfunded).update(amount=Decimal("0.00"), reason="Määräraha ei riitä.")
    reason = NoGrantReason.objects.get(call=world.call, code="not-within-appropriation")
    prepare(world, "fi", outcome="no_grant", amount=None, no_grant_reason_id=reason.pk)

    text = signed_pdf(world, "fi", django_capture_on_commit_callbacks)

    score = "2,00"
    assert (
        wording(
            language,
            "The weighted score of the application was %(score)s, and it was ranked %(rank)s of the %(ranked)s assessed applications.",
            score=score,
            rank=2,
            ranked=2,
        )
        in text
    )
    assert wording(language, "The applications funded within the appropriation had weighted scores of %(cutoff)s or more.", cutoff="4,00") in text
    assert wording(language, "The applications were assessed against the criteria of the call:") in text


POST_RULE = (
    "The decision has been sent by post. Unless shown otherwise, the party is presumed to have been notified of it on the %(day)sth day"
    " after the letter was sent (Administrative Procedure Act, section 59)."
)
EMAIL_RULE = (
    "The decision has been sent electronically with the party's consent. Unless shown otherwise, the party is presumed to have been"
    " notified of it on the %(day)srd day after it was sent (Act on Electronic Services and Communication in the Public Sector 13/2003,"
    " section 19)."
)


def test_the_draft_preview_carries_the_notification_rule_of_the_leads_channel(client, world):
    from tests import factories

    prepare(world, "fi")
    client.force_login(world.preparer)
    preview = reverse("decisions:decision_preview", args=[world.apps["fi"].pk])
    by_post = client.get(preview).content.decode()
    factories.consent(world.apps["fi"].lead)
    by_email = client.get(preview).content.decode()

    post_rule = wording("fi", POST_RULE, day=7)
    email_rule = wording("fi", EMAIL_RULE, day=3)
    assert post_rule in by_post and email_rule not in by_post
    assert email_rule in by_email and post_rule not in by_email
