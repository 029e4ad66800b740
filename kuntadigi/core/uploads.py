"""Upload handlers (settings.FILE_UPLOAD_HANDLERS): a cap on the bytes read, and temporary files that
leave nothing behind.

CappedUploadHandler counts the bytes of the request's files and, past settings.ATTACHMENT_MAX_BYTES,
stops reading the request (StopUpload with connection_reset: the rest of the body is not read) and
marks the request, so that the view answers 413 with the form's "too big" error instead of reading
a 120 MB body to the end.

UnlinkedTemporaryFileUploadHandler keeps a file bigger than FILE_UPLOAD_MAX_MEMORY_SIZE in a temporary
file that has no name on disk (tempfile.TemporaryFile: O_TMPFILE, or unlinked right after it is
created), so a worker killed mid-upload leaves no file behind: the kernel frees it with the process.
"""

import tempfile

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

TOO_LARGE = "upload_too_large"  # the request attribute set when the cap stopped the upload


def upload_too_large(request) -> bool:
    return bool(getattr(request, TOO_LARGE, False))


class CappedUploadHandler(FileUploadHandler):
    """First in the chain: counts every file's bytes and stops the upload past the limit."""

    def __init__(self, request=None):
        super().__init__(request)
        self.limit = settings.ATTACHMENT_MAX_BYTES
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            if self.request is not None:
                setattr(self.request, TOO_LARGE, True)
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handlers keep the file


class UnlinkedTemporaryUploadedFile(UploadedFile):
    """An uploaded file in an anonymous temporary file. It has no temporary_file_path(), so storage
    copies its chunks instead of moving a named file."""

    def __init__(self, name, content_type, size, charset, content_type_extra=None):
        file = tempfile.TemporaryFile(suffix=".upload", dir=settings.FILE_UPLOAD_TEMP_DIR)
        super().__init__(file, name, content_type, size, charset, content_type_extra)


class UnlinkedTemporaryFileUploadHandler(FileUploadHandler):
    """Django's TemporaryFileUploadHandler, but with a file that is never visible in the directory."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.file = UnlinkedTemporaryUploadedFile(self.file_name, self.content_type, 0, self.charset, self.content_type_extra)

    def receive_data_chunk(self, raw_data, start):
        self.file.write(raw_data)

    def file_complete(self, file_size):
        self.file.seek(0)
        self.file.size = file_size
        return self.file

    def upload_interrupted(self):
        if hasattr(self, "file"):
            self.file.close()
