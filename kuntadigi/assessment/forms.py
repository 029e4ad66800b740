"""Forms of the assessment pages. They check the FORMAT of what was sent; services.py checks the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Tie
from .rules import ScoreEntry

PER_APPLICATION_DEFAULT = 2


class TieForm(forms.Form):
    organisation = forms.CharField(
        label=_("Organisation"),
        max_length=200,
        help_text=_("Type the name in Finnish or Swedish, or the municipality code, and choose from the suggestions."),
        error_messages={"required": _("Type the name of the organisation you are tied to.")},
    )
    kind = forms.ChoiceField(
        label=_("Kind of tie"),
        choices=Tie.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the kind of tie."), "invalid_choice": _("Choose the kind of tie.")},
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        max_length=300,
        required=False,
        help_text=_("For example your position or the body you sit on."),
        error_messages={"max_length": _("Keep the note to 300 characters.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].widget.attrs.update({"list": "organisation-options", "autocomplete": "off"})


class SpreadForm(forms.Form):
    per_application = forms.IntegerField(
        label=_("Assessors per application"),
        min_value=1,
        max_value=10,
        initial=PER_APPLICATION_DEFAULT,
        error_messages={
            "required": _("Give the number of assessors per application."),
            "invalid": _("Give the number of assessors per application as a whole number."),
            "min_value": _("Choose from 1 to 10 assessors per application."),
            "max_value": _("Choose from 1 to 10 assessors per application."),
        },
    )
    include_unscreened = forms.BooleanField(label=_("Include submitted applications that have not yet been screened"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["per_application"].widget.attrs.update({"class": "narrow", "inputmode": "numeric"})


class ScoresForm:
    """One score (radio buttons on the call's scale) and one justification per criterion of the call.

    Not a Django form: the fields depend on the call's criteria, and the template draws each criterion
    as a fieldset. It parses what was sent; the rules (scale, required on submit) are in rules.py."""

    def __init__(self, criteria, score_min: int, score_max: int, data=None, initial: dict | None = None):
        self.criteria = list(criteria)
        self.scale = list(range(score_min, score_max + 1))
        self.data = data
        self.errors: dict[str, list[str]] = {}
        self.entries: dict[int, ScoreEntry] = {}
        self.values: dict[int, dict] = {}
        initial = initial or {}
        for criterion in self.criteria:
            if data is None:
                score = initial.get(criterion.pk)
                self.values[criterion.pk] = {
                    "score": "" if score is None or score.score is None else str(score.score),
                    "justification": "" if score is None else score.justification,
                }
            else:
                self.values[criterion.pk] = {
                    "score": (data.get(self.score_name(criterion)) or "").strip(),
                    "justification": (data.get(self.justification_name(criterion)) or "").replace("\r\n", "\n"),
                }

    @staticmethod
    def score_name(criterion) -> str:
        return f"score_{criterion.pk}"

    @staticmethod
    def justification_name(criterion) -> str:
        return f"justification_{criterion.pk}"

    def add_error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(str(message))

    def is_valid(self) -> bool:
        """Parse the scores: a score must be a whole number (its scale is checked by the rules)."""
        for criterion in self.criteria:
            raw = self.values[criterion.pk]["score"]
            score = None
            if raw:
                try:
                    score = int(raw)
                except ValueError:
                    self.add_error(self.score_name(criterion), _("Give a score from %(min)d to %(max)d.") % {"min": self.scale[0], "max": self.scale[-1]})
            justification = self.values[criterion.pk]["justification"]
            if len(justification) > 10000:
                self.add_error(self.justification_name(criterion), _("Keep the justification to 10 000 characters."))
            self.entries[criterion.pk] = ScoreEntry(score, justification)
        return not self.errors

    def add_problems(self, problems) -> None:
        names = {c.pk: c for c in self.criteria}
        for problem in problems:
            criterion = names.get(problem.criterion_id)
            if criterion is None:
                continue
            name = self.score_name(criterion) if problem.field == "score" else self.justification_name(criterion)
            if name not in self.errors:  # a score that is not a number already says so
                self.add_error(name, problem.message)

    def anchor(self, name: str) -> str:
        """The id an error links to: the first radio button of a score, the text area of a justification."""
        if name.startswith("score_"):
            return f"id_{name}_{self.scale[0]}" if self.scale else f"id_{name}"
        return f"id_{name}"

    def error_items(self) -> list[tuple[str, str]]:
        items = []
        for criterion in self.criteria:
            for name in (self.score_name(criterion), self.justification_name(criterion)):
                items.extend((self.anchor(name), message) for message in self.errors.get(name, []))
        return items

    def rows(self) -> list[dict]:
        """What the template draws for each criterion."""
        rows = []
        for criterion in self.criteria:
            score_name = self.score_name(criterion)
            justification_name = self.justification_name(criterion)
            rows.append(
                {
                    "criterion": criterion,
                    "score_name": score_name,
                    "score_value": self.values[criterion.pk]["score"],
                    "score_errors": self.errors.get(score_name, []),
                    "options": [{"value": str(v), "id": f"id_{score_name}_{v}"} for v in self.scale],
                    "justification_name": justification_name,
                    "justification_id": f"id_{justification_name}",
                    "justification_value": self.values[criterion.pk]["justification"],
                    "justification_errors": self.errors.get(justification_name, []),
                }
            )
        return rows
