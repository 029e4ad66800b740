"""An audit event as a sentence a person can read, in the reader's language (a pure function).

`describe(event, lookups, language)` turns the event's kind and its before/after payloads into a
`Description`: who did it (name and role), what in words, and when (Helsinki time). It shows no
database ids, field names or raw JSON: ids are looked up in `lookups` (organisations, people, cost
categories, criteria), gathered by the loader (`kuntadigi.audit.timeline`) in a constant number of
queries. A kind this module does not know gets a generic sentence ("<who> made a change: <kind>") so
that new kinds of events (reads by officials, say) never break the page. The raw events stay
available to the same officials as a download (JSON or CSV).

Budget lines carry no name of their own in the payload: a line is named by its description, or by its
cost category when it has none, and its organisation is given in brackets ("Talousarviorivi 'Koulutus'
(Loviisa): 12 000 € → 15 000 €"), so that no sentence needs the genitive of a municipality's name,
which the registry does not hold.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kuntadigi.core import formats

ARROW = " → "


@dataclass(frozen=True)
class Names:
    """A name in each language; `of(language)` falls back to Finnish."""

    fi: str
    sv: str = ""
    en: str = ""

    def of(self, language: str) -> str:
        return {"sv": self.sv, "en": self.en}.get(language, "") or self.fi or self.sv or self.en


@dataclass(frozen=True)
class Role:
    """The role the actor had: in the call (kind 'call', code preparer/presenter/decision_maker/assessor)
    or in the application (kind 'party', code lead/partner, with the organisation)."""

    kind: str
    code: str
    organisation_id: int | None = None


@dataclass(frozen=True)
class Event:
    action: str
    at: datetime
    actor_id: int | None = None
    before: Mapping = field(default_factory=dict)
    after: Mapping = field(default_factory=dict)


@dataclass(frozen=True)
class Lookups:
    users: Mapping[int, str] = field(default_factory=dict)
    roles: Mapping[int, Sequence[Role]] = field(default_factory=dict)
    organisations: Mapping[int, Names] = field(default_factory=dict)
    participants: Mapping[int, int] = field(default_factory=dict)  # participant id -> organisation id
    categories: Mapping[int, Names] = field(default_factory=dict)  # by id
    category_codes: Mapping[str, Names] = field(default_factory=dict)  # by code
    criteria: Mapping[int, Names] = field(default_factory=dict)


@dataclass(frozen=True)
class Description:
    who: str
    role: str
    what: str
    details: tuple[str, ...]
    when: str
    at: datetime


def describe(event: Event, lookups: Lookups, language: str) -> Description:
    """The event in words in `language` (fi, sv or en)."""
    with translation.override(language):
        writer = _Writer(lookups, language)
        who = writer.person(event.actor_id) if event.actor_id is not None else _("The system")
        role = writer.role(event.actor_id)
        builder = _BUILDERS.get(event.action)
        lines: list[str] = []
        if builder is not None:
            try:
                lines = [line for line in builder(writer, dict(event.before or {}), dict(event.after or {})) if line]
            except (KeyError, TypeError, ValueError, AttributeError, InvalidOperation):
                lines = []
        if not lines:
            label = _LABELS.get(event.action)
            if label is not None:
                lines = [label()]
            else:
                lines = [_("%(who)s made a change: %(kind)s") % {"who": who, "kind": kind_label(event.action)}]
        what, details = (lines[0], ()) if len(lines) == 1 else (lines[0], tuple(lines[1:]))
        return Description(who=who, role=role, what=what, details=details, when=formats.instant(event.at, language), at=event.at)


def kind_label(action: str) -> str:
    """A readable form of an unknown kind: 'application.read' -> 'application read'."""
    return action.replace(".", " ").replace("_", " ").strip()


# ── Writing names, sums and dates ────────────────────────────────────────────


class _Writer:
    def __init__(self, lookups: Lookups, language: str):
        self.lookups = lookups
        self.language = language

    def person(self, user_id) -> str:
        name = self.lookups.users.get(_int(user_id))
        return name or _("a person no longer in the service")

    def organisation(self, organisation_id) -> str:
        names = self.lookups.organisations.get(_int(organisation_id))
        return names.of(self.language) if names else _("an organisation")

    def organisation_named(self, payload: Mapping) -> str:
        """An organisation from a payload that carries its names (name_fi, name_sv)."""
        names = Names(payload.get("name_fi") or "", payload.get("name_sv") or "")
        return names.of(self.language) or self.organisation(payload.get("organisation"))

    def participant_organisation(self, participant_id) -> str:
        organisation_id = self.lookups.participants.get(_int(participant_id))
        return self.organisation(organisation_id) if organisation_id is not None else _("an organisation")

    def category(self, category_id) -> str:
        names = self.lookups.categories.get(_int(category_id))
        return names.of(self.language) if names else _("a cost category")

    def category_code(self, code) -> str:
        names = self.lookups.category_codes.get(str(code))
        return names.of(self.language) if names else _("a cost category")

    def criterion(self, criterion_id) -> str:
        names = self.lookups.criteria.get(_int(criterion_id))
        return names.of(self.language) if names else _("a criterion")

    def money(self, value) -> str:
        return formats.money(Decimal(str(value)), self.language, whole_if_even=True)

    def day(self, value: str) -> str:
        return formats.day(date.fromisoformat(str(value)[:10]), self.language)

    def instant(self, value: str) -> str:
        return formats.instant(datetime.fromisoformat(str(value)), self.language)

    def role(self, user_id) -> str:
        roles = self.lookups.roles.get(_int(user_id), ()) if user_id is not None else ()
        words = []
        for role in roles:
            if role.kind == "call":
                label = _CALL_ROLES.get(role.code)
                if label:
                    words.append(label())
            elif role.kind == "party":
                label = _PARTY_ROLES.get(role.code)
                if label:
                    words.append(_("%(role)s, %(organisation)s") % {"role": label(), "organisation": self.organisation(role.organisation_id)})
        return "; ".join(dict.fromkeys(words))


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


_CALL_ROLES = {
    "preparer": lambda: _("preparer"),
    "presenter": lambda: _("presenting official"),
    "decision_maker": lambda: _("decision-maker"),
    "assessor": lambda: _("assessor"),
}
_PARTY_ROLES = {
    "lead": lambda: _("lead applicant"),
    "partner": lambda: _("partner"),
}
_STATES = {
    "draft": lambda: _("draft"),
    "submitted": lambda: _("submitted"),
    "supplement_requested": lambda: _("supplement requested"),
    "eligible": lambda: _("eligible"),
    "ineligible": lambda: _("ineligible"),
    "granted": lambda: _("grant decided"),
    "not_granted": lambda: _("no grant decided"),
}
_FIELDS = {
    "project_name": lambda: _("project name"),
    "language": lambda: _("language of the application"),
    "summary": lambda: _("summary"),
    "current_state": lambda: _("current state and the problem"),
    "objectives": lambda: _("objectives"),
    "change_in_ways_of_working": lambda: _("change in the ways of working"),
    "rollout_and_spread": lambda: _("rollout and spreading the results"),
    "prior_work": lambda: _("earlier work"),
    "start_date": lambda: _("start date"),
    "end_date": lambda: _("end date"),
    "contact_name": lambda: _("contact person"),
    "contact_email": lambda: _("contact person's e-mail"),
    "contact_phone": lambda: _("contact person's phone"),
    "signatory_name": lambda: _("signatory"),
    "signatory_title": lambda: _("signatory's title"),
    "declaration_not_excluded": lambda: _("declaration"),
    "target_areas": lambda: _("target areas"),
}
_PARTS = {
    "project": lambda: _("project"),
    "target_areas": lambda: _("target areas"),
    "schedule": lambda: _("schedule"),
    "contact": lambda: _("contact person"),
    "partners": lambda: _("partners"),
    "budget": lambda: _("cost estimate"),
    "attachments": lambda: _("attachments"),
}
_LANGUAGES = {"fi": lambda: _("Finnish"), "sv": lambda: _("Swedish"), "en": lambda: _("English")}


def _state(code) -> str:
    label = _STATES.get(str(code))
    return label() if label else str(code).replace("_", " ")


def _state_change(before: Mapping, after: Mapping) -> str:
    if before.get("state") and after.get("state") and before["state"] != after["state"]:
        return _("State of the application: %(before)s → %(after)s") % {"before": _state(before["state"]), "after": _state(after["state"])}
    return ""


def _quoted(text: str) -> str:
    return f"'{text}'"


def _size(size) -> str:
    kilobytes = max(1, round(int(size) / 1024))
    return f"{kilobytes:,}".replace(",", formats.NBSP) + formats.NBSP + "kB"


# ── One builder per kind: (writer, before, after) -> lines; the first is the sentence ─────────


def _started(w: _Writer, before, after):
    language = _LANGUAGES.get(after.get("language", ""))
    if language:
        return [_("Application %(reference)s started in %(language)s") % {"reference": after["reference"], "language": language()}]
    return [_("Application %(reference)s started") % {"reference": after["reference"]}]


def _saved(w: _Writer, before, after):
    names = [label() for name in after.get("fields", []) if (label := _FIELDS.get(name))]
    others = len([name for name in after.get("fields", []) if name not in _FIELDS])
    if others:
        names.append(ngettext("%(n)d other detail", "%(n)d other details", others) % {"n": others})
    if not names:
        return [_("Application saved")]
    return [_("Application saved; changed: %(fields)s") % {"fields": ", ".join(names)}]


def _partner_added(w: _Writer, before, after):
    return [_("Partner added: %(organisation)s") % {"organisation": w.organisation(after["organisation"])}]


def _partner_removed(w: _Writer, before, after):
    organisation = w.organisation(before["organisation"])
    lines = before.get("budget_lines") or []
    if not lines:
        return [_("Partner removed: %(organisation)s") % {"organisation": organisation}]
    total = sum((Decimal(str(line["amount"])) for line in lines), Decimal(0))
    return [
        ngettext(
            "Partner removed: %(organisation)s, with its %(n)d budget line (%(total)s)",
            "Partner removed: %(organisation)s, with its %(n)d budget lines (%(total)s)",
            len(lines),
        )
        % {"organisation": organisation, "n": len(lines), "total": w.money(total)}
    ]


def budget_changes(before: Sequence[Mapping], after: Sequence[Mapping]) -> list[tuple[Mapping | None, Mapping | None]]:
    """Pairs (line before, line after) of the lines that changed: the same line (organisation,
    category and description) with another amount, a line whose description changed, a line removed
    (after None) or added (before None). Unchanged lines are left out."""
    left, right = list(before), list(after)

    def key(line, *names):
        return tuple(str(line.get(name)) for name in names)

    pairs: list[tuple[Mapping | None, Mapping | None]] = []
    for names, keep in (
        (("participant", "category", "description", "amount"), False),
        (("participant", "category", "description"), True),
        (("participant", "category"), True),
    ):
        for old in list(left):
            match = next((new for new in right if key(new, *names) == key(old, *names)), None)
            if match is not None:
                left.remove(old)
                right.remove(match)
                if keep:
                    pairs.append((old, match))
    pairs += [(old, None) for old in left] + [(None, new) for new in right]
    return pairs


def _line_name(w: _Writer, line: Mapping) -> str:
    return line.get("description") or w.category(line.get("category"))


def _budget(w: _Writer, before, after):
    lines = []
    for old, new in budget_changes(before.get("lines") or [], after.get("lines") or []):
        line = new if new is not None else old
        values = {"organisation": w.participant_organisation(line.get("participant"))}
        if old is not None and new is not None:
            values |= {"line": _quoted(_line_name(w, new)), "before": w.money(old["amount"]), "after": w.money(new["amount"])}
            if _line_name(w, old) != _line_name(w, new):
                values["old"] = _quoted(_line_name(w, old))
                lines.append(_("Budget line %(old)s → %(line)s (%(organisation)s): %(before)s → %(after)s") % values)
            else:
                lines.append(_("Budget line %(line)s (%(organisation)s): %(before)s → %(after)s") % values)
        elif new is not None:
            values |= {"line": _quoted(_line_name(w, new)), "amount": w.money(new["amount"])}
            lines.append(_("Budget line %(line)s (%(organisation)s) added: %(amount)s") % values)
        else:
            values |= {"line": _quoted(_line_name(w, old)), "amount": w.money(old["amount"])}
            lines.append(_("Budget line %(line)s (%(organisation)s) removed: %(amount)s") % values)
    old_grant, new_grant = before.get("requested_grant"), after.get("requested_grant")
    if old_grant != new_grant:
        nothing = _("not given")
        lines.append(
            _("Grant applied for: %(before)s → %(after)s")
            % {"before": w.money(old_grant) if old_grant else nothing, "after": w.money(new_grant) if new_grant else nothing}
        )
    if len(lines) > 1:
        return [ngettext("Budget changed in %(n)d place", "Budget changed in %(n)d places", len(lines)) % {"n": len(lines)}, *lines]
    return lines


def _attachment_added(w: _Writer, before, after):
    return [_("Attachment added: %(name)s (%(size)s)") % {"name": after["name"], "size": _size(after["size"])}]


def _attachment_deleted(w: _Writer, before, after):
    return [_("Attachment deleted: %(name)s") % {"name": before["name"]}]


def _declined(w: _Writer, before, after):
    values = {"organisation": w.organisation(after["organisation"]), "reason": after.get("reason") or ""}
    if values["reason"]:
        return [_("%(organisation)s declined to take part: “%(reason)s”") % values]
    return [_("%(organisation)s declined to take part") % values]


def _asked_again(w: _Writer, before, after):
    return [_("%(organisation)s was asked again to confirm its participation") % {"organisation": w.organisation(after["organisation"])}]


def _confirmed(w: _Writer, before, after):
    values = {"organisation": w.organisation(after["organisation"])}
    authorised = [part for part in after.get("authorised") or [] if part]
    again = bool(before.get("confirmed_at"))
    if authorised:
        values["authorised"] = ", ".join(authorised)
        if again:
            return [_("%(organisation)s confirmed its participation again; authorised person: %(authorised)s") % values]
        return [_("%(organisation)s confirmed its participation; authorised person: %(authorised)s") % values]
    if again:
        return [_("%(organisation)s confirmed its participation again") % values]
    return [_("%(organisation)s confirmed its participation") % values]


def _submitted(w: _Writer, before, after):
    return [_("Application submitted, receipt number %(number)s") % {"number": after["submission"]}]


def _supplement_submitted(w: _Writer, before, after):
    return [_("Supplemented application submitted, receipt number %(number)s") % {"number": after["submission"]}]


def _withdrawn(w: _Writer, before, after):
    return [_("Submitted application (receipt number %(number)s) taken back to be edited") % {"number": after["withdrawn_submission"]}]


def _signed_state(w: _Writer, before, after):
    return [_state_change(before, after) or _("The decision changed the application's state")]


def _party_succeeded(w: _Writer, before, after):
    values = {"old": w.organisation_named(before), "new": w.organisation_named(after)}
    if after.get("merger_date"):
        values["day"] = w.day(after["merger_date"])
        return [_("%(old)s replaced by %(new)s, its successor in the municipal merger of %(day)s") % values]
    return [_("%(old)s replaced by %(new)s, its successor in a municipal merger") % values]


def _marked(w: _Writer, before, after):
    reason = after.get("reason") or ""
    if after.get("outcome") == "ineligible":
        failed = len(after.get("failed_conditions") or [])
        line = ngettext(
            "Marked ineligible (%(n)d condition of the call not met). Reason: %(reason)s",
            "Marked ineligible (%(n)d conditions of the call not met). Reason: %(reason)s",
            failed,
        ) % {"n": failed, "reason": reason}
    else:
        line = _("Marked eligible. Reason: %(reason)s") % {"reason": reason}
    if before.get("outcome"):
        line = _("Mark changed: %(mark)s") % {"mark": line}
    return [line]


def _supplement_requested(w: _Writer, before, after):
    parts = ", ".join(label() if (label := _PARTS.get(part)) else str(part).replace("_", " ") for part in after.get("parts") or [])
    lines = [_("Supplement requested (%(parts)s), due %(due)s") % {"parts": parts, "due": w.instant(after["due_at"])}]
    if after.get("message"):
        lines.append(_("Message to the applicant: %(message)s") % {"message": after["message"]})
    return lines


def _assigned(w: _Writer, before, after):
    values = {"assessor": w.person(after["assessor"])}
    if after.get("how") == "spread_evenly":
        return [_("Assessor assigned: %(assessor)s (spread evenly among the assessors)") % values]
    return [_("Assessor assigned: %(assessor)s") % values]


def _unassigned(w: _Writer, before, after):
    return [_("Assignment taken back from assessor %(assessor)s") % {"assessor": w.person(before["assessor"])}]


def _scores(w: _Writer, scores: Mapping) -> str:
    return ", ".join(
        f"{w.criterion(criterion)} {entry.get('score')}" if entry.get("score") is not None else f"{w.criterion(criterion)} –"
        for criterion, entry in scores.items()
    )


def _assessment_draft(w: _Writer, before, after):
    scored = len([entry for entry in (after.get("scores") or {}).values() if entry.get("score") is not None])
    return [ngettext("Assessment saved as a draft (%(n)d criterion scored)", "Assessment saved as a draft (%(n)d criteria scored)", scored) % {"n": scored}]


def _assessment_submitted(w: _Writer, before, after):
    return [_("Assessment submitted: %(scores)s") % {"scores": _scores(w, after.get("scores") or {})}]


def _proposal(how):
    def build(w: _Writer, before, after):
        amount = w.money(after["amount"])
        if before.get("amount") is not None and str(before["amount"]) != str(after["amount"]):
            amount = f"{w.money(before['amount'])}{ARROW}{amount}"
        lines = [how() % {"amount": amount}]
        if after.get("reason"):
            lines.append(_("Reason: %(reason)s") % {"reason": after["reason"]})
        return lines

    return build


def _outcome(w: _Writer, values: Mapping) -> str:
    if values.get("outcome") == "grant":
        return _("grant of %(amount)s") % {"amount": w.money(values["amount"])} if values.get("amount") else _("grant")
    return _("no grant")


def _prepared(w: _Writer, before, after):
    outcome = _outcome(w, after)
    if before:
        return [_("Decision draft changed: %(outcome)s") % {"outcome": outcome}]
    return [_("Decision prepared: %(outcome)s") % {"outcome": outcome}]


def _signed(w: _Writer, before, after):
    return [_("Decision signed: %(outcome)s, decision date %(day)s") % {"outcome": _outcome(w, after), "day": w.day(after["decision_date"])}]


def _document_stored(w: _Writer, before, after):
    return [_("Signed decision document stored (PDF, %(size)s)") % {"size": _size(after["bytes"])}]


def _notified(w: _Writer, before, after):
    count = int(after.get("messages") or 0)
    return [ngettext("Decision sent to the applicants: %(n)d e-mail message", "Decision sent to the applicants: %(n)d e-mail messages", count) % {"n": count}]


def _consent_given(w: _Writer, before, after):
    return [_("%(organisation)s consented to notification by e-mail") % {"organisation": w.organisation(after["organisation"])}]


def _consent_withdrawn(w: _Writer, before, after):
    return [_("%(organisation)s withdrew its consent to notification by e-mail") % {"organisation": w.organisation(after["organisation"])}]


def _posted(w: _Writer, before, after):
    values = {"organisation": w.organisation(after["organisation"]), "day": w.day(after["posted_on"])}
    language = _LANGUAGES.get(after.get("language", ""))
    if language:
        values["language"] = language()
        return [_("Decision letter to %(organisation)s posted on %(day)s (in %(language)s)") % values]
    return [_("Decision letter to %(organisation)s posted on %(day)s") % values]


def _read(w: _Writer, before, after):
    return [_("%(organisation)s opened the decision") % {"organisation": w.organisation(after["organisation"])}]


def _draft_deleted(w: _Writer, before, after):
    return [_("Draft application %(reference)s deleted") % {"reference": before.get("reference", "")}]


def _project_created(w: _Writer, before, after):
    values = {"amount": w.money(after["maximum_grant"]), "day": w.day(after["acceptance_due"])}
    return [_("Funded project made from the grant: at most %(amount)s, to be accepted by %(day)s") % values]


def _project_refused(w: _Writer, before, after):
    return [_("Grant refused by the recipient: %(reason)s") % {"reason": after["reason"]}]


def _agreement_uploaded(w: _Writer, before, after):
    return [_("Agreement with the partners uploaded: %(name)s") % {"name": after["name"]}]


def _agreement_confirmed(w: _Writer, before, after):
    return [_("%(organisation)s confirmed the agreement with the partners") % {"organisation": w.organisation(after["organisation"])}]


def _report_kind(after) -> str:
    return _("final report") if after.get("kind") == "final" else _("interim report")


def _report_scheduled(w: _Writer, before, after):
    return [_("Report due: %(kind)s by %(day)s") % {"kind": _report_kind(after), "day": w.day(after["due_date"])}]


def _report_saved(w: _Writer, before, after):
    return [_("Draft of the %(kind)s saved") % {"kind": _report_kind(after)}]


def _report_attachment(w: _Writer, before, after):
    return [_("Confirmation of the auditor or the finance office uploaded: %(name)s") % {"name": after["name"]}]


def _report_submitted(w: _Writer, before, after):
    values = {"kind": _report_kind(after), "n": int(after["version"])}
    if after.get("supplement"):
        return [_("Supplemented %(kind)s submitted (version %(n)d)") % values]
    return [_("%(kind)s submitted (version %(n)d)") % {**values, "kind": capfirst(values["kind"])}]


_REVIEW_PARTS = {"substantive": lambda: _("Substantive review"), "financial": lambda: _("Financial review")}


def _report_reviewed(w: _Writer, before, after):
    part = _REVIEW_PARTS[after["part"]]()
    if after["outcome"] == "passed":
        return [_("%(review)s of the %(kind)s passed") % {"review": part, "kind": _report_kind(after)}]
    return [_("%(review)s of the %(kind)s: a supplement asked") % {"review": part, "kind": _report_kind(after)}]


def _report_supplement(w: _Writer, before, after):
    values = {"kind": _report_kind(after), "day": w.day(after["due_date"]), "message": after["message"]}
    return [_("Supplement to the %(kind)s requested by %(day)s: %(message)s") % values]


def _batch_created(w: _Writer, before, after):
    return [_("Payment batch %(number)s made, due on %(day)s") % {"number": after["number"], "day": w.day(after["due_date"])}]


def _batch_payment_added(w: _Writer, before, after):
    return [_("Payment of %(amount)s put into payment batch %(number)s") % {"amount": w.money(after["amount"]), "number": after["number"]}]


def _batch_payment_removed(w: _Writer, before, after):
    return [_("Payment of %(amount)s taken out of payment batch %(number)s") % {"amount": w.money(before["amount"]), "number": before["number"]}]


def _batch_exported(w: _Writer, before, after):
    count = int(after.get("payments") or 0)
    values = {"number": after["number"], "n": count, "amount": w.money(after["total"])}
    return [
        ngettext(
            "Payment batch %(number)s exported for the bank and the State's accounting: %(n)d payment, %(amount)s in total",
            "Payment batch %(number)s exported for the bank and the State's accounting: %(n)d payments, %(amount)s in total",
            count,
        )
        % values
    ]


def _batch_paid(w: _Writer, before, after):
    return [_("Payment batch %(number)s marked paid, value date %(day)s") % {"number": after["number"], "day": w.day(after["value_date"])}]


def _payment_paid(w: _Writer, before, after):
    return [_("Payment of %(amount)s paid, value date %(day)s") % {"amount": w.money(after["amount"]), "day": w.day(after["value_date"])}]


def _payment_request_created(w: _Writer, before, after):
    values = {"number": after["number"], "start": w.day(after["period_start"]), "end": w.day(after["period_end"])}
    if after.get("is_final"):
        return [_("Final payment request %(number)s started for %(start)s–%(end)s") % values]
    return [_("Payment request %(number)s started for %(start)s–%(end)s") % values]


def _payment_line(text):
    def build(w: _Writer, before, after):
        line = after if "amount" in after else before
        values = {"number": after.get("number", ""), "organisation": w.organisation(line["organisation"]), "amount": w.money(line["amount"])}
        return [text() % values]

    return build


def _ledger(text, side):
    def build(w: _Writer, before, after):
        data = after if side == "after" else before
        return [text() % {"number": after.get("number", ""), "organisation": w.organisation(data["organisation"]), "name": data["name"]}]

    return build


def _payment_request_submitted(w: _Writer, before, after):
    return [_("Payment request %(number)s submitted: costs claimed %(amount)s") % {"number": after["number"], "amount": w.money(after["claimed"])}]


def _project_decision_kind(after_or_before) -> str:
    kinds = {"payment_reduction": _("payment-reduction decision"), "settlement": _("settlement decision")}
    return kinds.get((after_or_before or {}).get("kind", ""), _("decision on the project"))


def _project_decision_prepared(w: _Writer, before, after):
    return [_("Draft %(kind)s prepared") % {"kind": _project_decision_kind(after)}]


def _project_decision_signed(w: _Writer, before, after):
    return [_("%(kind)s signed") % {"kind": _project_decision_kind(after).capitalize()}]


def _settled(w: _Writer, before, after):
    return [
        _("Project settled: final grant %(grant)s, paid %(paid)s, balance %(balance)s")
        % {"grant": w.money(after["final_grant"]), "paid": w.money(after["paid"]), "balance": w.money(after["balance"])}
    ]


def _settlement_prepared(w: _Writer, before, after):
    return [
        _("Settlement prepared: final grant %(grant)s, balance %(balance)s") % {"grant": w.money(after["final_grant"]), "balance": w.money(after["balance"])}
    ]


def _return_recorded(w: _Writer, before, after):
    return [_("Return of the excess grant recorded: %(amount)s") % {"amount": w.money(after["amount"])}]


def _balance_payment(w: _Writer, before, after):
    return [_("Balance of the settlement approved for payment: %(amount)s") % {"amount": w.money(after["amount"])}]


def _lines_checked(w: _Writer, before, after):
    lines = []
    for line in after.get("lines") or []:
        if str(line.get("accepted")) == str(line.get("claimed")):
            lines.append(_("Cost line accepted in full: %(amount)s") % {"amount": w.money(line["claimed"])})
        else:
            amounts = f"{w.money(line['claimed'])}{ARROW}{w.money(line['accepted'])}"
            lines.append(_("Cost line reduced: %(amounts)s. Reason: %(reason)s") % {"amounts": amounts, "reason": line.get("reason", "")})
    return lines or [_("Cost lines of a payment request checked")]


def _request_checked(w: _Writer, before, after):
    return [
        _("Payment request %(number)s checked: costs accepted %(accepted)s of %(claimed)s claimed")
        % {"number": after["request"], "accepted": w.money(after["accepted"]), "claimed": w.money(after["claimed"])}
    ]


def _request_approved(w: _Writer, before, after):
    if after.get("final"):
        return [_("Final payment request %(number)s approved: its payment is the balance of the settlement") % {"number": after["request"]}]
    return [_("Payment request %(number)s approved: %(amount)s payable") % {"number": after["request"], "amount": w.money(after.get("payable") or 0)}]


_BUILDERS = {
    "application.started": _started,
    "application.saved": _saved,
    "application.partner_added": _partner_added,
    "application.partner_removed": _partner_removed,
    "application.budget_saved": _budget,
    "application.attachment_added": _attachment_added,
    "application.attachment_deleted": _attachment_deleted,
    "application.confirm_participation": _confirmed,
    "application.decline_participation": _declined,
    "application.partner_asked_again": _asked_again,
    "application.submit": _submitted,
    "application.withdraw": _withdrawn,
    "application.submit_supplement": _supplement_submitted,
    "application.sign_grant": _signed_state,
    "application.sign_no_grant": _signed_state,
    "application.party_succeeded": _party_succeeded,
    "application.draft_deleted": _draft_deleted,
    "screening.marked": _marked,
    "screening.supplement_requested": _supplement_requested,
    "assessment.assigned": _assigned,
    "assessment.unassigned": _unassigned,
    "assessment.draft_saved": _assessment_draft,
    "assessment.submitted": _assessment_submitted,
    "decisions.proposal_set": _proposal(lambda: _("Amount proposed: %(amount)s")),
    "decisions.proposal_set_to_requested": _proposal(lambda: _("Amount applied for proposed: %(amount)s")),
    "decisions.proposal_filled": _proposal(lambda: _("Amount proposed by filling the appropriation in rank order: %(amount)s")),
    "decision.prepare": _prepared,
    "decision.sign": _signed,
    "decision.document_stored": _document_stored,
    "decision.notify": _notified,
    "delivery.consent_given": _consent_given,
    "delivery.consent_withdrawn": _consent_withdrawn,
    "delivery.posted": _posted,
    "delivery.read": _read,
    "project.created": _project_created,
    "project.accepted": lambda w, before, after: [_("Grant accepted by the recipient")],
    "project.refused": _project_refused,
    "project.started": lambda w, before, after: [_("Project running: the grant was accepted, the account given and the eligible-cost period began")],
    "project.account_given": lambda w, before, after: [_("Account for payments given")],
    "project.agreement_uploaded": _agreement_uploaded,
    "project.agreement_confirmed": _agreement_confirmed,
    "report.scheduled": _report_scheduled,
    "report.saved": _report_saved,
    "report.attachment_added": _report_attachment,
    "report.submitted": _report_submitted,
    "report.reviewed": _report_reviewed,
    "report.supplement_requested": _report_supplement,
    "report.approved": lambda w, before, after: [_("%(kind)s approved: every review passed") % {"kind": capfirst(_report_kind(after))}],
    "project.submit_final_report": lambda w, before, after: [_("Final report submitted: the project waits for its review")],
    "project.start_review": lambda w, before, after: [_("The review of the final report began")],
    "project.return_for_supplement": lambda w, before, after: [_("Final report returned to the lead for a supplement: the project runs again")],
    "payment_batch.created": _batch_created,
    "payment_batch.payment_added": _batch_payment_added,
    "payment_batch.payment_removed": _batch_payment_removed,
    "payment_batch.exported": _batch_exported,
    "payment_batch.paid": _batch_paid,
    "payment.paid": _payment_paid,
    "payment_request.created": _payment_request_created,
    "payment_request.line_added": _payment_line(lambda: _("Payment request %(number)s: a cost of %(organisation)s added, %(amount)s")),
    "payment_request.line_edited": _payment_line(lambda: _("Payment request %(number)s: a cost of %(organisation)s changed, now %(amount)s")),
    "payment_request.line_removed": _payment_line(lambda: _("Payment request %(number)s: a cost of %(organisation)s removed, %(amount)s")),
    "payment_request.ledger_uploaded": _ledger(lambda: _("Payment request %(number)s: ledger extract of %(organisation)s attached: %(name)s"), "after"),
    "payment_request.ledger_removed": _ledger(lambda: _("Payment request %(number)s: ledger extract of %(organisation)s removed: %(name)s"), "before"),
    "payment_request.submitted": _payment_request_submitted,
    "project_decision.prepare": _project_decision_prepared,
    "project_decision.sign": _project_decision_signed,
    "project_decision.document_stored": lambda w, before, after: [_("Signed decision document stored")],
    "project_decision.notify": lambda w, before, after: [_("Decision sent to the project's people")],
    "project.settlement_prepared": _settlement_prepared,
    "project.settled": _settled,
    "project.balance_payment_approved": _balance_payment,
    "project.return_recorded": _return_recorded,
    "project.closed": lambda w, before, after: [_("Project closed")],
    "payment_request.lines_checked": _lines_checked,
    "payment_request.checked": _request_checked,
    "payment_request.reopened": lambda w, before, after: [_("Payment request %(number)s reopened to be checked again") % {"number": after["request"]}],
    "payment_request.approved": _request_approved,
    "payment.stopped": lambda w, before, after: [
        _("Payment of %(amount)s stopped: the account for payments was changed") % {"amount": w.money(after["amount"])}
    ],
    "payment.approved_again": lambda w, before, after: [
        _("Stopped payment of %(amount)s approved again to the new account") % {"amount": w.money(after["amount"])}
    ],
}

# A plain sentence for a known kind whose payload lacks what its builder needs.
_LABELS = {
    "application.started": lambda: _("Application started"),
    "application.saved": lambda: _("Application saved"),
    "application.partner_added": lambda: _("Partner added"),
    "application.partner_removed": lambda: _("Partner removed"),
    "application.budget_saved": lambda: _("Budget changed"),
    "application.attachment_added": lambda: _("Attachment added"),
    "application.attachment_deleted": lambda: _("Attachment deleted"),
    "application.confirm_participation": lambda: _("A partner confirmed its participation"),
    "application.decline_participation": lambda: _("A partner declined to take part"),
    "application.partner_asked_again": lambda: _("A partner was asked again to confirm"),
    "application.submit": lambda: _("Application submitted"),
    "application.withdraw": lambda: _("Application taken back to be edited"),
    "application.submit_supplement": lambda: _("Supplemented application submitted"),
    "application.party_succeeded": lambda: _("A party replaced by its successor after a municipal merger"),
    "screening.marked": lambda: _("Eligibility marked"),
    "screening.supplement_requested": lambda: _("Supplement requested"),
    "assessment.assigned": lambda: _("Assessor assigned"),
    "assessment.unassigned": lambda: _("Assessor's assignment taken back"),
    "assessment.draft_saved": lambda: _("Assessment saved as a draft"),
    "assessment.submitted": lambda: _("Assessment submitted"),
    "decision.prepare": lambda: _("Decision prepared"),
    "decision.sign": lambda: _("Decision signed"),
    "decision.document_stored": lambda: _("Signed decision document stored"),
    "decision.notify": lambda: _("Decision sent to the applicants"),
    "delivery.consent_given": lambda: _("Consent to notification by e-mail given"),
    "delivery.consent_withdrawn": lambda: _("Consent to notification by e-mail withdrawn"),
    "delivery.posted": lambda: _("Decision letter posted"),
    "delivery.read": lambda: _("Decision opened by an organisation"),
    "project.created": lambda: _("Funded project made from the grant"),
    "project.refused": lambda: _("Grant refused by the recipient"),
    "project.agreement_uploaded": lambda: _("Agreement with the partners uploaded"),
    "project.agreement_confirmed": lambda: _("A partner confirmed the agreement with the partners"),
    "report.scheduled": lambda: _("Report due date set"),
    "report.attachment_added": lambda: _("Attachment of a report uploaded"),
    "report.submitted": lambda: _("Report submitted"),
    "report.reviewed": lambda: _("Report reviewed"),
    "report.supplement_requested": lambda: _("Supplement to a report requested"),
    "payment_batch.created": lambda: _("Payment batch made"),
    "payment_batch.payment_added": lambda: _("Payment put into a payment batch"),
    "payment_batch.payment_removed": lambda: _("Payment taken out of a payment batch"),
    "payment_batch.exported": lambda: _("Payment batch exported"),
    "payment_batch.paid": lambda: _("Payment batch marked paid"),
    "payment.paid": lambda: _("Payment paid"),
    "payment_request.created": lambda: _("Payment request started"),
    "payment_request.line_added": lambda: _("Cost line added to a payment request"),
    "payment_request.line_edited": lambda: _("Cost line of a payment request changed"),
    "payment_request.line_removed": lambda: _("Cost line removed from a payment request"),
    "payment_request.ledger_uploaded": lambda: _("Ledger extract attached to a payment request"),
    "payment_request.ledger_removed": lambda: _("Ledger extract removed from a payment request"),
    "payment_request.submitted": lambda: _("Payment request submitted"),
    "project_decision.prepare": lambda: _("Decision on the project prepared"),
    "project_decision.sign": lambda: _("Decision on the project signed"),
    "project.settlement_prepared": lambda: _("Settlement prepared"),
    "project.settled": lambda: _("Project settled"),
    "project.balance_payment_approved": lambda: _("Balance of the settlement approved for payment"),
    "project.return_recorded": lambda: _("Return of the excess grant recorded"),
    "payment_request.lines_checked": lambda: _("Cost lines of a payment request checked"),
    "payment_request.checked": lambda: _("Payment request checked"),
    "payment_request.reopened": lambda: _("Payment request reopened to be checked again"),
    "payment_request.approved": lambda: _("Payment request approved"),
    "payment.stopped": lambda: _("Payment stopped: the account for payments was changed"),
    "payment.approved_again": lambda: _("Stopped payment approved again to the new account"),
}


def known_kinds() -> frozenset[str]:
    return frozenset(_BUILDERS)
