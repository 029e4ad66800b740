"""Attachments: the type from the content, the size limit, download only for viewers, delete."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from kuntadigi.applications import drafting
from kuntadigi.applications.models import Attachment
from kuntadigi.audit.models import AuditEvent
from tests import factories
from tests.integration.drafting_support import MINIMAL_PDF, ODS, ODT, Draft, docx_bytes, opendocument_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db

MAX = 20 * 1024 * 1024


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def draft(during_call):
    return Draft()


def stored_files(media) -> list:
    return [path for path in media.rglob("*") if path.is_file()] if media.exists() else []


def upload(client, draft, name, content, content_type="application/octet-stream", description=""):
    return client.post(draft.url("attachments"), {"file": SimpleUploadedFile(name, content, content_type=content_type), "description": description})


def test_upload_a_real_small_pdf(client, draft, media):
    client.force_login(draft.user)
    response = upload(client, draft, "Yhteistyösopimus.pdf", MINIMAL_PDF, description="Cooperation agreement")
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.original_name, attachment.content_type, attachment.size) == ("Yhteistyösopimus.pdf", "application/pdf", len(MINIMAL_PDF))
    assert attachment.file.name == f"attachments/{draft.application.pk}/{attachment.sha256}"
    assert stored_files(media) == [media / attachment.file.name]
    assert draft.refresh().version == 2
    assert AuditEvent.objects.filter(action="application.attachment_added").exists()
    page = client.get(response["Location"]).content.decode()
    assert "Yhteistyösopimus.pdf was uploaded." in page
    row = re.search(r'<table class="stack" id="attachments">.*?</table>', page, re.S)[0]
    assert "Yhteistyösopimus.pdf" in row and "PDF" in row and "Liisa Lead" in row and "Cooperation agreement" in row


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("plan.docx", docx_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("budget.xlsx", xlsx_bytes(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("plan.odt", opendocument_bytes(ODT), ODT),
        ("budget.ods", opendocument_bytes(ODS), ODS),
        ("no-extension", MINIMAL_PDF, "application/pdf"),  # the content decides, not the name
    ],
)
def test_office_documents_are_recognised_from_their_content(client, draft, name, content, expected):
    client.force_login(draft.user)
    assert upload(client, draft, name, content).status_code == 302
    assert Attachment.objects.get().content_type == expected


@pytest.mark.parametrize(
    ("name", "content", "browser_type"),
    [
        ("looks-like.pdf", b"This is plain text pretending to be a PDF.\n" * 10, "application/pdf"),
        ("script.docx", b"<html><script>alert(1)</script></html>", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("image.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "application/pdf"),
    ],
)
def test_wrong_content_is_refused_and_nothing_stored(client, draft, media, name, content, browser_type):
    client.force_login(draft.user)
    response = upload(client, draft, name, content, browser_type)
    page = response.content.decode()
    assert response.status_code == 200
    assert "The file is not a PDF, ODT, DOCX, XLSX, ODS file." in page
    assert 'href="#id_file"' in page
    assert not Attachment.objects.exists() and stored_files(media) == []
    assert draft.refresh().version == 1


def test_file_one_byte_over_20_mb_is_refused(client, draft, media):
    client.force_login(draft.user)
    content = MINIMAL_PDF + b"0" * (MAX + 1 - len(MINIMAL_PDF))
    assert len(content) == MAX + 1
    response = upload(client, draft, "big.pdf", content, "application/pdf")
    assert "The file is too big: a file may be at most 20,0\u00a0MB." in response.content.decode()
    assert not Attachment.objects.exists() and stored_files(media) == []


def test_exactly_20_mb_is_accepted(draft):
    content = MINIMAL_PDF + b"0" * (MAX - len(MINIMAL_PDF))
    attachment = drafting.add_attachment(draft.user, draft.application, SimpleUploadedFile("max.pdf", content), "")
    assert attachment.size == MAX


def test_same_file_twice_is_refused(client, draft, media):
    client.force_login(draft.user)
    upload(client, draft, "a.pdf", MINIMAL_PDF)
    page = upload(client, draft, "b.pdf", MINIMAL_PDF).content.decode()
    assert "This file is already attached to the application." in page
    assert Attachment.objects.count() == 1 and len(stored_files(media)) == 1


def test_download_for_viewers_with_safe_headers(client, draft):
    client.force_login(draft.user)
    upload(client, draft, "Sopimus ä.pdf", MINIMAL_PDF)
    attachment = Attachment.objects.get()
    url = draft.url("attachment_download", attachment_pk=attachment.pk)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == MINIMAL_PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''Sopimus%20%C3%A4.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    # A partner's staff may download too.
    partner = factories.municipality("Loviisa", code="434")
    draft.add_partner(partner)
    client.force_login(factories.member(partner))
    assert client.get(url).status_code == 200


def test_download_is_404_for_a_user_of_another_municipality(client, draft):
    client.force_login(draft.user)
    upload(client, draft, "secret.pdf", MINIMAL_PDF)
    attachment = Attachment.objects.get()
    client.force_login(factories.member(factories.municipality("Helsinki", code="091")))
    assert client.get(draft.url("attachment_download", attachment_pk=attachment.pk)).status_code == 404
    # Nor can the attachment be reached through another application's address.
    other = Draft(call=draft.call, lead=factories.municipality(), user=None)
    client.force_login(other.user)
    assert client.get(other.url("attachment_download", attachment_pk=attachment.pk)).status_code == 404


def test_delete_by_lead_staff_with_post_only(client, draft, media, django_capture_on_commit_callbacks):
    client.force_login(draft.user)
    upload(client, draft, "old.pdf", MINIMAL_PDF)
    attachment = Attachment.objects.get()
    delete_url = draft.url("attachment_delete", attachment_pk=attachment.pk)
    assert client.get(delete_url).status_code == 405
    partner = factories.municipality("Loviisa", code="434")
    draft.add_partner(partner)
    client.force_login(factories.member(partner))
    assert "Delete old.pdf" not in client.get(draft.url("attachments")).content.decode()
    client.post(delete_url)
    assert Attachment.objects.exists()
    client.force_login(draft.user)
    page = client.get(draft.url("attachments")).content.decode()
    assert "Delete old.pdf" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(delete_url)
    assert response.status_code == 302
    assert not Attachment.objects.exists()
    assert stored_files(media) == []
    assert AuditEvent.objects.filter(action="application.attachment_deleted").exists()


def test_upload_refused_for_partner_staff(client, draft):
    partner = factories.municipality("Loviisa", code="434")
    draft.add_partner(partner)
    client.force_login(factories.member(partner))
    page = client.get(draft.url("attachments")).content.decode()
    assert 'type="file"' not in page
    upload(client, draft, "x.pdf", MINIMAL_PDF)
    assert not Attachment.objects.exists()
