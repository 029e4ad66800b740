"""The decision PDFs, read back with pypdf: every part a state-grant decision must hold, in the
application's language (Finnish or Swedish), whatever the official's own language."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from kuntadigi.decisions import services_decisions as services
from kuntadigi.decisions.models import Decision
from tests.integration import decisions_support as support


@pytest.fixture
def world(db):
    return support.build_world()


def prepare(world, key, **changes) -> Decision:
    app = world.apps[key]
    data = services.defaults_for(app, world.preparer)
    titles = {"fi": ("neuvotteleva virkamies", "finanssineuvos"), "sv": ("konsultativ tjänsteman", "finansråd")}[app.language]
    data.presenter_id, data.presenter_title = world.presenter.pk, titles[0]
    data.decision_maker_id, data.decision_maker_title = world.decision_maker.pk, titles[1]
    for name, value in changes.items():
        setattr(data, name, value)
    return services.prepare_decision(world.preparer, app.pk, data)


def pdf_text(data: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"\s+", " ", text.replace("\u00a0", " "))


def signed_pdf(world, key, capture) -> str:
    with capture(execute=True):
        services.sign_decision(world.decision_maker, world.apps[key].pk)
    decision = Decision.objects.get(application=world.apps[key])
    return pdf_text(services.signed_document_bytes(decision))


def wording(language: str, msgid: str, **values) -> str:
    """A fixed phrase of the document as the catalogue of the language gives it."""
    with translation.override(language):
        text = translation.gettext(msgid)
    return re.sub(r"\s+", " ", text % values if values else text)


# The ministry's wording of a grant (msgid of templates/decisions/document.html).
GRANTING = (
    "A state grant of at most %(amount)s euros is awarded for the project %(project)s. "
    "The recipients are %(recipient)s, the lead applicant, and the other municipalities named in the application."
)

COMMON_PARTS = [
    "688/2001",  # State Subsidies Act
    "893/2019",  # Government Decree on the incentive system
    "30",  # days for a claim for rectification
    "Anne-Marie Välikangas",  # the decision-maker
    "Suvi Savolainen",  # the presenting official
]


def test_the_swedish_decision_holds_every_part(world, django_capture_on_commit_callbacks):
    prepare(world, "sv")
    reference = world.apps["sv"].reference

    with translation.override("fi"):  # the official's own language does not matter
        text = signed_pdf(world, "sv", django_capture_on_commit_callbacks)

    for part in COMMON_PARTS:
        assert part in text, part
    assert "Finansministeriet" in text  # the authority
    assert reference in text and "11.12.2020" in text  # reference and date
    assert "Borgå stad" in text and "Lovisa stad" in text  # the parties as legal persons, by their Swedish names
    assert "FO-nummer 1061512-1" in text  # the recipient's business ID
    assert "Öppen kommun" in text and "15 000" in text  # what was applied for: the project, the eligible costs
    granting = wording("sv", GRANTING)
    assert granting.replace("%(recipient)s", "Borgå stad").replace("%(amount)s", "12 750").replace("%(project)s", "Öppen kommun") in text
    assert "85 %" in text  # the maximum share
    assert "1.1.2021" in text and "31.10.2022" in text  # the eligible-cost period
    assert "Understödet får användas endast för projektet." in text  # conditions in Swedish
    assert "Slutrapport och redovisning" in text  # reporting duties in Swedish
    assert "finansråd" in text and "konsultativ tjänsteman" in text  # the titles
    assert "PB 28, 00023 Statsrådet" in text and "valtiovarainministerio@gov.fi" in text  # where to send a claim
    assert "808/2019" in text  # the administrative court
    # The applied provisions by section, from the call's data.
    assert "Statsunderstödslagen (688/2001) 5–7, 9–12, 14–16, 19–22 och 34 §" in text
    # The call's eligible and ineligible cost types (VNA 893/2019, 5 §).
    assert "Personalkostnader för projektet" in text and "Mervärdesskatt" in text
    assert "Förvaltningslagen (434/2003) 45–47 § och 7 a kap." in text
    assert "LUONNOS" not in text  # the signed decision has no draft watermark


def test_the_finnish_decision_holds_every_part(world, django_capture_on_commit_callbacks):
    prepare(world, "fi", amount=Decimal("9500.50"))

    with translation.override("sv"):
        text = signed_pdf(world, "fi", django_capture_on_commit_callbacks)

    for part in COMMON_PARTS:
        assert part in text, part
    assert "Valtiovarainministeriö" in text
    assert "Hämeenlinnan kaupunki" in text and "Vaasan kaupunki" in text and "Tavastehus" not in text  # Finnish legal names
    assert "Y-tunnus 2012345-4" in text
    assert "Avoin kunta" in text
    granting = wording("fi", GRANTING)
    assert granting.replace("%(recipient)s", "Hämeenlinnan kaupunki").replace("%(amount)s", "9 500,50").replace("%(project)s", "Avoin kunta") in text
    assert "Avustus on käytettävä yksinomaan hankkeen toteuttamiseen." in text
    assert "Loppuraportti ja selvitys" in text
    assert "neuvotteleva virkamies" in text and "finanssineuvos" in text
    assert "PL 28, 00023 Valtioneuvosto" in text
    assert "Valtionavustuslaki (688/2001) 5–7, 9–12, 14–16, 19–22 ja 34 §" in text
    assert "(893/2019) 2–5 §" in text and "Hallintolaki (434/2003) 45–47 § ja 7 a luku" in text


def test_a_no_grant_decision_gives_the_reason_in_the_applications_language(world, django_capture_on_commit_callbacks):
    reason = world.call.no_grant_reasons.get(code="not-within-appropriation")
    prepare(world, "sv", outcome="no_grant", no_grant_reason_id=reason.pk, grounds="Ansökan fick 2,1 poäng.")

    text = signed_pdf(world, "sv", django_capture_on_commit_callbacks)

    assert "Andra ansökningar placerade sig högre inom anslaget." in text
    assert "Ansökan fick 2,1 poäng." in text
    assert "Borgå" in text and "Finansministeriet" in text and "30" in text
    assert "Understödet får användas" not in text  # no conditions without a grant
    assert wording("sv", "Instructions for claiming rectification") in text


def test_the_preview_is_watermarked_and_follows_the_draft(client, world, django_capture_on_commit_callbacks):
    app = world.apps["fi"]
    with django_capture_on_commit_callbacks(execute=True):
        first = prepare(world, "fi")
    client.force_login(world.presenter)
    with translation.override("en"):
        preview_pdf = reverse("decisions:decision_preview_pdf", args=[app.pk])

    response = client.get(preview_pdf)

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "LUONNOS/UTKAST" in re.sub(r"\s*/\s*", "/", text)
    assert "10 000" in text

    with django_capture_on_commit_callbacks(execute=True):
        prepare(world, "fi", amount=Decimal("8000.00"), version=first.version)
    text = pdf_text(client.get(preview_pdf).content)
    assert "8 000" in text and "10 000 euro" not in text


def test_a_stale_preview_is_not_served(client, world):
    app = world.apps["fi"]
    prepare(world, "fi")  # the render task is left queued: no preview yet
    client.force_login(world.presenter)
    with translation.override("en"):
        preview_pdf = reverse("decisions:decision_preview_pdf", args=[app.pk])

    response = client.get(preview_pdf, follow=True)

    assert wording("en", "The preview PDF is being prepared. Try again in a moment.") in response.content.decode()
