"""Naming the roles of a call (preparers, presenting official, decision-maker, assessors): system
administrators only; everyone else gets 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kuntadigi import permissions
from kuntadigi.applications.errors import Refused
from kuntadigi.applications.views_drafting import error_items
from kuntadigi.calls.models import Call, CallRole
from kuntadigi.mfa.stepup import step_up_required

from . import services
from .forms import CallRoleForm


def _call_for_admin(user, call_slug: str) -> Call:
    if not permissions.can_name_call_roles(user):
        raise Http404
    return get_object_or_404(Call, slug=call_slug)


@login_required
@require_http_methods(["GET", "POST"])
@step_up_required(methods=("POST",))  # naming a role asks for the second factor again when it is not fresh
def call_roles(request, call_slug: str):
    call = _call_for_admin(request.user, call_slug)
    form = CallRoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            named = services.name_call_role(request.user, call, data["email"], data["role"], create_user=data["create_user"])
        except Refused as refusal:
            form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
        else:
            messages.success(request, _("%(person)s was named %(role)s.") % {"person": named.user.email, "role": named.get_role_display()})
            return redirect("screening:call_roles", call_slug=call.slug)
    roles = services.roles_of_call(call)
    groups = [(value, label, [r for r in roles if r.role == value]) for value, label in CallRole.Role.choices]
    context = {"call": call, "form": form, "groups": groups, "error_items": error_items(form) if form.is_bound else []}
    return render(request, "screening/roles.html", context)


@login_required
@require_POST
@step_up_required(methods=("POST",))
def remove_call_role(request, call_slug: str, role_pk: int):
    call = _call_for_admin(request.user, call_slug)
    try:
        removed = services.remove_call_role(request.user, call, role_pk)
    except Refused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("%(person)s is no longer %(role)s.") % {"person": removed.user.email, "role": removed.get_role_display()})
    return redirect("screening:call_roles", call_slug=call.slug)
