"""A closed call with submitted applications and its officials, for the screening tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.urls import reverse

from kuntadigi import clock
from kuntadigi.applications import submission as submission_services
from kuntadigi.calls.models import CallRole
from tests import factories
from tests.integration import submission_data

HKI = factories.HKI
# Two weeks after the 2020 call closed: screening time.
AFTER_2020 = datetime(2020, 10, 19, 12, 0, tzinfo=HKI)


def official(call, role: str, email: str | None = None, **extra):
    """A person with a role in the call. Not a global official: rights follow the role."""
    person = factories.user(email, full_name=extra.pop("full_name", f"{role.replace('_', ' ').title()} Person"), **extra)
    CallRole.objects.create(call=call, user=person, role=role)
    return person


def submitted(call, *, lead=None, partners=None, at=None, requested=Decimal("12750.00"), **fields):
    """An application submitted through the service while the call is open; the clock is left after the call."""
    lead = lead or factories.municipality()
    partners = partners if partners is not None else [factories.municipality()]
    creator = fields.pop("created_by", None) or factories.member(lead, admin=True)
    app = submission_data.application(call, lead=lead, partners=partners, created_by=creator, requested=requested, **fields)
    clock.set_now(at or factories.DURING_2020)
    result = submission_services.submit_application(creator, app.pk)
    assert result.submission is not None, result.problems
    clock.set_now(AFTER_2020)
    app.refresh_from_db()
    return app


class World:
    """The 2020 call closed, one submitted application (Porvoo leads, Loviisa takes part) and people:
    the lead's member, the partner's member, a preparer, a presenter, a decision-maker, an assessor,
    an official without a role in the call and a system administrator."""

    def __init__(self):
        self.call = factories.call()
        # Codes from the factory's sequence: fixed codes would collide with it in a long test run.
        self.lead_org = factories.municipality("Porvoo", name_sv="Borgå")
        self.partner_org = factories.municipality("Loviisa", name_sv="Lovisa")
        self.lead = factories.member(self.lead_org, "lead@porvoo.example.fi", admin=True, full_name="Liisa Lead")
        self.partner = factories.member(self.partner_org, "partner@loviisa.example.fi", admin=True)
        self.app = submitted(self.call, lead=self.lead_org, partners=[self.partner_org], created_by=self.lead, contact_email="contact@porvoo.example.fi")
        self.preparer = official(self.call, "preparer", "preparer@vm.example.fi")
        self.presenter = official(self.call, "presenter", "presenter@vm.example.fi")
        self.decision_maker = official(self.call, "decision_maker", "dm@vm.example.fi")
        self.assessor = official(self.call, "assessor", "assessor@example.fi")
        self.official = factories.user("official@vm.example.fi", official=True)
        self.admin = factories.user("admin@vm.example.fi", is_staff=True)

    def page(self, name: str = "application", **kwargs) -> str:
        if name == "list":
            return reverse("screening:list", args=[self.call.slug])
        return reverse(f"screening:{name}", args=[kwargs.get("pk", self.app.pk)])

    def refresh(self):
        self.app.refresh_from_db()
        return self.app


def after_deadline(hours: float = 0) -> datetime:
    return AFTER_2020 + timedelta(hours=hours)
