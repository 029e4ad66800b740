"""Reviewing a payment request in a real browser, without JavaScript: the preparer reduces a line (first
without a reason: the error on the field), marks the request checked; the same person, also a payment
approver, is refused approval with the reason; the approver approves. axe-core finds nothing on each page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from kuntadigi.calls.models import CallRole
from kuntadigi.payments.models import Payment, PaymentRequest
from tests.browser.helpers import assert_no_axe_violations, check_page, sign_in_as
from tests.integration import decisions_support
from tests.integration import payrev_support as support

pytestmark = pytest.mark.browser


@pytest.fixture
def review(site):
    world = decisions_support.build_world()
    review = support.build(world)
    CallRole.objects.create(call=world.call, user=world.preparer, role=CallRole.Role.PAYMENT_APPROVER)  # may approve others' checks
    return review


def test_the_preparer_reduces_a_line_and_another_person_approves(nojs_page, site, review):
    page = nojs_page
    world = review.world
    sign_in_as(page, site, world.preparer)

    check_page(page, site.reverse("payment_review:list", world.call.slug, lang="en"))
    page.locator("#to-check ~ div a, #to-check + div a").first.click()
    expect(page.locator("h1")).to_have_text("Payment request 1")
    expect(page.locator(".flags")).to_contain_text("The description suggests value added tax")
    assert_no_axe_violations(page)

    page.get_by_label("Accepted (EUR), line 2").fill("2000.00")
    page.get_by_role("button", name="Save and mark the request checked").click()
    expect(page.locator(".error-summary")).to_contain_text("Write the reason for the reduction")
    assert_no_axe_violations(page)
    assert page.console_errors == ["Failed to load resource: the server responded with a status of 400 (Bad Request)"]  # the form's own answer
    page.console_errors.clear()
    page.get_by_label("Reason for the reduction, line 2").fill("Value added tax is not an eligible cost.")
    page.get_by_role("button", name="Save and mark the request checked").click()
    expect(page.locator(".notice-success")).to_contain_text("The payment request was marked checked.")
    expect(page.locator(".error-message")).to_contain_text("You checked this request; another person must approve it.")
    expect(page.get_by_role("button", name="Approve the payment request")).to_have_count(0)
    assert_no_axe_violations(page)
    assert PaymentRequest.objects.get(pk=review.request.pk).state == "checked"

    sign_in_as(page, site, review.approver, clear=True)
    check_page(page, site.reverse("payment_review:request", review.request.pk, lang="en"))
    page.get_by_role("button", name="Approve the payment request").click()
    expect(page.locator(".notice-success")).to_contain_text("The payment request was approved")
    expect(page.locator("#payment ~ dl, #payment + dl").first).to_contain_text(f"KD-{review.project.pk}-1-1")
    assert_no_axe_violations(page)
    payment = Payment.objects.get(request=review.request)
    assert str(payment.amount) == "10200.00"
