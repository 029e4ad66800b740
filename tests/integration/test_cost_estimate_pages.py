"""The applicant's budget is a cost estimate, headed so wherever the applicant and the officials see it
(the budget form, the review, the receipt and its e-mail, the PDF, the official's page), with the
sentence that costs become accepted only in the grant decision, and what each cost category covers."""

import html
import io
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from kuntadigi.applications.models import Submission
from kuntadigi.calls.models import CostCategory
from tests import factories
from tests.integration import screening_support
from tests.integration import submission_data as data

pytestmark = pytest.mark.django_db

HEADINGS = {"fi": "Kustannusarvio (ilman arvonlisäveroa)", "sv": "Kostnadsberäkning (utan moms)", "en": "Cost estimate (excluding VAT)"}
ACCEPTED_IN_THE_DECISION = {
    "fi": "Ne hyväksytään vasta avustuspäätöksessä",
    "sv": "De godkänns först i beslutet om understöd",
    "en": "They become accepted only in the grant decision",
}


def url(name, *args, lang):
    with translation.override(lang):
        return reverse(name, args=args)


def text(response) -> str:
    return html.unescape(response.content.decode()).replace("\u00a0", " ")


@pytest.fixture
def application(call_2020, during_call):
    CostCategory.objects.filter(call=call_2020, code="other").update(
        description_fi="Muut hankkeen toteuttamiseksi välttämättömät kustannukset. Laitehankintoja ei rahoiteta suoraan.",
        description_sv="Andra kostnader som är nödvändiga för projektet. Anskaffning av utrustning finansieras inte direkt.",
        description_en="Other costs necessary for the project. Equipment purchases are not funded directly.",
    )
    lead = factories.municipality("Hämeenlinna", name_sv="Tavastehus")
    return data.application(call_2020, lead=lead, created_by=factories.member(lead, "maija@example.fi"), requested=Decimal("12750.00"))


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_budget_form_is_headed_as_a_cost_estimate_and_says_what_other_costs_cover(client, application, lang):
    client.force_login(application.created_by)
    page = text(client.get(url("applications:budget", application.pk, lang=lang)))
    assert f"<h1>{HEADINGS[lang]}</h1>" in page
    assert ACCEPTED_IN_THE_DECISION[lang] in page
    other = {
        "fi": "Laitehankintoja ei rahoiteta suoraan.",
        "sv": "Anskaffning av utrustning finansieras inte direkt.",
        "en": "Equipment purchases are not funded directly.",
    }
    assert other[lang] in page


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_the_review_receipt_email_and_pdf_say_cost_estimate(client, application, lang, django_capture_on_commit_callbacks):
    client.force_login(application.created_by)
    review = text(client.get(url("applications:submit", application.pk, lang=lang)))
    assert HEADINGS[lang] in review and ACCEPTED_IN_THE_DECISION[lang] in review
    with django_capture_on_commit_callbacks(execute=True), translation.override(lang):
        client.post(url("applications:submit", application.pk, lang=lang))
    assert Submission.objects.filter(application=application).exists()
    receipt = text(client.get(url("applications:receipt", application.pk, 1, lang=lang)))
    assert f"<dt>{HEADINGS[lang]}</dt><dd>15 000,00 €</dd>" in receipt
    assert ACCEPTED_IN_THE_DECISION[lang] in receipt
    detail = text(client.get(url("applications:detail", application.pk, lang=lang)))
    assert HEADINGS[lang] in detail
    # The receipt e-mail (the contact person gets it in the application's language, Finnish).
    message = next(m for m in mail.outbox if m.to == ["maija@example.fi"])
    assert f"{HEADINGS['fi']}: 15 000,00 €" in message.body.replace("\u00a0", " ")
    assert ACCEPTED_IN_THE_DECISION["fi"] in message.body
    # The PDF of the version.
    pdf = client.get(url("applications:pdf", application.pk, 1, lang=lang))
    pdf_text = " ".join("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages).split())
    assert HEADINGS[lang] in pdf_text


def test_the_officials_page_says_cost_estimate(client):
    world = screening_support.World()
    client.force_login(world.preparer)
    page = text(client.get(url("screening:application", world.app.pk, lang="fi")))
    assert '<h2 id="section-budget">Kustannusarvio (ilman arvonlisäveroa)</h2>' in page
    assert ACCEPTED_IN_THE_DECISION["fi"] in page
