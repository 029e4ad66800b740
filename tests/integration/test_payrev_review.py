"""The ministry's review of payment requests: the follow-up list per call, the preparer's check of each
line (accept, or reduce with a reason), the approval by another person with the call's payment-approver
role (four eyes, a fresh second factor), the payment it makes, the reduction told to the lead, and a
change of account that stops payments until they are approved again."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

from kuntadigi import clock, permissions
from kuntadigi.applications.errors import Refused
from kuntadigi.audit.models import AuditEvent
from kuntadigi.calls.models import CallRole
from kuntadigi.payments import services_review as services
from kuntadigi.payments.models import Payment, PaymentBatch, PaymentRequest
from kuntadigi.projects import services as project_services
from tests.integration import decisions_support, projects_support
from tests.integration import payrev_support as support


@pytest.fixture
def review(db):
    with translation.override("en"):
        yield support.build(decisions_support.build_world())


def url(name, *args):
    with translation.override("en"):
        return reverse(f"payment_review:{name}", args=args)


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def fresh(request) -> PaymentRequest:
    return PaymentRequest.objects.get(pk=request.pk)


def lines_of(request):
    return list(request.lines.order_by("pk"))


def check_form(request, accepted: dict, reasons: dict | None = None, action="save") -> dict:
    data = {"action": action}
    for line in lines_of(request):
        data[f"accepted_{line.pk}"] = accepted.get(line.pk, str(line.amount))
        data[f"reason_{line.pk}"] = (reasons or {}).get(line.pk, "")
    return data


def checked(review, *, reduce_to: str = "2000.00") -> PaymentRequest:
    """The request checked by the world's preparer, its second line reduced with a reason."""
    first, second = lines_of(review.request)
    services.check_lines(
        review.world.preparer,
        review.request.pk,
        {first.pk: services.LineInput(first.amount, ""), second.pk: services.LineInput(Decimal(reduce_to), "Arvonlisävero ei ole tukikelpoinen kustannus.")},
    )
    return services.mark_checked(review.world.preparer, review.request.pk)


# ── The follow-up list ───────────────────────────────────────────────────────


def test_the_follow_up_list_shows_what_waits_with_its_figures(client, review):
    client.force_login(review.world.preparer)
    response = client.get(url("list", review.world.call.slug))
    assert response.status_code == 200
    follow_up = response.context["follow_up"]
    [row] = follow_up.to_check
    assert (row.request, row.flags, row.waiting_since) == (review.request, 2, review.request.submitted_at)
    assert list(follow_up.to_approve) == [] and follow_up.stopped == []
    html = response.content.decode()
    assert "Öppen kommun" in html and "Porvoo" in html and "12,500.00" in html


