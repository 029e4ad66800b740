"""Public pages of the calls: the list and one call. No sign-in needed."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render

from kuntadigi import clock, permissions

from .models import Call
from .rules import call_phase, time_left


def call_list(request):
    """Published calls grouped as open, upcoming and closed. One query whatever the number of calls."""
    now = clock.now()
    groups: dict[str, list[Call]] = {Call.Phase.OPEN: [], Call.Phase.UPCOMING: [], Call.Phase.CLOSED: []}
    for call in Call.objects.filter(is_published=True).order_by("-opens_at", "pk"):
        call.phase_now = call_phase(call.opens_at, call.closes_at, now)
        groups[call.phase_now].append(call)
    # Open calls: the nearest deadline first; upcoming: the next to open first; closed: the latest first.
    groups[Call.Phase.OPEN].sort(key=lambda call: call.closes_at)
    groups[Call.Phase.UPCOMING].sort(key=lambda call: call.opens_at)
    context = {
        "open_calls": groups[Call.Phase.OPEN],
        "upcoming_calls": groups[Call.Phase.UPCOMING],
        "closed_calls": groups[Call.Phase.CLOSED],
    }
    return render(request, "calls/list.html", context)


def call_detail(request, slug: str):
    call = get_object_or_404(
        Call.objects.prefetch_related("target_areas", "exclusions", "cost_categories", "criteria", "faq", "contacts"),
        slug=slug,
    )
    if not permissions.can_view_call(request.user, call):
        raise Http404
    now = clock.now()
    phase = call_phase(call.opens_at, call.closes_at, now)
    criteria = list(call.criteria.all())
    context = {
        "call": call,
        "phase": phase,
        "is_open": phase == Call.Phase.OPEN,
        "time_left": time_left(call.closes_at, now),
        "criteria": criteria,
        "weight_total": sum((criterion.weight for criterion in criteria), start=0),
    }
    return render(request, "calls/detail.html", context)
