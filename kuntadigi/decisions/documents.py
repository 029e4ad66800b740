"""The content of a decision document, assembled from plain data: no database, no clock, no request.

A Finnish state-grant decision (State Subsidies Act 688/2001, § 11) states the authority, the date and
reference, the parties, what was applied for, the decision itself, its grounds, the law applied, for a
grant the amount, the maximum share of the eligible costs, the eligible-cost period, the conditions and
the reporting duties, the appeal instructions, and who decided and who presented it.

`assemble()` turns a `DecisionInput` (facts the service gathers from the decided version of the
application, the call and the decision) into a `DecisionDocument` in the decision's language: names in
Finnish or Swedish, the call's texts in that language, money and dates formatted the Finnish way; the
ministry's registry, where a claim for rectification goes, comes from settings.KUNTADIGI_CONTACT. The
fixed wording around these facts lives in templates/decisions/document.html, through gettext, rendered
inside `translation.override(document.language)`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings

from kuntadigi.applications.rules import CENT, format_euros, format_percent
from kuntadigi.core import formats

GRANT = "grant"
NO_GRANT = "no_grant"

# The decision is written in the language of the application: Finnish or Swedish.
DOCUMENT_LANGUAGES = ("fi", "sv")

# The authority when the call does not name its funder in the language.
AUTHORITY = {"fi": "Valtiovarainministeriö", "sv": "Finansministeriet", "en": "Ministry of Finance"}

# The laws every decision of the incentive system applies.
STATE_SUBSIDIES_ACT = "688/2001"
INCENTIVE_DECREE = "893/2019"
ADMINISTRATIVE_PROCEDURE_ACT = "434/2003"
ADMINISTRATIVE_COURT_PROCEDURE_ACT = "808/2019"

# Appeal: a claim for rectification within 30 days of notification (Administrative Procedure Act
# 434/2003, 49 c §). A decision notified electronically, with the party's consent, is presumed received
# on the 3rd day after it was sent (Act on Electronic Services 13/2003, 19 §); a letter sent by post on
# the 7th day (Administrative Procedure Act 59 §).
APPEAL_DAYS = 30
ELECTRONIC_PRESUMED_DAY = 3
POSTAL_PRESUMED_DAY = 7


def presumed_day(electronic: bool) -> int:
    """The day after sending on which the party is presumed to have received the decision."""
    return ELECTRONIC_PRESUMED_DAY if electronic else POSTAL_PRESUMED_DAY


def registry(language: str) -> tuple[str, str, str]:
    """Where a claim for rectification is sent, in the language: the ministry's registry (name, postal
    address, visiting address) from settings.KUNTADIGI_CONTACT, the one place of the service's contacts."""
    return tuple(settings.KUNTADIGI_CONTACT["registry"][language])


def registry_email() -> str:
    return settings.KUNTADIGI_CONTACT["email"]


@dataclass(frozen=True)
class Signatory:
    name: str
    title: str


@dataclass(frozen=True)
class DecisionInput:
    """The facts of one decision, gathered by the service. `content` is the decided version of the
    application as submitted (applications.snapshot.application_content)."""

    language: str
    content: dict
    outcome: str
    presenter: Signatory
    decision_maker: Signatory
    authority: str = ""
    call_title: str = ""
    programme: str = ""
    call_opens: date | None = None
    call_closes: date | None = None
    appropriation: Decimal | None = None
    applications_received: int | None = None
    criteria: Sequence[str] = ()
    submission_number: int | None = None
    submitted_at: datetime | None = None
    fingerprint: str = ""
    amount: Decimal | None = None
    max_share: Decimal | None = None
    costs_from: date | None = None
    costs_until: date | None = None
    conditions: str = ""
    reporting: str = ""
    reason: str = ""
    grounds: str = ""
    decision_date: date | None = None
    draft: bool = True
    # How this copy reaches its recipient: electronically (with consent) or by post; it sets the
    # presumed day of notification in the appeal instructions.
    electronic: bool = False
    # The language the decision was made in, when this copy is a translation into `language`.
    original_language: str = ""
    diary_number: str = ""
    reduction_reason: str = ""  # why a grant is less than applied for
    period_grounds: str = ""  # why eligible costs start before the decision date
    provisions: Sequence[str] = ()  # the applied provisions with their sections, from the call
    payment_terms: str = ""  # how the grant is paid, from the call
    # The decisive facts: an ineligible application's failed conditions (sentences) and the screening's
    # reason; an unfunded eligible one's weighted score, rank among the ranked, and the cut-off score.
    ineligible: bool = False
    failed_conditions: Sequence[str] = ()
    screening_reason: str = ""
    weighted_score: str = ""
    rank: int | None = None
    ranked: int | None = None
    cutoff_score: str = ""
    # The parties as legal persons (services_decisions.parties_of): {"lead": {...}, "partners": [...]}.
    parties: dict = field(default_factory=dict)
    # The call's eligible and ineligible cost types (VNA 893/2019, 5 §), in the document's language.
    eligible_cost_types: Sequence[str] = ()
    ineligible_cost_types: Sequence[str] = ()


