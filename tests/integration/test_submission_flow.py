"""Confirming, submitting, double submits, the deadline, withdrawing and resubmitting, through the pages."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from kuntadigi import clock
from kuntadigi.applications import snapshot
from kuntadigi.applications.models import Application, BudgetLine, Participant, Submission
from kuntadigi.audit.models import AuditEvent
from tests import factories
from tests.integration import submission_data as data

# The person authorised to commit the confirming partner, named on the confirmation page.
AUTHORISED = {"authorised_name": "Kaisa Kunnanjohtaja", "authorised_title": "kunnanjohtaja"}

pytestmark = pytest.mark.django_db

HKI = factories.HKI


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def url(name, *args):
    return reverse(f"applications:{name}", args=args)


def ready(call, **kw):
    kw.setdefault("requested", Decimal("12750.00"))
    return data.application(call, **kw)


def page(response):
    return response.content.decode()


# ── Access ──────────────────────────────────────────────────────────────────


def test_anonymous_user_is_sent_to_sign_in(client, call_2020):
    app = ready(call_2020)
    for name in ("detail", "confirm", "submit", "withdraw"):
        response = client.get(url(name, app.pk))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:sign_in"))


def test_partner_of_another_application_gets_404(client, call_2020, during_call, django_capture_on_commit_callbacks):
    app = ready(call_2020)
    with django_capture_on_commit_callbacks(execute=True):
        client.force_login(app.created_by)
        client.post(url("submit", app.pk))
    other = ready(call_2020, lead=factories.municipality("Oulu"), partners=[factories.municipality("Turku")])
    stranger = factories.member(data.partner(other).organisation)
    client.force_login(stranger)
    for address in (url("detail", app.pk), url("submit", app.pk), url("confirm", app.pk), url("receipt", app.pk, 1), url("pdf", app.pk, 1)):
        assert client.get(address).status_code == 404, address
    assert client.post(url("withdraw", app.pk)).status_code == 404
    assert client.post(url("submit", app.pk)).status_code == 404


# ── Overview and confirmation ───────────────────────────────────────────────


def test_overview_shows_partners_budget_and_the_partners_action(client, call_2020, during_call):
    app = ready(call_2020, confirmed=False)
    partner = data.partner(app)
    partner_user = factories.member(partner.organisation)
    client.force_login(partner_user)
    response = client.get(url("detail", app.pk))
    assert response.status_code == 200
    text = page(response)
    assert app.reference in text
    assert "Hämeenlinna" in text and "Vaasa" in text
    assert "Not confirmed" in text
    assert "15,000.00\u00a0€" in text  # eligible costs
    assert "12,750.00\u00a0€" in text  # requested
    assert "2,250.00\u00a0€" in text  # own financing
    assert "Confirm participation" in text
    review_button = f'class="button" href="{url("submit", app.pk)}"'
    assert review_button not in text

    client.force_login(app.created_by)
    text = page(client.get(url("detail", app.pk)))
    assert review_button in text
    assert "Confirm participation" not in text


def test_partner_confirms_its_share_and_the_lead_is_told(client, call_2020, during_call, django_capture_on_commit_callbacks):
    app = ready(call_2020, confirmed=False)
    partner = data.partner(app)
    partner_user = factories.member(partner.organisation)
    client.force_login(partner_user)

    text = page(client.get(url("confirm", app.pk)))
    assert "Our organisation takes part in the project and accepts its share of the budget" in text
    assert "5,000.00\u00a0€" in text
    assert "Koulutus" in text

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("confirm", app.pk), {"organisation": partner.organisation_id, **AUTHORISED})
    assert response.status_code == 302
    partner.refresh_from_db()
    assert partner.confirmed_at == clock.now()
    assert partner.confirmed_by == partner_user
    assert snapshot.confirmation_is_current(partner)
    assert AuditEvent.objects.filter(action="application.confirm_participation", application_id=app.pk).count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["maija@example.fi"]
    assert "Vaasa" in mail.outbox[0].body

    text = page(client.get(url("detail", app.pk)))
    assert "Confirmed" in text


def test_lead_staff_cannot_confirm_for_a_partner(client, call_2020, during_call):
    app = ready(call_2020, confirmed=False)
    partner = data.partner(app)
    client.force_login(app.created_by)
    response = client.post(url("confirm", app.pk), {"organisation": partner.organisation_id, **AUTHORISED})
    assert response.status_code == 302
    partner.refresh_from_db()
    assert partner.confirmed_at is None


def test_budget_change_after_confirmation_asks_the_partner_again(client, call_2020, during_call):
    app = ready(call_2020)
    partner = data.partner(app)
    partner_user = factories.member(partner.organisation)
    client.force_login(partner_user)
    assert "Confirm participation" not in page(client.get(url("detail", app.pk)))

    BudgetLine.objects.filter(participant=partner).update(amount=Decimal("7000.00"))
    text = page(client.get(url("detail", app.pk)))
    assert "Must confirm again" in text
    assert "Confirm participation" in text

    client.force_login(app.created_by)
    response = client.post(url("submit", app.pk))
    assert response.status_code == 200
    assert "The budget of Vaasa changed after it confirmed its participation" in page(response)
    assert not Submission.objects.exists()


# ── Review and submit ───────────────────────────────────────────────────────


def test_review_page_lists_problems_linked_to_fields_and_hides_the_button(client, call_2020, during_call):
    app = data.application(call_2020, complete=False, confirmed=False)
    client.force_login(app.created_by)
    text = page(client.get(url("submit", app.pk)))
    assert 'class="error-summary"' in text
    assert "There is a problem" in text
    assert f'href="/en/applications/{app.pk}/edit/#id_project_name"' in text
    assert f'href="/en/applications/{app.pk}/budget/#id_requested_grant"' in text
    assert "Vaasa has not confirmed its participation" in text
    assert "Submit the application" not in text


def test_review_page_is_in_the_users_language(client, call_2020, during_call):
    app = data.application(call_2020, complete=False, confirmed=False)
    client.force_login(app.created_by)
    with translation.override("sv"):
        address = url("submit", app.pk)
    assert address.startswith("/sv/")
    response = client.get(address)
    assert response.status_code == 200
    assert 'lang="sv"' in page(response)
    assert f'href="/sv/applications/{app.pk}/edit/#id_project_name"' in page(response)


def test_partner_sees_the_review_without_a_submit_button(client, call_2020, during_call):
    app = ready(call_2020)
    client.force_login(factories.member(data.partner(app).organisation))
    text = page(client.get(url("submit", app.pk)))
    assert "Avoin kunta" in text
    assert "Submit the application" not in text
    assert "Only the lead applicant&#x27;s staff can submit the application." in text
    response = client.post(url("submit", app.pk))
    assert response.status_code == 302
    assert not Submission.objects.exists()


def test_submit_creates_version_1_with_the_fingerprint_of_the_stored_content(client, call_2020, during_call, django_capture_on_commit_callbacks):
    app = ready(call_2020)
    client.force_login(app.created_by)
    text = page(client.get(url("submit", app.pk)))
    assert "Submit the application" in text and "data-once" in text
    assert "error-summary" not in text

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("submit", app.pk))
    assert response.status_code == 302
    assert response["Location"] == url("receipt", app.pk, 1)
    submission = Submission.objects.get()
    app.refresh_from_db()
    assert app.state == "submitted"
    assert app.submitted_at == during_call
    assert app.version == 2
    assert submission.number == 1
    assert submission.submitted_by == app.created_by
    assert submission.content["project_name"] == "Avoin kunta"
    assert submission.fingerprint == snapshot.fingerprint(submission.content)
    event = AuditEvent.objects.get(action="application.submit")
    assert event.after["fingerprint"] == submission.fingerprint
    assert len(mail.outbox) == 2  # the submitter and the contact person

    text = page(client.get(response["Location"]))
    assert "Application received" in text
    assert submission.fingerprint not in text  # the applicant sees a receipt number and the time
    assert "Receipt number</dt><dd>1</dd>" in text
    assert "5 October 2020 at 12:00" in text


def test_double_submit_gives_exactly_one_version(client, call_2020, during_call):
    app = ready(call_2020)
    client.force_login(app.created_by)
    first = client.post(url("submit", app.pk))
    second = client.post(url("submit", app.pk), follow=True)
    assert first["Location"] == url("receipt", app.pk, 1)
    assert second.redirect_chain[-1][0] == url("receipt", app.pk, 1)
    assert "The application was already submitted at 5 October 2020 at 12:00." in page(second)
    assert Submission.objects.filter(application=app).count() == 1
    assert AuditEvent.objects.filter(action="application.submit").count() == 1


@pytest.mark.parametrize(
    ("instant", "accepted"),
    [
        (datetime(2020, 10, 5, 16, 14, 59, tzinfo=HKI), True),
        (datetime(2020, 10, 5, 16, 15, 0, tzinfo=HKI), False),
        (datetime(2020, 10, 5, 16, 15, 1, tzinfo=HKI), False),
    ],
)
def test_the_deadline_is_an_instant(client, call_2020, instant, accepted):
    app = ready(call_2020)
    content_before = snapshot.application_content(Application.objects.get(pk=app.pk))
    clock.set_now(instant)
    client.force_login(app.created_by)
    response = client.post(url("submit", app.pk), follow=True)
    app.refresh_from_db()
    if accepted:
        assert Submission.objects.filter(application=app).count() == 1
        assert app.state == "submitted"
        assert "Application received" in page(response)
    else:
        assert not Submission.objects.exists()
        assert app.state == "draft"
        assert app.version == 1
        assert "The call closed at 5 October 2020 at 16:15. Applications can no longer be submitted." in page(response)
        assert "Submit the application" not in page(response)
        assert snapshot.application_content(Application.objects.get(pk=app.pk)) == content_before


def test_withdraw_and_resubmit_keeps_version_1_and_adds_version_2(client, call_2020, during_call):
    app = ready(call_2020)
    client.force_login(app.created_by)
    client.post(url("submit", app.pk))
    v1 = Submission.objects.get(application=app, number=1)
    v1_content, v1_fingerprint = dict(v1.content), v1.fingerprint

    text = page(client.get(url("detail", app.pk)))
    assert f'href="{url("withdraw", app.pk)}"' in text
    assert "Withdraw the application" in page(client.get(url("withdraw", app.pk)))
    clock.set_now(during_call + timedelta(minutes=5))
    response = client.post(url("withdraw", app.pk))
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.state == "draft"
    assert app.version == 3
    v1.refresh_from_db()
    assert v1.withdrawn_at == during_call + timedelta(minutes=5)
    assert AuditEvent.objects.filter(action="application.withdraw").count() == 1
    assert "was withdrawn" in page(client.get(url("receipt", app.pk, 1)))

    Application.objects.filter(pk=app.pk).update(project_name="Avoin kunta 2.0")
    clock.set_now(during_call + timedelta(minutes=10))
    response = client.post(url("submit", app.pk))
    assert response["Location"] == url("receipt", app.pk, 2)

    v1.refresh_from_db()
    assert v1.content == v1_content
    assert v1.fingerprint == v1_fingerprint
    v2 = Submission.objects.get(application=app, number=2)
    assert v2.content["project_name"] == "Avoin kunta 2.0"
    assert v2.fingerprint != v1_fingerprint
    assert v2.withdrawn_at is None

    text = page(client.get(url("detail", app.pk)))
    assert v1_fingerprint not in text and v2.fingerprint not in text  # the applicant sees receipt numbers, no hashes
    assert "Receipt number" in text and "SHA-256" not in text
    assert url("receipt", app.pk, 1) in text and url("pdf", app.pk, 2) in text


def test_withdraw_refused_after_the_call_closed(client, call_2020, during_call):
    app = ready(call_2020)
    client.force_login(app.created_by)
    client.post(url("submit", app.pk))
    clock.set_now(factories.CLOSES_2020)
    assert f'href="{url("withdraw", app.pk)}"' not in page(client.get(url("detail", app.pk)))
    response = client.post(url("withdraw", app.pk), follow=True)
    assert "a submitted application can no longer be withdrawn" in page(response)
    app.refresh_from_db()
    assert app.state == "submitted"
    assert Submission.objects.get().withdrawn_at is None


def test_partner_cannot_withdraw(client, call_2020, during_call):
    app = ready(call_2020)
    client.force_login(app.created_by)
    client.post(url("submit", app.pk))
    client.force_login(factories.member(data.partner(app).organisation))
    client.post(url("withdraw", app.pk))
    app.refresh_from_db()
    assert app.state == "submitted"


def test_confirmation_refused_once_submitted(client, call_2020, during_call):
    app = ready(call_2020)
    partner = data.partner(app)
    confirmed_at = Participant.objects.get(pk=partner.pk).confirmed_at
    client.force_login(app.created_by)
    client.post(url("submit", app.pk))
    client.force_login(factories.member(partner.organisation))
    response = client.post(url("confirm", app.pk), {"organisation": partner.organisation_id, **AUTHORISED}, follow=True)
    assert "confirmations can no longer change" in page(response)
    assert Participant.objects.get(pk=partner.pk).confirmed_at == confirmed_at
