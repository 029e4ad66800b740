"""Which sign-in attempts are counted where, and when an attempt is refused: pure rules, no database,
no cache, no clock (the caller gives the time).

The limits stop guessing without letting a stranger lock the owner out (OWASP's "device cookies"):

* A browser that has signed in to an account gets a signed device cookie for that account. Its
  attempts on that account are counted per that cookie only: nobody else's attempts, from however
  many addresses, can refuse them, and only its holder can use up its limit.
* Attempts from other (untrusted) clients are counted per address and e-mail together, per address,
  and per e-mail across all untrusted clients. The last one stops guessing spread over many
  addresses; it can refuse untrusted clients only, never the owner's trusted device.
* The counters that a stranger could fill against the owner (the address ones, when both sit behind
  the same address) have short windows: they slow the owner down for minutes at most.
* Only failures are counted for passwords and links in use: a correct password or a valid link
  costs nothing, and a valid sign-in link is never refused, whatever the counters say.
* Link requests stay limited per e-mail across every client (they send mail to the owner), but a
  link already sent keeps working.
"""

from __future__ import annotations

import enum
import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


class Action(enum.Enum):
    PASSWORD = "password"  # noqa: S105 (a failed password for an e-mail address)
    LINK_REQUEST = "link"  # a request to mail a sign-in link (every request counts)
    BAD_LINK = "token"  # a sign-in link that is unknown, used or expired


@dataclass(frozen=True)
class Limit:
    name: str
    attempts: int  # this many counted attempts in one window are allowed; the next is refused
    window: int  # seconds


# Passwords.
PASSWORD_PER_DEVICE = Limit("password.device", 10, 10 * 60)
PASSWORD_PER_ADDRESS_AND_EMAIL = Limit("password.address_email", 5, 5 * 60)
PASSWORD_PER_ADDRESS = Limit("password.address", 30, 10 * 60)
PASSWORD_PER_EMAIL_UNTRUSTED = Limit("password.email", 30, 60 * 60)
# Sign-in links: requests (mail to the owner), and links that do not work.
LINK_PER_EMAIL = Limit("link.email", 5, 10 * 60)
LINK_PER_DEVICE = Limit("link.device", 20, 10 * 60)
LINK_PER_ADDRESS = Limit("link.address", 20, 10 * 60)
BAD_LINK_PER_DEVICE = Limit("token.device", 30, 10 * 60)
BAD_LINK_PER_ADDRESS = Limit("token.address", 30, 10 * 60)


@dataclass(frozen=True)
class Client:
    """Who is trying: the address (IPv6 cut to its /64 network), and the device id of a valid device
    cookie for the e-mail tried, or None for an untrusted client."""

    address: str
    device: str | None = None


@dataclass(frozen=True)
class Counter:
    limit: Limit
    key: tuple[str, ...]  # what is counted; the store keeps it only hashed


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int = 0  # seconds until the first refusing counter's window ends
    refused_by: tuple[str, ...] = ()  # the names of the limits that refuse


def client_address(raw: str | None) -> str:
    """The address that is counted: an IPv4 address as it is, an IPv6 address as its /64 network (one
    home or office gets a whole /64), and "unknown" for anything else."""
    try:
        address = ipaddress.ip_address((raw or "").strip())
    except ValueError:
        return "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def counters(action: Action, client: Client, email: str | None) -> list[Counter]:
    """The counters an attempt is checked against and adds to. `email` is the normalised address
    tried (None for a sign-in link, whose e-mail is not known until it works)."""
    if action is Action.PASSWORD:
        if email is None:
            raise ValueError("a password attempt names an e-mail address")
        if client.device is not None:
            return [Counter(PASSWORD_PER_DEVICE, (client.device,))]
        return [
            Counter(PASSWORD_PER_ADDRESS_AND_EMAIL, (client.address, email)),
            Counter(PASSWORD_PER_ADDRESS, (client.address,)),
            Counter(PASSWORD_PER_EMAIL_UNTRUSTED, (email,)),
        ]
    if action is Action.LINK_REQUEST:
        if email is None:
            raise ValueError("a link request names an e-mail address")
        by_client = Counter(LINK_PER_DEVICE, (client.device,)) if client.device is not None else Counter(LINK_PER_ADDRESS, (client.address,))
        return [Counter(LINK_PER_EMAIL, (email,)), by_client]
    if client.device is not None:
        return [Counter(BAD_LINK_PER_DEVICE, (client.device,))]
    return [Counter(BAD_LINK_PER_ADDRESS, (client.address,))]


def window_start(limit: Limit, now: float) -> int:
    """The start of the fixed window that `now` (seconds since the epoch) falls in."""
    return int(now // limit.window) * limit.window


def decide(checked: Sequence[Counter], counts: Mapping[Counter, int], now: float) -> Decision:
    """Refused when any counter already holds its limit's attempts in the current window; the client
    may try again when the last refusing window ends."""
    refusing = [counter for counter in checked if counts.get(counter, 0) >= counter.limit.attempts]
    if not refusing:
        return Decision(True)
    retry_after = max(window_start(c.limit, now) + c.limit.window - int(now) for c in refusing)
    return Decision(False, max(retry_after, 1), tuple(c.limit.name for c in refusing))
