"""Serving an uploaded file (an application's attachment, a partner agreement, a ledger extract, a report's
attachment) to someone the view has already let read it: as a download with the type detected at upload,
never sniffed by the browser, never cached. A file missing from storage is a 404."""

from django.http import FileResponse, Http404


def download(item) -> FileResponse:
    """`item` has `file`, `original_name` and `content_type` (the uploads' common fields)."""
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=item.original_name, content_type=item.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
