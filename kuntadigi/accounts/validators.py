"""A password validator that estimates how easy a password is to guess (zxcvbn), so that repetitive
('aaaaaaaaaaaa'), sequential ('abcdefghijkl', 'qwertyuiopas') and common-word passwords are refused
even when they are long enough."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from zxcvbn import zxcvbn

# zxcvbn refuses longer input; a password is judged on its first 72 characters (longer ones only gain).
MAX_CHECKED = 72
# Words anyone would try first against this service.
SERVICE_WORDS = ["kuntadigi", "valtionavustus", "statsunderstöd", "digitalisaatio", "kunta", "kommun"]


def _personal_words(user) -> list[str]:
    if user is None:
        return []
    words = []
    for value in (getattr(user, "email", ""), getattr(user, "full_name", "")):
        if value:
            words.append(value)
            words.extend(part for part in re.split(r"[^\w]+", value) if len(part) >= 3)
    return words


class PasswordStrengthValidator:
    """Refuses a password whose zxcvbn score is below min_score (0–4; 3 = "safely unguessable":
    about 10^8 guesses or more, enough against online guessing with the sign-in limits)."""

    def __init__(self, min_score: int = 3):
        self.min_score = min_score

    def validate(self, password: str, user=None) -> None:
        result = zxcvbn(password[:MAX_CHECKED], user_inputs=SERVICE_WORDS + _personal_words(user))
        if result["score"] < self.min_score:
            raise ValidationError(
                _("This password is too easy to guess. Avoid repeated characters, sequences such as abc or 123, keyboard rows and common words or names."),
                code="password_too_guessable",
            )

    def get_help_text(self) -> str:
        return _("Your password must not be easy to guess: several unrelated words, or a long mix of characters, work well.")
