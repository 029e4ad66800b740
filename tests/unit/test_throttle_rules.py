"""The sign-in limits' rules: what is counted where, and when an attempt is refused."""

import pytest

from kuntadigi.accounts import throttle_rules as tr
from kuntadigi.accounts.throttle_rules import Action, Client, Counter

OWNER = "owner@kunta.fi"
NOW = 1_700_000_000.0


def refused(action, client, email, counts):
    checked = tr.counters(action, client, email)
    return not tr.decide(checked, counts, NOW).allowed


def full(counter: Counter) -> dict[Counter, int]:
    return {counter: counter.limit.attempts}


def test_a_trusted_device_is_counted_per_device_only():
    assert tr.counters(Action.PASSWORD, Client("203.0.113.5", device="dev1"), OWNER) == [Counter(tr.PASSWORD_PER_DEVICE, ("dev1",))]


def test_an_untrusted_client_is_counted_per_address_and_email_per_address_and_per_email():
    limits = [counter.limit for counter in tr.counters(Action.PASSWORD, Client("203.0.113.5"), OWNER)]
    assert limits == [tr.PASSWORD_PER_ADDRESS_AND_EMAIL, tr.PASSWORD_PER_ADDRESS, tr.PASSWORD_PER_EMAIL_UNTRUSTED]


def test_guessing_spread_over_addresses_refuses_untrusted_clients_but_never_the_owners_device():
    email_full = full(Counter(tr.PASSWORD_PER_EMAIL_UNTRUSTED, (OWNER,)))
    assert refused(Action.PASSWORD, Client("198.51.100.77"), OWNER, email_full)
    assert not refused(Action.PASSWORD, Client("198.51.100.77", device="owners-laptop"), OWNER, email_full)


def test_a_full_address_refuses_strangers_there_but_not_a_trusted_device_at_the_same_address():
    counts = {**full(Counter(tr.PASSWORD_PER_ADDRESS, ("203.0.113.5",))), **full(Counter(tr.PASSWORD_PER_ADDRESS_AND_EMAIL, ("203.0.113.5", OWNER)))}
    assert refused(Action.PASSWORD, Client("203.0.113.5"), OWNER, counts)
    assert not refused(Action.PASSWORD, Client("203.0.113.5", device="owners-laptop"), OWNER, counts)
    assert not refused(Action.PASSWORD, Client("192.0.2.1"), OWNER, counts)


def test_one_below_the_limit_is_allowed_and_the_limit_itself_refuses():
    counter = Counter(tr.PASSWORD_PER_ADDRESS_AND_EMAIL, ("203.0.113.5", OWNER))
    client = Client("203.0.113.5")
    assert not refused(Action.PASSWORD, client, OWNER, {counter: counter.limit.attempts - 1})
    assert refused(Action.PASSWORD, client, OWNER, {counter: counter.limit.attempts})


def test_the_windows_a_stranger_can_fill_against_the_owner_are_short():
    # The per-address counters may catch the owner behind the same address: they only slow down.
    assert tr.PASSWORD_PER_ADDRESS_AND_EMAIL.window <= 5 * 60
    assert tr.PASSWORD_PER_ADDRESS.window <= 10 * 60


def test_retry_after_is_the_rest_of_the_longest_refusing_window():
    limit = tr.PASSWORD_PER_EMAIL_UNTRUSTED
    start = tr.window_start(limit, NOW)
    counter = Counter(limit, (OWNER,))
    decision = tr.decide([counter], full(counter), start + 100)
    assert decision == tr.Decision(False, limit.window - 100, ("password.email",))
    assert tr.decide([counter], {}, start + 100).allowed


def test_link_requests_count_per_email_across_every_client():
    untrusted = tr.counters(Action.LINK_REQUEST, Client("203.0.113.5"), OWNER)
    trusted = tr.counters(Action.LINK_REQUEST, Client("203.0.113.5", device="dev1"), OWNER)
    assert Counter(tr.LINK_PER_EMAIL, (OWNER,)) in untrusted
    assert Counter(tr.LINK_PER_EMAIL, (OWNER,)) in trusted
    assert Counter(tr.LINK_PER_ADDRESS, ("203.0.113.5",)) in untrusted
    assert Counter(tr.LINK_PER_DEVICE, ("dev1",)) in trusted


def test_links_that_do_not_work_count_per_address_or_device():
    assert tr.counters(Action.BAD_LINK, Client("203.0.113.5"), None) == [Counter(tr.BAD_LINK_PER_ADDRESS, ("203.0.113.5",))]
    assert tr.counters(Action.BAD_LINK, Client("203.0.113.5", device="d"), None) == [Counter(tr.BAD_LINK_PER_DEVICE, ("d",))]


def test_password_and_link_requests_name_an_email():
    for action in (Action.PASSWORD, Action.LINK_REQUEST):
        with pytest.raises(ValueError):
            tr.counters(action, Client("203.0.113.5"), None)


@pytest.mark.parametrize(
    ("raw", "counted"),
    [
        ("203.0.113.5", "203.0.113.5"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.5", "203.0.113.5"),
        ("", "unknown"),
        (None, "unknown"),
        ("not an address", "unknown"),
    ],
)
def test_an_ipv6_client_is_counted_by_its_64_network(raw, counted):
    assert tr.client_address(raw) == counted
