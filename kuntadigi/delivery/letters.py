"""The letter that carries a decision by post: a covering page in the delivery's language, addressed to
the organisation's legal name and postal address, with the decision document in that language below it.
The same template serves the printable page and the PDF (WeasyPrint)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from kuntadigi.decisions import documents
from kuntadigi.decisions import services_decisions as decisions
from kuntadigi.decisions.models import Decision

from . import rules, services
from .models import Delivery


def letter_context(delivery: Delivery) -> dict:
    """What the letter shows. `doc` is the decision in the delivery's language with the post's appeal instructions."""
    decision = decisions.load_decision(Decision.objects.values_list("application_id", flat=True).get(pk=delivery.decision_id))
    application = decision.application
    organisation = delivery.organisation
    document = services.copy_document(decision, delivery)
    with translation.override(delivery.language):
        service_url = settings.SITE_URL + reverse("applications:detail", args=[application.pk])
    return {
        "delivery": delivery,
        "decision": decision,
        "application": application,
        "doc": document,
        "recipient": organisation.legal_name_in(delivery.language),
        "address": services.address_lines(organisation.postal_address),
        "sender": documents.registry(delivery.language),
        "service_url": service_url,
        "presumed_day": rules.PRESUMED_DAYS[rules.POST],
    }


def pdf_filename(delivery: Delivery, reference: str) -> str:
    return f"{reference}-{delivery.organisation.municipality_code or delivery.organisation_id}-kirje-brev.pdf"


def render_letter_pdf(delivery: Delivery) -> tuple[bytes, str]:
    """The letter as a PDF: the covering page, then the decision (the decision's own stylesheet)."""
    from weasyprint import CSS, HTML

    context = letter_context(delivery)
    with translation.override(delivery.language):
        html = render_to_string("delivery/letter_pdf.html", context)
    stylesheets = [CSS(filename=path) for path in (finders.find("css/decision-pdf.css"), finders.find("css/letter-pdf.css")) if path]
    return HTML(string=html).write_pdf(stylesheets=stylesheets), pdf_filename(delivery, context["application"].reference)
