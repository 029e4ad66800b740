from django.conf import settings
from django.utils.translation import get_language

from kuntadigi import clock, permissions


def service_contact() -> dict:
    """The service's contacts (settings.KUNTADIGI_CONTACT) with the ministry's registry (name, postal address,
    visiting address) in the page's language."""
    contact = dict(settings.KUNTADIGI_CONTACT)
    language = get_language() if get_language() in contact["registry"] else settings.LANGUAGE_CODE
    contact["registry_name"], contact["postal_address"], contact["visiting_address"] = contact["registry"][language]
    return contact


def site(request):
    """What every page needs: the demo banner's clock, the service's contacts for the footer and the
    signed-in user's roles."""
    user = getattr(request, "user", None)
    started = clock.started_at()
    return {
        "demo_mode": settings.KUNTADIGI_DEMO or clock.is_set(),
        "clock_now": clock.helsinki(clock.now()),
        "clock_is_set": clock.is_set(),
        "clock_started": clock.helsinki(started) if started else None,
        "clock_frozen": clock.is_frozen(),
        "service_contact": service_contact(),
        "user_is_official": permissions.is_official(user),  # the officials' menu: opens nothing by itself
        "user_is_registry_official": permissions.is_registry_official(user),
    }
