"""Publishing a call's results: the one use case that makes decisions public."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from kuntadigi import permissions
from kuntadigi.applications.errors import Refused
from kuntadigi.applications.lifecycle import RECEIVED_STATES
from kuntadigi.applications.models import Application
from kuntadigi.audit import services as audit
from kuntadigi.calls.models import Call
from kuntadigi.decisions.models import Decision

from .models import ResultsPublication


@dataclass(frozen=True)
class Readiness:
    """Where the call stands before its results are published (for the officials' page)."""

    received: int
    undecided: int  # received applications without a signed decision
    granted: int  # signed grant decisions
    not_granted: int  # signed no-grant decisions
    granted_total: Decimal

    @property
    def ready(self) -> bool:
        return self.received > 0 and self.undecided == 0


def readiness(call: Call) -> Readiness:
    """The counts the officials see before publishing, in two queries."""
    received = Application.objects.filter(call=call, state__in=RECEIVED_STATES).count()
    signed = Decision.objects.filter(application__call=call, application__state__in=RECEIVED_STATES, state=Decision.State.SIGNED).aggregate(
        granted=Count("pk", filter=Q(outcome=Decision.Outcome.GRANT)),
        not_granted=Count("pk", filter=Q(outcome=Decision.Outcome.NO_GRANT)),
        total=Sum("amount", filter=Q(outcome=Decision.Outcome.GRANT)),
    )
    return Readiness(
        received=received,
        undecided=received - signed["granted"] - signed["not_granted"],
        granted=signed["granted"],
        not_granted=signed["not_granted"],
        granted_total=signed["total"] or Decimal("0"),
    )


def undecided_count(call: Call) -> int:
    """Received applications of the call without a signed decision."""
    return Application.objects.filter(call=call, state__in=RECEIVED_STATES).exclude(decision__state=Decision.State.SIGNED).count()


def publish_results(user, call: Call) -> ResultsPublication:
    """Publish the results of `call`: allowed for its preparers and presenting official, once every
    received application has a signed decision. Checks in order: permission, not yet published,
    every decision signed; then the publication and its audit event land together."""
    decision = permissions.can_publish_results(user, call)
    if not decision:
        raise Refused(decision.reason)
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call.pk)
        if ResultsPublication.objects.filter(call=call).exists():
            raise Refused(_("The results of this call are already published."))
        if not call.is_published:
            raise Refused(_("The call itself is not published, so its results cannot be."))
        missing = undecided_count(call)
        if missing:
            raise Refused(_("Applications without a signed decision: %(count)s. Publish the results once every decision is signed.") % {"count": missing})
        publication = ResultsPublication.objects.create(call=call, published_by=user)
        funded = Decision.objects.filter(application__call=call, state=Decision.State.SIGNED, outcome=Decision.Outcome.GRANT).count()
        audit.record(user, "results.published", publication, after={"call": call.slug, "funded": funded})
    return publication
