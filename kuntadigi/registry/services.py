"""Use cases for the organisation registry: business IDs, joint municipal authorities, finding an organisation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from stdnum.fi import ytunnus

from kuntadigi import permissions
from kuntadigi.audit.services import record

from . import rules
from .models import Organisation, Region

INVALID_BUSINESS_ID = _("This is not a valid business ID (Y-tunnus)")
BUSINESS_ID_TAKEN = _("Another organisation already has this business ID.")


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
        "legal_name_fi": organisation.legal_name_fi,
        "legal_name_sv": organisation.legal_name_sv,
        "business_id": organisation.business_id,
        "municipality_code": organisation.municipality_code,
        "region_id": organisation.region_id,
    }


def _require_manager(actor) -> None:
    decision = permissions.can_manage_organisations(actor)
    if not decision:
        raise PermissionDenied(decision.reason)


def _business_id_or_none(value: str | None) -> str | None:
    """A business ID in its stored form, None when left empty; ValidationError on the field when invalid."""
    if not (value or "").strip():
        return None
    try:
        return normalise_business_id(value)
    except ValidationError as error:
        raise ValidationError({"business_id": error.messages}) from error


def _check_legal_names(legal_name_fi: str, legal_name_sv: str) -> None:
    limit = Organisation._meta.get_field("legal_name_fi").max_length
    errors = {
        name: [_("Write at most %(limit)d characters.") % {"limit": limit}]
        for name, value in (("legal_name_fi", legal_name_fi), ("legal_name_sv", legal_name_sv))
        if len(value) > limit
    }
    if errors:
        raise ValidationError(errors)


def add_joint_authority(
    actor, *, name_fi: str, name_sv: str, business_id: str, region: Region | None, legal_name_fi: str = "", legal_name_sv: str = ""
) -> Organisation:
    """An official adds a joint municipal authority (kuntayhtymä) with its legal names. A legal name
    left empty is the authority's name in that language (a joint authority's name is usually its legal name)."""
    _require_manager(actor)
    business_id = normalise_business_id(business_id)
    name_fi = name_fi.strip()
    name_sv = (name_sv or "").strip() or name_fi
    legal_name_fi = (legal_name_fi or "").strip() or name_fi
    legal_name_sv = (legal_name_sv or "").strip() or name_sv
    _check_legal_names(legal_name_fi, legal_name_sv)
    with transaction.atomic():
        if business_id_taken(business_id):
            raise ValidationError({"business_id": [BUSINESS_ID_TAKEN]}, code="business_id_taken")
        organisation = Organisation(
            kind=Organisation.Kind.JOINT_AUTHORITY,
            name_fi=name_fi,
            name_sv=name_sv,
            legal_name_fi=legal_name_fi,
            legal_name_sv=legal_name_sv,
            business_id=business_id,
            region=region,
        )
        organisation.full_clean()
        organisation.save()
        record(actor, "registry.joint_authority_added", organisation, after=_organisation_state(organisation))
    return organisation


LEGAL_IDENTITY_FIELDS = ("legal_name_fi", "legal_name_sv", "business_id")


def set_legal_identity(actor, organisation: Organisation, legal_name_fi: str, legal_name_sv: str, business_id: str | None) -> tuple[Organisation, list[str]]:
    """An official records (or corrects) who an organisation is as a legal person: its legal names in
    Finnish and Swedish and its business ID (empty: not known). The business ID must be valid and
    belong to no other organisation. Returns the organisation and the fields that changed; the change
    is recorded in the audit trail with the values before and after. ValidationError names the field."""
    _require_manager(actor)
    values = {"legal_name_fi": (legal_name_fi or "").strip(), "legal_name_sv": (legal_name_sv or "").strip(), "business_id": _business_id_or_none(business_id)}
    _check_legal_names(values["legal_name_fi"], values["legal_name_sv"])
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if values["business_id"] and business_id_taken(values["business_id"], exclude_pk=organisation.pk):
            raise ValidationError({"business_id": [BUSINESS_ID_TAKEN]}, code="business_id_taken")
        changed = [name for name in LEGAL_IDENTITY_FIELDS if getattr(organisation, name) != values[name]]
        if not changed:
            return organisation, []
        before = {name: getattr(organisation, name) for name in changed}
        for name in changed:
            setattr(organisation, name, values[name])
        organisation.save(update_fields=changed)
        record(actor, "registry.legal_identity_set", organisation, before=before, after={name: values[name] for name in changed})
    return organisation, changed


def set_email_domains(actor, organisation: Organisation, text: str) -> tuple[Organisation, bool]:
    """An official records the organisation's own e-mail domains (typed one a line, or separated by
    commas). A request to join from an address in one of them is shown to the ministry first, with
    the domain (docs/access.md, "The first user of a municipality"). Returns the organisation and
    whether anything changed; ValidationError on the field names what is not a domain."""
    _require_manager(actor)
    domains, invalid = rules.parse_domains(text)
    if invalid:
        raise ValidationError(
            {"email_domains": [_("Not a domain name: %(values)s. Type domains like loviisa.fi, one a line.") % {"values": ", ".join(invalid)}]},
            code="invalid_domain",
        )
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        before = list(organisation.email_domains or [])
        if before == domains:
            return organisation, False
        organisation.email_domains = domains
        organisation.save(update_fields=["email_domains"])
        record(actor, "registry.email_domains_set", organisation, before={"email_domains": before}, after={"email_domains": domains})
    return organisation, True


# ── Finding an organisation from typed text ────────────────────────────────


@dataclass
class Lookup:
    """The result of resolving typed text: one organisation, or a list to choose from; `refused` says
    why the organisation the text names cannot be chosen (it did not exist on the day asked about)."""

    text: str
    match: Organisation | None = None
    candidates: list[Organisation] = field(default_factory=list)
    refused: str = ""


def active_organisations(on: date | None = None):
    """The organisations one may choose; with `on`, only those that exist on that day (a call's opening
    day, or today): a municipality merged into another is no longer offered."""
    organisations = Organisation.objects.filter(is_active=True)
    if on is not None:
        organisations = organisations.valid_on(on)
    return organisations.order_by("name_fi")


def find_organisation(text: str, *, limit: int = 50, on: date | None = None) -> Lookup:
    """Exact name in Finnish or Swedish, municipality code or business ID gives one organisation;
    otherwise the organisations whose name or code contains the text (case-insensitive). With `on`,
    organisations that do not exist on that day are not offered, and naming one exactly gives the
    reason in `refused` ("Honkajoki merged into Kankaanpää on 1.1.2021 ...").

    Compared in Python with casefold() so that 'åbo' finds 'Åbo' on every database (SQLite's LIKE
    folds ASCII only); the registry holds a few hundred organisations, read in one query."""
    text = " ".join((text or "").split())
    lookup = Lookup(text=text)
    if not text:
        return lookup
    wanted = text.casefold()
    everyone = list(active_organisations().select_related("region", "successor"))
    organisations = everyone if on is None else [org for org in everyone if org.is_valid_on(on)]

    def keys(org: Organisation) -> list[str]:
        return [(org.name_fi or "").casefold(), (org.name_sv or "").casefold()]

    codes = {text, text.upper()}

    def is_exact(org: Organisation) -> bool:
        return wanted in keys(org) or org.municipality_code in codes or org.business_id in codes

    exact = [org for org in organisations if is_exact(org)]
    if len(exact) == 1:
        lookup.match = exact[0]
        return lookup
    if not exact and on is not None:
        gone = [org for org in everyone if not org.is_valid_on(on) and is_exact(org)]
        if gone:
            lookup.refused = gone[0].not_valid_reason(on) or ""
    lookup.candidates = [
        org
        for org in organisations
        if any(wanted in key for key in keys(org)) or (org.municipality_code or "").startswith(text) or (org.business_id or "").startswith(text)
    ][:limit]
    return lookup