def test_the_follow_up_list_takes_a_constant_number_of_queries(client, review, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(review.world.preparer)
    client.get(url("list", review.world.call.slug))
    with CaptureQueriesContext(connection) as one:
        client.get(url("list", review.world.call.slug))
    checked(review)
    other = support.running(projects_support.sign_grant(review.world, "fi"))
    for number in (1, 2, 3):
        support.submitted_request(other, number=number)
    payment = services.approve(review.approver, review.request.pk).payment
    Payment.objects.filter(pk=payment.pk).update(stopped_at=clock.now(), stop_reason="account_changed")
    with django_assert_num_queries(len(one)):
        response = client.get(url("list", review.world.call.slug))
    assert len(response.context["follow_up"].to_check) == 3 and len(response.context["follow_up"].stopped) == 1


def test_the_work_page_counts_payment_requests_and_links_the_list(client, review):
    client.force_login(review.approver)
    response = client.get(reverse("officials:work"))
    assert response.status_code == 200
    assert "Payment requests" in response.content.decode()  # the process step
    checked(review)
    client.force_login(review.world.preparer)
    response = client.get(reverse("officials:work"))
    [item] = response.context["work"].calls
    assert "Payment requests to check" not in [str(t.label) for t in item.tasks]
    client.force_login(review.approver)
    [item] = client.get(reverse("officials:work")).context["work"].calls
    assert {str(t.label): t.count for t in item.tasks}["Payment requests to approve"] == 1
    assert "payment approver" in item.roles


# ── The preparer's check ─────────────────────────────────────────────────────


def test_a_reduction_needs_a_reason_and_cannot_exceed_the_claim(client, review):
    client.force_login(review.world.preparer)
    first, second = lines_of(review.request)
    response = client.post(url("check", review.request.pk), check_form(review.request, {second.pk: "2000.00"}))
    assert response.status_code == 400
    assert "Write the reason for the reduction" in response.content.decode()
    assert response.context["error_items"][0][0] == f"id_reason_{second.pk}"
    response = client.post(url("check", review.request.pk), check_form(review.request, {first.pk: "10000.01"}))
    assert response.status_code == 400 and "cannot be more than the amount claimed" in response.content.decode()
    assert all(line.accepted is None for line in lines_of(review.request))


def test_the_preparer_checks_each_line_and_marks_the_request_checked(client, review):
    client.force_login(review.world.preparer)
    first, second = lines_of(review.request)
    response = client.post(
        url("check", review.request.pk), check_form(review.request, {second.pk: "2000.00"}, {second.pk: "ALV ei ole tukikelpoinen."}, action="checked")
    )
    assert response.status_code == 302
    request = fresh(review.request)
    assert (request.state, request.accepted, request.checked_by) == ("checked", Decimal("12000.00"), review.world.preparer)
    first, second = lines_of(request)
    assert (first.accepted, first.reduction_reason, second.accepted, second.reduction_reason) == (
        Decimal("10000.00"),
        "",
        Decimal("2000.00"),
        "ALV ei ole tukikelpoinen.",
    )
    actions = list(AuditEvent.objects.filter(object_type="payments.paymentrequest").order_by("id").values_list("action", flat=True))
    assert actions == ["payment_request.lines_checked", "payment_request.checked"]
    assert AuditEvent.objects.get(action="payment_request.checked").after["reduced_lines"] == 1


def test_marking_checked_needs_every_line_checked(review):
    with pytest.raises(Refused, match="Check every line first"):
        services.mark_checked(review.world.preparer, review.request.pk)


def test_only_the_calls_preparer_checks(review):
    first, _second = lines_of(review.request)
    for person in (review.approver, review.world.presenter, review.world.lead_user):
        with pytest.raises(Refused, match="Only the call's preparers check payment requests"):
            services.check_lines(person, review.request.pk, {first.pk: services.LineInput(first.amount, "")})


def test_a_checked_request_is_reopened_and_checked_again(client, review):
    checked(review)
    client.force_login(review.second_preparer)
    client.post(url("reopen", review.request.pk))
    request = fresh(review.request)
    assert (request.state, request.accepted, request.checked_by) == ("submitted", None, None)
    assert AuditEvent.objects.filter(action="payment_request.reopened", actor=review.second_preparer).exists()


def test_the_review_page_shows_flags_budget_and_extracts(client, review):
    client.force_login(review.world.preparer)
    response = client.get(url("request", review.request.pk))
    html = response.content.decode()
    assert response.status_code == 200
    assert "The description suggests value added tax" in html and "The period overlaps" in html
    assert "Budget per organisation and category" in html and response.context["budget"]
    assert AuditEvent.objects.filter(action="application.read", actor=review.world.preparer, after__read="payment_request").exists()


# ── Approval: four eyes, step-up, the payment ────────────────────────────────


def test_the_one_who_checked_cannot_approve(client, review):
    CallRole.objects.create(call=review.world.call, user=review.world.preparer, role=CallRole.Role.PAYMENT_APPROVER)
    checked(review)
    client.force_login(review.world.preparer)
    page = client.get(url("request", review.request.pk))
    assert "You checked this request; another person must approve it." in page.content.decode()
    response = client.post(url("approve", review.request.pk))
    assert "You checked this request; another person must approve it." in said(response)
    assert fresh(review.request).state == "checked" and not Payment.objects.exists()


def test_approval_needs_the_payment_approver_role_and_a_checked_request(review):
    with pytest.raises(Refused, match="not been checked yet"):
        services.approve(review.approver, review.request.pk)
    checked(review)
    with pytest.raises(Refused, match="Only the call's payment approvers approve payments"):
        services.approve(review.second_preparer, review.request.pk)


def test_the_approver_approves_and_the_payment_is_made_to_the_frozen_account(client, review, mailoutbox, django_capture_on_commit_callbacks):
    checked(review)
    client.force_login(review.approver)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("approve", review.request.pk))
    assert response.status_code == 302
    request = fresh(review.request)
    # 0.85 × 12 000,00 = 10 200,00 (the call holds nothing back); nothing paid before.
    assert (request.state, request.approved_by, request.payable) == ("approved", review.approver, Decimal("10200.00"))
    payment = Payment.objects.get(request=request)
    assert (payment.kind, payment.amount, payment.iban, payment.bic) == ("instalment", Decimal("10200.00"), "FI2112345600000785", "NDEAFIHH")
    assert payment.end_to_end_id == f"KD-{review.project.pk}-1-1" and len(payment.end_to_end_id) <= 35
    assert payment.stopped_at is None and payment.batch is None
    event = AuditEvent.objects.get(action="payment_request.approved")
    assert (event.actor, event.after["payable"], event.after["reduced"]) == (review.approver, "10200.00", True)
    reduced = [m for m in mailoutbox if m.to == ["lead@borga.fi"]]
    assert len(reduced) == 1
    mail = reduced[0]
    assert "Arvonlisävero ei ole tukikelpoinen kustannus." in mail.body
    assert "30" in mail.body and "PB 28, 00023 Statsrådet" in mail.body  # in the application's language (Swedish)
    assert {m.to[0] for m in mailoutbox} == {"lead@borga.fi", "kontakt@borga.fi", "colleague@borga.fi"}  # the lead's people


