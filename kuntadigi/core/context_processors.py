from django.conf import settings

from kuntadigi import clock, permissions


def site(request):
    """What every page needs: the demo banner's clock and the signed-in user's roles."""
    user = getattr(request, "user", None)
    started = clock.started_at()
    return {
        "demo_mode": settings.KUNTADIGI_DEMO or clock.is_set(),
        "clock_now": clock.helsinki(clock.now()),
        "clock_is_set": clock.is_set(),
        "clock_started": clock.helsinki(started) if started else None,
        "clock_frozen": clock.is_frozen(),
        "user_is_official": permissions.is_official(user),
    }
