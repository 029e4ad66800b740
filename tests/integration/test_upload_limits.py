"""The request body is capped and uploads leave no temporary file behind (kuntadigi/core/uploads.py)."""

import os
import re
from pathlib import Path

import pytest
from django.utils import translation

from kuntadigi.applications.models import Attachment
from tests.integration.drafting_support import MINIMAL_PDF, Draft

pytestmark = pytest.mark.django_db

BOUNDARY = "kuntadigi-test-boundary"
MB = 1024 * 1024


class MultipartStream:
    """A multipart/form-data body with one file, made as it is read (never whole in memory), counting
    the bytes read. `on_read(position)` is called after each read; it may raise to abort the upload."""

    def __init__(self, file_size: int, on_read=None, fields: dict[str, str] | None = None):
        head = "".join(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n' for name, value in (fields or {}).items())
        head += (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="description"\r\n\r\nbig\r\n'
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        )
        self.head = head.encode() + MINIMAL_PDF
        self.tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.padding = file_size - len(MINIMAL_PDF)
        self.length = len(self.head) + self.padding + len(self.tail)
        self.read_bytes = 0
        self.on_read = on_read

    def _byte_range(self, start: int, size: int) -> bytes:
        out = bytearray()
        pad_start, pad_end = len(self.head), len(self.head) + self.padding
        end = min(start + size, self.length)
        position = start
        while position < end:
            if position < pad_start:
                piece = self.head[position : min(end, pad_start)]
            elif position < pad_end:
                piece = b"0" * (min(end, pad_end) - position)
            else:
                piece = self.tail[position - pad_end : end - pad_end]
            out += piece
            position += len(piece)
        return bytes(out)

    def read(self, size=-1):
        if size is None or size < 0:
            size = self.length - self.read_bytes
        data = self._byte_range(self.read_bytes, size)
        self.read_bytes += len(data)
        if self.on_read:
            self.on_read(self.read_bytes)
        return data

    def readline(self, size=-1):  # not used by the multipart parser; here for the WSGI interface
        return self.read(size)


def post_stream(client, url, stream):
    return client.generic(
        "POST",
        url,
        **{"wsgi.input": stream, "CONTENT_LENGTH": str(stream.length), "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}"},
    )


@pytest.fixture
def draft(during_call):
    return Draft()


def test_a_120_mb_body_is_stopped_soon_after_the_limit_and_answered_413_with_the_forms_error(client, draft, settings):
    client.force_login(draft.user)
    stream = MultipartStream(120 * MB)
    with translation.override("en"):
        response = post_stream(client, draft.url("attachments"), stream)
    assert stream.length > 120 * MB
    assert stream.read_bytes < settings.ATTACHMENT_MAX_BYTES + 1 * MB  # the limit, plus at most a chunk or two
    assert response.status_code == 413
    page = response.content.decode()
    assert "The file is too big: a file may be at most 20,0\u00a0MB." in page
    assert 'href="#id_file"' in page
    assert not Attachment.objects.exists()


def test_a_browsers_form_passes_the_csrf_check_before_the_upload_is_stopped(draft):
    """A browser sends the CSRF token first (it comes first in the form), so the stopped upload still
    gets the form's 413 and not a CSRF failure."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(draft.user)
    page = client.get(draft.url("attachments")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    with translation.override("en"):
        response = post_stream(client, draft.url("attachments"), MultipartStream(40 * MB, fields={"csrfmiddlewaretoken": token}))
    assert response.status_code == 413
    assert "The file is too big" in response.content.decode()


def test_the_413_page_is_in_the_interface_language(client, draft):
    client.force_login(draft.user)
    with translation.override("sv"):
        response = post_stream(client, draft.url("attachments"), MultipartStream(30 * MB))
    assert response.status_code == 413
    assert "Filen är för stor" in response.content.decode()


def test_a_file_at_the_limit_is_read_whole_and_accepted(client, draft, settings):
    settings.ATTACHMENT_MAX_BYTES = 3 * MB  # the same rule at a size that keeps the test quick
    client.force_login(draft.user)
    stream = MultipartStream(3 * MB)
    response = post_stream(client, draft.url("attachments"), stream)
    assert response.status_code == 302
    assert stream.read_bytes == stream.length
    assert Attachment.objects.get().size == 3 * MB


def _files_in(directory: Path) -> list[str]:
    return sorted(os.listdir(directory))


def _open_files_in(directory: Path) -> list[str]:
    """What this process holds open in the directory (as /proc shows it: a removed file ends "(deleted)")."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(directory)):
            found.append(target)
    return found


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs Linux's /proc to see the open temporary file")
def test_an_upload_in_progress_has_no_file_in_the_temporary_directory_and_an_aborted_one_leaves_none(client, draft, settings, tmp_path):
    """A worker killed mid-upload leaves behind only what is in the directory while the upload runs:
    the file being received is open but has no name there, so the kernel frees it with the process."""
    temp_dir = tmp_path / "uploads"
    temp_dir.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(temp_dir)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024  # bigger uploads go to a temporary file
    seen = {}

    def on_read(position):
        if position > 2 * MB and "listing" not in seen:
            seen["listing"] = _files_in(temp_dir)
            seen["open"] = _open_files_in(temp_dir)
        if position > 3 * MB:
            raise OSError("the client went away")  # as when the connection drops mid-upload

    client.force_login(draft.user)
    client.raise_request_exception = False
    response = post_stream(client, draft.url("attachments"), MultipartStream(5 * MB, on_read))
    assert response.status_code >= 400
    assert len(seen["open"]) == 1, "the upload was being written to a temporary file in the directory"
    assert seen["listing"] == [], "a file being uploaded must have no name on disk"
    assert _files_in(temp_dir) == []
    assert not Attachment.objects.exists()
