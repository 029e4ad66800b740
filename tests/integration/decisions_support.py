"""A call after its deadline, ready for decisions: submitted and screened applications, the officials
of the call with their roles, proposals and a finalised allocation. Used by tests/integration/test_decisions_*.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from kuntadigi import clock
from kuntadigi.applications import lifecycle
from kuntadigi.applications import submission as submission_services
from kuntadigi.applications.models import Application
from kuntadigi.calls.models import Call, CallRole, NoGrantReason
from kuntadigi.decisions.models import Allocation, Proposal
from tests import factories
from tests.integration import submission_data

# The day of the 2020 decisions (Helsinki time).
DECISION_DAY = datetime(2020, 12, 11, 10, 0, tzinfo=factories.HKI)

CONDITIONS = {
    "fi": "Avustus on käytettävä yksinomaan hankkeen toteuttamiseen.\n\nHankehallinnoija tekee muiden kuntien kanssa kirjallisen sopimuksen.",
    "sv": "Understödet får användas endast för projektet.\n\nHuvudsökanden ingår ett skriftligt avtal med de övriga kommunerna.",
    "en": "The grant may be used only for the project.\n\nThe lead makes a written agreement with the other municipalities (section 7(3)).",
}
REPORTING = {
    "fi": "Loppuraportti ja selvitys avustuksen käytöstä neljän kuukauden kuluessa.",
    "sv": "Slutrapport och redovisning över användningen inom fyra månader.",
    "en": "Final report and report on use within four months.",
}
REASONS = [
    (
        "conditions-not-met",
        "Hakemus ei täyttänyt haun ehtoja.",
        "Ansökan uppfyllde inte villkoren i ansökningsomgången.",
        "The application did not meet the call's conditions.",
    ),
    (
        "not-within-appropriation",
        "Muut hakemukset sijoittuivat korkeammalle määrärahan puitteissa.",
        "Andra ansökningar placerade sig högre inom anslaget.",
        "Other applications ranked higher within the appropriation.",
    ),
    (
        "excluded-field",
        "Hanke kohdistuu alaan, jota haussa ei rahoiteta.",
        "Projektet gäller ett område som inte finansieras.",
        "The project concerns a field the call does not fund.",
    ),
]


def decision_call(slug: str = "digi-2020") -> Call:
    call = factories.call(
        slug,
        programme_fi="Kuntien digitalisaation kannustinjärjestelmä",
        programme_sv="Incitamentsystemet för digitalisering i kommunerna",
        programme_en="Incentive system for municipal digitalisation",
        **{f"decision_conditions_{lang}": text for lang, text in CONDITIONS.items()},
        **{f"reporting_duties_{lang}": text for lang, text in REPORTING.items()},
    )
    for order, (code, fi, sv, en) in enumerate(REASONS):
        NoGrantReason.objects.create(call=call, order=order, code=code, text_fi=fi, text_sv=sv, text_en=en)
    return call


def consent_to_email(application: Application) -> None:
    """Every organisation of the application consents to electronic notification: its decision is e-mailed (kuntadigi.delivery)."""
    for participant in application.participants.select_related("organisation"):
        factories.consent(participant.organisation)


def set_state(application: Application, *actions: str) -> Application:
    """Move the application through lifecycle actions (what the screening service does)."""
    for action in actions:
        application.state = lifecycle.next_state(application.state, action)
        application.version += 1
    application.save(update_fields=["state", "version"])
    return application


@dataclass
class World:
    call: Call
    preparer: object
    presenter: object
    decision_maker: object
    other_maker: object
    assessor: object
    official: object
    lead_user: object
    partner_user: object
    outsider: object
    apps: dict = field(default_factory=dict)

    def application(self, key: str) -> Application:
        return Application.objects.get(pk=self.apps[key].pk)


def submitted(call, lead, partners, lead_user, *, requested=Decimal("12750.00"), language="fi", **fields) -> Application:
    clock.set_now(factories.DURING_2020)
    app = submission_data.application(call, lead=lead, partners=partners, created_by=lead_user, requested=requested, language=language, **fields)
    result = submission_services.submit_application(lead_user, app.pk)
    assert result.submission is not None, result.problems
    return Application.objects.get(pk=app.pk)


def build_world(*, allocation: Decimal | None = Decimal("200000.00")) -> World:
    """Three municipalities' applications: Porvoo's in Swedish (eligible, proposal 12 750), Hämeenlinna's
    in Finnish (eligible, proposal 10 000), Kotka's (ineligible), Oulu's (submitted, not screened)."""
    call = decision_call()
    # Legal names and business IDs (made up, with valid check digits): a decision names its parties as legal persons.
    porvoo = factories.municipality(
        "Porvoo", code="638", name_sv="Borgå", legal_name_fi="Porvoon kaupunki", legal_name_sv="Borgå stad", business_id="1061512-1"
    )
    loviisa = factories.municipality("Loviisa", code="434", name_sv="Lovisa", legal_name_fi="Loviisan kaupunki", legal_name_sv="Lovisa stad")
    hameenlinna = factories.municipality(
        "Hämeenlinna", code="109", name_sv="Tavastehus", legal_name_fi="Hämeenlinnan kaupunki", legal_name_sv="Tavastehus stad", business_id="2012345-4"
    )
    vaasa = factories.municipality("Vaasa", code="905", name_sv="Vasa", legal_name_fi="Vaasan kaupunki", legal_name_sv="Vasa stad")
    kotka = factories.municipality("Kotka", code="285", legal_name_fi="Kotkan kaupunki", legal_name_sv="Kotka stad", business_id="0923456-7")
    oulu = factories.municipality("Oulu", code="564", name_sv="Uleåborg")
    outsider_org = factories.municipality("Inari", code="148", name_sv="Enare")
    lead_user = factories.member(porvoo, "lead@borga.fi", admin=True, language="sv")
    partner_user = factories.member(loviisa, "partner@lovisa.fi", language="fi")
    factories.member(porvoo, "colleague@borga.fi")
    hml_user = factories.member(hameenlinna, "hml@hameenlinna.fi", admin=True)
    factories.member(vaasa, "vaasa@vaasa.fi")
    kotka_user = factories.member(kotka, "kotka@kotka.fi", admin=True)
    oulu_user = factories.member(oulu, "oulu@ouka.fi", admin=True)
    outsider = factories.member(outsider_org, "outsider@inari.fi", admin=True)
    people = {
        "preparer": factories.user("preparer@vm.fi", official=True, full_name="Pertti Valmistelija"),
        "presenter": factories.user("suvi@vm.fi", official=True, full_name="Suvi Savolainen"),
        "decision_maker": factories.user("anne-marie@vm.fi", official=True, full_name="Anne-Marie Välikangas"),
        "other_maker": factories.user("other@vm.fi", official=True, full_name="Olli Osastopäällikkö"),
        "assessor": factories.user("assessor@example.fi", assessor=True, full_name="Arvi Arvioija"),
        "official": factories.user("official@vm.fi", official=True, full_name="Virpi Virkailija"),
    }
    for key, role in [
        ("preparer", "preparer"),
        ("presenter", "presenter"),
        ("decision_maker", "decision_maker"),
        ("other_maker", "decision_maker"),
        ("assessor", "assessor"),
    ]:
        CallRole.objects.create(call=call, user=people[key], role=role)

    apps = {
        "sv": submitted(
            call,
            porvoo,
            [loviisa],
            lead_user,
            language="sv",
            project_name="Öppen kommun",
            contact_email="kontakt@borga.fi",
        ),
        "fi": submitted(call, hameenlinna, [vaasa], hml_user, requested=Decimal("12000.00"), project_name="Avoin kunta", contact_email="yhteys@hameenlinna.fi"),
        "ineligible": submitted(call, kotka, [factories.municipality("Hamina", code="075")], kotka_user, project_name="Sote-digi"),
        "unscreened": submitted(call, oulu, [factories.municipality("Kempele", code="244")], oulu_user, project_name="Pohjoinen"),
    }
    clock.set_now(DECISION_DAY)
    set_state(apps["sv"], "mark_eligible")
    set_state(apps["fi"], "mark_eligible")
    set_state(apps["ineligible"], "mark_ineligible")
    Proposal.objects.create(application=apps["sv"], amount=Decimal("12750.00"), proposed_by=people["preparer"])
    Proposal.objects.create(
        application=apps["fi"], amount=Decimal("10000.00"), reason="Matkakuluja ei hyväksytä täysimääräisinä.", proposed_by=people["preparer"]
    )
    if allocation is not None:
        Allocation.objects.create(call=call, total=allocation, finalised_by=people["preparer"])
    return World(call=call, lead_user=lead_user, partner_user=partner_user, outsider=outsider, apps=apps, **people)
