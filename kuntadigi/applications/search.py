"""Searching the officials' lists of applications: one form and one query helper for the list of
submitted applications and the screening list.

A search looks in the project name, the summary, the lead's and the partners' names (Finnish and
Swedish) and the reference. On PostgreSQL it is a full-text search with the Finnish and the Swedish
configurations both (an official may search a Swedish application in Finnish words and the other way
round; "Porvoon" finds "Porvoo"), each word also matching as the start of a word ("digi" finds
"digitalisaatio"). On SQLite (development and the demo) every word is a plain case-insensitive
contains match (SQLite folds the case of ASCII letters only). On both, the words found in the
reference are matched as they are written: full-text search would cut "VM/123/2020" into pieces.
"""

from __future__ import annotations

import re

from django import forms
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .models import Participant

MAX_LENGTH = 100
# Full-text configurations of PostgreSQL for the service's two languages of applications.
CONFIGS = ("finnish", "swedish")
_WORD = re.compile(r"[^\W_]+")


class SearchForm(forms.Form):
    """The search box of the officials' lists (GET: a search is a link that can be shared)."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=MAX_LENGTH,
        strip=True,
        help_text=_("Project name, summary, municipality or reference."),
        widget=forms.TextInput(attrs={"type": "search", "class": "narrow", "aria-describedby": "id_q_helptext"}),
    )

    def text(self) -> str:
        """The cleaned search, or '' (a search that is too long is cut rather than refused)."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data["q"]
        return (self.data.get("q") or "").strip()[:MAX_LENGTH]


def words(text: str) -> list[str]:
    """The words of a search: letters and digits; everything else separates them."""
    return _WORD.findall(text or "")


def uses_full_text() -> bool:
    """The one place that chooses the way of searching: PostgreSQL's full-text search, or a plain match."""
    return connection.vendor == "postgresql"


def search_applications(queryset: QuerySet, text: str) -> QuerySet:
    """The applications of `queryset` that the search `text` finds; all of them for an empty search."""
    text = (text or "").strip()[:MAX_LENGTH]
    found_words = words(text)
    if not found_words:
        return queryset
    by_reference = Q(reference__icontains=text)
    if uses_full_text():
        return _full_text(queryset, found_words, by_reference)
    return queryset.filter(by_reference | _contains(found_words))


def _partners() -> QuerySet:
    return Participant.objects.filter(application=OuterRef("pk"), role=Participant.Role.PARTNER)


def _contains(found_words: list[str]) -> Q:
    """Every word is somewhere in the texts (SQLite)."""
    condition = Q()
    for word in found_words:
        partners = _partners().filter(Q(organisation__name_fi__icontains=word) | Q(organisation__name_sv__icontains=word))
        condition &= (
            Q(project_name__icontains=word)
            | Q(summary__icontains=word)
            | Q(reference__icontains=word)
            | Q(lead__name_fi__icontains=word)
            | Q(lead__name_sv__icontains=word)
            | Exists(partners)
        )
    return condition


def _full_text(queryset: QuerySet, found_words: list[str], by_reference: Q) -> QuerySet:
    """Every word matches, as a word or the start of one, in Finnish or in Swedish (PostgreSQL)."""
    from django.contrib.postgres.aggregates import StringAgg
    from django.contrib.postgres.search import SearchQuery, SearchVector
    from django.db.models import Subquery, Value
    from django.db.models.functions import Concat

    partner_names = Subquery(
        _partners()
        .values("application")
        .annotate(names=StringAgg(Concat("organisation__name_fi", Value(" "), "organisation__name_sv"), " "))
        .values("names")[:1]
    )
    fields = ("project_name", "summary", "reference", "lead__name_fi", "lead__name_sv", partner_names)
    # Only letters and digits reach the query (words()): the user cannot give to_tsquery an operator.
    terms = " & ".join(f"{word}:*" for word in found_words)
    condition = by_reference
    aliases = {}
    for config in CONFIGS:
        aliases[f"search_{config}"] = SearchVector(*fields, config=config)
        condition |= Q(**{f"search_{config}": SearchQuery(terms, config=config, search_type="raw")})
    return queryset.alias(**aliases).filter(condition)
