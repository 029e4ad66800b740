"""The lead's payment requests, through their services: a draft for a period (numbered per project, one
draft at a time, the final one after the cost period), lines added, changed and removed (bad input
refused with nothing saved), ledger extracts, and the submission that freezes the claim and the flags
and tells the call's preparers. A partner's costs wait for its confirmation of the agreement."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.http import Http404
from django.utils import translation

from kuntadigi import clock
from kuntadigi.applications.errors import Refused
from kuntadigi.audit.describe import Event, Lookups, Names, describe
from kuntadigi.audit.models import AuditEvent
from kuntadigi.notifications.models import Message
from kuntadigi.payments import services_requests as services
from kuntadigi.payments.models import CostLine, LedgerExtract, Payment, PaymentRequest
from tests.integration import decisions_support, projects_support
from tests.integration import payreq_support as support


@pytest.fixture
def world(db):
    with translation.override("en"):
        yield decisions_support.build_world()


@pytest.fixture
def project(world):
    return support.running_project(world)


def actions(found) -> list[str]:
    return list(AuditEvent.objects.filter(object_type="payments.paymentrequest", object_id=str(found.pk)).order_by("id").values_list("action", flat=True))


def ready(world, project, *lines):
    """Request 1 with the given lines and the ledger extracts of their organisations."""
    found = support.first_half(world, project)
    for data in lines:
        services.add_line(world.lead_user, project.pk, found.number, data)
    for organisation_id in {data.organisation_id for data in lines}:
        services.upload_ledger(world.lead_user, project.pk, found.number, organisation_id, support.pdf(f"ote-{organisation_id}.pdf"))
    return found


# ── Making a request ─────────────────────────────────────────────────────────


def test_requests_are_numbered_per_project_and_one_draft_at_a_time(world, project):
    first = support.first_half(world, project)
    assert (first.number, first.state, first.is_final) == (1, "draft", False)
    with pytest.raises(Refused, match="Payment request 1 is still a draft"):
        services.create_request(world.lead_user, project.pk, period_start=date(2021, 7, 1), period_end=date(2021, 7, 10))
    services.add_line(world.lead_user, project.pk, 1, support.line(project, support.lead(project), "staff", Decimal("100.00")))
    services.upload_ledger(world.lead_user, project.pk, 1, support.lead(project).organisation_id, support.pdf())
    services.submit_request(world.lead_user, project.pk, 1)
    second = services.create_request(world.lead_user, project.pk, period_start=date(2021, 7, 1), period_end=date(2021, 7, 10))
    assert second.number == 2
    assert actions(first)[0] == "payment_request.created"


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        (date(2021, 6, 30), date(2021, 1, 1), "period_end", "cannot end before it begins"),
        (date(2020, 12, 1), date(2021, 1, 31), "period_start", "begins before the eligible-cost period"),
        (date(2021, 7, 1), date(2021, 7, 31), "period_end", "cannot end in the future"),
    ],
)
def test_a_wrong_period_is_refused_on_its_field_and_nothing_is_made(world, project, start, end, field, message):
    with pytest.raises(Refused, match=message) as refused:
        services.create_request(world.lead_user, project.pk, period_start=start, period_end=end)
    assert refused.value.field == field
    assert not PaymentRequest.objects.exists()


def test_only_the_leads_staff_make_a_request_and_only_with_an_account(world):
    project = support.running_project(world)
    with pytest.raises(Refused, match="Only the lead organisation's staff"):
        services.create_request(world.partner_user, project.pk, period_start=date(2021, 1, 1), period_end=date(2021, 6, 30))
    with pytest.raises(Http404):
        services.create_request(world.outsider, project.pk, period_start=date(2021, 1, 1), period_end=date(2021, 6, 30))
    project.iban = ""
    project.save()
    with pytest.raises(Refused, match="Give the account"):
        services.create_request(projects_support.colleague(), project.pk, period_start=date(2021, 1, 1), period_end=date(2021, 6, 30))


def test_no_request_before_the_grant_is_accepted(world):
    project = projects_support.sign_grant(world)
    with pytest.raises(Refused, match="once the grant has been accepted"):
        services.create_request(world.lead_user, project.pk, period_start=date(2021, 1, 1), period_end=date(2021, 1, 2))


def test_the_final_request_covers_the_whole_period_once_it_has_ended(world, project):
    with pytest.raises(Refused, match="once the eligible-cost period has ended"):
        services.create_request(world.lead_user, project.pk, is_final=True)
    clock.set_now(support.AFTER_THE_PERIOD)
    final = services.create_request(world.lead_user, project.pk, is_final=True, period_start=date(2022, 1, 1), period_end=date(2022, 2, 1))
    assert (final.is_final, final.period_start, final.period_end) == (True, date(2021, 1, 1), date(2022, 10, 31))
    services.add_line(world.lead_user, project.pk, final.number, support.line(project, support.lead(project), "staff", Decimal("100.00")))
    services.upload_ledger(world.lead_user, project.pk, final.number, support.lead(project).organisation_id, support.pdf())
    services.submit_request(world.lead_user, project.pk, final.number)
    with pytest.raises(Refused, match="final payment request has been made"):
        services.create_request(world.lead_user, project.pk, period_start=date(2021, 1, 1), period_end=date(2021, 2, 1))


# ── Lines ────────────────────────────────────────────────────────────────────


def test_lines_are_added_changed_and_removed_in_the_draft(world, project):
    found = support.first_half(world, project)
    line = services.add_line(world.lead_user, project.pk, 1, support.line(project, support.lead(project), "staff", Decimal("1250.50")))
    services.edit_line(world.lead_user, project.pk, 1, line.pk, support.line(project, support.lead(project), "staff", Decimal("1300.00"), "Palkka 1–6/2021"))
    line.refresh_from_db()
    assert (line.amount, line.description) == (Decimal("1300.00"), "Palkka 1–6/2021")
    services.remove_line(world.lead_user, project.pk, 1, line.pk)
    assert not CostLine.objects.exists()
    assert actions(found) == ["payment_request.created", "payment_request.line_added", "payment_request.line_edited", "payment_request.line_removed"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"description": "  "}, "description"),
        ({"amount": Decimal("0")}, "amount"),
        ({"amount": Decimal("1.005")}, "amount"),
        ({"incurred_from": date(2021, 3, 1), "incurred_to": date(2021, 2, 1)}, "incurred_to"),
        ({"category_id": 0}, "category"),
        ({"organisation_id": 0}, "organisation"),
    ],
)
def test_bad_input_is_refused_on_its_field_and_the_saved_line_stays(world, project, change, field):
    support.first_half(world, project)
    good = support.line(project, support.lead(project), "staff", Decimal("500.00"))
    line = services.add_line(world.lead_user, project.pk, 1, good)
    bad = services.LineInput(**{**good.__dict__, **change})
    with pytest.raises(Refused) as refused:
        services.add_line(world.lead_user, project.pk, 1, bad)
    assert refused.value.field == field
    with pytest.raises(Refused):
        services.edit_line(world.lead_user, project.pk, 1, line.pk, bad)
    assert list(CostLine.objects.values_list("amount", "description")) == [(Decimal("500.00"), "Projektipäällikön palkka")]


def test_a_partners_costs_wait_for_its_confirmation_of_the_agreement(world):
    project = support.running_project(world, partner_confirms=False)
    support.first_half(world, project)
    with pytest.raises(Refused, match="cannot be claimed until it has confirmed the agreement") as refused:
        services.add_line(world.lead_user, project.pk, 1, support.line(project, support.partner(project), "services", Decimal("900.00")))
    assert refused.value.field == "organisation"
    reasons = [row.reason for row in services.claimants(project) if not row.may_claim]
    assert reasons == ["Loviisa has not confirmed the agreement with the partners yet."]
    from kuntadigi.projects import services as projects

    projects.confirm_agreement(world.partner_user, project.pk, support.partner(project).organisation_id)
    services.add_line(world.lead_user, project.pk, 1, support.line(project, support.partner(project), "services", Decimal("900.00")))


def test_a_new_agreement_stops_the_submission_until_the_partner_confirms_again(world, project):
    ready(world, project, support.line(project, support.partner(project), "services", Decimal("900.00")))
    from kuntadigi.projects import services as projects

    projects.upload_agreement(world.lead_user, project.pk, support.pdf("uusi-sopimus.pdf", support.MINIMAL_PDF + b"%new\n"))
    with pytest.raises(Refused, match="cannot be claimed until it has confirmed"):
        services.submit_request(world.lead_user, project.pk, 1)
    assert PaymentRequest.objects.get().state == "draft"


def test_partners_and_outsiders_change_nothing(world, project):
    support.first_half(world, project)
    data = support.line(project, support.lead(project), "staff", Decimal("100.00"))
    with pytest.raises(Refused, match="Only the lead organisation's staff"):
        services.add_line(world.partner_user, project.pk, 1, data)
    with pytest.raises(Http404):
        services.add_line(world.outsider, project.pk, 1, data)
    with pytest.raises(Http404):
        services.request_for_viewer(world.preparer, project.pk, 1)
    assert services.request_for_viewer(world.partner_user, project.pk, 1).number == 1
    assert not CostLine.objects.exists()


# ── Ledger extracts ─────────────────────────────────────────────────────────


def test_a_ledger_extract_is_type_checked(world, project):
    support.first_half(world, project)
    lead_id = support.lead(project).organisation_id
    with pytest.raises(Refused) as refused:
        services.upload_ledger(world.lead_user, project.pk, 1, lead_id, support.pdf("ote.pdf", b"MZ not a pdf at all"))
    assert refused.value.field == "file"
    extract = services.upload_ledger(world.lead_user, project.pk, 1, lead_id, support.pdf())
    with pytest.raises(Refused, match="already been uploaded"):
        services.upload_ledger(world.lead_user, project.pk, 1, lead_id, support.pdf())
    services.remove_ledger(world.lead_user, project.pk, 1, extract.pk)
    assert not LedgerExtract.objects.exists()


# ── Submitting ──────────────────────────────────────────────────────────────


def test_submitting_needs_lines_and_every_organisations_ledger_extract(world, project):
    support.first_half(world, project)
    with pytest.raises(Refused, match="Add at least one cost line"):
        services.submit_request(world.lead_user, project.pk, 1)
    services.add_line(world.lead_user, project.pk, 1, support.line(project, support.partner(project), "services", Decimal("900.00")))
    with pytest.raises(Refused, match="Attach the ledger extract of Loviisa"):
        services.submit_request(world.lead_user, project.pk, 1)
    assert PaymentRequest.objects.get().state == "draft"


def test_submitting_freezes_the_claim_and_tells_the_preparers(world, project, mailoutbox, django_capture_on_commit_callbacks):
    found = ready(
        world,
        project,
        support.line(project, support.lead(project), "staff", Decimal("3000.00")),
        support.line(project, support.partner(project), "services", Decimal("999.99")),
    )
    with django_capture_on_commit_callbacks(execute=True):
        submitted = services.submit_request(world.lead_user, project.pk, found.number)
    assert (submitted.state, submitted.claimed, submitted.flags, submitted.submitted_by) == ("submitted", Decimal("3999.99"), [], world.lead_user)
    assert actions(found)[-1] == "payment_request.submitted"
    mail = Message.objects.get(kind="payment_request_submitted")
    assert mail.user == world.preparer
    assert [message.to for message in mailoutbox] == [[world.preparer.email]]
    assert "3,999.99" in mailoutbox[0].body or "3 999,99" in mailoutbox[0].body.replace("\u00a0", " ")
    with pytest.raises(Refused, match="no longer changes"):
        services.add_line(world.lead_user, project.pk, 1, support.line(project, support.lead(project), "staff", Decimal("1.00")))
    with pytest.raises(Refused, match="no longer changes"):
        services.submit_request(world.lead_user, project.pk, 1)


def test_the_flags_an_official_will_check(world, project):
    lead, partner = support.lead(project), support.partner(project)
    first = ready(world, project, support.line(project, partner, "services", Decimal("5000.00"), "Koulutus"))
    services.submit_request(world.lead_user, project.pk, first.number)
    # Request 2 overlaps request 1, has a VAT word, a date before the eligible period, and takes the partner's
    # services (budget 5 000, tolerance 10 %) over by more than 500 counting request 1's claim.
    second = services.create_request(world.lead_user, project.pk, period_start=date(2021, 6, 1), period_end=date(2021, 7, 14))
    services.add_line(world.lead_user, project.pk, 2, support.line(project, lead, "staff", Decimal("100.00"), "Laitteet sis. alv 24 %"))
    services.add_line(world.lead_user, project.pk, 2, support.line(project, lead, "staff", Decimal("100.00"), "Palkka", incurred_from=date(2020, 12, 1)))
    services.add_line(world.lead_user, project.pk, 2, support.line(project, partner, "services", Decimal("500.01"), "Koulutus 2"))
    for organisation in (lead, partner):
        services.upload_ledger(world.lead_user, project.pk, 2, organisation.organisation_id, support.pdf(f"ote2-{organisation.pk}.pdf"))
    submitted = services.submit_request(world.lead_user, project.pk, second.number)
    services_category = str(support.category(project, "services").pk)
    assert submitted.flags == [
        {"code": "vat", "line": 0},
        {"code": "outside_period", "line": 1},
        {"code": "over_budget:" + services_category, "line": None},
        {"code": "overlap", "line": None},
    ]
    texts = services.flag_messages(submitted)
    assert texts[0].startswith("Line “Laitteet sis. alv 24 %” of Porvoo: that the cost does not include value added tax")
    assert texts[2] == "The costs of Ostopalvelut (en), which exceed the budget by more than the call allows."
    assert texts[3] == "The period, which overlaps that of an earlier payment request."


def test_within_the_tolerance_nothing_is_flagged(world, project):
    found = ready(world, project, support.line(project, support.partner(project), "services", Decimal("5500.00"), "Koulutus"))
    assert services.submit_request(world.lead_user, project.pk, found.number).flags == []


def test_the_estimate_assumes_every_line_accepted(world, project):
    found = ready(world, project, support.line(project, support.lead(project), "staff", Decimal("4000.01")))
    # 85 % of 4 000.01 € rounded down; nothing held back in this call, nothing paid.
    assert services.estimate_for(found).amount == 340_000
    Payment.objects.create(project=project, kind="instalment", amount=Decimal("1000.00"), iban=project.iban, approved_by=world.preparer, end_to_end_id="E2E-1")
    assert services.estimate_for(found).amount == 240_000


def test_the_audit_sentences(world, project):
    found = ready(world, project, support.line(project, support.lead(project), "staff", Decimal("3000.00")))
    services.submit_request(world.lead_user, project.pk, found.number)
    lead_id = support.lead(project).organisation_id
    lookups = Lookups(organisations={lead_id: Names("Porvoo", "Borgå")})
    sentences = [
        describe(Event(e.action, e.at, None, e.before, e.after), lookups, "en").what
        for e in AuditEvent.objects.filter(object_type="payments.paymentrequest").order_by("id")
    ]
    assert [sentence.replace("\u00a0", " ") for sentence in sentences] == [
        "Payment request 1 started for 1 January 2021–30 June 2021",
        "Payment request 1: a cost of Porvoo added, 3,000 €",
        f"Payment request 1: ledger extract of Porvoo attached: ote-{lead_id}.pdf",
        "Payment request 1 submitted: costs claimed 3,000 €",
    ]
    fi = describe(Event("payment_request.submitted", clock.now(), None, {}, {"number": 1, "claimed": "3000.00"}), lookups, "fi").what
    assert fi.replace("\u00a0", " ") == "Maksatushakemus 1 lähetetty: haetut kustannukset 3 000 €"
