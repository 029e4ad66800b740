"""Every uploaded file is scanned by ClamAV before it is accepted (kuntadigi/core/virus_scan.py), through
the test session's own clamd with the EICAR test signature (tests/clamd.py)."""

import io
import logging
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from kuntadigi.applications.models import Attachment
from kuntadigi.audit.models import AuditEvent
from kuntadigi.core import virus_scan
from tests import clamd as clamd_support
from tests.integration.drafting_support import MINIMAL_PDF, Draft, docx_bytes

pytestmark = pytest.mark.django_db

INFECTED = "The file contains a virus or other malicious content, so it was not accepted."
LIMITS = "The file could not be checked for viruses: unpacked, it is too large or too deeply nested"
TRY_AGAIN = "The file could not be checked for viruses just now, so it was not accepted. Please try again in a few minutes."


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def draft(during_call, clamd):
    return Draft()


def stored_files(media) -> list:
    return [path for path in media.rglob("*") if path.is_file()] if media.exists() else []


def upload(client, draft, name, content):
    client.force_login(draft.user)
    return client.post(draft.url("attachments"), {"file": SimpleUploadedFile(name, content, content_type="application/octet-stream")})


def pdf_carrying_eicar() -> bytes:
    """A PDF (so that the type check lets it through) with the EICAR test string in a stream."""
    return MINIMAL_PDF.replace(b"%%EOF", b"") + b"4 0 obj\n<< /Length 68 >>\nstream\n" + clamd_support.EICAR + b"\nendstream\nendobj\n%%EOF\n"


def zip_bomb_docx(unpacked_mb: int = 30) -> bytes:
    """A .docx of a few tens of kilobytes whose document unpacks to 30 MB: over the scanner's MaxFileSize."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        archive.writestr("word/document.xml", b"<?xml version='1.0'?>" + b"\0" * (unpacked_mb * 1024 * 1024))
    return buffer.getvalue()


def assert_refused(response, message, draft, media):
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert 'href="#id_file"' in page  # the error summary links to the field
    assert not Attachment.objects.exists() and stored_files(media) == []
    assert not AuditEvent.objects.filter(action="application.attachment_added").exists()
    assert draft.refresh().version == 1


def test_a_pdf_carrying_the_eicar_test_virus_is_refused(client, draft, settings, caplog):
    with caplog.at_level(logging.WARNING, logger="kuntadigi.applications.drafting"):
        response = upload(client, draft, "sopimus.pdf", pdf_carrying_eicar())
    assert_refused(response, INFECTED, draft, settings.MEDIA_ROOT)
    assert f"found {clamd_support.SIGNATURE}" in caplog.text
    assert "sopimus.pdf" not in caplog.text and draft.user.email not in caplog.text


def test_a_zip_bomb_named_docx_is_refused(client, draft, settings):
    bomb = zip_bomb_docx()
    assert len(bomb) < 100 * 1024
    response = upload(client, draft, "suunnitelma.docx", bomb)
    assert_refused(response, LIMITS, draft, settings.MEDIA_ROOT)


def test_when_the_scanner_is_down_the_upload_is_refused_with_try_again_and_logged(client, draft, settings, tmp_path, caplog):
    settings.CLAMD_SOCKET = str(tmp_path / "no-clamd-here.sock")
    with caplog.at_level(logging.ERROR, logger="kuntadigi.applications.drafting"):
        response = upload(client, draft, "Yhteistyösopimus.pdf", MINIMAL_PDF)
    assert_refused(response, TRY_AGAIN, draft, settings.MEDIA_ROOT)
    assert "the virus scanner is not available" in caplog.text
    assert "Yhteistyösopimus" not in caplog.text and draft.user.email not in caplog.text


def test_a_clean_file_is_scanned_and_accepted(client, draft, monkeypatch):
    verdicts = []
    scan_file = virus_scan.scan_file

    def spy(uploaded):
        verdicts.append(scan_file(uploaded))
        return verdicts[-1]

    monkeypatch.setattr(virus_scan, "scan_file", spy)
    assert upload(client, draft, "suunnitelma.docx", docx_bytes()).status_code == 302
    assert verdicts == [virus_scan.Verdict("clean")]
    assert Attachment.objects.get().original_name == "suunnitelma.docx"


def test_the_messages_are_translated(client, draft, settings):
    settings.CLAMD_SOCKET = "/nonexistent/clamd.sock"
    with translation.override("fi"):
        page = upload(client, draft, "a.pdf", MINIMAL_PDF).content.decode()
    assert "Tiedoston virustarkistus ei onnistunut juuri nyt" in page


# ── The client itself ──────────────────────────────────────────────────────────────────────────────


def test_the_client_reads_the_daemons_verdicts(clamd):
    assert virus_scan.scan_chunks([b"hello, ", b"world"], socket_path=clamd.socket) == virus_scan.Verdict("clean")
    infected = virus_scan.scan_chunks([clamd_support.EICAR], socket_path=clamd.socket)
    assert infected.outcome == "infected" and infected.detail.startswith(clamd_support.SIGNATURE)  # clamd adds ".UNOFFICIAL"
    # The test string split across chunks is found all the same.
    assert virus_scan.scan_chunks([clamd_support.EICAR[:30], clamd_support.EICAR[30:]], socket_path=clamd.socket).outcome == "infected"
    limits = virus_scan.scan_chunks([zip_bomb_docx()], socket_path=clamd.socket)
    assert (limits.outcome, limits.detail.startswith("Heuristics.Limits.Exceeded")) == ("limits", True)


def test_a_stream_over_the_daemons_length_limit_is_not_clean(clamd):
    """StreamMaxLength is 21 MB in the test daemon: clamd stops reading and says so."""
    chunk = b"\0" * (1024 * 1024)
    verdict = virus_scan.scan_chunks((chunk for _ in range(24)), socket_path=clamd.socket)
    assert verdict.outcome == "limits"


def test_no_daemon_is_unavailable(tmp_path):
    verdict = virus_scan.scan_chunks([b"x"], socket_path=str(tmp_path / "none.sock"), timeout=1)
    assert verdict.outcome == "unavailable" and not verdict.clean
    assert "FileNotFoundError" in verdict.detail


def test_the_deployment_check_warns_when_clamd_does_not_answer(settings, tmp_path, clamd):
    from kuntadigi.core.checks import clamd_answers

    assert clamd_answers(None) == []
    settings.CLAMD_SOCKET = str(tmp_path / "gone.sock")
    (warning,) = clamd_answers(None)
    assert warning.id == "kuntadigi.W001" and "every upload will be refused" in warning.msg
    settings.KUNTADIGI_VIRUS_SCAN = False
    assert clamd_answers(None) == []
