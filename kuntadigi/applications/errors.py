"""The typed errors of the application use cases: a refusal with its reason, and a stale page."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kuntadigi import clock

from . import rules


class Refused(Exception):
    """The user may not do this, or the input breaks a rule. `message` is translated and says why;
    `problems` (rules.Problem) point at fields when there are several."""

    def __init__(self, message, *, field: str | None = None, problems: list[rules.Problem] | None = None):
        super().__init__(str(message))
        self.message = str(message)
        self.field = field
        self.problems = problems or []


class StaleVersion(Exception):
    """The page was made from an older version: someone (or another tab) saved in between."""

    def __init__(self, changed_at):
        self.changed_at = changed_at
        super().__init__(self.message)

    @property
    def time(self) -> str:
        local = clock.helsinki(self.changed_at)
        return f"{local.hour:02d}.{local.minute:02d}"

    @property
    def message(self) -> str:
        return _(
            "This application was changed by someone else (or in another tab) at %(time)s after you opened it. "
            "Your text below was NOT saved. Copy what you need, then open the latest version."
        ) % {"time": self.time}
