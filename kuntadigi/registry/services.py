"""Use cases for the organisation registry: business IDs, joint municipal authorities, finding an organisation."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from stdnum.fi import ytunnus

from kuntadigi import permissions
from kuntadigi.audit.services import record

from .models import Organisation, Region

INVALID_BUSINESS_ID = _("This is not a valid business ID (Y-tunnus)")


def normalise_business_id(value: str) -> str:
    """A valid Finnish business ID in its stored form '1234567-8', or ValidationError.

    Pure: no database. Accepts spaces and a missing hyphen ('0201256 6', '02012566')."""
    text = (value or "").strip()
    if not text or not ytunnus.is_valid(text):
        raise ValidationError(INVALID_BUSINESS_ID, code="invalid_business_id")
    return ytunnus.format(ytunnus.compact(text))


def business_id_taken(business_id: str, *, exclude_pk: int | None = None) -> bool:
    others = Organisation.objects.filter(business_id=business_id)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    return others.exists()


def _organisation_state(organisation: Organisation) -> dict:
    return {
        "kind": organisation.kind,
        "name_fi": organisation.name_fi,
        "name_sv": organisation.name_sv,
        "business_id": organisation.business_id,
        "municipality_code": organisation.municipality_code,
        "region_id": organisation.region_id,
    }


def add_joint_authority(actor, *, name_fi: str, name_sv: str, business_id: str, region: Region | None) -> Organisation:
    """An official adds a joint municipal authority (kuntayhtymä)."""
    decision = permissions.can_manage_organisations(actor)
    if not decision:
        raise PermissionDenied(decision.reason)
    business_id = normalise_business_id(business_id)
    with transaction.atomic():
        if business_id_taken(business_id):
            raise ValidationError(_("Another organisation already has this business ID."), code="business_id_taken")
        organisation = Organisation(
            kind=Organisation.Kind.JOINT_AUTHORITY,
            name_fi=name_fi.strip(),
            name_sv=(name_sv or "").strip() or name_fi.strip(),
            business_id=business_id,
            region=region,
        )
        organisation.full_clean()
        organisation.save()
        record(actor, "registry.joint_authority_added", organisation, after=_organisation_state(organisation))
    return organisation


def set_business_id(actor, organisation: Organisation, business_id: str) -> Organisation:
    """An official records (or corrects) an organisation's business ID."""
    decision = permissions.can_manage_organisations(actor)
    if not decision:
        raise PermissionDenied(decision.reason)
    business_id = normalise_business_id(business_id)
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if business_id_taken(business_id, exclude_pk=organisation.pk):
            raise ValidationError(_("Another organisation already has this business ID."), code="business_id_taken")
        before = {"business_id": organisation.business_id}
        organisation.business_id = business_id
        organisation.save(update_fields=["business_id"])
        record(actor, "registry.business_id_set", organisation, before=before, after={"business_id": business_id})
    return organisation


# ── Finding an organisation from typed text ────────────────────────────────


@dataclass
class Lookup:
    """The result of resolving typed text: one organisation, or a list to choose from."""

    text: str
    match: Organisation | None = None
    candidates: list[Organisation] = field(default_factory=list)


def active_organisations():
    return Organisation.objects.filter(is_active=True).order_by("name_fi")


def find_organisation(text: str, *, limit: int = 50) -> Lookup:
    """Exact name in Finnish or Swedish, municipality code or business ID gives one organisation;
    otherwise the organisations whose name or code contains the text (case-insensitive).

    Compared in Python with casefold() so that 'åbo' finds 'Åbo' on every database (SQLite's LIKE
    folds ASCII only); the registry holds a few hundred organisations, read in one query."""
    text = " ".join((text or "").split())
    lookup = Lookup(text=text)
    if not text:
        return lookup
    wanted = text.casefold()
    organisations = list(active_organisations().select_related("region"))

    def keys(org: Organisation) -> list[str]:
        return [(org.name_fi or "").casefold(), (org.name_sv or "").casefold()]

    codes = {text, text.upper()}
    exact = [org for org in organisations if wanted in keys(org) or org.municipality_code in codes or org.business_id in codes]
    if len(exact) == 1:
        lookup.match = exact[0]
        return lookup
    lookup.candidates = [
        org
        for org in organisations
        if any(wanted in key for key in keys(org)) or (org.municipality_code or "").startswith(text) or (org.business_id or "").startswith(text)
    ][:limit]
    return lookup
