"""The whole call at once: drafts for every screened application, then the decision-maker signs them all."""

from __future__ import annotations

import html
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from kuntadigi.audit.models import AuditEvent
from kuntadigi.decisions import services_decisions as services
from kuntadigi.decisions.models import Decision, Proposal
from tests import factories
from tests.integration import decisions_support as support


@pytest.fixture
def world(db):
    with translation.override("en"):  # English interface texts (the pages use /en/ addresses)
        world = support.build_world()
        # A fifth application: eligible, but its proposal is 0 (below the allocation line).
        lead = factories.municipality("Lahti", code="398")
        lead_user = factories.member(lead, "lahti@lahti.fi")
        app = support.submitted(world.call, lead, [factories.municipality("Hollola", code="098")], lead_user, project_name="Lahden digi")
        support.set_state(app, "mark_eligible")
        Proposal.objects.create(application=app, amount=Decimal("0.00"), proposed_by=world.preparer)
        world.apps["zero"] = app
        yield world


def url(name, *args):
    with translation.override("en"):
        return reverse(name, args=args)


def text(response) -> str:
    return html.unescape(response.content.decode()).replace("\u00a0", " ")


SIGNATORIES = {"presenter_title": "neuvotteleva virkamies", "decision_maker_title": "finanssineuvos"}


def batch_prepare(client, world):
    client.force_login(world.preparer)
    return client.post(
        url("decisions:decision_batch_prepare", world.call.slug),
        {"presenter": world.presenter.pk, "decision_maker": world.decision_maker.pk, **SIGNATORIES},
        follow=True,
    )


def test_the_page_says_what_will_be_prepared(client, world):
    client.force_login(world.preparer)

    page = text(client.get(url("decisions:decision_batch_prepare", world.call.slug)))

    assert "2, 22,750.00 € in total" in page  # two grants: 12 750 + 10 000
    assert "Prepare 4 decisions" in page


def test_drafts_for_every_screened_application(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = batch_prepare(client, world)

    page = text(response)
    assert "Decisions prepared: 4. Grants: 2, 22,750.00 € in total; no grant: 2." in page
    decisions = {d.application_id: d for d in Decision.objects.select_related("no_grant_reason")}
    sv, fi, ineligible, zero = (world.apps[k].pk for k in ("sv", "fi", "ineligible", "zero"))
    assert (decisions[sv].outcome, decisions[sv].amount) == ("grant", Decimal("12750.00"))
    assert (decisions[fi].outcome, decisions[fi].amount) == ("grant", Decimal("10000.00"))
    assert decisions[sv].conditions.startswith("Understödet får användas")  # the call's texts in the application's language
    assert decisions[fi].conditions.startswith("Avustus on käytettävä")
    assert (decisions[ineligible].outcome, decisions[ineligible].no_grant_reason.code) == ("no_grant", "conditions-not-met")
    assert (decisions[zero].outcome, decisions[zero].no_grant_reason.code) == ("no_grant", "not-within-appropriation")
    assert world.apps["unscreened"].pk not in decisions  # never for an application not screened
    assert all(d.state == "draft" and d.presenter == world.presenter and d.decision_maker_title == "finanssineuvos" for d in decisions.values())
    assert AuditEvent.objects.filter(action="decision.prepare").count() == 4  # one event per decision
    assert all(d.preview for d in Decision.objects.all())


def test_a_second_run_leaves_the_drafts_as_they_are(client, world):
    batch_prepare(client, world)
    before = list(Decision.objects.order_by("pk").values())

    page = text(batch_prepare(client, world))

    assert "Decisions prepared: nothing to do." in page
    assert list(Decision.objects.order_by("pk").values()) == before


def test_a_grant_that_no_longer_fits_is_reported_and_the_others_are_prepared(client, world):
    world.call.allocation.total = Decimal("12750.00")
    world.call.allocation.save()

    page = text(batch_prepare(client, world))

    assert f"{world.apps['fi'].reference}: The grant cannot be more than the 0.00 € left of the call's allocation." in page
    assert Decision.objects.count() == 3
    assert not Decision.objects.filter(application=world.apps["fi"]).exists()


def test_the_decision_maker_signs_every_draft_naming_them(client, world, django_capture_on_commit_callbacks):
    support.consent_to_email(world.apps["fi"])
    batch_prepare(client, world)
    services.prepare_decision(world.preparer, world.apps["zero"].pk, _with_other_maker(world))
    client.force_login(world.decision_maker)

    assert "Sign 3 decisions" in client.get(url("decisions:decision_batch_sign", world.call.slug)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("decisions:decision_batch_sign", world.call.slug), follow=True)

    page = text(response)
    assert "Decisions signed: 3. Grants: 2, 22,750.00 € in total; no grant: 1." in page
    assert f"Left as they were: {world.apps['zero'].reference}." in page  # another decision-maker is named on it
    states = {world.apps[k].pk: world.application(k).state for k in ("sv", "fi", "ineligible", "zero")}
    assert states == {
        world.apps["sv"].pk: "granted",
        world.apps["fi"].pk: "granted",
        world.apps["ineligible"].pk: "not_granted",
        world.apps["zero"].pk: "eligible",
    }
    assert Decision.objects.filter(state="signed").exclude(document_sha256="").count() == 3
    assert AuditEvent.objects.filter(action="decision.sign").count() == 3
    assert Decision.objects.filter(state="signed", notified_at__isnull=False).count() == 3
    assert len({m.to[0] for m in mail.outbox}) >= 3


def _with_other_maker(world) -> services.DecisionData:
    app = world.application("zero")
    data = services.defaults_for(app, world.preparer)
    data.decision_maker_id, data.decision_maker_title = world.other_maker.pk, "osastopäällikkö"
    return data


def test_only_decision_makers_sign_all_and_only_preparers_prepare_all(client, world):
    client.force_login(world.presenter)
    response = client.post(url("decisions:decision_batch_sign", world.call.slug), follow=True)
    assert "Only the call's decision-makers sign decisions." in text(response)

    client.force_login(world.decision_maker)
    response = client.post(
        url("decisions:decision_batch_prepare", world.call.slug),
        {"presenter": world.presenter.pk, "decision_maker": world.decision_maker.pk, **SIGNATORIES},
        follow=True,
    )
    assert "Only the call's preparers and presenting officials prepare decisions." in text(response)
    assert not Decision.objects.exists()


def test_a_decision_in_the_other_language_takes_the_signatorys_title_in_that_language(client, world):
    from kuntadigi.calls.models import Contact

    world.decision_maker.full_name = "Riitta Ratkaisija"
    world.decision_maker.save()
    Contact.objects.create(call=world.call, name="Riitta Ratkaisija", role_fi="finanssineuvos", role_sv="finansråd", role_en="finance counsellor")
    client.force_login(world.preparer)
    with translation.override("fi"):  # the batch form in Finnish: its titles are Finnish
        client.post(
            reverse("decisions:decision_batch_prepare", args=[world.call.slug]),
            {"presenter": world.presenter.pk, "decision_maker": world.decision_maker.pk, **SIGNATORIES},
        )
    decisions = {d.application_id: d for d in Decision.objects.all()}
    assert decisions[world.apps["fi"].pk].decision_maker_title == "finanssineuvos"
    assert decisions[world.apps["sv"].pk].decision_maker_title == "finansråd"
    # Nothing known of the presenter in Swedish: the typed title stands.
    assert decisions[world.apps["sv"].pk].presenter_title == "neuvotteleva virkamies"
