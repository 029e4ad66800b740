"""Officials' registry page: joint municipal authorities, and each organisation's legal identity
(legal names and business ID) with its languages and place on the municipal map."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kuntadigi import permissions

from . import services
from .forms import EmailDomainsForm, JointAuthorityForm, LegalIdentityForm, OrganisationChoiceForm
from .models import Organisation


def _require_official(user) -> None:
    # The page is not shown to those who may not use it.
    if not permissions.can_manage_organisations(user):
        raise Http404


def _page(request, *, joint_form=None, choice_form=None, status=200):
    joint_authorities = Organisation.objects.filter(kind=Organisation.Kind.JOINT_AUTHORITY).select_related("region").order_by("name_fi")
    context = {
        "joint_form": joint_form or JointAuthorityForm(),
        "choice_form": choice_form or OrganisationChoiceForm(),
        "joint_authorities": joint_authorities,
        "ended": Organisation.objects.filter(valid_until__isnull=False).select_related("successor").order_by("valid_until", "name_fi"),
    }
    return render(request, "registry/organisations.html", context, status=status)


@login_required
def organisations(request):
    """The registry page; `?organisation=<id>` (the choice form) opens that organisation's page."""
    _require_official(request.user)
    if "organisation" in request.GET:
        form = OrganisationChoiceForm(request.GET)
        if form.is_valid():
            return redirect("registry:organisation", pk=form.cleaned_data["organisation"].pk)
        return _page(request, choice_form=form, status=400)
    return _page(request)


def _apply_service_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        form.add_error(None, error)  # each message to its field
    else:
        form.add_error("business_id", error)


@login_required
def add_joint_authority(request):
    _require_official(request.user)
    if request.method != "POST":
        return redirect("registry:organisations")
    form = JointAuthorityForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            organisation = services.add_joint_authority(
                request.user,
                name_fi=data["name_fi"],
                name_sv=data["name_sv"],
                legal_name_fi=data["legal_name_fi"],
                legal_name_sv=data["legal_name_sv"],
                business_id=data["business_id"],
                region=data["region"],
            )
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": organisation.name})
            return redirect("registry:organisations")
    return _page(request, joint_form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def organisation(request, pk: int):
    """One organisation: its legal names and business ID (an official sets them), its languages and
    its validity on the municipal map."""
    _require_official(request.user)
    org = get_object_or_404(Organisation.objects.select_related("region", "successor"), pk=pk)
    status = 200
    if request.method == "POST":
        form = LegalIdentityForm(request.POST, organisation=org)
        if form.is_valid():
            data = form.cleaned_data
            try:
                _saved, changed = services.set_legal_identity(request.user, org, data["legal_name_fi"], data["legal_name_sv"], data["business_id"])
            except ValidationError as error:
                _apply_service_errors(form, error)
            else:
                if changed:
                    messages.success(request, _("The legal names and business ID of %(name)s were saved.") % {"name": org.name})
                else:
                    messages.info(request, _("There were no changes to save."))
                return redirect("registry:organisation", pk=org.pk)
        status = 400
    else:
        form = LegalIdentityForm(initial=LegalIdentityForm.initial_from(org), organisation=org)
    return _organisation_page(request, org, form=form, status=status)


def _organisation_page(request, org, *, form=None, domains_form=None, status=200):
    context = {
        "organisation": org,
        "form": form or LegalIdentityForm(initial=LegalIdentityForm.initial_from(org), organisation=org),
        "domains_form": domains_form or EmailDomainsForm(initial=EmailDomainsForm.initial_from(org)),
        "languages": [_language_name(code) for code in org.languages],
        "predecessors": list(org.predecessors.order_by("valid_until", "name_fi")),
    }
    return render(request, "registry/organisation.html", context, status=status)


def _language_name(code: str) -> str:
    return {"fi": _("Finnish"), "sv": _("Swedish")}.get(code, code)


@login_required
@require_http_methods(["POST"])
def email_domains(request, pk: int):
    """An official sets the organisation's own e-mail domains (the first user's faster path)."""
    _require_official(request.user)
    org = get_object_or_404(Organisation.objects.select_related("region", "successor"), pk=pk)
    form = EmailDomainsForm(request.POST)
    if form.is_valid():
        try:
            _saved, changed = services.set_email_domains(request.user, org, form.cleaned_data["email_domains"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if changed:
                messages.success(request, _("The e-mail domains of %(name)s were saved.") % {"name": org.name})
            else:
                messages.info(request, _("There were no changes to save."))
            return redirect("registry:organisation", pk=org.pk)
    return _organisation_page(request, org, domains_form=form, status=400)