def test_payable_counts_what_was_accepted_and_paid_before_and_the_ceiling(review):
    review.world.call.held_back_share = Decimal("0.20")
    review.world.call.save(update_fields=["held_back_share"])
    checked(review)
    services.approve(review.approver, review.request.pk)  # 10 200,00
    lead = review.project.application.lead
    second = support.submitted_request(review.project, number=2, lines=[(lead, "staff", "Palkat 7–12/2021", Decimal("5000.00"))], flags=[])
    [line] = second.lines.all()
    services.check_lines(review.world.preparer, second.pk, {line.pk: services.LineInput(line.amount, "")})
    services.mark_checked(review.world.preparer, second.pk)
    services.approve(review.approver, second.pk)
    # min(0.85 × 17 000 = 14 450, 12 750 × 0.80 = 10 200) − 10 200 paid = 0: nothing more before the final report.
    second = fresh(second)
    assert second.payable == Decimal("0.00") and not Payment.objects.filter(request=second).exists()


def test_a_final_request_is_approved_without_a_payment(client, review):
    review.request.delete()
    lead = review.project.application.lead
    final = support.submitted_request(review.project, number=1, is_final=True, lines=[(lead, "staff", "Kaikki kulut", Decimal("15000.00"))], flags=[])
    [line] = final.lines.all()
    services.check_lines(review.world.preparer, final.pk, {line.pk: services.LineInput(line.amount, "")})
    services.mark_checked(review.world.preparer, final.pk)
    client.force_login(review.approver)
    response = client.post(url("approve", final.pk))
    assert any("balance of the settlement" in message for message in said(response))
    final = fresh(final)
    assert final.state == "approved" and final.payable is None and not Payment.objects.exists()


def test_approving_money_asks_for_a_fresh_second_factor(client, review, settings):
    checked(review)
    client.force_login(review.approver)
    settings.KUNTADIGI_STEP_UP_MINUTES = 10
    clock.set_now(clock.now() + timedelta(minutes=11))
    response = client.post(url("approve", review.request.pk))
    assert response.status_code == 302 and "step_up=1" in response["Location"]
    assert fresh(review.request).state == "checked"


def test_the_lead_sees_the_reductions_and_reasons_on_the_project_page(client, review):
    checked(review)
    services.approve(review.approver, review.request.pk)
    client.force_login(review.world.lead_user)
    html = client.get(reverse("projects:detail", args=[review.project.pk])).content.decode()
    assert "Arvonlisävero ei ole tukikelpoinen kustannus." in html
    assert reverse("payment_review:request", args=[review.request.pk]) not in html  # the review is the ministry's


# ── A change of account ─────────────────────────────────────────────────────


def _batch(review, state):
    return PaymentBatch.objects.create(
        call=review.world.call, number=PaymentBatch.objects.count() + 1, due_date=date(2021, 9, 1), state=state, created_by=review.approver
    )


def test_a_change_of_account_stops_unpaid_payments_until_approved_again(client, review, mailoutbox, django_capture_on_commit_callbacks):
    checked(review)
    payment = services.approve(review.approver, review.request.pk).payment
    open_batch = _batch(review, PaymentBatch.State.OPEN)
    Payment.objects.filter(pk=payment.pk).update(batch=open_batch)
    with django_capture_on_commit_callbacks(execute=True):
        project_services.give_account(review.world.lead_user, review.project.pk, "FI49 5000 9420 0287 30", "OKOYFIHH")
    payment.refresh_from_db()
    assert payment.stopped_at is not None and payment.stop_reason == "account_changed" and payment.batch is None
    assert payment.iban == "FI2112345600000785"  # still the old one, frozen
    assert AuditEvent.objects.filter(action="payment.stopped", object_id=str(payment.pk)).exists()
    stopped_mail = [m for m in mailoutbox if "stopped" in m.subject.lower() or "pysäytettiin" in m.subject.lower()]
    assert {address for m in stopped_mail for address in m.to} >= {"preparer@vm.fi", "hyvaksyja@vm.fi"}
    # The one who checked the request does not approve it again; the approver does, to the new account.
    CallRole.objects.create(call=review.world.call, user=review.world.preparer, role=CallRole.Role.PAYMENT_APPROVER)
    permissions.forget_cached_call_roles(review.world.preparer)
    with pytest.raises(Refused, match="another person must approve it"):
        services.approve_again(review.world.preparer, payment.pk)
    client.force_login(review.approver)
    assert client.post(url("approve_again", payment.pk)).status_code == 302
    payment.refresh_from_db()
    assert payment.stopped_at is None and payment.iban == "FI4950009420028730" and payment.bic == "OKOYFIHH"
    assert AuditEvent.objects.filter(action="payment.approved_again", actor=review.approver).exists()


