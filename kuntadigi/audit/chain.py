"""The audit trail's hash chain: each event carries the hash of the one before it.

An event's hash is SHA-256 over the previous event's hash and a canonical serialisation of the
event's fields (JSON with sorted keys, no spaces, times in UTC with microseconds). The first event
chains to GENESIS. Changing, removing or reordering a stored event breaks the chain from that event
on, and `manage.py verify_audit` reports the first broken link.

This module is pure: no database. The serialisation is a stored format: changing it would break the
verification of every existing trail, so it carries a version number ("v").
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

FORMAT_VERSION = 1
# The hash the first event chains to: fixed, so that a trail emptied and started again is visible.
GENESIS = hashlib.sha256(b"kuntadigi audit trail genesis v1").hexdigest()


@dataclass(frozen=True)
class EventFields:
    at: datetime
    actor_id: int | None
    action: str
    object_type: str
    object_id: str
    application_id: int | None
    before: Any
    after: Any


def _normalised(value: Any) -> Any:
    """The JSON value as the database gives it back: a float without a fractional part is read back
    from PostgreSQL's jsonb as an integer (1e16 -> 10000000000000000), so it is hashed as one."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _normalised(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_normalised(item) for item in value]
    return value


def json_value(value: Any) -> Any:
    """A value as it is stored in a JSON column and read back (tuples become lists, keys strings)."""
    return _normalised(json.loads(json.dumps(value)))


def canonical(fields: EventFields) -> bytes:
    if fields.at.tzinfo is None:
        raise ValueError("An audit event's time must be aware.")
    document = {
        "v": FORMAT_VERSION,
        "at": fields.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": fields.actor_id,
        "action": fields.action,
        "object_type": fields.object_type,
        "object_id": fields.object_id,
        "application": fields.application_id,
        "before": json_value(fields.before),
        "after": json_value(fields.after),
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def event_hash(fields: EventFields, previous_hash: str) -> str:
    """The event's hash: SHA-256 over the previous hash, a newline and the canonical fields."""
    return hashlib.sha256(previous_hash.encode("ascii") + b"\n" + canonical(fields)).hexdigest()


@dataclass(frozen=True)
class BrokenLink:
    event_id: int
    what: str  # "previous_hash": the link to the event before; "hash": the event's own content
    expected: str
    found: str


def first_broken_link(rows) -> tuple[int, BrokenLink | None]:
    """Walk (id, EventFields, previous_hash, hash) rows in id order; return how many were checked
    and the first broken link (None when the chain holds)."""
    expected_previous = GENESIS
    count = 0
    for event_id, fields, previous_hash, stored_hash in rows:
        count += 1
        if previous_hash != expected_previous:
            return count, BrokenLink(event_id, "previous_hash", expected_previous, previous_hash)
        expected = event_hash(fields, previous_hash)
        if stored_hash != expected:
            return count, BrokenLink(event_id, "hash", expected, stored_hash)
        expected_previous = stored_hash
    return count, None
