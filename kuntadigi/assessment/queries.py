"""Reading assessment data the way the pages need it, in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.http import Http404

from kuntadigi import permissions
from kuntadigi.accounts.models import User
from kuntadigi.calls.models import Call, CallRole

from .models import Assignment, Tie
from .rules import TieFact


def tie_fact(tie: Tie) -> TieFact:
    return TieFact(tie.organisation_id, tie.organisation.name, str(tie.get_kind_display()))


def tie_facts(user_id: int, org_ids: Iterable[int] | None = None) -> list[TieFact]:
    """The user's declared ties (only those to `org_ids` when given), read from the database now."""
    ties = Tie.objects.filter(assessor_id=user_id).select_related("organisation")
    if org_ids is not None:
        ties = ties.filter(organisation_id__in=list(org_ids))
    return [tie_fact(tie) for tie in ties]


def ties_by_assessor(assessor_ids: Iterable[int]) -> dict[int, list[Tie]]:
    """Every declared tie of these users, by user id (one query)."""
    found: dict[int, list[Tie]] = defaultdict(list)
    for tie in Tie.objects.filter(assessor_id__in=list(assessor_ids)).select_related("organisation"):
        found[tie.assessor_id].append(tie)
    return found


def call_assessors(call: Call) -> list[User]:
    """The users with the assessor role in the call, by name."""
    return list(
        User.objects.filter(call_roles__call=call, call_roles__role=CallRole.Role.ASSESSOR, is_active=True).distinct().order_by("full_name", "email", "pk")
    )


def display_name(user) -> str:
    return user.full_name or user.email


def call_for(user, slug: str, decision) -> Call:
    """The call if `decision(user, call)` allows; 404 otherwise (the pages of a call stay unknown)."""
    from django.shortcuts import get_object_or_404

    call = get_object_or_404(Call, slug=slug)
    if not decision(user, call):
        raise Http404
    return call


def assignment_for_assessor(user, pk: int) -> Assignment:
    """The user's own assignment, only while they may assess the application; 404 otherwise."""
    assignment = (
        Assignment.objects.select_related("application__call", "application__lead")
        .prefetch_related("application__participants__organisation")
        .filter(pk=pk, assessor_id=getattr(user, "pk", None))
        .first()
    )
    if assignment is None or not permissions.can_assess_application(user, assignment.application):
        raise Http404
    return assignment
