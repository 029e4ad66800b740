"""Downloads of the open data: every funded grant of a published call, or of all of them, as CSV,
XLSX or a 360Giving data package. Files are streamed: memory does not grow with the number of grants.
An unpublished call's files do not exist (404)."""

from __future__ import annotations

import itertools

from django.conf import settings
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_safe

from . import exports, queries

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JSON_TYPE = "application/json; charset=utf-8"


def _grants_of(slug: str | None):
    """The grants to export and the call (None for all); 404 for a call whose results are not published."""
    grants = queries.funded_grants()
    if slug is None:
        return grants, None
    call = queries.published_call(slug)
    if call is None:
        raise Http404
    return queries.filter_grants(grants, call=call.slug), call


def _stem(call) -> str:
    return f"kuntadigi-{call.slug}-grants" if call else "kuntadigi-grants"


# The chunks made before the response starts: the head and the first grant, so the database has
# answered (the first batch of grants is read) before the status 200 is sent.
CHUNKS_BEFORE_START = 2


def _streamed(chunks, content_type: str, filename: str, interrupted: bytes) -> StreamingHttpResponse:
    """A streamed download that starts only once the database has answered (a failure then is an
    ordinary error page, not a 200 with a broken file), and whose failure later on ends the file with
    a line saying it is incomplete and aborts the connection (exports.guarded)."""
    chunks = iter(chunks)
    started = list(itertools.islice(chunks, CHUNKS_BEFORE_START))
    response = StreamingHttpResponse(exports.guarded(itertools.chain(started, chunks), interrupted), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
def grants_csv(request, slug: str | None = None):
    grants, call = _grants_of(slug)
    return _streamed(exports.csv_stream(grants), CSV_TYPE, f"{_stem(call)}.csv", exports.CSV_INTERRUPTED)


@require_safe
def grants_xlsx(request, slug: str | None = None):
    grants, call = _grants_of(slug)
    workbook = exports.xlsx_file(grants, sheet_title=call.slug if call else "grants")
    return FileResponse(workbook, as_attachment=True, filename=f"{_stem(call)}.xlsx", content_type=XLSX_TYPE)


@require_safe
def grants_360giving(request, slug: str | None = None):
    grants, call = _grants_of(slug)
    with translation.override("en"):
        access_url = settings.SITE_URL + reverse("publication:open_data")
    if call:
        download = reverse("data:call_360giving", kwargs={"slug": call.slug})
        info = exports.PackageInfo(
            identifier=f"{exports.grant_id_prefix()}-{call.slug}",
            title=f"kuntadigi: {call.title_en or call.title_fi} ({call.slug})",
            description=f"The grants of the call {call.slug} of the incentive system for municipal digitalisation (Ministry of Finance, Finland).",
            download_url=settings.SITE_URL + download,
            access_url=access_url,
            fictional=call.generated_content,
        )
    else:
        info = exports.PackageInfo(
            identifier=f"{exports.grant_id_prefix()}-all",
            title="kuntadigi: grants for municipal digitalisation",
            description="Every grant of the published calls of the incentive system for municipal digitalisation (Ministry of Finance, Finland).",
            download_url=settings.SITE_URL + reverse("data:all_360giving"),
            access_url=access_url,
            fictional=queries.published_calls().filter(generated_content=True).exists(),
        )
    return _streamed(exports.giving_stream(grants, info), JSON_TYPE, f"{_stem(call)}-360giving.json", exports.JSON_INTERRUPTED)
