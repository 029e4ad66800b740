"""The steps of a call's process after its deadline, in process order, as links for one person: only the
steps the person may open (each asks kuntadigi.permissions). The one place that orders them."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kuntadigi import permissions

# Screening, assessors (assignments), assessment results, ranking, decisions, payment requests, payment batches,
# overdue follow-up: the order of the work.
STEPS = (
    ("screening", _("Screening"), "screening:list", permissions.can_view_screening),
    ("assignments", _("Assessors and assignments"), "assessment:assignments", permissions.can_assign_assessors),
    ("results", _("Assessment results"), "assessment:results", permissions.can_view_assessment_results),
    ("ranking", _("Ranking and allocation"), "decisions:ranking", permissions.can_view_ranking),
    ("decisions", _("Decisions"), "decisions:decision_list", permissions.can_view_decisions),
    ("payments", _("Payment requests"), "payment_review:list", permissions.can_follow_payment_requests),
    ("batches", _("Payment batches"), "payments_batches:list", permissions.can_view_payment_batches),
    ("overdue", _("Overdue follow-up"), "followup:overdue", permissions.can_view_follow_up),
)


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    url: str


def process_steps(user, call) -> list[Step]:
    """The steps of `call` that `user` may open, in process order (the roles are read once per call and cached)."""
    return [Step(key, str(label), reverse(name, args=[call.slug])) for key, label, name, rule in STEPS if rule(user, call)]
