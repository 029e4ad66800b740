"""What waits for each person at the ministry: the calls they have a role in, each with counts of the work
that waits for them, and the registry's requests to join organisations. A fixed number of queries
(six at most), whatever the number of calls, roles or applications.

    role              what waits                                               where it is done
    ────────────────  ───────────────────────────────────────────────────────  ──────────────────────────────
    preparer          submitted applications not yet screened (after closing)   screening list
                      of them, supplemented by the applicant (screen again)     screening list
                      requests for supplement past their due time, unanswered   screening list
                      eligible applications without an assessor                 assessors and assignments
                      eligible applications without a proposed amount           ranking and allocation
    preparer,         screened applications without a decision                  decisions
    presenter         draft decisions that name the person as presenter         decisions
    decision-maker    draft decisions that name the person as decision-maker    decisions
    assessor          own assignments not yet submitted                         the assessor's queue
    ministry official pending requests to join an organisation                  accounts: membership requests
    preparer          submitted payment requests to check                       payment requests
    payment approver  checked payment requests to approve                       payment requests
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kuntadigi import clock, permissions
from kuntadigi.applications.lifecycle import RECEIVED_STATES, State
from kuntadigi.applications.models import Application
from kuntadigi.calls.models import Call, CallRole

from . import followup


def official_landing(user) -> str | None:
    """Where a person at the ministry lands after signing in: their work page. None for everyone else
    (anyone without a role in a call, without the official or assessor flag and no system administrator):
    the same people who give a second factor."""
    from kuntadigi.mfa.services import is_official_person

    if is_official_person(user):
        return reverse("officials:work")
    return None


@dataclass(frozen=True)
class Task:
    label: str
    count: int
    url: str
    waits: bool = True  # False: a figure to know, not work that waits for the person


@dataclass
class CallWork:
    call: Call
    roles: list[str]
    phase: str
    tasks: list[Task] = field(default_factory=list)

    @property
    def waiting(self) -> int:
        return sum(task.count for task in self.tasks if task.waits)


@dataclass
class Work:
    calls: list[CallWork]
    membership_requests: int | None  # None: the person does not decide requests to join (not a ministry official)

    @property
    def waiting(self) -> int:
        return sum(call.waiting for call in self.calls) + (self.membership_requests or 0)


ROLE_ORDER = [CallRole.Role.PREPARER, CallRole.Role.PRESENTER, CallRole.Role.DECISION_MAKER, CallRole.Role.ASSESSOR, CallRole.Role.PAYMENT_APPROVER]


def _current_first(call: Call, now) -> tuple:
    """Open calls first, then the most recently closed, then those still to open."""
    phase = call.phase(now)
    return ({"open": 0, "closed": 1}.get(phase, 2), -call.closes_at.timestamp() if phase != "upcoming" else call.opens_at.timestamp())


def _application_counts(call_ids: list[int]) -> dict[int, dict]:
    if not call_ids:
        return {}
    now = clock.now()
    answered = Q(supplement_requests__answered_at__isnull=False)
    overdue = Q(supplement_requests__answered_at__isnull=True, supplement_requests__due_at__lte=now)

    def count(condition: Q) -> Count:
        return Count("pk", filter=condition, distinct=True)

    rows = (
        Application.objects.filter(call_id__in=call_ids, state__in=RECEIVED_STATES)
        .values("call_id")
        .annotate(
            received=count(Q()),
            to_screen=count(Q(state=State.SUBMITTED)),
            supplemented=count(Q(state=State.SUBMITTED) & answered),
            overdue=count(Q(state=State.SUPPLEMENT_REQUESTED) & overdue),
            without_assessor=count(Q(state=State.ELIGIBLE, assignments__isnull=True)),
            without_proposal=count(Q(state=State.ELIGIBLE, proposal__isnull=True)),
            without_decision=count(Q(state__in=[State.ELIGIBLE, State.INELIGIBLE], decision__isnull=True)),
        )
        .order_by()
    )
    return {row.pop("call_id"): row for row in rows}


def _decision_counts(user, call_ids: list[int]) -> dict[int, dict]:
    from kuntadigi.decisions.models import Decision

    if not call_ids:
        return {}
    rows = (
        Decision.objects.filter(application__call_id__in=call_ids, state=Decision.State.DRAFT)
        .filter(Q(presenter=user) | Q(decision_maker=user))
        .values("application__call_id")
        .annotate(to_present=Count("pk", filter=Q(presenter=user)), to_sign=Count("pk", filter=Q(decision_maker=user)))
        .order_by()
    )
    return {row.pop("application__call_id"): row for row in rows}


def _assignment_counts(user, call_ids: list[int]) -> dict[int, int]:
    from kuntadigi.assessment.models import Assignment

    if not call_ids:
        return {}
    rows = (
        Assignment.objects.filter(assessor=user, submitted_at__isnull=True, application__call_id__in=call_ids)
        .values("application__call_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["application__call_id"]: row["n"] for row in rows}


def _payment_request_counts(call_ids: list[int]) -> dict[int, dict]:
    """Payment requests waiting for the ministry per call: submitted (to check) and checked (to approve)."""
    from kuntadigi.payments.lifecycle import State as RequestState
    from kuntadigi.payments.models import PaymentRequest

    if not call_ids:
        return {}
    rows = (
        PaymentRequest.objects.filter(project__application__call_id__in=call_ids, state__in=[RequestState.SUBMITTED, RequestState.CHECKED])
        .values("project__application__call_id")
        .annotate(to_check=Count("pk", filter=Q(state=RequestState.SUBMITTED)), to_approve=Count("pk", filter=Q(state=RequestState.CHECKED)))
        .order_by()
    )
    return {row.pop("project__application__call_id"): row for row in rows}


def _url(name: str, call: Call, **query) -> str:
    address = reverse(name, args=[call.slug])
    return f"{address}?{urlencode(query)}" if query else address


def _tasks(user, call: Call, roles: set[str], phase: str, apps: dict, decisions: dict, assignments: int, payments: dict | None = None) -> list[Task]:
    tasks: list[Task] = []
    preparer = CallRole.Role.PREPARER in roles
    if preparer or CallRole.Role.PRESENTER in roles or CallRole.Role.DECISION_MAKER in roles:
        if phase != "closed":
            tasks.append(Task(_("Received so far"), apps.get("received", 0), _url("screening:list", call), waits=False))
    if preparer and phase == "closed":
        tasks.append(Task(_("Submitted applications to screen"), apps.get("to_screen", 0), _url("screening:list", call, state=State.SUBMITTED)))
        tasks.append(
            Task(
                _("Of them, supplemented by the applicant: screen again"),
                apps.get("supplemented", 0),
                _url("screening:list", call, state=State.SUBMITTED),
                waits=False,  # counted among those to screen
            )
        )
        tasks.append(
            Task(_("Requests for supplement past their due time"), apps.get("overdue", 0), _url("screening:list", call, state=State.SUPPLEMENT_REQUESTED))
        )
        tasks.append(Task(_("Eligible applications without an assessor"), apps.get("without_assessor", 0), _url("assessment:assignments", call)))
        tasks.append(Task(_("Eligible applications without a proposed amount"), apps.get("without_proposal", 0), _url("decisions:ranking", call)))
    if phase == "closed" and (preparer or CallRole.Role.PRESENTER in roles):
        tasks.append(Task(_("Screened applications without a decision"), apps.get("without_decision", 0), _url("decisions:decision_list", call)))
    if CallRole.Role.PRESENTER in roles:
        tasks.append(Task(_("Draft decisions for you to present"), decisions.get("to_present", 0), _url("decisions:decision_list", call)))
    if CallRole.Role.DECISION_MAKER in roles:
        tasks.append(Task(_("Draft decisions for you to sign"), decisions.get("to_sign", 0), _url("decisions:decision_list", call)))
    if CallRole.Role.ASSESSOR in roles:
        queue = f"{reverse('assessment:queue')}?{urlencode({'call': call.pk, 'state': 'to_score'})}"
        tasks.append(Task(_("Applications for you to assess"), assignments, queue))
    # Payment requests, once any wait (a call without funded projects has none; its steps link the list).
    if preparer and payments and payments.get("to_check"):
        tasks.append(Task(_("Payment requests to check"), payments["to_check"], _url("payment_review:list", call)))
    if CallRole.Role.PAYMENT_APPROVER in roles and payments and payments.get("to_approve"):
        tasks.append(Task(_("Payment requests to approve"), payments["to_approve"], _url("payment_review:list", call)))
    return tasks


def work_for(user) -> Work:
    """The person's calls (current first) with what waits for them, and the requests to join organisations."""
    now = clock.now()
    roles_by_call = permissions.all_call_roles(user)  # also answers the process steps' permissions (officials/_steps.html)
    by_call = {call.pk: (call, roles_by_call[call.pk]) for call in Call.objects.filter(pk__in=list(roles_by_call))}
    official_calls = [pk for pk, (_call, roles) in by_call.items() if roles & set(permissions.CALL_OFFICIAL_ROLES)]
    decision_calls = [pk for pk, (_call, roles) in by_call.items() if roles & {"presenter", "decision_maker"}]
    assessor_calls = [pk for pk, (_call, roles) in by_call.items() if "assessor" in roles]
    apps = _application_counts(official_calls)
    decisions = _decision_counts(user, decision_calls)
    assignments = _assignment_counts(user, assessor_calls)
    overdue = followup.overdue_counts({pk: roles for pk, (_call, roles) in by_call.items()})
    # Payment requests: only calls whose decisions are signed have funded projects (and so requests).
    payment_calls = [pk for pk, (_call, roles) in by_call.items() if roles & set(permissions.PAYMENT_REVIEW_ROLES) and _call.phase(now) == "closed"]
    payments = _payment_request_counts(payment_calls)
    calls = []
    for pk, (call, roles) in sorted(by_call.items(), key=lambda item: _current_first(item[1][0], now)):
        phase = call.phase(now)
        calls.append(
            CallWork(
                call=call,
                roles=[str(CallRole.Role(role).label) for role in ROLE_ORDER if role in roles],
                phase=phase,
                tasks=_tasks(
                    user,
                    call,
                    roles,
                    phase,
                    apps.get(pk, {}),
                    decisions.get(pk, {}),
                    assignments.get(pk, 0),
                    payments.get(pk, {}) if pk in payment_calls else None,
                )
                + followup.work_tasks(call, roles, overdue),
            )
        )
    requests = None
    if permissions.is_registry_official(user):
        from kuntadigi.accounts.services import pending_request_count

        requests = pending_request_count(user)  # the same requests as the queue it links to
    return Work(calls, requests)