def test_a_payment_in_an_exported_batch_is_not_stopped(review):
    checked(review)
    payment = services.approve(review.approver, review.request.pk).payment
    batch = _batch(review, PaymentBatch.State.OPEN)
    Payment.objects.filter(pk=payment.pk).update(batch=batch)
    PaymentBatch.objects.filter(pk=batch.pk).update(state=PaymentBatch.State.EXPORTED)  # once exported, nothing in it changes
    project_services.give_account(review.world.lead_user, review.project.pk, "FI49 5000 9420 0287 30", "OKOYFIHH")
    payment.refresh_from_db()
    assert payment.stopped_at is None and payment.batch is not None


def test_giving_the_same_account_again_stops_nothing(review):
    checked(review)
    payment = services.approve(review.approver, review.request.pk).payment
    project_services.give_account(review.world.lead_user, review.project.pk, "FI21 1234 5600 0007 85", "NDEAFIHH")
    payment.refresh_from_db()
    assert payment.stopped_at is None


# ── Who sees what ───────────────────────────────────────────────────────────


def test_others_get_404_and_the_calls_officials_read(client, review):
    expected = {
        review.world.outsider: 404,
        review.world.partner_user: 404,
        review.world.lead_user: 404,
        review.world.official: 404,  # the ministry-wide flag opens no call
        review.world.assessor: 404,
        review.world.preparer: 200,
        review.approver: 200,
        review.world.decision_maker: 200,
        review.world.presenter: 200,
    }
    for person, status in expected.items():
        client.force_login(person)
        assert client.get(url("request", review.request.pk)).status_code == status, person.email
    for person in (review.world.decision_maker, review.world.presenter):  # they read, but follow no list
        client.force_login(person)
        assert client.get(url("list", review.world.call.slug)).status_code == 404


def test_a_draft_request_is_not_the_ministrys(client, review):
    PaymentRequest.objects.filter(pk=review.request.pk).update(state="draft")
    client.force_login(review.world.preparer)
    assert client.get(url("request", review.request.pk)).status_code == 404


def test_the_decision_maker_cannot_check_or_approve(client, review):
    client.force_login(review.world.decision_maker)
    response = client.post(url("check", review.request.pk), check_form(review.request, {}))
    assert "Only the call's preparers check payment requests." in said(response)
    checked(review)
    response = client.post(url("approve", review.request.pk))
    assert "Only the call's payment approvers approve payments." in said(response)
    assert fresh(review.request).state == "checked"


def test_a_second_change_of_account_leaves_a_stopped_payment_stopped_once(review):
    checked(review)
    payment = services.approve(review.approver, review.request.pk).payment
    project_services.give_account(review.world.lead_user, review.project.pk, "FI49 5000 9420 0287 30", "OKOYFIHH")
    first_stop = Payment.objects.get(pk=payment.pk).stopped_at
    clock.set_now(clock.now() + timedelta(days=1))
    project_services.give_account(review.world.lead_user, review.project.pk, "FI21 1234 5600 0007 85", "NDEAFIHH")
    assert Payment.objects.get(pk=payment.pk).stopped_at == first_stop
    assert AuditEvent.objects.filter(action="payment.stopped").count() == 1
    assert services.approve_again(review.approver, payment.pk).iban == "FI2112345600000785"  # to the account now in force
    with pytest.raises(Refused, match="The payment is not stopped"):
        services.approve_again(review.approver, payment.pk)


def test_the_follow_up_list_is_read_a_page_at_a_time(client, review, monkeypatch):
    """A call with thousands of projects: each list shows a page of the oldest, with the count of all."""
    monkeypatch.setattr(services, "PER_PAGE", 1)
    second = PaymentRequest.objects.create(
        project=review.request.project,
        number=review.request.number + 1,
        period_start=review.request.period_start,
        period_end=review.request.period_end,
        state="submitted",
        submitted_at=review.request.submitted_at + timedelta(days=1),
        created_by=review.request.created_by,
    )
    client.force_login(review.world.preparer)
    first_page = client.get(url("list", review.world.call.slug)).context["follow_up"]
    next_page = client.get(url("list", review.world.call.slug) + "?check_page=2").context["follow_up"]
    assert [row.request for row in first_page.to_check] == [review.request] and first_page.to_check.total == 2
    assert [row.request for row in next_page.to_check] == [second]
