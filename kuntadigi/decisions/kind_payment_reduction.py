"""The payment-reduction decision (project_kinds.py): an approved payment request some of whose lines
were accepted for less than claimed. The decision tells the lead each reduced line (claimed, accepted,
the reason), the request's totals and what is paid, with the instructions for a claim for rectification.

    prepare_payment_reduction   the preparer makes (or redoes) the draft on an approved request with reduced
                                lines; the request links to it (PaymentRequest.reduction_decision)
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _

from kuntadigi.applications.errors import Refused

from .models import ProjectDecision


def _names(obj, language_field: str = "name") -> dict:
    return {
        "fi": getattr(obj, f"{language_field}_fi", "") or getattr(obj, language_field, "") or "",
        "sv": getattr(obj, f"{language_field}_sv", "") or getattr(obj, language_field, "") or "",
    }


def _organisation(organisation) -> dict:
    return {
        "fi": organisation.legal_name_fi or organisation.name_fi,
        "sv": organisation.legal_name_sv or organisation.name_sv or organisation.legal_name_fi or organisation.name_fi,
    }


def reduced_lines(request) -> list:
    return [line for line in request.lines.select_related("organisation", "category") if line.accepted is not None and line.accepted < line.amount]


def reduction_facts(project, request) -> dict:
    """The request's reduced lines (claimed, accepted, reason) and its totals, euros as strings."""
    lines = reduced_lines(request)
    return {
        "request": {
            "number": request.number,
            "is_final": request.is_final,
            "period_start": request.period_start.isoformat(),
            "period_end": request.period_end.isoformat(),
            "claimed": str(request.claimed if request.claimed is not None else sum((line.amount for line in request.lines.all()), Decimal("0.00"))),
            "accepted": str(request.accepted if request.accepted is not None else Decimal("0.00")),
            "payable": str(request.payable if request.payable is not None else Decimal("0.00")),
        },
        "lines": [
            {
                "organisation": _organisation(line.organisation),
                "category": _names(line.category),
                "description": line.description,
                "claimed": str(line.amount),
                "accepted": str(line.accepted),
                "reduction": str(line.amount - line.accepted),
                "reason": line.reduction_reason,
            }
            for line in lines
        ],
        "reduced_total": str(sum((line.amount - line.accepted for line in lines), Decimal("0.00"))),
    }


def request_of(decision: ProjectDecision):
    from kuntadigi.payments.models import PaymentRequest

    return PaymentRequest.objects.filter(reduction_decision=decision).first()


def default_grounds(language: str, facts: dict) -> str:
    with translation.override(language):
        return _(
            "Costs that are not eligible under the grant decision, the call's terms and the Government Decree 893/2019 "
            "are not accepted. The reason for each reduction is given with the line."
        )


def why_not_reducible(request) -> str:
    from kuntadigi.payments.lifecycle import State

    if request.state != State.APPROVED:
        return _("A payment-reduction decision is made on an approved payment request.")
    if not reduced_lines(request):
        return _("No line of this payment request was reduced: no payment-reduction decision is needed.")
    if request.reduction_decision_id and request.reduction_decision.state == ProjectDecision.State.SIGNED:
        return _("The payment-reduction decision on this request has already been signed.")
    return ""


def prepare_payment_reduction(user, request_pk: int, data=None) -> ProjectDecision:
    """The draft of the payment-reduction decision on an approved request with reduced lines (a new version
    when a draft exists). `data` (services_project_decisions.ProjectDecisionData) defaults to the call's people
    and the kind's grounds."""
    from kuntadigi import permissions
    from kuntadigi.payments.models import PaymentRequest
    from kuntadigi.projects.services import _lock

    from . import services_project_decisions as path

    with transaction.atomic():
        project_pk = PaymentRequest.objects.filter(pk=request_pk).values_list("project_id", flat=True).first()
        if project_pk is None:
            raise Http404
        project = _lock(project_pk)
        if not permissions.can_view_project_decisions(user, project):
            raise Http404
        request = PaymentRequest.objects.select_for_update(of=("self",)).select_related("reduction_decision").get(pk=request_pk)
        why_not = why_not_reducible(request)
        if why_not:
            raise Refused(why_not)
        if data is None:
            data = path.defaults_for(project, ProjectDecision.Kind.PAYMENT_REDUCTION, user, request)
        decision = path.prepare(user, project, ProjectDecision.Kind.PAYMENT_REDUCTION, request, data)
        if request.reduction_decision_id != decision.pk:
            request.reduction_decision = decision
            request.save(update_fields=["reduction_decision"])
    return decision
