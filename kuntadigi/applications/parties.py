"""Who the parties of an application are on a given day, after the municipal mergers.

A decided application keeps the organisations that applied (its rows never change), but from the day
a party merged into another municipality, the successor carries its rights and duties: the pages
name the successor as the party with the predecessor noted ("Kankaanpää (Honkajoki until
31.12.2020)"), and `apply_municipal_mergers` records each such succession once in the audit trail.
The chain of successors is registry.rules.succession; the day comes from kuntadigi.clock.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.db.models import Q

from kuntadigi import clock
from kuntadigi.audit.models import AuditEvent
from kuntadigi.audit.services import record
from kuntadigi.registry import rules as registry_rules
from kuntadigi.registry.models import Organisation

from .lifecycle import DECIDED_STATES
from .models import Application, Participant
from .submission import _org_name as stored_name

logger = logging.getLogger(__name__)

SUCCEEDED = "application.party_succeeded"


def today() -> date:
    """The day in Helsinki by the service's clock."""
    return clock.helsinki(clock.now()).date()


@dataclass(frozen=True)
class Party:
    """An organisation as a party on a day: `organisation` stands for `applied` (the one that took
    part), which it succeeded in a merger when they differ."""

    organisation: Organisation
    applied: Organisation

    @property
    def succeeded(self) -> bool:
        return self.organisation.pk != self.applied.pk

    @property
    def name(self) -> str:
        """'Kankaanpää (Honkajoki until 31.12.2020)' after a merger, otherwise the name; in the reader's language."""
        if not self.succeeded:
            return self.organisation.name
        return registry_rules.party_label(self.organisation.name, self.applied.name, self.applied.valid_until)


def party_on(organisation: Organisation, day: date, *, decided: bool) -> Party:
    """The party that `organisation` is on `day`: its successor by then when the application is
    decided (an undecided application names the organisations that applied)."""
    if not decided:
        return Party(organisation, organisation)
    return Party(organisation.successor_on(day), organisation)


def is_decided(application: Application) -> bool:
    return application.state in DECIDED_STATES


def participant_parties(application: Application, participants, day: date | None = None) -> dict[int, Party]:
    """The party of each participant (by participant id) on `day` (today by default)."""
    day = day or today()
    decided = is_decided(application)
    return {p.pk: party_on(p.organisation, day, decided=decided) for p in participants}


def content_party_names(application: Application, content: dict, day: date | None = None) -> tuple[str | None, list[str] | None]:
    """The lead's and the partners' names for a stored version's content (which names organisations
    by municipality code or business ID), with successors once a decided application's party merged.
    (None, None) when nothing changed, so the caller keeps the names as submitted."""
    if not is_decided(application):
        return None, None
    day = day or today()
    parties = [content["lead"], *content.get("partners", [])]
    codes = [party.get("municipality_code") for party in parties if party.get("municipality_code")]
    ids = [party.get("business_id") for party in parties if party.get("business_id") and not party.get("municipality_code")]
    known = Organisation.objects.filter(Q(municipality_code__in=codes) | Q(business_id__in=ids)).select_related("successor")
    by_key = {org.municipality_code or org.business_id: org for org in known}
    names = []
    changed = False
    for data in parties:
        org = by_key.get(data.get("municipality_code") or data.get("business_id"))
        party = Party(org.successor_on(day), org) if org is not None else None
        if party is not None and party.succeeded:
            changed = True
            names.append(party.name)
        else:
            names.append(None)
    if not changed:
        return None, None
    shown = [name or stored_name(data) for name, data in zip(names, parties, strict=True)]
    return shown[0], shown[1:]


# ── Recording the successions ────────────────────────────────────────────────


def _state(org: Organisation) -> dict:
    return {"organisation": org.pk, "name_fi": org.name_fi, "name_sv": org.name_sv, "municipality_code": org.municipality_code, "business_id": org.business_id}


def _recorded(participant_ids: list[int]) -> set[tuple[str, int, int]]:
    events = AuditEvent.objects.filter(action=SUCCEEDED, object_type=Participant._meta.label_lower, object_id__in=[str(pk) for pk in participant_ids])
    return {(event.object_id, event.before.get("organisation"), event.after.get("organisation")) for event in events}


def apply_municipal_mergers(now: datetime) -> int:
    """Record, once, every succession a merger brought to a decided application (granted or not):
    for each lead or partner whose organisation has merged into another by `now` (the merger date,
    its last day + 1, is today or earlier in Helsinki), an audit event `application.party_succeeded`
    naming the old and the new party and the merger date. Returns how many events were recorded.

    Idempotent, also when two runs overlap: each application's row is locked while its events are
    checked and written."""
    day = clock.helsinki(now).date()
    ended = Organisation.objects.filter(successor__isnull=False, valid_until__lt=day)
    participants = list(
        Participant.objects.filter(application__state__in=DECIDED_STATES, organisation__in=ended)
        .select_related("organisation__successor")
        .order_by("application_id", "pk")
    )
    if not participants:
        return 0
    done = _recorded([p.pk for p in participants])
    made = 0
    for participant in participants:
        steps = [
            (old, new, merger_date)
            for old, new, merger_date in participant.organisation.succession_on(day)
            if (str(participant.pk), old.pk, new.pk) not in done
        ]
        if not steps:
            continue
        with transaction.atomic():
            Application.objects.select_for_update().filter(pk=participant.application_id).first()
            done |= _recorded([participant.pk])  # another run may have written them meanwhile
            for old, new, merger_date in steps:
                if (str(participant.pk), old.pk, new.pk) in done:
                    continue
                record(
                    None,
                    SUCCEEDED,
                    participant,
                    application_id=participant.application_id,
                    before={**_state(old), "role": participant.role},
                    after={**_state(new), "merger_date": merger_date.isoformat()},
                )
                done.add((str(participant.pk), old.pk, new.pk))
                made += 1
    if made:
        logger.info("%d successions after municipal mergers recorded", made)
    return made
