"""Step-up: an action that moves money or rights asks for the second factor again when it was given
longer ago than KUNTADIGI_STEP_UP_MINUTES. Use `@step_up_required` on the view of such an action (signing
decisions, naming roles, and later approving payments); `needs_step_up(request)` for the same test inside a view.

The re-verification page returns to the page the request came from: a GET comes back to itself; a POST
comes back to the GET of the same address, which shows the form again (a POST is never replayed)."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from . import services


def needs_step_up(request) -> bool:
    """The second factor was given in this session, but not within the limit. A person who has none to give
    (an applicant who never turned it on; officials always have one past the middleware) is not asked: the
    view's own rules answer them (404 for what is not theirs)."""
    if not request.user.is_authenticated or services.is_fresh(request):
        return False
    return services.is_verified(request)


def step_up_redirect(request, return_to: str | None = None):
    back = return_to or (request.get_full_path() if request.method == "GET" else request.path)
    return redirect(f"{reverse('mfa:verify')}?{urlencode({'next': back, 'step_up': '1'})}")


def step_up_required(view=None, *, methods: tuple[str, ...] = ("GET", "POST")):
    """Decorate a view: for the given methods, a second factor older than the limit is asked for first."""

    def decorate(function):
        @wraps(function)
        def wrapped(request, *args, **kwargs):
            if request.method in methods and needs_step_up(request):
                return step_up_redirect(request)
            return function(request, *args, **kwargs)

        return wrapped

    return decorate(view) if view is not None else decorate