@dataclass(frozen=True)
class Appeal:
    days: int
    presumed_day: int
    electronic: bool
    authority: str
    address: tuple[str, ...]
    email: str


@dataclass(frozen=True)
class DecisionDocument:
    language: str
    draft: bool
    authority: str
    reference: str
    decision_date: str  # d.m.yyyy, empty in a draft not yet signed
    submitted_on: str
    submission_number: int | None
    fingerprint: str
    call_title: str
    programme: str
    call_opens: str
    call_closes: str
    appropriation: str
    applications_received: int | None
    criteria: tuple[str, ...]
    recipient: str
    partners: tuple[str, ...]
    project_name: str
    requested: str
    eligible_costs: str
    outcome: str
    amount: str
    max_share_percent: str
    costs_from: str
    costs_until: str
    conditions: tuple[str, ...]
    reporting: tuple[str, ...]
    reason: str
    grounds: tuple[str, ...]
    laws: tuple[str, ...]
    appeal: Appeal
    presenter: Signatory
    decision_maker: Signatory
    distribution: tuple[str, ...] = field(default=())
    original_language: str = ""  # set on a translation: the language the decision was made in
    diary_number: str = ""
    reduced: bool = False  # a grant less than the amount applied for
    reduction_reason: tuple[str, ...] = ()
    period_grounds: tuple[str, ...] = ()
    payment_terms: tuple[str, ...] = ()
    ineligible: bool = False
    failed_conditions: tuple[str, ...] = ()
    screening_reason: tuple[str, ...] = ()
    weighted_score: str = ""
    rank: int | None = None
    ranked: int | None = None
    cutoff_score: str = ""
    recipient_business_id: str = ""
    eligible_cost_types: tuple[str, ...] = ()
    ineligible_cost_types: tuple[str, ...] = ()

    @property
    def is_translation(self) -> bool:
        return bool(self.original_language) and self.original_language != self.language

    @property
    def is_grant(self) -> bool:
        return self.outcome == GRANT

    @property
    def partners_text(self) -> str:
        return ", ".join(self.partners)


def document_language(language: str) -> str:
    """Finnish or Swedish: the language of the application, Finnish when it is anything else."""
    return language if language in DOCUMENT_LANGUAGES else "fi"


def party_name(party: dict, language: str) -> str:
    """A party as the legal person it is, in the document's language: 'Mäntyharjun kunta' /
    'Mäntyharju kommun'; its plain name when the registry has no legal name."""
    if language == "sv":
        return party.get("legal_name_sv") or party.get("legal_name_fi") or organisation_name(party, language)
    return party.get("legal_name_fi") or party.get("legal_name_sv") or organisation_name(party, language)


def organisation_name(data: dict, language: str) -> str:
    """An organisation of the stored content in the document's language (Swedish name when it has one)."""
    if language == "sv" and data.get("name_sv"):
        return data["name_sv"]
    return data.get("name_fi") or data.get("name_sv") or data.get("municipality_code") or data.get("business_id") or ""


def in_sentence(name: str) -> str:
    """An authority's name inside a sentence: 'valtiovarainministeriö', 'finansministeriet' (a ministry's
    name is a common noun in Finnish and Swedish, capitalised only at the start of a sentence)."""
    return name[:1].lower() + name[1:] if name else name


def money(amount: Decimal | None) -> str:
    """Euros the way a decision writes them: '850 000' for whole euros, '12 345,67' with cents."""
    if amount is None:
        return ""
    amount = Decimal(amount).quantize(CENT)
    text = format_euros(amount)
    return text[:-3] if text.endswith(",00") else text


def paragraphs(text: str) -> tuple[str, ...]:
    """Paragraphs separated by a blank line; single line breaks stay inside a paragraph."""
    parts = [" ".join(line.strip() for line in block.splitlines() if line.strip()) for block in (text or "").replace("\r\n", "\n").split("\n\n")]
    return tuple(part for part in parts if part)


