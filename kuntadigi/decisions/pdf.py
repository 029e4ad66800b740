"""The decision document as HTML and as a PDF, always in the document's own language (fi or sv)."""

from __future__ import annotations

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation

from .documents import DecisionDocument


def document_html(document: DecisionDocument) -> str:
    """The standalone HTML the PDF is made from."""
    with translation.override(document.language):
        return render_to_string("decisions/pdf.html", {"doc": document})


def pdf_filename(document: DecisionDocument) -> str:
    return f"{document.reference}-{'luonnos-utkast' if document.draft else 'paatos-beslut'}.pdf"


def render_pdf(document: DecisionDocument) -> bytes:
    return html_to_pdf(document_html(document))


def html_to_pdf(html: str) -> bytes:
    """A decision's standalone HTML as PDF with the decisions' print style (every kind of decision)."""
    # WeasyPrint needs the system's pango; importing it only here keeps the rest of the site running without it.
    from weasyprint import CSS, HTML

    stylesheets = []
    css_path = finders.find("css/decision-pdf.css")
    if css_path:
        stylesheets.append(CSS(filename=css_path))
    return HTML(string=html).write_pdf(stylesheets=stylesheets)
