"""Payment batches: the call's preparer makes a batch with a due date, puts approved payments into it (a
stopped one is refused with the reason) and takes them out while it is open, exports it as an ISO 20022
pain.001.001.09 file (validated against the official XSD) and a CSV for the State's accounting, and marks
it paid with the bank's value date; the lead is told and the project page shows what was paid."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import sepaxml
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.utils import DatabaseError
from django.urls import reverse
from django.utils import translation
from lxml import etree

from kuntadigi import clock
from kuntadigi.applications.errors import Refused
from kuntadigi.audit.models import AuditEvent
from kuntadigi.notifications.models import Message
from kuntadigi.payments import services_batches as services
from kuntadigi.payments.models import Payment, PaymentBatch
from tests.integration import batches_support as support
from tests.integration import decisions_support

XSD = Path(sepaxml.__file__).parent / "schemas" / "pain.001.001.09.xsd"
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"}


@pytest.fixture
def world(db):
    with translation.override("en"):
        yield decisions_support.build_world()


@pytest.fixture
def built(world):
    projects, approver, payments = support.build(world)
    return world, projects, approver, payments


def url(name, *args):
    with translation.override("en"):
        return reverse(f"payments_batches:{name}", args=args)


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)][-1:]


def xsd_errors(data: bytes) -> list[str]:
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    valid = schema.validate(etree.fromstring(data))
    return [] if valid else [str(error) for error in schema.error_log]


def batch_with_payments(world, payments) -> PaymentBatch:
    batch = services.create_batch(world.preparer, world.call.pk, support.due_day())
    services.add_payments(world.preparer, batch.pk, [p.pk for p in payments.values()])
    return batch


# ── Making a batch and filling it ───────────────────────────────────────────


def test_the_preparer_makes_a_batch_and_fills_it(client, built):
    world, _projects, _approver, payments = built
    client.force_login(world.preparer)
    response = client.post(url("list", world.call.slug), {"due_date": support.due_day().isoformat()})
    batch = PaymentBatch.objects.get(call=world.call)
    assert response.status_code == 302 and said(response) == ["Payment batch 1 was made. Add the approved payments to it."]
    assert (batch.number, batch.state, batch.due_date, batch.created_by) == (1, "open", support.due_day(), world.preparer)

    page = client.get(url("detail", batch.pk)).content.decode()
    assert "No approved payments are waiting." not in page and "FI21 1234 5600 0007 85" in page  # the whole account, to check

    response = client.post(url("add", batch.pk), {"payments": [payments["sv"].pk, payments["fi"].pk]})

    assert said(response) == ["2 payments were added to the batch."]
    assert set(batch.payments.values_list("pk", flat=True)) == {payments["sv"].pk, payments["fi"].pk}
    page = client.get(url("detail", batch.pk)).content.decode()
    assert "10,237.50" in page and "Porvoo" in page and "Hämeenlinna" in page and "No approved payments are waiting." in page
    events = AuditEvent.objects.filter(object_type="payments.paymentbatch", object_id=str(batch.pk)).order_by("id")
    assert [e.action for e in events] == ["payment_batch.created", "payment_batch.payment_added", "payment_batch.payment_added"]
    assert {e.application_id for e in events[1:]} == {world.apps["sv"].pk, world.apps["fi"].pk}


def test_the_payment_approver_sees_the_batch_with_the_accounts_masked_and_cannot_act(client, built):
    world, _projects, approver, payments = built
    batch = batch_with_payments(world, payments)
    client.force_login(approver)
    page = client.get(url("detail", batch.pk)).content.decode()
    assert "FI•• •••• 0785" in page and "FI21 1234" not in page and "Export the batch" not in page
    response = client.post(url("export", batch.pk))
    assert said(response) == ["Only the call's preparers make, export and mark payment batches paid, and download their files."]
    assert PaymentBatch.objects.get(pk=batch.pk).state == "open"


def test_others_do_not_learn_of_the_batches(client, built):
    world, _projects, _approver, payments = built
    batch = batch_with_payments(world, payments)
    for user in (world.decision_maker, world.presenter, world.lead_user, world.partner_user, world.outsider, world.official):
        client.force_login(user)
        assert client.get(url("detail", batch.pk)).status_code == 404
        assert client.get(url("list", world.call.slug)).status_code == 404
        assert client.post(url("add", batch.pk), {"payments": [payments["sv"].pk]}).status_code == 404


def test_a_stopped_payment_cannot_be_batched_and_says_why(built):
    world, projects, approver, payments = built
    stopped = support.approved_payment(projects["sv"], approver, "1000.00", stopped=True)
    batch = services.create_batch(world.preparer, world.call.pk, support.due_day())
    with pytest.raises(Refused) as refusal:
        services.add_payments(world.preparer, batch.pk, [payments["fi"].pk, stopped.pk])
    assert refusal.value.message.startswith("The payment of DIGI-2020-") and "is stopped and cannot be batched: The account was changed on 1.3.2021." in (
        refusal.value.message
    )
    assert not batch.payments.exists()  # all or none
    assert stopped not in services.waiting(world.call) and stopped in services.stopped(world.call)


def test_a_payment_is_in_one_batch_only_and_of_the_batchs_call(built):
    world, _projects, _approver, payments = built
    first = batch_with_payments(world, payments)
    second = services.create_batch(world.preparer, world.call.pk, support.due_day())
    assert second.number == first.number + 1
    with pytest.raises(Refused, match="is already in a batch"):
        services.add_payments(world.preparer, second.pk, [payments["sv"].pk])
    with pytest.raises(Refused, match="not an approved payment of this call"):
        services.add_payments(world.preparer, second.pk, [999999])


def test_the_due_date_is_not_in_the_past(client, built):
    world, *_ = built
    client.force_login(world.preparer)
    yesterday = clock.helsinki(clock.now()).date() - timedelta(days=1)
    response = client.post(url("list", world.call.slug), {"due_date": yesterday.isoformat()})
    assert response.status_code == 400 and "The due date cannot be in the past." in response.content.decode()
    assert not PaymentBatch.objects.exists()


def test_a_payment_is_taken_out_while_the_batch_is_open(client, built):
    world, _projects, _approver, payments = built
    batch = batch_with_payments(world, payments)
    client.force_login(world.preparer)
    response = client.post(url("remove", batch.pk), {"payment": payments["fi"].pk})
    assert said(response) == ["The payment was taken out of the batch."]
    assert list(batch.payments.all()) == [payments["sv"]]
    assert Payment.objects.get(pk=payments["fi"].pk).batch is None
    assert AuditEvent.objects.filter(action="payment_batch.payment_removed", application_id=world.apps["fi"].pk).exists()


# ── Export ──────────────────────────────────────────────────────────────────


def test_the_export_writes_a_valid_pain001_file_and_the_accounting_csv(client, built):
    world, _projects, _approver, payments = built
    batch = batch_with_payments(world, payments)
    client.force_login(world.preparer)

    response = client.post(url("export", batch.pk))

    assert said(response) == ["The batch was exported. Download the credit-transfer file for the bank and the CSV for the State's accounting."]
    batch.refresh_from_db()
    assert (batch.state, batch.exported_by, batch.total) == ("exported", world.preparer, Decimal("10237.50"))
    xml = client.get(url("download", batch.pk, "pain001"))
    assert xml.status_code == 200 and xml["Content-Type"] == "application/xml"
    data = xml.content
    assert hashlib.sha256(data).hexdigest() == batch.credit_transfer_sha256
    assert xsd_errors(data) == []
    tree = etree.fromstring(data)
    assert tree.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:MsgId", namespaces=NS) == batch.message_id
    assert tree.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:NbOfTxs", namespaces=NS) == "2"
    assert tree.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum", namespaces=NS) == "10237.50"
    info = tree.find("p:CstmrCdtTrfInitn/p:PmtInf", namespaces=NS)
    assert info.findtext("p:ReqdExctnDt/p:Dt", namespaces=NS) == support.due_day().isoformat()
    assert info.findtext("p:Dbtr/p:Nm", namespaces=NS) == "Valtiovarainministerio"  # SEPA's Latin characters
    assert info.findtext("p:DbtrAcct/p:Id/p:IBAN", namespaces=NS) == "FI5810171000000122"
    transactions = {t.findtext("p:PmtId/p:EndToEndId", namespaces=NS): t for t in info.findall("p:CdtTrfTxInf", namespaces=NS)}
    sv = transactions[payments["sv"].end_to_end_id]
    assert sv.findtext("p:Amt/p:InstdAmt", namespaces=NS) == "5737.50"
    assert sv.findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=NS) == "FI2112345600000785"
    assert sv.findtext("p:Cdtr/p:Nm", namespaces=NS) == "Borga stad"  # the legal name, in the application's language
    reference = world.apps["sv"].reference
    assert sv.findtext("p:RmtInf/p:Ustrd", namespaces=NS) == f"Statsunderstod {reference}, utbetalningsansokan 1"  # Swedish application
    fi = transactions[payments["fi"].end_to_end_id]
    assert fi.findtext("p:RmtInf/p:Ustrd", namespaces=NS) == f"Valtionavustus {world.apps['fi'].reference}, maksatushakemus 1"

    accounting = client.get(url("download", batch.pk, "csv"))
    assert hashlib.sha256(accounting.content).hexdigest() == batch.accounting_sha256
    rows = list(csv.reader(io.StringIO(accounting.content.decode())))
    assert rows[0] == [
        "budget_item",
        "account",
        "cost_centre",
        "project",
        "business_id",
        "recipient",
        "project_reference",
        "amount",
        "due_date",
        "end_to_end_id",
    ]
    assert sorted(rows[1:]) == sorted(
        [
            [
                "28.90.32",
                "58000000",
                "VM1234",
                "KUNTADIGI",
                "1061512-1",
                "Borgå stad",
                reference,
                "5737.50",
                support.due_day().isoformat(),
                payments["sv"].end_to_end_id,
            ],
            [
                "28.90.32",
                "58000000",
                "VM1234",
                "KUNTADIGI",
                "2012345-4",
                "Hämeenlinnan kaupunki",
                world.apps["fi"].reference,
                "4500.00",
                support.due_day().isoformat(),
                payments["fi"].end_to_end_id,
            ],
        ]
    )
    exported = AuditEvent.objects.get(action="payment_batch.exported")
    assert exported.after["credit_transfer_sha256"] == batch.credit_transfer_sha256 and exported.after["payments"] == 2


def test_an_exported_batch_does_not_change(built):
    world, projects, approver, payments = built
    batch = batch_with_payments(world, payments)
    services.export(world.preparer, batch.pk)
    another = support.approved_payment(projects["fi"], approver, "100.00")
    for attempt in (
        lambda: services.add_payments(world.preparer, batch.pk, [another.pk]),
        lambda: services.remove_payment(world.preparer, batch.pk, payments["sv"].pk),
        lambda: services.export(world.preparer, batch.pk),
    ):
        with pytest.raises(Refused, match=r"The batch has been exported: it can no longer change\."):
            attempt()
    assert batch.payments.count() == 2


def test_the_database_refuses_to_change_an_exported_batchs_payments(built):
    world, _projects, _approver, payments = built
    batch = batch_with_payments(world, payments)
    services.export(world.preparer, batch.pk)
    for change in (
        lambda: Payment.objects.filter(pk=payments["sv"].pk).update(batch=None),
        lambda: Payment.objects.filter(pk=payments["sv"].pk).update(amount=Decimal("1.00")),
        lambda: Payment.objects.filter(pk=payments["sv"].pk).update(iban="FI4950009420028730"),
        lambda: PaymentBatch.objects.filter(pk=batch.pk).update(total=Decimal("1.00")),
        lambda: PaymentBatch.objects.filter(pk=batch.pk).update(state="open"),
    ):
        with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
            change()
    assert Payment.objects.get(pk=payments["sv"].pk).batch_id == batch.pk
    PaymentBatch.objects.filter(pk=batch.pk).update(state="paid", value_date=clock.helsinki(clock.now()).date())  # the one way on


def test_the_export_is_refused_without_the_calls_payer(built):
    world, _projects, _approver, payments = built
    batch = batch_with_payments(world, payments)
    world.call.payer_name = ""
    world.call.save(update_fields=["payer_name"])
    with pytest.raises(Refused, match="The call has no name of the paying agency"):
        services.export(world.preparer, batch.pk)
    world.call.payer_name, world.call.payer_iban = "Valtiovarainministeriö", "FI5910171000000122"
    world.call.save(update_fields=["payer_name", "payer_iban"])
    with pytest.raises(Refused, match="The call's paying account is not valid: The IBAN's check digits do not match"):
        services.export(world.preparer, batch.pk)
    assert PaymentBatch.objects.get(pk=batch.pk).state == "open" and not PaymentBatch.objects.get(pk=batch.pk).credit_transfer_file


def test_an_empty_batch_is_not_exported(built):
    world, *_ = built
    batch = services.create_batch(world.preparer, world.call.pk, support.due_day())
    with pytest.raises(Refused, match="The batch has no payments"):
        services.export(world.preparer, batch.pk)


def test_a_file_changed_in_storage_is_not_served(client, built):
    world, _projects, _approver, payments = built
    batch = services.export(world.preparer, batch_with_payments(world, payments).pk)
    storage = batch.accounting_file.storage
    name = batch.accounting_file.name
    storage.delete(name)
    storage.save(name, ContentFile(b"budget_item\r\n28.90.32\r\n"))
    client.force_login(world.preparer)
    response = client.get(url("download", batch.pk, "csv"))
    assert response.status_code == 302
    assert said(response) == ["The stored file does not match the one exported, so it is not served. The system administrators have been told."]
    assert client.get(url("download", batch.pk, "pain001")).status_code == 200
    assert client.get(url("download", batch.pk, "other")).status_code == 404


def test_only_the_preparer_downloads_the_files(client, built):
    world, _projects, approver, payments = built
    batch = services.export(world.preparer, batch_with_payments(world, payments).pk)
    client.force_login(approver)
    response = client.get(url("download", batch.pk, "pain001"))
    assert response.status_code == 302 and said(response) == ["Only the call's preparers make, export and mark payment batches paid, and download their files."]


# ── Paid ────────────────────────────────────────────────────────────────────


def test_marking_the_batch_paid_feeds_the_project_and_tells_the_lead(client, built, mailoutbox, django_capture_on_commit_callbacks):
    world, projects, _approver, payments = built
    batch = services.export(world.preparer, batch_with_payments(world, payments).pk)
    value_date = support.due_day()  # the bank paid on the due date; the official marks it the next day
    clock.set_now(support.BATCH_DAY + timedelta(days=8))
    client.force_login(world.preparer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("paid", batch.pk), {"value_date": value_date.isoformat()})

    assert said(response) == ["The batch was marked paid. The leads of the projects are told by e-mail."]
    batch.refresh_from_db()
    assert (batch.state, batch.value_date, batch.paid_by) == ("paid", value_date, world.preparer)
    assert services.paid_total(projects["sv"]) == Decimal("5737.50")
    assert services.paid_by_project(world.call) == {projects["sv"].pk: Decimal("5737.50"), projects["fi"].pk: Decimal("4500.00")}
    assert AuditEvent.objects.filter(action="payment.paid", application_id=world.apps["sv"].pk).count() == 1
    sent = Message.objects.filter(kind="payment_made")
    assert {m.address for m in sent} >= {"lead@borga.fi", "kontakt@borga.fi", "hml@hameenlinna.fi"}
    swedish = next(m for m in mailoutbox if "lead@borga.fi" in m.to)
    assert "5\u00a0737,50" in swedish.body and world.apps["sv"].reference in swedish.subject
    from kuntadigi.payments.tasks_batches import send_payments_made

    assert send_payments_made.call(batch.pk) == 0  # each message once

    client.force_login(world.lead_user)
    with translation.override("en"):
        page = client.get(reverse("projects:detail", args=[projects["sv"].pk])).content.decode()
    assert "Paid so far" in page and "5,737.50" in page and "Payment request 1" in page


def test_the_value_date_is_neither_before_the_export_nor_in_the_future(client, built):
    world, _projects, _approver, payments = built
    batch = services.export(world.preparer, batch_with_payments(world, payments).pk)
    today = clock.helsinki(clock.now()).date()
    client.force_login(world.preparer)
    before = client.post(url("paid", batch.pk), {"value_date": (today - timedelta(days=1)).isoformat()})
    assert before.status_code == 400 and "The value date cannot be before the batch was exported (1 March 2021)." in before.content.decode()
    future = client.post(url("paid", batch.pk), {"value_date": (today + timedelta(days=1)).isoformat()})
    assert future.status_code == 400 and "The value date cannot be in the future." in future.content.decode()
    assert PaymentBatch.objects.get(pk=batch.pk).state == "exported"


def test_an_open_batch_is_not_marked_paid(built):
    world, _projects, _approver, payments = built
    batch = batch_with_payments(world, payments)
    with pytest.raises(Refused, match=r"The batch has not been exported yet\."):
        services.mark_paid(world.preparer, batch.pk, clock.helsinki(clock.now()).date())


def test_the_project_page_shows_what_is_due_next(client, built):
    world, projects, approver, payments = built
    services.create_batch(world.preparer, world.call.pk, support.due_day())
    batch = PaymentBatch.objects.get()
    services.add_payments(world.preparer, batch.pk, [payments["sv"].pk])
    support.approved_payment(projects["sv"], approver, "250.00")
    client.force_login(world.lead_user)
    with translation.override("en"):
        page = client.get(reverse("projects:detail", args=[projects["sv"].pk])).content.decode()
    assert "Nothing has been paid yet." in page and "to be paid on 8 March 2021" in page and "approved, waiting for a payment batch" in page


# ── Queries ─────────────────────────────────────────────────────────────────


def _queries(django_assert_num_queries, client, world, batch, expected):
    with django_assert_num_queries(expected):
        assert client.get(url("detail", batch.pk)).status_code == 200


@pytest.mark.parametrize("extra", [0, 6])
def test_the_batch_page_and_the_export_take_the_same_queries_for_any_size(client, built, django_assert_num_queries, extra):
    world, projects, approver, _payments = built
    for number in range(extra):
        support.approved_payment(projects["fi" if number % 2 else "sv"], approver, "100.00")
    batch = services.create_batch(world.preparer, world.call.pk, support.due_day())
    services.add_payments(world.preparer, batch.pk, list(services.waiting(world.call).values_list("pk", flat=True)))
    client.force_login(world.preparer)
    client.get(url("detail", batch.pk))  # the session and the roles, once
    with django_assert_num_queries(PAGE_QUERIES):
        assert client.get(url("detail", batch.pk)).status_code == 200
    with django_assert_num_queries(EXPORT_QUERIES):
        services.export(world.preparer, batch.pk)
    assert PaymentBatch.objects.get(pk=batch.pk).payments.count() == 2 + extra


PAGE_QUERIES = 8
EXPORT_QUERIES = 9


# ── Well-formed pages ───────────────────────────────────────────────────────


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_batch_pages_are_valid_html_in_each_state(client, built, lang):
    from tests.integration.test_html_validity import check_page

    world, projects, approver, payments = built
    batch = services.create_batch(world.preparer, world.call.pk, support.due_day())
    services.add_payments(world.preparer, batch.pk, [payments["sv"].pk])
    support.approved_payment(projects["fi"], approver, "100.00", stopped=True)
    client.force_login(world.preparer)
    check_page(client, "payments_batches:list", lang, world.call.slug)
    check_page(client, "payments_batches:detail", lang, batch.pk)  # open: the forms, the waiting and the stopped payments
    services.export(world.preparer, batch.pk)
    check_page(client, "payments_batches:detail", lang, batch.pk)  # exported: the files and the form for the value date
    client.force_login(world.lead_user)
    check_page(client, "projects:detail", lang, projects["sv"].pk)