def eligible_costs(content: dict) -> Decimal:
    return sum((Decimal(line["amount"]) for line in content.get("budget", [])), Decimal("0.00")).quantize(CENT)


def _score(value: str) -> str:
    """A weighted score the Finnish way: '3,45'."""
    return (value or "").replace(".", ",")


def _date(value: date | datetime | None) -> str:
    # A decision is written in Finnish or Swedish, which write a day the same way (11.12.2020),
    # whatever language the person assembling it reads the service in.
    return formats.day(value, "fi") if value else ""


def assemble(facts: DecisionInput) -> DecisionDocument:
    """The decision's content in its language. Pure: the same facts always give the same document."""
    language = document_language(facts.language)
    content = facts.content
    if facts.parties:
        recipient = party_name(facts.parties["lead"], language)
        partners = tuple(party_name(p, language) for p in facts.parties.get("partners", []))
        business_id = facts.parties["lead"].get("business_id") or ""
    else:
        recipient = organisation_name(content["lead"], language)
        partners = tuple(organisation_name(p, language) for p in content.get("partners", []))
        business_id = content["lead"].get("business_id") or ""
    requested = content.get("requested_grant")
    is_grant = facts.outcome == GRANT
    submitted = facts.submitted_at.date() if isinstance(facts.submitted_at, datetime) else facts.submitted_at
    return DecisionDocument(
        language=language,
        draft=facts.draft,
        authority=facts.authority or AUTHORITY[language],
        reference=content["reference"],
        decision_date=_date(facts.decision_date),
        submitted_on=_date(submitted),
        submission_number=facts.submission_number,
        fingerprint=facts.fingerprint,
        call_title=facts.call_title,
        programme=facts.programme,
        call_opens=_date(facts.call_opens),
        call_closes=_date(facts.call_closes),
        appropriation=money(facts.appropriation),
        applications_received=facts.applications_received,
        criteria=tuple(facts.criteria),
        recipient=recipient,
        partners=partners,
        project_name=content.get("project_name", ""),
        requested=money(Decimal(requested)) if requested not in (None, "") else "",
        eligible_costs=money(eligible_costs(content)),
        outcome=facts.outcome,
        amount=money(facts.amount) if is_grant else "",
        max_share_percent=format_percent(facts.max_share) if is_grant and facts.max_share is not None else "",
        costs_from=_date(facts.costs_from) if is_grant else "",
        costs_until=_date(facts.costs_until) if is_grant else "",
        conditions=paragraphs(facts.conditions) if is_grant else (),
        reporting=paragraphs(facts.reporting) if is_grant else (),
        reason="" if is_grant else facts.reason.strip(),
        grounds=paragraphs(facts.grounds),
        laws=tuple(facts.provisions),
        appeal=Appeal(
            days=APPEAL_DAYS,
            presumed_day=presumed_day(facts.electronic),
            electronic=facts.electronic,
            authority=in_sentence(facts.authority or AUTHORITY[language]),
            address=registry(language),
            email=registry_email(),
        ),
        presenter=facts.presenter,
        decision_maker=facts.decision_maker,
        distribution=(recipient, *partners),
        original_language=document_language(facts.original_language) if facts.original_language else "",
        diary_number=facts.diary_number.strip(),
        reduced=is_grant and facts.amount is not None and requested not in (None, "") and facts.amount < Decimal(requested),
        reduction_reason=paragraphs(facts.reduction_reason) if is_grant else (),
        # Printed only when the period does start before the decision (a draft: before its date is known).
        period_grounds=paragraphs(facts.period_grounds)
        if is_grant and facts.costs_from and (facts.decision_date is None or facts.costs_from < facts.decision_date)
        else (),
        payment_terms=paragraphs(facts.payment_terms) if is_grant else (),
        ineligible=facts.ineligible and not is_grant,
        failed_conditions=tuple(facts.failed_conditions) if facts.ineligible and not is_grant else (),
        screening_reason=paragraphs(facts.screening_reason) if facts.ineligible and not is_grant else (),
        weighted_score=_score(facts.weighted_score) if not is_grant and not facts.ineligible else "",
        rank=facts.rank if not is_grant and not facts.ineligible else None,
        ranked=facts.ranked if not is_grant and not facts.ineligible else None,
        cutoff_score=_score(facts.cutoff_score) if not is_grant and not facts.ineligible else "",
        recipient_business_id=business_id,
        eligible_cost_types=tuple(facts.eligible_cost_types) if is_grant else (),
        ineligible_cost_types=tuple(facts.ineligible_cost_types) if is_grant else (),
    )
