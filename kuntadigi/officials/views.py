"""The officials' work page: thin, over work.py."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from kuntadigi import permissions

from . import work as work_queries


@login_required
def work(request):
    """The landing page of everyone at the ministry (officials, assessors, decision-makers); 404 for others."""
    if work_queries.official_landing(request.user) is None:
        raise Http404
    return render(
        request, "officials/work.html", {"work": work_queries.work_for(request.user), "may_declare_ties": bool(permissions.can_declare_ties(request.user))}
    )
