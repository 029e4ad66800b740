"""A submitted version as a PDF, rendered from `Submission.content` (never from the live draft)."""

from __future__ import annotations

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.translation import get_language

from .submission import content_view, receipt_facts


def pdf_filename(submission) -> str:
    return f"{submission.content['reference']}-v{submission.number}.pdf"


def submission_html(submission) -> str:
    call = submission.application.call
    return render_to_string(
        "applications/submission/pdf.html",
        {
            "submission": submission,
            "facts": receipt_facts(submission),
            "content": content_view(submission.content, call),
            "call": call,
            "LANGUAGE_CODE": get_language(),
        },
    )


def draft_html(application, printed_at) -> str:
    """The live draft in the same layout as a submitted version, marked as a draft and without a fingerprint."""
    from . import snapshot

    content = snapshot.application_content(application)
    facts = {"reference": application.reference, "project_name": application.project_name, "lead": application.lead.name}
    return render_to_string(
        "applications/submission/pdf.html",
        {
            "draft": True,
            "facts": facts,
            "content": content_view(content, application.call),
            "call": application.call,
            "printed_at": printed_at,
            "LANGUAGE_CODE": get_language(),
        },
    )


def render_draft_pdf(application, printed_at) -> bytes:
    return _render(draft_html(application, printed_at))


def render_submission_pdf(submission) -> bytes:
    return _render(submission_html(submission))


def _render(html: str) -> bytes:
    # WeasyPrint needs the system's pango; importing it only here keeps the rest of the site running without it.
    from weasyprint import CSS, HTML

    stylesheets = []
    css_path = finders.find("css/pdf.css")
    if css_path:
        stylesheets.append(CSS(filename=css_path))
    return HTML(string=html).write_pdf(stylesheets=stylesheets)
