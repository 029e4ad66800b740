"""The kinds of decision on a funded project, at a glance: each kind is one entry here and one template.

Every kind goes the same path (services_project_decisions.py): prepare → present → sign → render →
notify → audit. What differs between kinds is only:

    facts       a function (project, source) → dict: the decisive facts the document prints, frozen on
                the decision when the draft is prepared and again when it is signed (euros as strings,
                names in Finnish and Swedish, so that the document can be rendered in either language)
    source      a function (decision) → the object the decision is about (a payment request, the
                project itself), so that the facts can be frozen again at signing
    template    templates/decisions/project/<kind>.html: the body of the document (the header, the
                parties, the rectification instructions and the signatures are shared)
    grounds     the grounds the draft starts with, in the document's language (the preparer may edit)
    on_sign     what signing does besides freezing the decision (None: nothing), called inside the
                signing transaction with (user, decision)
    prepare_url the officials' page where the draft of this kind is prepared or edited: (decision) → URL

To add a kind (e.g. a change, a suspension, a recovery or a rectification decision): add its value to
ProjectDecision.Kind, one entry to KINDS below, and its template. Nothing else in the path changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ProjectKind:
    title: str | Promise  # the document's title and the page headings
    facts: Callable  # (project, source) -> dict
    source: Callable  # (decision) -> the object the facts are built from
    grounds: Callable  # (language, facts) -> str: the grounds the draft starts with
    prepare_url: Callable  # (decision) -> the officials' page that prepares or edits the draft
    on_sign: Callable | None = None  # (user, decision) -> None, inside the signing transaction
    # The statutory grounds printed under "Applicable provisions".
    provisions: tuple[str | Promise, ...] = ()

    def template(self, name: str) -> str:
        return f"decisions/project/{name}.html"


def _payment_reduction() -> ProjectKind:
    from . import kind_payment_reduction as services_reduction

    return ProjectKind(
        title=_("Decision on a payment request"),
        facts=services_reduction.reduction_facts,
        source=services_reduction.request_of,
        grounds=services_reduction.default_grounds,
        prepare_url=lambda decision: reverse("decisions:payment_reduction_prepare", args=[services_reduction.request_of(decision).pk]),
        provisions=(
            _("State Subsidies Act (688/2001), sections 12 and 13 (payment of the grant on the basis of realised costs)"),
            _("Government Decree on the incentive system for municipal digitalisation (893/2019), section 5 (eligible costs)"),
            _("State Subsidies Act (688/2001), section 34 (claim for rectification)"),
        ),
    )


def _settlement() -> ProjectKind:
    from kuntadigi.projects import services_settlement

    return ProjectKind(
        title=_("Settlement decision"),
        facts=services_settlement.settlement_facts,
        source=services_settlement.source_of,
        grounds=services_settlement.default_grounds,
        prepare_url=lambda decision: reverse("settlement:prepare", args=[decision.project_id]),
        on_sign=services_settlement.on_sign,
        provisions=(
            _("State Subsidies Act (688/2001), sections 10, 14 and 16 (the grant and the report on its use)"),
            _("State Subsidies Act (688/2001), section 20 (return of an excess grant)"),
            _("State Subsidies Act (688/2001), section 34 (claim for rectification)"),
        ),
    )


# The kinds by ProjectDecision.Kind value. Built lazily: the kinds' own modules import the models.
_FACTORIES: dict[str, Callable[[], ProjectKind]] = {
    "payment_reduction": _payment_reduction,
    "settlement": _settlement,
}


def kind(name: str) -> ProjectKind:
    """The kind called `name`; a name not listed here is a programming error."""
    return _FACTORIES[name]()


def names() -> tuple[str, ...]:
    return tuple(_FACTORIES)
