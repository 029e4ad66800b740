"""The lead's payment-request pages: the section on the project page, starting a request (a wrong period
first: the error on its field, nothing made), adding a cost with a wrong amount (the input kept, nothing
saved), the ledger extract, submitting, and the partner's read-only page with the extract to download."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

from kuntadigi import clock
from kuntadigi.payments.models import CostLine, PaymentRequest
from tests.integration import decisions_support
from tests.integration import payreq_support as support
from tests.integration.drafting_support import MINIMAL_PDF


@pytest.fixture
def world(db):
    with translation.override("en"):
        yield decisions_support.build_world()


@pytest.fixture
def project(world):
    return support.running_project(world)


def url(name, *args, lang="en"):
    with translation.override(lang):
        return reverse(name, args=args)


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)][-1:]


def line_data(project, **change):
    data = {
        "organisation": support.lead(project).organisation_id,
        "category": support.category(project, "staff").pk,
        "description": "Project manager's salary 1–6/2021",
        "amount": "3,000.50",
        "incurred_from": "2021-01-01",
        "incurred_to": "2021-06-30",
    }
    return {**data, **change}


def test_the_project_page_lists_the_requests_and_offers_to_start_one(client, world, project):
    client.force_login(world.lead_user)
    page = client.get(url("projects:detail", project.pk)).content.decode()
    assert "No payment requests have been made." in page
    assert url("payment_requests:new", project.pk) in page
    assert "The final payment request is due with the final report by 28 February 2023." in page
    support.first_half(world, project)
    page = client.get(url("projects:detail", project.pk)).content.decode()
    assert url("payment_requests:detail", project.pk, 1) in page
    assert "Payment request 1 is a draft" in page
    client.force_login(world.partner_user)
    page = client.get(url("projects:detail", project.pk)).content.decode()
    assert url("payment_requests:detail", project.pk, 1) in page
    assert url("payment_requests:new", project.pk) not in page


def test_the_call_official_sees_the_list_without_links(client, world, project):
    support.first_half(world, project)
    client.force_login(world.preparer)
    page = client.get(url("projects:detail", project.pk)).content.decode()
    assert "Payment requests" in page and url("payment_requests:detail", project.pk, 1) not in page


def test_a_wrong_period_is_shown_on_its_field_and_nothing_is_made(client, world, project):
    client.force_login(world.lead_user)
    response = client.post(url("payment_requests:new", project.pk), {"period_start": "2021-06-30", "period_end": "2021-01-01"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_period_end_error"' in page and "The period cannot end before it begins." in page
    assert 'value="2021-06-30"' in page  # what was typed stays
    assert not PaymentRequest.objects.exists()
    response = client.post(url("payment_requests:new", project.pk), {"period_start": "2021-01-01", "period_end": "2021-06-30"})
    assert response.status_code == 302 and response["Location"] == url("payment_requests:detail", project.pk, 1)


def test_after_the_cost_period_the_page_starts_the_final_request(client, world, project):
    clock.set_now(support.AFTER_THE_PERIOD)
    client.force_login(world.lead_user)
    assert "Start the final payment request" in client.get(url("payment_requests:new", project.pk)).content.decode()
    client.post(url("payment_requests:new", project.pk))
    assert PaymentRequest.objects.get().is_final


def test_a_wrong_amount_keeps_the_input_and_saves_nothing(client, world, project):
    support.first_half(world, project)
    client.force_login(world.lead_user)
    response = client.post(url("payment_requests:line_add", project.pk, 1), line_data(project, amount="three thousand"))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_amount_error"' in page and "error-summary" in page
    assert "Project manager&#x27;s salary 1–6/2021" in page
    assert not CostLine.objects.exists()
    response = client.post(url("payment_requests:line_add", project.pk, 1), line_data(project))
    assert said(response) == ["The cost was added."]
    assert CostLine.objects.get().amount == Decimal("3000.50")


def test_a_partner_not_yet_confirmed_is_named_on_the_page_and_its_cost_refused_on_the_field(client, world):
    project = support.running_project(world, partner_confirms=False)
    support.first_half(world, project)
    client.force_login(world.lead_user)
    page = client.get(url("payment_requests:detail", project.pk, 1)).content.decode()
    assert "Loviisa has not confirmed the agreement with the partners yet. The costs of Loviisa cannot be claimed until then." in page
    data = line_data(project, organisation=support.partner(project).organisation_id, category=support.category(project, "services").pk)
    response = client.post(url("payment_requests:line_add", project.pk, 1), data)
    assert response.status_code == 400
    assert "cannot be claimed until it has confirmed the agreement" in response.content.decode()
    assert not CostLine.objects.exists()


def test_the_lead_edits_removes_attaches_and_submits(client, world, project, django_capture_on_commit_callbacks):
    support.first_half(world, project)
    client.force_login(world.lead_user)
    client.post(url("payment_requests:line_add", project.pk, 1), line_data(project))
    line = CostLine.objects.get()
    edit = url("payment_requests:line_edit", project.pk, 1, line.pk)
    assert 'value="3000.50"' in client.get(edit).content.decode()
    response = client.post(edit, line_data(project, amount="-5"))
    assert response.status_code == 400 and "greater than zero" in response.content.decode()
    client.post(edit, line_data(project, amount="2,500.00", description="Salary incl. VAT"))
    line.refresh_from_db()
    assert line.amount == Decimal("2500.00")
    page = client.get(url("payment_requests:detail", project.pk, 1)).content.decode()
    assert "Attach the ledger extract of Porvoo." in page
    assert "at most 2,125" in page  # 85 % of 2 500 €
    lead_id = support.lead(project).organisation_id
    response = client.post(url("payment_requests:ledger_upload", project.pk, 1), {"organisation": lead_id, "file": support.pdf("ote.txt", b"plain text")})
    assert response.status_code == 400 and 'id="ledger_file_error"' in response.content.decode()
    client.post(url("payment_requests:ledger_upload", project.pk, 1), {"organisation": lead_id, "file": support.pdf()})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("payment_requests:submit", project.pk, 1))
    assert "was submitted" in said(response)[0]
    found = PaymentRequest.objects.get()
    assert (found.state, found.claimed) == ("submitted", Decimal("2500.00"))
    page = client.get(url("payment_requests:detail", project.pk, 1)).content.decode()
    assert "An official will check" in page and "value added tax" in page
    assert "Submit the payment request" not in page
    page = client.get(url("projects:detail", project.pk)).content.decode()
    assert "2,500" in page


def test_the_partner_reads_the_request_and_downloads_the_extract(client, world, project):
    support.first_half(world, project)
    from kuntadigi.payments import services_requests as services

    services.add_line(world.lead_user, project.pk, 1, support.line(project, support.lead(project), "staff", Decimal("100.00")))
    extract = services.upload_ledger(world.lead_user, project.pk, 1, support.lead(project).organisation_id, support.pdf())
    client.force_login(world.partner_user)
    page = client.get(url("payment_requests:detail", project.pk, 1)).content.decode()
    assert "Projektipäällikön palkka" in page
    assert "Add a cost" not in page and "Submit the payment request" not in page
    assert "The lead is preparing this payment request." in page
    response = client.get(url("payment_requests:ledger_download", project.pk, 1, extract.pk))
    assert response.status_code == 200 and b"".join(response.streaming_content) == MINIMAL_PDF
    response = client.post(url("payment_requests:line_add", project.pk, 1), line_data(project))
    assert said(response) == ["Only the lead organisation's staff can change or submit the payment request."]
    client.force_login(world.outsider)
    assert client.get(url("payment_requests:ledger_download", project.pk, 1, extract.pk)).status_code == 404


def test_the_pages_speak_finnish_and_swedish(client, world, project):
    support.first_half(world, project)
    client.force_login(world.lead_user)
    fi = client.get(url("payment_requests:detail", project.pk, 1, lang="fi")).content.decode()
    sv = client.get(url("payment_requests:detail", project.pk, 1, lang="sv")).content.decode()
    assert "Maksatushakemus 1" in fi
    assert "Utbetalningsansökan 1" in sv
