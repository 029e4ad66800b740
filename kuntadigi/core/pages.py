"""The service's own pages, which every Finnish public e-service has: help, the privacy notice, the cookie
notice and the accessibility statement (Act on the Provision of Digital Services 306/2019). Their facts come
from where the service keeps them: the contacts from settings.KUNTADIGI_CONTACT and the calls' data, the
cookies' names and lifetimes from the settings, the sign-in links' lifetime and retention from accounts."""

from datetime import date

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kuntadigi import clock
from kuntadigi.accounts import throttle
from kuntadigi.accounts.services import TOKEN_LIFETIME_MINUTES, TOKEN_RETENTION
from kuntadigi.calls.models import Call

# The accessibility statement: when it was first prepared and when it was last reviewed against the service
# (Act on the Provision of Digital Services 306/2019, section 15). Update LAST_REVIEWED with each review.
ACCESSIBILITY_PREPARED = date(2026, 12, 3)
ACCESSIBILITY_LAST_REVIEWED = date(2026, 12, 3)
# The privacy notice's date: update it with every change to the notice.
PRIVACY_UPDATED = date(2026, 12, 3)


def accessibility(request):
    return render(request, "core/accessibility.html", {"prepared": ACCESSIBILITY_PREPARED, "last_reviewed": ACCESSIBILITY_LAST_REVIEWED})


def _duration(seconds: int | None) -> str:
    """A cookie's lifetime in words: days, or hours, or 'until the browser is closed'."""
    if seconds is None:
        return _("until you close the browser")
    days = seconds // 86400
    if days >= 1:
        return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
    hours = max(seconds // 3600, 1)
    return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}


def service_cookies() -> list[dict]:
    """The cookies the service itself sets, named as the settings name them, with why and for how long."""
    session_life = _("until you sign out, at most %(duration)s") % {"duration": _duration(settings.SESSION_COOKIE_AGE)}
    if settings.SESSION_EXPIRE_AT_BROWSER_CLOSE:
        session_life = _("until you sign out or close the browser")
    return [
        {
            "name": settings.SESSION_COOKIE_NAME,
            "purpose": _(
                "Keeps you signed in. It holds only a random identifier of your session; what the session holds "
                "(who you are, whether you have confirmed a second factor) stays on the server."
            ),
            "lifetime": session_life,
        },
        {
            "name": settings.CSRF_COOKIE_NAME,
            "purpose": _("Protects the forms you send against cross-site request forgery: a form is accepted only from this service's own pages."),
            "lifetime": _duration(settings.CSRF_COOKIE_AGE),
        },
        {
            "name": CookieStorage.cookie_name,
            "purpose": _("Carries a short notice, such as “Saved”, to the next page you open. It is removed once the notice has been shown."),
            "lifetime": _("until the notice is shown"),
        },
        {
            "name": settings.LANGUAGE_COOKIE_NAME,
            "purpose": _(
                "Remembers the language you chose, if you choose it with the language form. The language links at the top of each "
                "page do not need it: the language is in the address (/fi/, /sv/, /en/)."
            ),
            "lifetime": _duration(settings.LANGUAGE_COOKIE_AGE),
        },
        {
            "name": throttle.DEVICE_COOKIE,
            "purpose": _(
                "Remembers a browser that has signed in before, so that the limits on failed sign-ins do not lock you out when "
                "someone else tries to sign in with your address. It holds a code derived from your e-mail address, not the "
                "address itself, signed by the service."
            ),
            "lifetime": _duration(throttle.DEVICE_COOKIE_MAX_AGE),
        },
    ]


def cookies(request):
    return render(request, "core/cookies.html", {"cookies": service_cookies()})


def privacy(request):
    return render(
        request,
        "core/privacy.html",
        {
            "updated": PRIVACY_UPDATED,
            "token_minutes": TOKEN_LIFETIME_MINUTES,
            "token_retention_hours": int(TOKEN_RETENTION.total_seconds() // 3600),
            "session_days": settings.SESSION_COOKIE_AGE // 86400,
            "message_retention_days": settings.KUNTADIGI_MESSAGE_RETENTION_DAYS,
        },
    )


def help_page(request):
    """How to apply jointly, and whom to ask: the contact persons of the calls open or coming (the calls' own
    data), and the ministry's general contact (settings.KUNTADIGI_CONTACT) when no call names anyone."""
    now = clock.now()
    calls = [call for call in Call.objects.filter(is_published=True).prefetch_related("contacts") if call.phase(now) != "closed"]
    context = {"calls": calls, "calls_with_contacts": [call for call in calls if call.contacts.all()], "token_minutes": TOKEN_LIFETIME_MINUTES}
    return render(request, "core/help.html", context)
