"""Template helpers: euros, Helsinki times and dates, each written the way the page's language writes
them (kuntadigi.core.formats): 1 234,50 € and 5.10.2020 klo 16.15 in Finnish (kl. in Swedish), €1,234.50
and 5 October 2020 at 16:15 in English."""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django import template
from django.utils.translation import get_language, ngettext

from kuntadigi import clock
from kuntadigi.core import formats

register = template.Library()


@register.filter
def euros(value) -> str:
    """1234.5 -> '1 234,50 €' (fi, sv), '€1,234.50' (en)."""
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    return formats.money(amount, get_language())


@register.filter
def helsinki(value: datetime | None) -> str:
    """An instant as Helsinki wall time: '5.10.2020 klo 16.15' (fi), '5.10.2020 kl. 16.15' (sv), '5 October 2020 at 16:15' (en)."""
    if not value:
        return ""
    return formats.instant(value, get_language())


@register.filter
def fidate(value: date | datetime | None) -> str:
    """31.1.2021 (fi, sv); 31 January 2021 (en). An instant is written as its day in Helsinki."""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = clock.helsinki(value).date()
    return formats.day(value, get_language())


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
