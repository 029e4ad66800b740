"""Applications built with the ORM for the submission tests (the drafting pages are separate)."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from kuntadigi import clock
from kuntadigi.applications import snapshot
from kuntadigi.applications.models import Application, BudgetLine, Participant
from kuntadigi.calls.models import CostCategory
from tests import factories

_ref = itertools.count(1)


def application(call, *, lead=None, partners=None, created_by=None, complete=True, confirmed=True, requested=Decimal("17000.00"), **fields) -> Application:
    """A draft application of the call, complete and ready to submit unless told otherwise.

    Budget: the lead 10 000 € of staff costs, each partner 5 000 € of services per partner line,
    so that one partner gives 15 000 € of eligible costs (85 % = 12 750 €) – pass `requested`.
    """
    lead = lead or factories.municipality("Hämeenlinna", name_sv="Tavastehus")
    partners = partners if partners is not None else [factories.municipality("Vaasa", name_sv="Vasa")]
    creator = created_by or factories.member(lead)
    values = {}
    if complete:
        values = {
            "project_name": "Avoin kunta",
            "summary": "Yhteinen asukaslähtöinen uudistus.",
            "current_state": "Prosessit ovat paperisia.",
            "objectives": "Sähköiset kokoukset kaikissa kunnissa.",
            "change_in_ways_of_working": "Päätökset valmistellaan yhdessä.",
            "rollout_and_spread": "Mallit jaetaan avoimesti.",
            "prior_work": "Rakentuu Riihimäen kokemuksiin.",
            "start_date": date(2021, 1, 1),
            "end_date": date(2022, 10, 31),
            "contact_name": "Maija Meikäläinen",
            "contact_email": "maija@example.fi",
            "signatory_name": "Kari Kunnanjohtaja",
            "signatory_title": "kunnanjohtaja",
            "declaration_not_excluded": True,
            "requested_grant": requested,
        }
    values.update(fields)
    app = Application.objects.create(call=call, reference=f"DIGI-2020-{next(_ref):04d}", lead=lead, created_by=creator, **values)
    lead_participant = Participant.objects.create(application=app, organisation=lead, role=Participant.Role.LEAD)
    partner_participants = [Participant.objects.create(application=app, organisation=org, role=Participant.Role.PARTNER) for org in partners]
    if complete:
        app.target_areas.add(*call.target_areas.filter(number__in=[2, 3]))
        add_line(lead_participant, "staff", Decimal("10000.00"), "Projektipäällikkö")
        for participant in partner_participants:
            add_line(participant, "services", Decimal("5000.00"), "Koulutus")
    if confirmed:
        for participant in partner_participants:
            confirm(participant, creator)
    return app


def add_line(participant: Participant, category_code: str, amount: Decimal, description: str = "") -> BudgetLine:
    category = CostCategory.objects.get(call=participant.application.call, code=category_code)
    return BudgetLine.objects.create(application=participant.application, participant=participant, category=category, amount=amount, description=description)


def confirm(participant: Participant, user) -> None:
    participant.refresh_from_db()
    participant.confirmed_at = clock.now()
    participant.confirmed_by = user
    participant.confirmed_budget_hash = snapshot.partner_budget_hash(participant)
    participant.save()


def partner(app: Application, index: int = 0) -> Participant:
    return list(app.participants.filter(role=Participant.Role.PARTNER).order_by("id"))[index]
