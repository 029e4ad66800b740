"""A signed grant and its funded project: Porvoo leads (its administrator lead@borga.fi, and a colleague
who is no administrator), Loviisa is its partner. Built on decisions_support's world; the clock stands on
the day of the decision. Used by tests/integration/test_projects_*.py and the browser test."""

from __future__ import annotations

from kuntadigi.accounts.models import User
from kuntadigi.decisions import services_decisions as decisions
from kuntadigi.projects.models import FundedProject
from tests.integration import decisions_support

DECISION_DAY = decisions_support.DECISION_DAY
# Valid (checksums right) and invalid account numbers.
IBAN = "FI21 1234 5600 0007 85"
BIC = "NDEAFIHH"
IBAN_WRONG_CHECKSUM = "FI22 1234 5600 0007 85"


def sign(world, key: str) -> None:
    """Prepare the application's decision as the preparer proposes it, and sign it."""
    app = world.apps[key]
    data = decisions.defaults_for(app, world.preparer)
    data.presenter_id, data.presenter_title = world.presenter.pk, "neuvotteleva virkamies"
    data.decision_maker_id, data.decision_maker_title = world.decision_maker.pk, "finanssineuvos"
    decisions.prepare_decision(world.preparer, app.pk, data)
    decisions.sign_decision(world.decision_maker, app.pk)


def sign_grant(world, key: str = "sv") -> FundedProject:
    sign(world, key)
    return FundedProject.objects.get(application=world.apps[key])


def colleague() -> User:
    """A member of the lead (Porvoo) who is not its administrator."""
    return User.objects.get(email="colleague@borga.fi")
