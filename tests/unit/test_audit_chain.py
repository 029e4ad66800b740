"""The audit trail's hash function and chain walk (kuntadigi/audit/chain.py), without a database."""

import hashlib
from datetime import UTC, datetime, timedelta, timezone

import pytest

from kuntadigi.audit import chain

AT = datetime(2020, 10, 5, 9, 0, 0, 123456, tzinfo=UTC)


def fields(**changes) -> chain.EventFields:
    values = {
        "at": AT,
        "actor_id": 7,
        "action": "application.submit",
        "object_type": "applications.application",
        "object_id": "42",
        "application_id": 42,
        "before": {},
        "after": {"version": 3, "name": "Yhteinen asiointi"},
    }
    values.update(changes)
    return chain.EventFields(**values)


def test_the_hash_is_sha256_over_the_previous_hash_and_the_canonical_fields():
    expected = hashlib.sha256(
        chain.GENESIS.encode()
        + b"\n"
        + b'{"action":"application.submit","actor":7,"after":{"name":"Yhteinen asiointi","version":3},"application":42,"at":"2020-10-05T09:00:00.123456+00:00",'
        + b'"before":{},"object_id":"42","object_type":"applications.application","v":1}'
    ).hexdigest()
    assert chain.event_hash(fields(), chain.GENESIS) == expected


def test_every_field_and_the_previous_hash_change_the_hash():
    base = chain.event_hash(fields(), chain.GENESIS)
    changed = [
        fields(at=AT + timedelta(microseconds=1)),
        fields(actor_id=None),
        fields(action="application.withdraw"),
        fields(object_type="applications.attachment"),
        fields(object_id="43"),
        fields(application_id=None),
        fields(before={"version": 2}),
        fields(after={"version": 4, "name": "Yhteinen asiointi"}),
    ]
    hashes = {chain.event_hash(item, chain.GENESIS) for item in changed}
    assert base not in hashes and len(hashes) == len(changed)
    assert chain.event_hash(fields(), "0" * 64) != base


def test_the_same_event_hashes_the_same_however_it_was_written():
    """Key order, the time zone of the instant and a float the database reads back as an integer do not matter."""
    helsinki = timezone(timedelta(hours=3))
    one = fields(after={"version": 3, "name": "Yhteinen asiointi", "share": 1.0, "items": (1, 2)})
    other = fields(at=AT.astimezone(helsinki), after={"items": [1, 2], "share": 1, "name": "Yhteinen asiointi", "version": 3})
    assert chain.event_hash(one, chain.GENESIS) == chain.event_hash(other, chain.GENESIS)
    assert chain.event_hash(fields(after={"share": 0.85}), chain.GENESIS) != chain.event_hash(fields(after={"share": 0.86}), chain.GENESIS)


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError, match="aware"):
        chain.event_hash(fields(at=AT.replace(tzinfo=None)), chain.GENESIS)


def _chained(count: int) -> list:
    rows, previous = [], chain.GENESIS
    for index in range(1, count + 1):
        item = fields(object_id=str(index))
        digest = chain.event_hash(item, previous)
        rows.append((index, item, previous, digest))
        previous = digest
    return rows


def test_an_intact_chain_has_no_broken_link():
    assert chain.first_broken_link(_chained(5)) == (5, None)
    assert chain.first_broken_link([]) == (0, None)


def test_a_changed_event_is_the_first_broken_link():
    rows = _chained(5)
    event_id, _, previous, digest = rows[2]
    rows[2] = (event_id, fields(object_id="999"), previous, digest)
    count, broken = chain.first_broken_link(rows)
    assert count == 3
    assert broken == chain.BrokenLink(3, "hash", chain.event_hash(fields(object_id="999"), previous), digest)


def test_a_removed_event_breaks_the_link_of_the_next_one():
    rows = _chained(5)
    del rows[1]
    count, broken = chain.first_broken_link(rows)
    assert (count, broken.event_id, broken.what) == (2, 3, "previous_hash")
    assert broken.expected == rows[0][3] and broken.found == rows[1][2]


def test_the_first_event_chains_to_the_genesis_value():
    rows = _chained(2)
    rows[0] = (1, rows[0][1], "f" * 64, rows[0][3])
    assert chain.first_broken_link(rows)[1] == chain.BrokenLink(1, "previous_hash", chain.GENESIS, "f" * 64)
