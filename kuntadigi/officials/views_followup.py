"""The officials' overdue list of a call's funded projects (followup.py), and its download. Thin: the
call's officials and payment approvers only (others get 404, as for the call's other lists); every read
is recorded (audit.record_list_read)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kuntadigi import permissions
from kuntadigi.audit import services as audit
from kuntadigi.calls.models import Call
from kuntadigi.core import spreadsheets

from . import followup

CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _call(user, call_slug: str) -> Call:
    call = get_object_or_404(Call, slug=call_slug)
    if not permissions.can_view_follow_up(user, call):
        raise Http404
    return call


@login_required
@require_GET
def overdue(request, call_slug: str):
    call = _call(request.user, call_slug)
    result = followup.overdue(call, limit=followup.SHOWN)
    audit.record_list_read(request.user, call, "follow_up_overdue", result.application_ids)
    return render(request, "officials/followup_overdue.html", {"call": call, "overdue": result, "check_days": followup.CHECK_DAYS, "shown": followup.SHOWN})


@login_required
@require_GET
def overdue_export(request, call_slug: str, fmt: str):
    if fmt not in CONTENT_TYPES:
        raise Http404
    call = _call(request.user, call_slug)
    result = followup.overdue(call)
    rows = followup.table_rows(result)
    if fmt == "csv":
        body = spreadsheets.to_csv([str(h) for h in followup.headers()], rows)
    else:
        body = spreadsheets.to_xlsx(_("Overdue"), [str(h) for h in followup.headers()], rows, formats={"F": "d.m.yyyy"}, widths=(16, 40, 24, 28, 40, 12, 10))
    audit.record_list_read(request.user, call, f"follow_up_overdue_{fmt}", result.application_ids)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{call.slug}-overdue.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response
