"""A lifecycle as a table: (state, action) → next state. Each domain writes its own table in its
lifecycle.py (applications, funded projects), where it is read at a glance; this is how a table answers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


class TransitionNotAllowed(Exception):
    pass


@dataclass(frozen=True)
class Lifecycle:
    transitions: Mapping[tuple[str, str], str]

    def next_state(self, state: str, action: str) -> str:
        try:
            return self.transitions[(state, action)]
        except KeyError:
            raise TransitionNotAllowed(f"{action} is not allowed from {state}") from None

    def allowed_actions(self, state: str) -> list[str]:
        return [action for (from_state, action) in self.transitions if from_state == state]
