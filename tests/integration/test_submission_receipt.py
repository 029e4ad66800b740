"""The receipt page, the receipt e-mail in the recipient's language, and the PDF of a stored version."""

import hashlib
import io
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from kuntadigi import clock
from kuntadigi.applications.models import Application, Submission
from kuntadigi.applications.tasks import send_receipt_email
from tests import factories
from tests.integration import submission_data as data

pytestmark = pytest.mark.django_db


def url(name, *args, lang="en"):
    with translation.override(lang):
        return reverse(f"applications:{name}", args=args)


def submitted(client, call, django_capture_on_commit_callbacks, *, submitter_language="fi", contact_email="maija@example.fi"):
    lead = factories.municipality("Hämeenlinna", name_sv="Tavastehus")
    user = factories.member(lead, language=submitter_language)
    app = data.application(call, lead=lead, created_by=user, requested=Decimal("12750.00"), contact_email=contact_email)
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("submit", app.pk))
    assert response.status_code == 302
    return app, Submission.objects.get(application=app)


def test_fingerprint_on_the_receipt_is_the_sha256_of_the_stored_canonical_content(client, call_2020, during_call, django_capture_on_commit_callbacks):
    app, submission = submitted(client, call_2020, django_capture_on_commit_callbacks)
    stored = Submission.objects.get(pk=submission.pk).content  # as read back from the database
    canonical = json.dumps(stored, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    expected = hashlib.sha256(canonical).hexdigest()
    text = client.get(url("receipt", app.pk, 1)).content.decode()
    # The applicant's receipt has a receipt number and the time, no hash; the fingerprint is in the PDF.
    assert submission.fingerprint == expected
    assert expected not in text and "SHA-256" not in text
    assert "Receipt number</dt><dd>1</dd>" in text
    assert "Application received" in text
    assert "Avoin kunta" in text and "Hämeenlinna" in text and "Vaasa" in text
    assert "5 October 2020 at 12:00" in text
    assert url("pdf", app.pk, 1) in text


def test_receipt_time_is_helsinki_time(client, call_2020, django_capture_on_commit_callbacks):
    clock.set_now(factories.CLOSES_2020 - timedelta(minutes=16))  # 15.59 Helsinki summer time = 12.59 UTC
    app, _ = submitted(client, call_2020, django_capture_on_commit_callbacks)
    assert "5 October 2020 at 15:59" in client.get(url("receipt", app.pk, 1)).content.decode()


def test_receipt_email_in_swedish_for_a_swedish_user(client, call_2020, during_call, django_capture_on_commit_callbacks):
    app, submission = submitted(client, call_2020, django_capture_on_commit_callbacks, submitter_language="sv")
    to_submitter = next(m for m in mail.outbox if m.to == [submission.submitted_by.email])
    assert submission.fingerprint not in to_submitter.body and "SHA-256" not in to_submitter.body
    assert "Kvittonummer: 1" in to_submitter.body
    assert f"/sv/applications/{app.pk}/versions/1/" in to_submitter.body
    assert "Tavastehus" in to_submitter.body  # the lead's Swedish name
    html = to_submitter.alternatives[0][0]
    assert 'lang="sv"' in html
    # The contact person has no account: the language of the application (Finnish) is used.
    to_contact = next(m for m in mail.outbox if m.to == ["maija@example.fi"])
    assert f"/fi/applications/{app.pk}/versions/1/" in to_contact.body
    assert "Hämeenlinna" in to_contact.body


def test_receipt_email_sent_once_when_the_submitter_is_the_contact(client, call_2020, during_call, django_capture_on_commit_callbacks):
    lead = factories.municipality("Hämeenlinna")
    user = factories.member(lead, email="maija@example.fi")
    app = data.application(call_2020, lead=lead, created_by=user, requested=Decimal("12750.00"))
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("submit", app.pk))
    assert [m.to for m in mail.outbox] == [["maija@example.fi"]]


def test_receipt_email_is_sent_only_after_the_commit(client, call_2020, during_call, django_capture_on_commit_callbacks):
    app = data.application(call_2020, requested=Decimal("12750.00"))
    client.force_login(app.created_by)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(url("submit", app.pk))
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_receipt_task_can_run_again_for_a_stored_version(client, call_2020, during_call, django_capture_on_commit_callbacks):
    _, submission = submitted(client, call_2020, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    result = send_receipt_email.enqueue(submission.pk)
    assert result.return_value == 2
    assert len(mail.outbox) == 2


def test_pdf_of_a_version_comes_from_the_stored_content(client, call_2020, during_call, django_capture_on_commit_callbacks):
    app, submission = submitted(client, call_2020, django_capture_on_commit_callbacks)
    Application.objects.filter(pk=app.pk).update(project_name="Muutettu luonnos")  # the live draft changes later
    response = client.get(url("pdf", app.pk, 1))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{app.reference}-v1.pdf"'
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Avoin kunta" in text
    assert "Muutettu luonnos" not in text
    flat = "".join(text.split())
    assert submission.fingerprint in flat
    assert "Projektipäällikkö" in text  # a budget line
    assert "Vaasa" in text


def test_pdf_lists_attachments_with_their_hashes(client, call_2020, during_call, django_capture_on_commit_callbacks):
    app, submission = submitted(client, call_2020, django_capture_on_commit_callbacks)
    digest = hashlib.sha256(b"liite").hexdigest()
    content = dict(submission.content)
    attachment = {"name": "budjetti.xlsx", "content_type": "application/vnd.ms-excel", "size": 5, "sha256": digest, "description": "Kustannusarvio"}
    content["attachments"] = [attachment]
    Submission.objects.filter(pk=submission.pk).update(content=content)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(client.get(url("pdf", app.pk, 1)).content)).pages)
    assert "budjetti.xlsx" in text
    assert digest in "".join(text.split())


def test_unknown_version_is_404(client, call_2020, during_call, django_capture_on_commit_callbacks):
    app, _ = submitted(client, call_2020, django_capture_on_commit_callbacks)
    assert client.get(url("receipt", app.pk, 2)).status_code == 404
    assert client.get(url("pdf", app.pk, 2)).status_code == 404


def test_the_calls_official_sees_receipt_and_pdf_and_each_read_is_recorded(client, call_2020, during_call, django_capture_on_commit_callbacks):
    from kuntadigi.audit.models import AuditEvent

    app, _ = submitted(client, call_2020, django_capture_on_commit_callbacks)
    reads_by_the_lead = AuditEvent.objects.filter(action="application.read").count()
    preparer = factories.official_in(call_2020)
    client.force_login(preparer)
    assert client.get(url("receipt", app.pk, 1)).status_code == 200
    assert client.get(url("detail", app.pk)).status_code == 200
    assert client.get(url("pdf", app.pk, 1)).status_code == 200
    reads = AuditEvent.objects.filter(action="application.read").order_by("id")
    assert reads_by_the_lead == 0  # the applicant's own reads are not recorded
    assert [(e.actor, e.application_id, e.after["read"]) for e in reads] == [
        (preparer, app.pk, "receipt"),
        (preparer, app.pk, "overview"),
        (preparer, app.pk, "application_pdf"),
    ]
    assert reads[0].after["version"] == 1

    client.force_login(factories.user(official=True))  # without a role in the call
    assert client.get(url("receipt", app.pk, 1)).status_code == 404
    assert client.get(url("detail", app.pk)).status_code == 404
    assert client.get(url("pdf", app.pk, 1)).status_code == 404
    assert reads.count() == 3
