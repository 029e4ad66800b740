"""The audit trail of one application as a timeline people can read, and as raw events for audits.

`application_timeline(application, language)` loads the application's events and everything their
sentences name (people and their roles, organisations, cost categories, criteria) in a fixed number
of queries, whatever the number of events, and hands each event to the pure
`kuntadigi.audit.describe`. `raw_events(application)` gives the events as stored, for the download.
Only the columns named here are read, so a column added to the audit model later changes nothing here
(the download adds any column it does not know as it is)."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterable

from django.core.serializers.json import DjangoJSONEncoder

from kuntadigi.accounts.models import Membership, User
from kuntadigi.applications.lifecycle import SUPPLEMENT_STATES
from kuntadigi.applications.models import Application, Participant
from kuntadigi.audit import describe
from kuntadigi.audit.models import AuditEvent
from kuntadigi.audit.services import READ
from kuntadigi.calls.models import CallRole, CostCategory, Criterion
from kuntadigi.registry.models import Organisation

EVENT_FIELDS = ("at", "actor_id", "action", "before", "after")
# Payload keys that name a person or an organisation by id.
_USER_KEYS = ("assessor",)
_ORGANISATION_KEYS = ("organisation",)


# The municipality's own editing. While it supplements its application, these events carry its unsubmitted
# working paper (a budget's lines, say), which nobody at the ministry reads: they show once it submits.
WORKING_PAPER_ACTIONS = frozenset(
    {
        "application.saved",
        "application.budget_saved",
        "application.partner_added",
        "application.partner_removed",
        "application.attachment_added",
        "application.attachment_deleted",
        "application.confirm_participation",
        "application.decline_participation",
        "application.partner_asked_again",
    }
)
SUPPLEMENT_OPENED = "screening.supplement_requested"


def submitted_history(actions: list[str], being_supplemented: bool) -> list[bool]:
    """Which events (given by their actions, oldest first) the ministry may read: all of them, except, while
    the application is being supplemented, the municipality's editing since the supplement was asked."""
    if not being_supplemented or SUPPLEMENT_OPENED not in actions:
        return [True] * len(actions)
    opened = len(actions) - 1 - actions[::-1].index(SUPPLEMENT_OPENED)
    return [index <= opened or action not in WORKING_PAPER_ACTIONS for index, action in enumerate(actions)]


def _readable(application: Application, rows: list[dict]) -> list[dict]:
    shown = submitted_history([row["action"] for row in rows], application.state in SUPPLEMENT_STATES)
    return [row for row, keep in zip(rows, shown, strict=True) if keep]


def _events(application: Application) -> list[describe.Event]:
    # Officials' reads (audit.services.READ) are listed for system administrators in the admin, not here.
    rows = _readable(
        application, list(AuditEvent.objects.filter(application_id=application.pk).exclude(action=READ).order_by("at", "id").values(*EVENT_FIELDS))
    )
    return [describe.Event(action=r["action"], at=r["at"], actor_id=r["actor_id"], before=r["before"] or {}, after=r["after"] or {}) for r in rows]


def _ids(events: Iterable[describe.Event], keys: tuple[str, ...]) -> set[int]:
    found: set[int] = set()
    for event in events:
        for payload in (event.before, event.after):
            if not isinstance(payload, dict):
                continue
            for key in keys:
                value = payload.get(key)
                if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
                    found.add(int(value))
    return found


def lookups_for(application: Application, events: list[describe.Event]) -> describe.Lookups:
    """Everything the events' sentences name, in seven queries."""
    actor_ids = {event.actor_id for event in events if event.actor_id is not None}
    user_ids = actor_ids | _ids(events, _USER_KEYS)
    users = {row["pk"]: row["full_name"] or row["email"] for row in User.objects.filter(pk__in=sorted(user_ids) or [0]).values("pk", "full_name", "email")}

    roles: dict[int, list[describe.Role]] = defaultdict(list)
    for row in CallRole.objects.filter(call_id=application.call_id, user_id__in=sorted(actor_ids) or [0]).order_by("role").values("user_id", "role"):
        roles[row["user_id"]].append(describe.Role("call", row["role"]))

    participants = list(Participant.objects.filter(application_id=application.pk).values("pk", "organisation_id", "role"))
    role_of_organisation = {row["organisation_id"]: row["role"] for row in participants}
    memberships = Membership.objects.filter(
        user_id__in=sorted(actor_ids) or [0], organisation_id__in=sorted(role_of_organisation) or [0], status=Membership.Status.APPROVED
    ).values("user_id", "organisation_id")
    for row in memberships:
        if not roles.get(row["user_id"]) or all(role.kind == "party" for role in roles[row["user_id"]]):
            roles[row["user_id"]].append(describe.Role("party", role_of_organisation[row["organisation_id"]], row["organisation_id"]))

    organisation_ids = _ids(events, _ORGANISATION_KEYS) | set(role_of_organisation)
    organisations = {
        row["pk"]: describe.Names(row["name_fi"], row["name_sv"])
        for row in Organisation.objects.filter(pk__in=sorted(organisation_ids) or [0]).values("pk", "name_fi", "name_sv")
    }
    categories: dict[int, describe.Names] = {}
    category_codes: dict[str, describe.Names] = {}
    for row in CostCategory.objects.filter(call_id=application.call_id).values("pk", "code", "name_fi", "name_sv", "name_en"):
        names = describe.Names(row["name_fi"] or "", row["name_sv"] or "", row["name_en"] or "")
        categories[row["pk"]] = names
        category_codes[row["code"]] = names
    criteria = {
        row["pk"]: describe.Names(row["name_fi"] or "", row["name_sv"] or "", row["name_en"] or "")
        for row in Criterion.objects.filter(call_id=application.call_id).values("pk", "name_fi", "name_sv", "name_en")
    }
    return describe.Lookups(
        users=users,
        roles={user_id: tuple(found) for user_id, found in roles.items()},
        organisations=organisations,
        participants={row["pk"]: row["organisation_id"] for row in participants},
        categories=categories,
        category_codes=category_codes,
        criteria=criteria,
    )


def application_timeline(application: Application, language: str) -> list[describe.Description]:
    """Every audit event of the application as a sentence in `language`, oldest first."""
    events = _events(application)
    if not events:
        return []
    lookups = lookups_for(application, events)
    return [describe.describe(event, lookups, language) for event in events]


# ── The raw events, for audits ───────────────────────────────────────────────


def raw_events(application: Application) -> list[dict]:
    """The application's events as stored, every column of the audit model, oldest first (officials' reads are
    in the admin's list for system administrators; a supplement in progress shows once it is submitted)."""
    names = [f.attname for f in AuditEvent._meta.concrete_fields]
    return _readable(application, list(AuditEvent.objects.filter(application_id=application.pk).exclude(action=READ).order_by("at", "id").values(*names)))


class _Encoder(DjangoJSONEncoder):
    """Also a column of bytes (a hash, say) as hex, so that a column added later never breaks the download."""

    def default(self, o):
        if isinstance(o, bytes | memoryview):
            return bytes(o).hex()
        try:
            return super().default(o)
        except TypeError:
            return str(o)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, cls=_Encoder, ensure_ascii=False, sort_keys=True)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def as_json(events: list[dict]) -> str:
    return json.dumps(events, cls=_Encoder, ensure_ascii=False, indent=2)


def as_csv(events: list[dict]) -> str:
    columns = list(events[0]) if events else [f.attname for f in AuditEvent._meta.concrete_fields]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for event in events:
        writer.writerow([_cell(event[c]) for c in columns])
    return out.getvalue()
