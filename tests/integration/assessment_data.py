"""Data for the assessment tests: a closed 2020 call with submitted applications, roles in the call,
assessors, and helpers that assign and score through the real services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from kuntadigi import clock
from kuntadigi.applications import submission as submission_services
from kuntadigi.applications.lifecycle import State
from kuntadigi.applications.models import Application
from kuntadigi.assessment import services
from kuntadigi.assessment.models import Assignment, Tie
from kuntadigi.assessment.rules import ScoreEntry
from kuntadigi.calls.models import CallRole, Criterion
from tests import factories
from tests.integration import submission_data

AFTER_2020 = factories.CLOSES_2020 + timedelta(days=7)


def give_role(call, user, *roles: str) -> None:
    for role in roles:
        CallRole.objects.create(call=call, user=user, role=role)


def submitted(call, lead, partners, *, eligible: bool = True, project_name: str = "Avoin kunta") -> Application:
    """An application submitted while the call was open (the clock is moved back and forth)."""
    before = clock.now()
    clock.set_now(factories.DURING_2020)
    creator = factories.member(lead)
    app = submission_data.application(call, lead=lead, partners=partners, created_by=creator, requested=Decimal("12750.00"), project_name=project_name)
    result = submission_services.submit_application(creator, app.pk)
    assert result.submission is not None, result
    clock.set_now(before)
    if eligible:
        Application.objects.filter(pk=app.pk).update(state=State.ELIGIBLE)
    app.refresh_from_db()
    return app


def tie(assessor, organisation, kind: str = Tie.Kind.EMPLOYER) -> Tie:
    return services.declare_tie(assessor, organisation, kind)


def score_all(assessor, assignment: Assignment, values: list[int], *, final: bool = True, text: str = "Perustelu") -> Assignment:
    criteria = list(Criterion.objects.filter(call=assignment.application.call).order_by("order", "pk"))
    entries = {c.pk: ScoreEntry(v, f"{text} {i}") for i, (c, v) in enumerate(zip(criteria, values, strict=True), 1)}
    return services.save_scores(assessor, assignment.pk, entries, final=final)


@dataclass
class World:
    call: object
    porvoo: object
    loviisa: object
    oulu: object
    vaasa: object
    app_a: Application  # Porvoo + Loviisa
    app_b: Application  # Oulu + Vaasa
    preparer: object
    presenter: object
    decision_maker: object
    anna: object
    bertil: object
    cecilia: object
    lead_user: object
    partner_user: object
    outsider: object
    official: object

    @property
    def assessors(self):
        return [self.anna, self.bertil, self.cecilia]


def world() -> World:
    """The 2020 call a week after it closed: two eligible applications, officials and three assessors."""
    clock.set_now(AFTER_2020)
    call = factories.call()
    porvoo = factories.municipality("Porvoo", code="638", name_sv="Borgå")
    loviisa = factories.municipality("Loviisa", code="434", name_sv="Lovisa")
    oulu = factories.municipality("Oulu", code="564", name_sv="Uleåborg")
    vaasa = factories.municipality("Vaasa", code="905", name_sv="Vasa")
    app_a = submitted(call, porvoo, [loviisa], project_name="Sähköiset kokoukset Porvoossa")
    app_b = submitted(call, oulu, [vaasa], project_name="Oulun osallistuminen")
    preparer = factories.user("preparer@example.fi", official=True, full_name="Paula Preparer")
    presenter = factories.user("presenter@example.fi", official=True, full_name="Pekka Presenter")
    decision_maker = factories.user("dm@example.fi", official=True, full_name="Dora Decider")
    give_role(call, preparer, "preparer")
    give_role(call, presenter, "presenter")
    give_role(call, decision_maker, "decision_maker")
    anna = factories.user("anna.arvioija@example.fi", full_name="Anna Arvioija")
    bertil = factories.user("bertil.bedomare@example.fi", full_name="Bertil Bedömare")
    cecilia = factories.user("cecilia.c@example.fi", full_name="Cecilia Censor")
    for assessor in (anna, bertil, cecilia):
        give_role(call, assessor, "assessor")
    lead_user = factories.member(porvoo, "lead@example.fi", admin=True)
    partner_user = factories.member(loviisa, "partner@example.fi", admin=True)
    outsider = factories.member(oulu, "outsider@example.fi", admin=True)
    official = factories.user("official@example.fi", official=True, full_name="Olli Official")
    return World(
        call=call,
        porvoo=porvoo,
        loviisa=loviisa,
        oulu=oulu,
        vaasa=vaasa,
        app_a=app_a,
        app_b=app_b,
        preparer=preparer,
        presenter=presenter,
        decision_maker=decision_maker,
        anna=anna,
        bertil=bertil,
        cecilia=cecilia,
        lead_user=lead_user,
        partner_user=partner_user,
        outsider=outsider,
        official=official,
    )
