"""The officials' filtered lists of applications as CSV and XLSX (the list of submitted applications
and the screening list): the same columns for both, in the reader's language, formulas neutralised
(kuntadigi/core/spreadsheets.py). An export is a read of the applications it lists: one audit event
`application.read` per export names them (`record_export`)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpResponse
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from kuntadigi import clock
from kuntadigi.audit import services as audit
from kuntadigi.core import spreadsheets

from .models import Participant

CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def with_partners(queryset: QuerySet) -> QuerySet:
    """What the export reads: the lead, and the partners in one more query (partner_list)."""
    return queryset.select_related("lead").prefetch_related(
        Prefetch("participants", queryset=Participant.objects.filter(role=Participant.Role.PARTNER).select_related("organisation"), to_attr="partner_list")
    )


def headers() -> list[str]:
    return [
        _("Reference"),
        _("Project"),
        _("Lead applicant"),
        _("Partners"),
        _("Grant applied for (EUR)"),
        _("State"),
        _("Submitted (Helsinki time)"),
    ]


def rows(applications) -> list[list]:
    """One list per application: texts are str, the amount Decimal, the time a Helsinki wall time without a zone (or None)."""
    result = []
    for application in applications:
        submitted = clock.helsinki(application.submitted_at).replace(tzinfo=None, second=0, microsecond=0) if application.submitted_at else None
        result.append(
            [
                application.reference,
                application.project_name,
                application.lead.name,
                ", ".join(p.organisation.name for p in getattr(application, "partner_list", [])),
                application.requested_grant,
                capfirst(str(application.get_state_display())),
                submitted,
            ]
        )
    return result


def _csv_rows(applications):
    for values in rows(applications):
        submitted = values[-1]
        yield [*values[:-1], submitted.strftime("%Y-%m-%d %H:%M") if submitted else ""]


def to_csv(applications) -> bytes:
    return spreadsheets.to_csv(headers(), _csv_rows(applications))


def to_xlsx(applications) -> bytes:
    return spreadsheets.to_xlsx(
        _("Applications"),
        headers(),
        rows(applications),
        formats={"E": spreadsheets.MONEY, "G": "d.m.yyyy hh:mm"},
        widths=(18, 40, 24, 40, 16, 18, 18),
    )


def response(user, call, applications, fmt: str, *, list_name: str) -> HttpResponse:
    """The download of `applications` (already filtered, ordered and authorised) as `fmt`; records the read."""
    if fmt not in CONTENT_TYPES:
        raise Http404
    applications = list(with_partners(applications))
    body = to_csv(applications) if fmt == "csv" else to_xlsx(applications)
    audit.record_list_read(user, call, f"{list_name}_{fmt}", [application.pk for application in applications])
    result = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    result["Content-Disposition"] = f'attachment; filename="{call.slug}-{list_name}.{fmt}"'
    result["Cache-Control"] = "private, no-store"
    return result
