"""E-mail of reports, sent after the commit as django-tasks tasks. Logs name objects by id only.

report_submitted            the call's preparers: a report (or its supplement) waits for review
report_supplement_request   the lead (contact person and members): what to supplement, by when, the link
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from kuntadigi.notifications import services as notify

logger = logging.getLogger(__name__)

SUBJECTS = {
    "report_submitted": lambda report, reference: (
        (_("Final report submitted: %(reference)s") if report.kind == "final" else _("Interim report submitted: %(reference)s")) % {"reference": reference}
    ),
    "report_supplement_request": lambda report, reference: _("Supplement to the report requested: %(reference)s") % {"reference": reference},
}


@task()
def send_report_notice(report_pk: int, kind: str) -> int:
    from kuntadigi.projects.tasks import _preparers

    from .models import Report

    report = Report.objects.select_related("project__application__call", "project__application__lead").get(pk=report_pk)
    project = report.project
    application = project.application
    if kind == "report_submitted":
        recipients = _preparers(project)
        url_name = "reports:review"
        extra = {"version": report.versions.order_by("-number").first()}
    else:
        recipients = notify.in_language(notify.lead_recipients(application), application.language)
        url_name = "reports:report"
        extra = {"supplement": report.supplement_requests.order_by("-requested_at", "-id").first()}
    sent = notify.send(
        kind,
        recipients,
        template=f"reports/email/{kind}",
        subject=lambda: SUBJECTS[kind](report, application.reference),
        context={"report": report, "project": project, "application": application, **extra},
        url=lambda: settings.SITE_URL + reverse(url_name, args=[report.pk]),
    )
    logger.info("Report %s: %s notice sent (%d messages)", report_pk, kind, len(sent))
    return len(sent)
