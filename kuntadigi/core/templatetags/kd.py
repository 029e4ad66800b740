"""Template helpers: euros, Helsinki times and Finnish-style dates in every language."""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kuntadigi import clock
from kuntadigi.applications.rules import format_euros

register = template.Library()


@register.filter
def euros(value) -> str:
    """1234.5 -> '1 234,50 €'."""
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    return f"{format_euros(amount)}\u00a0€"


@register.filter
def helsinki(value: datetime | None) -> str:
    """An instant as Helsinki wall time: '5.10.2020 klo 16.15' style, same shape in every language."""
    if not value:
        return ""
    local = clock.helsinki(value)
    at = _("at")  # "klo" in Finnish, "kl." in Swedish
    return f"{local.day}.{local.month}.{local.year} {at} {local.hour}.{local.minute:02d}"


@register.filter
def fidate(value: date | None) -> str:
    if not value:
        return ""
    return f"{value.day}.{value.month}.{value.year}"


@register.filter
def time_left(closes_at: datetime) -> str:
    """'3 days 4 hours' / '2 hours 5 minutes' until the instant; empty once past."""
    seconds = int((closes_at - clock.now()).total_seconds())
    if seconds <= 0:
        return ""
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return ngettext("%(n)d day", "%(n)d days", days) % {"n": days} + " " + ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    if hours:
        return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours} + " " + ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    return ngettext("%(n)d minute", "%(n)d minutes", max(minutes, 1)) % {"n": max(minutes, 1)}


@register.simple_tag(takes_context=True)
def url_in_language(context, lang_code: str) -> str:
    """The current page's address in another language (keeps the query string)."""
    from django.urls import translate_url

    request = context["request"]
    url = translate_url(request.path, lang_code)
    query = request.META.get("QUERY_STRING")
    return f"{url}?{query}" if query else url
