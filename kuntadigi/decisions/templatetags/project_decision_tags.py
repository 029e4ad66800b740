"""Filters for the documents of decisions on funded projects, whose facts are frozen as plain data:
euros as strings, days as ISO strings, names as {"fi": ..., "sv": ...}."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django import template

from kuntadigi.decisions import documents

register = template.Library()


@register.filter
def money(value) -> str:
    """'12345.60' → '12 345,60', '850000.00' → '850 000' (as a decision writes euros)."""
    if value in (None, ""):
        return ""
    try:
        return documents.money(Decimal(str(value)))
    except InvalidOperation:
        return ""


@register.filter
def negate(value) -> str:
    try:
        return str(-Decimal(str(value)))
    except InvalidOperation:
        return ""


@register.filter
def day(value) -> str:
    """An ISO day ('2022-10-31') or a date the Finnish and Swedish way: 31.10.2022."""
    if not value:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return documents._date(value)


@register.filter
def in_language(names, language: str) -> str:
    """A name frozen in Finnish and Swedish, in the document's language."""
    if not isinstance(names, dict):
        return names or ""
    return names.get(language) or names.get("fi") or ""


@register.filter
def is_negative(value) -> bool:
    try:
        return Decimal(str(value)) < 0
    except InvalidOperation:
        return False


@register.filter
def is_positive(value) -> bool:
    try:
        return Decimal(str(value)) > 0
    except InvalidOperation:
        return False
