"""Officials' registry page: joint municipal authorities and business IDs."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kuntadigi import permissions

from . import services
from .forms import JointAuthorityForm, MunicipalityBusinessIdForm
from .models import Organisation


def _require_official(user) -> None:
    # The page is not shown to those who may not use it.
    if not permissions.can_manage_organisations(user):
        raise Http404


def _page(request, *, joint_form=None, business_id_form=None, status=200):
    joint_authorities = Organisation.objects.filter(kind=Organisation.Kind.JOINT_AUTHORITY).select_related("region").order_by("name_fi")
    context = {
        "joint_form": joint_form or JointAuthorityForm(),
        "business_id_form": business_id_form or MunicipalityBusinessIdForm(),
        "joint_authorities": joint_authorities,
    }
    return render(request, "registry/organisations.html", context, status=status)


@login_required
def organisations(request):
    _require_official(request.user)
    return _page(request)


def _apply_service_errors(form, error: ValidationError) -> None:
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
                request.user, name_fi=data["name_fi"], name_sv=data["name_sv"], business_id=data["business_id"], region=data["region"]
            )
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": organisation.name})
            return redirect("registry:organisations")
    return _page(request, joint_form=form, status=400)


@login_required
def set_business_id(request):
    _require_official(request.user)
    if request.method != "POST":
        return redirect("registry:organisations")
    form = MunicipalityBusinessIdForm(request.POST)
    if form.is_valid():
        municipality = form.cleaned_data["municipality"]
        try:
            services.set_business_id(request.user, municipality, form.cleaned_data["business_id"])
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, _("The business ID of %(name)s was saved.") % {"name": municipality.name})
            return redirect("registry:organisations")
    return _page(request, business_id_form=form, status=400)
