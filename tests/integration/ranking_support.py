"""Eligible applications, roles and scores built with the ORM for the ranking and allocation tests."""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

from kuntadigi.applications.lifecycle import State
from kuntadigi.applications.models import Application, Participant
from kuntadigi.assessment.models import Assignment, Score
from kuntadigi.calls.models import CallRole
from tests import factories

_ref = itertools.count(1)


def role(call, role_name: str, email: str | None = None):
    person = factories.user(email, official=True, full_name=f"{role_name.title()} Official")
    CallRole.objects.create(call=call, user=person, role=role_name)
    return person


def application(call, *, requested="10000.00", project="Hanke", state=State.ELIGIBLE, minutes_after_opening=0, lead=None, partners=None, creator=None):
    """An application of the call in the given state (eligible by default), submitted at
    `opens_at + minutes_after_opening`, with a lead and one partner."""
    lead = lead or factories.municipality()
    partners = partners if partners is not None else [factories.municipality()]
    creator = creator or factories.user()
    submitted = call.opens_at + timedelta(minutes=minutes_after_opening)
    app = Application.objects.create(
        call=call,
        reference=f"RANK-{next(_ref):05d}",
        lead=lead,
        created_by=creator,
        project_name=project,
        requested_grant=None if requested is None else Decimal(requested),
        state=state,
        submitted_at=submitted,
        created_at=submitted,
    )
    Participant.objects.create(application=app, organisation=lead, role=Participant.Role.LEAD)
    for org in partners:
        Participant.objects.create(application=app, organisation=org, role=Participant.Role.PARTNER)
    return app


def score(app, assessor, values, *, by=None, submitted=True) -> Assignment:
    """One assessor's scores on the call's criteria in order (a single int scores every criterion alike)."""
    criteria = list(app.call.criteria.order_by("order"))
    if isinstance(values, int):
        values = [values] * len(criteria)
    submitted_at = app.call.closes_at if submitted else None
    assignment = Assignment.objects.create(application=app, assessor=assessor, assigned_by=by or assessor, submitted_at=submitted_at)
    for criterion, value in zip(criteria, values, strict=True):
        Score.objects.create(assignment=assignment, criterion=criterion, score=value, justification="Perustelu.")
    return assignment
