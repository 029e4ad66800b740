"""Signing in and out, the account page, and organisations: thin views over accounts.services."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kuntadigi import clock, permissions
from kuntadigi.mfa import views as mfa_views
from kuntadigi.notifications import services as notify
from kuntadigi.notifications.kinds import KINDS
from kuntadigi.officials.work import official_landing
from kuntadigi.registry import services as registry_services

from . import rules, services, throttle
from .forms import WRONG_CREDENTIALS, EmailPreferencesForm, JoinForm, LinkRequestForm, PasswordSignInForm, ProfileForm
from .models import Membership

# Sign-in attempts are counted by the rules of throttle_rules.py (per trusted device, or per address
# and e-mail for other clients), so that nobody can lock another person out; see throttle.py.
PASSWORD = throttle.Action.PASSWORD
LINK_REQUEST = throttle.Action.LINK_REQUEST
BAD_LINK = throttle.Action.BAD_LINK


def rate_limited(request, exception=None):
    """settings.RATELIMIT_VIEW: shown instead of the page when a limit is exceeded."""
    retry_after = getattr(exception, "retry_after", None)
    action = getattr(exception, "action", None)
    context = {"minutes": -(-retry_after // 60) if retry_after else None, "action": action.value if action else ""}
    response = render(request, "accounts/rate_limited.html", context, status=429)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def _safe_next(request, value: str | None) -> str:
    if value and len(value) <= 300 and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return value
    return ""


def _applicant_landing(user) -> str:
    """Where an applicant lands: "my applications", which lists first what waits for them (partners to
    confirm, supplements, drafts closing soon); a person who acts for no organisation yet asks to join one."""
    if not services.has_approved_membership(user):
        return reverse("accounts:organisations")
    return reverse("applications:mine")


def _after_sign_in(request, user, next_url: str):
    """The first factor was accepted: on to the second factor where one is needed (kuntadigi.mfa), then here."""
    target = _safe_next(request, next_url) or official_landing(user)  # people at the ministry land on their work
    if not target:
        target = _applicant_landing(user)
    return mfa_views.after_first_factor(request, user, target)


# ── Signing in ──────────────────────────────────────────────────────────────


def _sign_in_page(request, *, link_form=None, password_form=None, status=200):
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    context = {"link_form": link_form or LinkRequestForm(), "password_form": password_form or PasswordSignInForm(), "next": next_url}
    return render(request, "accounts/sign_in.html", context, status=status)


def sign_in(request):
    """The sign-in page (both ways); its POST is the password sign-in."""
    if request.method != "POST":
        return _sign_in_page(request)
    form = PasswordSignInForm(request.POST)
    if form.is_valid():
        email = services.normalise_email(form.cleaned_data["email"])
        throttle.refuse_if_limited(request, PASSWORD, email)
        user = authenticate(request, username=email, password=form.cleaned_data["password"])
        if user is not None:
            login(request, user)
            services.record_sign_in(user, "password")
            return _after_sign_in(request, user, request.POST.get("next", ""))
        throttle.count(request, PASSWORD, email)  # only failures count
        form.add_error(None, WRONG_CREDENTIALS)
    return _sign_in_page(request, password_form=form, status=400)


def request_link(request):
    """Send a sign-in link. The answer is the same whether or not the address belongs to a user."""
    if request.method != "POST":
        return redirect("accounts:sign_in")
    form = LinkRequestForm(request.POST)
    if not form.is_valid():
        return _sign_in_page(request, link_form=form, status=400)
    email = services.normalise_email(form.cleaned_data["email"])
    # Every request counts (each sends mail), per e-mail across all clients; links already sent keep working.
    throttle.refuse_if_limited(request, LINK_REQUEST, email)
    throttle.count(request, LINK_REQUEST, email)
    services.request_sign_in_link(email, next_url=_safe_next(request, request.POST.get("next")))
    return redirect("accounts:link_sent")


def link_sent(request):
    return render(request, "accounts/link_sent.html", {"minutes": services.TOKEN_LIFETIME_MINUTES})


def use_link(request, token: str):
    """GET shows a button and leaves the token unused (mail scanners open links); POST signs in."""
    if request.method == "POST":
        result = services.sign_in_with_token(token, language=get_language() or "fi")
        if result is None:
            # Only links that do not work are limited: a valid link always signs in.
            throttle.refuse_if_limited(request, BAD_LINK)
            throttle.count(request, BAD_LINK)
            return render(request, "accounts/link_invalid.html", status=400)
        user, next_url = result
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return _after_sign_in(request, user, next_url)
    stored = services.valid_token(token)
    if stored is None:
        return render(request, "accounts/link_invalid.html", status=400)
    return render(request, "accounts/use_link.html", {"email": stored.email, "expires_at": stored.expires_at})


@require_POST
def sign_out(request):
    if request.user.is_authenticated:
        services.record_sign_out(request.user)
    logout(request)
    messages.success(request, _("You have signed out."))
    return redirect("core:home")


# ── Account ────────────────────────────────────────────────────────────────


def _password_form_class(user):
    return PasswordChangeForm if user.has_usable_password() else SetPasswordForm


# The account page lists this many of the latest messages sent to the person.
MESSAGES_SHOWN = 50


def _account_page(request, *, profile_form=None, password_form=None, status=200):
    user = request.user
    sent = list(notify.messages_for(user)[:MESSAGES_SHOWN])
    for message in sent:
        message.kind_label = KINDS[message.kind].label if message.kind in KINDS else message.kind
    context = {
        "profile_form": profile_form or ProfileForm(instance=user),
        "password_form": password_form or _password_form_class(user)(user),
        "preferences_form": EmailPreferencesForm(instance=user),
        "has_password": user.has_usable_password(),
        "sent_messages": sent,
        "messages_shown": MESSAGES_SHOWN,
        "retention_days": settings.KUNTADIGI_MESSAGE_RETENTION_DAYS,
    }
    return render(request, "accounts/account.html", context, status=status)


@login_required
def account(request):
    if request.method != "POST":
        return _account_page(request)
    form = ProfileForm(request.POST, instance=request.user)
    if form.is_valid():
        data = form.cleaned_data
        services.update_profile(request.user, full_name=data["full_name"], phone=data["phone"], language=data["language"])
        messages.success(request, _("Your details were saved."))
        return redirect("accounts:account")
    request.user.refresh_from_db()
    return _account_page(request, profile_form=form, status=400)


@login_required
def email_preferences(request):
    if request.method != "POST":
        return redirect("accounts:account")
    form = EmailPreferencesForm(request.POST, instance=request.user)
    form.is_valid()  # two check boxes: always valid; an unchecked box is False
    services.set_email_preferences(
        request.user, reminder_emails=form.cleaned_data.get("reminder_emails", False), update_emails=form.cleaned_data.get("update_emails", False)
    )
    messages.success(request, _("Your e-mail preferences were saved."))
    return redirect(reverse("accounts:account") + "#email-heading")


@login_required
def change_password(request):
    if request.method != "POST":
        return redirect("accounts:account")
    form = _password_form_class(request.user)(request.user, request.POST)
    if form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        services.record_password_change(user)
        messages.success(request, _("Your password was saved."))
        return redirect("accounts:account")
    return _account_page(request, password_form=form, status=400)


# ── Organisations ───────────────────────────────────────────────────────────


def _organisations_page(request, *, join_form=None, lookup=None, choice_error: str = "", status=200):
    user = request.user
    memberships = list(Membership.objects.filter(user=user).select_related("organisation").order_by("organisation__name_fi"))
    pending_ids = [m.organisation_id for m in memberships if m.status == Membership.Status.PENDING]
    admins = services.administrators_by_organisation(pending_ids) if pending_ids else {}
    estimates = services.decision_estimates(memberships)
    for membership in memberships:
        membership.approvers = admins.get(membership.organisation_id, [])
        # Names only: someone who is not yet a member does not see the administrators' e-mail addresses.
        membership.approver_names = [admin.full_name for admin in membership.approvers if admin.full_name]
        membership.estimate = rules.estimate_text(estimates[membership.pk]) if membership.pk in estimates else ""
    is_admin = bool(permissions.organisation_ids(user, admin_only=True))
    # Officials decide on their own page; here administrators see their organisations' requests.
    to_decide = list(services.pending_requests(user).filter(organisation_id__in=permissions.organisation_ids(user, admin_only=True))) if is_admin else []
    context = {
        "memberships": memberships,
        "join_form": join_form or JoinForm(),
        "organisations": registry_services.active_organisations(on=_today()),
        "lookup": lookup,
        "choice_error": choice_error,
        "to_decide": to_decide,
        "user_is_admin": is_admin,
    }
    return render(request, "accounts/organisations.html", context, status=status)


def _today():
    return clock.helsinki(clock.now()).date()


@login_required
def organisations(request):
    return _organisations_page(request)


def _ask_to_join(request, organisation):
    try:
        services.request_membership(request.user, organisation)
    except services.MembershipError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("You asked to join %(organisation)s. You can act for it once your request is approved.") % {"organisation": organisation.name}
        )
    return redirect("accounts:organisations")


@login_required
@require_POST
def join_organisation(request):
    """Resolve the typed text to one organisation, or offer the matches to choose from."""
    chosen = request.POST.get("organisation_id", "")
    if chosen:
        if not chosen.isdigit():
            raise Http404
        organisation = get_object_or_404(registry_services.active_organisations(on=_today()), pk=int(chosen))
        return _ask_to_join(request, organisation)
    form = JoinForm(request.POST)
    if not form.is_valid():
        return _organisations_page(request, join_form=form, status=400)
    # Only the organisations that exist today: a municipality merged into another takes no new members.
    lookup = registry_services.find_organisation(form.cleaned_data["organisation"], on=_today())
    if lookup.match is not None:
        return _ask_to_join(request, lookup.match)
    if not lookup.candidates:
        form.add_error("organisation", _("No organisation matches “%(text)s”. Check the spelling or type a part of the name.") % {"text": lookup.text})
        return _organisations_page(request, join_form=form, status=400)
    choice_error = _("Choose one of the organisations.") if request.POST.get("step") == "choose" else ""
    return _organisations_page(request, join_form=form, lookup=lookup, choice_error=choice_error, status=400 if choice_error else 200)


@login_required
def membership_requests(request):
    """Ministry officials (the registry's keepers): every pending request to join an organisation."""
    if not permissions.is_registry_official(request.user):
        raise Http404
    requests = list(services.pending_requests(request.user))
    return render(request, "accounts/membership_requests.html", {"requests": requests, "in_domain": sum(1 for r in requests if r.confirmed_domain)})


@login_required
@require_POST
def decide_membership(request, pk: int):
    membership = get_object_or_404(Membership.objects.select_related("organisation", "user"), pk=pk)
    if not services.can_see_membership_request(request.user, membership):
        raise Http404
    decision = request.POST.get("decision", "")
    try:
        services.decide_membership(request.user, membership, decision)
    except services.MembershipError as error:
        messages.error(request, str(error))
    else:
        person = membership.user.full_name or membership.user.email
        if decision == services.REJECT:
            messages.success(request, _("The request of %(person)s was rejected.") % {"person": person})
        elif decision == services.APPROVE_ADMIN:
            messages.success(
                request, _("%(person)s is now an administrator of %(organisation)s.") % {"person": person, "organisation": membership.organisation.name}
            )
        else:
            messages.success(request, _("%(person)s can now act for %(organisation)s.") % {"person": person, "organisation": membership.organisation.name})
    return redirect(_safe_next(request, request.POST.get("next")) or "accounts:organisations")
