"""The canonical content of an application: what a submission freezes and fingerprints.

`application_content` gives plain JSON (strings, numbers as strings, lists) in a fixed order, so that
the same content always gives the same SHA-256 fingerprint, whatever the database.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal


def canonical_json(data) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def fingerprint(data) -> str:
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def partner_budget_lines(participant) -> list[dict]:
    return [
        {"category": line.category.code, "description": line.description, "amount": _money(line.amount)}
        for line in sorted(participant.budget_lines.all(), key=lambda line: (line.category.order, line.pk))
    ]


def partner_budget_hash(participant) -> str:
    """What a partner's confirmation covers: its own cost lines. A change to them asks it again."""
    return fingerprint({"organisation": participant.organisation_id, "lines": partner_budget_lines(participant)})


def confirmation_is_current(participant) -> bool:
    return bool(participant.confirmed_at) and participant.confirmed_budget_hash == partner_budget_hash(participant)


def application_content(application) -> dict:
    """Everything the applicant submits, as plain data. Prefetch participants__budget_lines__category,
    target_areas and attachments to keep this to a handful of queries."""
    participants = list(application.participants.all())
    return {
        "call": application.call.slug,
        "reference": application.reference,
        "language": application.language,
        "project_name": application.project_name,
        "lead": _organisation(next(p for p in participants if p.role == "lead").organisation),
        "partners": [
            {
                **_organisation(p.organisation),
                "confirmed_at": p.confirmed_at.isoformat() if p.confirmed_at else None,
                "authorised": {"name": p.authorised_name, "title": p.authorised_title},
            }
            for p in participants
            if p.role == "partner"
        ],
        "target_areas": sorted(area.number for area in application.target_areas.all()),
        "summary": application.summary,
        "current_state": application.current_state,
        "objectives": application.objectives,
        "change_in_ways_of_working": application.change_in_ways_of_working,
        "rollout_and_spread": application.rollout_and_spread,
        "prior_work": application.prior_work,
        "start_date": application.start_date.isoformat() if application.start_date else None,
        "end_date": application.end_date.isoformat() if application.end_date else None,
        "contact": {"name": application.contact_name, "email": application.contact_email, "phone": application.contact_phone},
        "signatory": {"name": application.signatory_name, "title": application.signatory_title},
        "declaration_not_excluded": application.declaration_not_excluded,
        "budget": [
            {"organisation": p.organisation.municipality_code or p.organisation.business_id or str(p.organisation_id), **line}
            for p in participants
            for line in partner_budget_lines(p)
        ],
        "requested_grant": _money(application.requested_grant),
        "attachments": [
            {"name": a.original_name, "content_type": a.content_type, "size": a.size, "sha256": a.sha256, "description": a.description}
            for a in application.attachments.all()
        ],
    }


def _organisation(org) -> dict:
    return {
        "name_fi": org.name_fi,
        "name_sv": org.name_sv,
        "municipality_code": org.municipality_code,
        "business_id": org.business_id,
        "kind": org.kind,
    }
