"""Funded-project pieces for pages owned by others: the applicant's overview links to the project, the
ranking shows what refusals freed."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.translation import get_language

from kuntadigi.core import formats

from .. import services

register = template.Library()


@register.filter
def percent(share: Decimal | None) -> str:
    """0.85 → '85', 0.625 → '62,50' (fi, sv) or '62.50' (en): a share as a percentage, without the sign."""
    if share is None:
        return ""
    return formats.number(Decimal(share) * 100, get_language(), whole_if_even=True)


@register.simple_tag
def funded_project(application):
    """The funded project of the application, or None."""
    return services.project_of(application)


@register.simple_tag
def refused_amount(call) -> Decimal:
    return services.refused_amount(call)
