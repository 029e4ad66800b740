"""A call ready for decisions (decisions_support.build_world) and one more application: Hämeenlinna's,
in Finnish, with Kristinestad (Kristiinankaupunki, 287), a bilingual municipality with a Swedish
majority, as its partner. Used by tests/integration/test_delivery_*.py and the delivery browser test."""

from __future__ import annotations

import io
import re
from decimal import Decimal

from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from kuntadigi import clock
from kuntadigi.applications.models import Application
from kuntadigi.decisions import services_decisions as decisions
from kuntadigi.decisions.models import Decision, Proposal
from kuntadigi.registry import rules as registry_rules
from kuntadigi.registry.models import Organisation
from tests import factories
from tests.integration import decisions_support
from tests.integration.decisions_support import DECISION_DAY, World

TITLES = {"fi": ("neuvotteleva virkamies", "finanssineuvos"), "sv": ("konsultativ tjänsteman", "finansråd")}


def build_world() -> World:
    world = decisions_support.build_world()
    hameenlinna = Organisation.objects.get(municipality_code="109")
    hameenlinna.legal_name_fi, hameenlinna.legal_name_sv = "Hämeenlinnan kaupunki", "Tavastehus stad"
    hameenlinna.postal_address = "PL 84\n13101 Hämeenlinna"
    hameenlinna.save(update_fields=["legal_name_fi", "legal_name_sv", "postal_address"])
    kristinestad = factories.municipality(
        "Kristiinankaupunki",
        code="287",
        name_sv="Kristinestad",
        legal_name_fi="Kristiinankaupungin kaupunki",
        legal_name_sv="Kristinestads stad",
        language_status=registry_rules.BILINGUAL_SWEDISH_MAJORITY,
        majority_language="sv",
        postal_address="Stadshusgatan 2\n64100 Kristinestad",
    )
    factories.member(kristinestad, "kansli@krs.fi", admin=True, language="sv")
    lead_user = Application.objects.get(pk=world.apps["fi"].pk).created_by
    bilingual = decisions_support.submitted(
        world.call,
        hameenlinna,
        [kristinestad],
        lead_user,
        requested=Decimal("12750.00"),
        project_name="Kaksikielinen kunta",
        contact_email="yhteys@hameenlinna.fi",
    )
    clock.set_now(DECISION_DAY)
    decisions_support.set_state(bilingual, "mark_eligible")
    Proposal.objects.create(application=bilingual, amount=Decimal("12750.00"), proposed_by=world.preparer)
    world.apps["bilingual"] = bilingual
    return world


def prepare(world, key: str) -> Decision:
    app = world.apps[key]
    data = decisions.defaults_for(app, world.preparer)
    titles = TITLES[app.language]
    data.presenter_id, data.presenter_title = world.presenter.pk, titles[0]
    data.decision_maker_id, data.decision_maker_title = world.decision_maker.pk, titles[1]
    return decisions.prepare_decision(world.preparer, app.pk, data)


def sign(world, key: str, capture) -> Decision:
    """Prepare and sign the application's decision; the tasks (PDF, deliveries, e-mail) run at once."""
    prepare(world, key)
    with capture(execute=True):
        decisions.sign_decision(world.decision_maker, world.apps[key].pk)
    return Decision.objects.get(application=world.apps[key])


def pdf_text(data: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"\s+", " ", text.replace("\u00a0", " "))


def wording(language: str, msgid: str, **values) -> str:
    with translation.override(language):
        text = translation.gettext(msgid)
    return re.sub(r"\s+", " ", text % values if values else text)


# The document's sentences on the presumed day of notification (templates/decisions/document.html).
ELECTRONIC_SENTENCE = (
    "The decision has been sent electronically with the party's consent. Unless shown otherwise, the party is presumed to have been "
    "notified of it on the %(day)srd day after it was sent (Act on Electronic Services and Communication in the Public Sector 13/2003, section 19)."
)
POSTAL_SENTENCE = (
    "The decision has been sent by post. Unless shown otherwise, the party is presumed to have been notified of it on the %(day)sth day "
    "after the letter was sent (Administrative Procedure Act, section 59)."
)


def url(name: str, *args, lang: str = "en") -> str:
    with translation.override(lang):
        return reverse(name, args=args)
