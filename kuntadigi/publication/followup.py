"""What the public sees of a funded project's follow-up: its status, the amount paid and the final
report's public summary. Read by queries.grant_record (the one list of public fields) from three
annotations that `with_follow_up` adds to a queryset of grant decisions, so that a list of any length
takes no extra query:

    public_project_state   the funded project's state (projects.lifecycle), None before the project is made
    public_paid            the sum of the project's payments in payment batches marked paid
    public_final_summary   the approved final report's content["summary"]: {"fi": …, "sv": …, "en": …}

Shown as:

    status          "running", "completed" or "refused" (projects.lifecycle.PUBLIC_STATUS); a signed grant
                    whose project is not yet made is "running", as a granted one is
    amount_paid     euros paid to the project so far (0.00 when nothing); None for a refused grant
    final_summary_fi, _sv, _en
                    the final report's public summary, only once the report is approved (kind final, state
                    approved); "" for a language the lead left empty, and for every language before then

Nothing else of the project is read here: not its account, the refusal's reason, payment requests,
ledger extracts, reductions or their reasons, reviews, nor any report not approved, nor any other part of
the approved report's content.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import DecimalField, F, JSONField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from kuntadigi.decisions.models import Decision
from kuntadigi.projects.lifecycle import PUBLIC_STATUS, State

SUMMARY_LANGUAGES = ("fi", "sv", "en")
# The order in which a page falls back when the summary is missing in its own language.
FALLBACK = ("fi", "sv", "en")
ZERO = Decimal("0.00")


def paid_totals() -> QuerySet:
    """The euros paid per project (payments in batches marked paid), as a subquery keyed by the decision."""
    from kuntadigi.payments.models import Payment, PaymentBatch

    return (
        Payment.objects.filter(project__decision=OuterRef("pk"), batch__state=PaymentBatch.State.PAID)
        .order_by()
        .values("project")
        .annotate(total=Sum("amount"))
        .values("total")
    )


def final_summary(language: str) -> QuerySet:
    """The approved final report's public summary in one language (reports/content.py: `summary_<language>`),
    as a subquery keyed by the decision. An approved report no longer changes, so its content is the
    version the officials approved."""
    from kuntadigi.reports.lifecycle import State as ReportState
    from kuntadigi.reports.models import Report

    approved = Report.objects.filter(project__decision=OuterRef("pk"), kind=Report.Kind.FINAL, state=ReportState.APPROVED)
    return approved.values(f"content__summary_{language}")[:1]


def with_follow_up(grants: QuerySet[Decision]) -> QuerySet[Decision]:
    """The grants with the annotations `follow_up_record` reads (no extra query per grant)."""
    money = DecimalField(max_digits=14, decimal_places=2)
    return grants.annotate(
        public_project_state=F("funded_project__state"),
        public_paid=Coalesce(Subquery(paid_totals(), output_field=money), Value(ZERO, output_field=money), output_field=money),
        **{f"public_final_summary_{language}": Subquery(final_summary(language), output_field=JSONField()) for language in SUMMARY_LANGUAGES},
    )


def _summary(decision: Decision) -> dict[str, str]:
    """The three languages of the approved final report's summary; anything but text counts as empty."""
    values = {language: getattr(decision, f"public_final_summary_{language}", None) for language in SUMMARY_LANGUAGES}
    return {language: value.strip() if isinstance(value, str) else "" for language, value in values.items()}


def follow_up_record(decision: Decision) -> dict:
    """The public follow-up fields of one grant, from with_follow_up's annotations (read with one query
    for a decision that came without them: lists use queries.funded_grants and take none)."""
    if not hasattr(decision, "public_project_state"):
        decision = with_follow_up(Decision.objects.filter(pk=decision.pk)).get()
    state = decision.public_project_state or State.GRANTED
    status = PUBLIC_STATUS[state]
    summary = _summary(decision)
    paid = None if status == "refused" else Decimal(decision.public_paid).quantize(ZERO)
    return {
        "status": status,
        "amount_paid": paid,
        **{f"final_summary_{language}": text for language, text in summary.items()},
    }


def summary_in(record: dict, language: str) -> tuple[str, str]:
    """The final report's summary in the reader's language, or the first given of fi, sv, en: (text, its language)."""
    for choice in (language, *FALLBACK):
        text = record.get(f"final_summary_{choice}") or ""
        if text:
            return text, choice
    return "", ""
