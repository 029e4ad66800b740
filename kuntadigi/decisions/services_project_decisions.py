"""Decisions on funded projects: one path for every kind (project_kinds.py), the same as a grant decision's.

Use cases (each: permission, rules, change, audit, in one transaction; the project's row is locked so
that its decisions change one at a time):
    prepare               the preparer makes (or redoes) a draft of a kind on its source: the facts frozen
                          from the kind's fact builder, the grounds, the presenter and the decision-maker
                          from the call's roles with their titles; the watermarked preview is rendered
    sign                  the named decision-maker (never the person who prepared it) signs: the facts are
                          frozen again, the date set, the kind's own step done (on_sign)
Run by tasks (tasks.py), after the commit:
    store_preview         the watermarked PDF of a draft
    store_final_document  the signed decision's PDF and its SHA-256, stored once and never replaced
    notify                the lead's and the partners' people are e-mailed the link to the document

Each kind's document is templates/decisions/project/<kind>.html, in the project's language (fi or sv),
with the shared header, parties, rectification instructions and signatures (project_document.html).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from kuntadigi import clock, permissions
from kuntadigi.applications.errors import Refused
from kuntadigi.applications.rules import Problem
from kuntadigi.audit import services as audit
from kuntadigi.calls.models import CallRole
from kuntadigi.core.tasks import enqueue_with_transaction

from . import documents, project_kinds, rules_decisions
from .models import ProjectDecision
from .services_decisions import _check_people, _refuse_with, _title_for, parties_of, role_holders, signed_document_bytes, stored_file_matches

logger = logging.getLogger(__name__)

GROUNDS_MAX = 10000


@dataclass
class ProjectDecisionData:
    """What an official enters for a decision on a project (the facts come from the kind)."""

    presenter_id: int | None
    decision_maker_id: int | None
    presenter_title: str = ""
    decision_maker_title: str = ""
    grounds: str = ""
    diary_number: str = ""
    version: int | None = None  # the draft's version the form was made from; None for a new decision


# ── Reading ─────────────────────────────────────────────────────────────────


def language_of(project) -> str:
    """The project's language: the grant decision's (fi or sv)."""
    return documents.document_language(project.decision.language)


def load(decision_pk: int) -> ProjectDecision:
    return ProjectDecision.objects.select_related(
        "project__application__call", "project__application__lead", "project__decision", "presenter", "decision_maker", "prepared_by"
    ).get(pk=decision_pk)


def decision_for_official(user, project_pk: int, decision_pk: int) -> ProjectDecision:
    """A decision of the project for the call's decision officials; otherwise 404."""
    decision = ProjectDecision.objects.select_related("project__application__call").filter(pk=decision_pk, project_id=project_pk).first()
    if decision is None or not permissions.can_view_project_decisions(user, decision.project):
        raise Http404
    return load(decision.pk)


def draft_of(project, kind: str, source=None) -> ProjectDecision | None:
    """The project's unsigned decision of the kind on this source (a payment request), if one is prepared."""
    drafts = ProjectDecision.objects.filter(project=project, kind=kind, state=ProjectDecision.State.DRAFT).order_by("-pk")
    spec = project_kinds.kind(kind)
    for draft in drafts:
        if source is None or spec.source(draft) == source:
            return draft
    return None


def defaults_for(project, kind: str, user=None, source=None) -> ProjectDecisionData:
    """The form's starting point: the draft if there is one, otherwise the call's people and the kind's grounds."""
    existing = draft_of(project, kind, source)
    if existing is not None:
        return ProjectDecisionData(
            existing.presenter_id,
            existing.decision_maker_id,
            existing.presenter_title,
            existing.decision_maker_title,
            existing.grounds,
            existing.diary_number,
            existing.version,
        )
    call = project.application.call
    language = language_of(project)
    presenters = role_holders(call, CallRole.Role.PRESENTER)
    makers = role_holders(call, CallRole.Role.DECISION_MAKER)
    presenter = user if user is not None and any(p.pk == user.pk for p in presenters) else (presenters[0] if len(presenters) == 1 else None)
    maker = makers[0] if len(makers) == 1 else None
    spec = project_kinds.kind(kind)
    facts = spec.facts(project, source)
    return ProjectDecisionData(
        presenter_id=presenter.pk if presenter else None,
        decision_maker_id=maker.pk if maker else None,
        presenter_title=_title_for(call, presenter, language),
        decision_maker_title=_title_for(call, maker, language),
        grounds=spec.grounds(language, facts),
        diary_number=project.decision.diary_number,
    )


# ── The document ────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class ProjectDocument:
    """A decision on a project as its document prints it, in its language."""

    kind: str
    template: str
    title: str
    language: str
    draft: bool
    authority: str
    reference: str
    project_name: str
    decision_date: str
    diary_number: str
    recipient: str
    recipient_business_id: str
    partners: tuple[str, ...]
    facts: dict
    grounds: tuple[str, ...]
    provisions: tuple[str, ...]
    appeal: documents.Appeal
    presenter: documents.Signatory
    decision_maker: documents.Signatory

    @property
    def partners_text(self) -> str:
        return ", ".join(self.partners)


def document_for(decision: ProjectDecision, *, electronic: bool = True) -> ProjectDocument:
    """The document of the decision from its frozen facts (pure of the database beyond the decision's own rows)."""
    project = decision.project
    application = project.application
    call = application.call
    language = documents.document_language(decision.language)
    spec = project_kinds.kind(decision.kind)
    parties = decision.facts.get("parties") or {}
    authority = getattr(call, f"funder_{language}", "") or call.funder or documents.AUTHORITY[language]
    with translation.override(language):
        title = str(spec.title)
        provisions = tuple(str(p) for p in spec.provisions)
    return ProjectDocument(
        kind=decision.kind,
        template=spec.template(decision.kind),
        title=title,
        language=language,
        draft=decision.state == ProjectDecision.State.DRAFT,
        authority=authority,
        reference=application.reference,
        project_name=application.project_name,
        decision_date=documents._date(decision.decision_date),
        diary_number=decision.diary_number,
        recipient=documents.party_name(parties.get("lead", {}), language) if parties else application.lead.name_fi,
        recipient_business_id=(parties.get("lead") or {}).get("business_id", ""),
        partners=tuple(documents.party_name(p, language) for p in parties.get("partners", [])),
        facts=decision.facts,
        grounds=documents.paragraphs(decision.grounds),
        provisions=provisions,
        appeal=documents.Appeal(
            days=documents.APPEAL_DAYS,
            presumed_day=documents.presumed_day(electronic),
            electronic=electronic,
            authority=documents.in_sentence(authority),
            address=documents.registry(language),
            email=documents.registry_email(),
        ),
        presenter=documents.Signatory(decision.presenter.full_name or decision.presenter.email, decision.presenter_title),
        decision_maker=documents.Signatory(decision.decision_maker.full_name or decision.decision_maker.email, decision.decision_maker_title),
    )


def document_html(document: ProjectDocument) -> str:
    with translation.override(document.language):
        return render_to_string("decisions/project/pdf.html", {"doc": document})


def render_pdf(document: ProjectDocument) -> bytes:
    from .pdf import html_to_pdf

    return html_to_pdf(document_html(document))


def fingerprint(document: ProjectDocument) -> str:
    return hashlib.sha256(repr(sorted((k, repr(v)) for k, v in document.__dict__.items())).encode("utf-8")).hexdigest()


def pdf_filename(decision: ProjectDecision) -> str:
    state = "luonnos-utkast" if decision.state == ProjectDecision.State.DRAFT else "paatos-beslut"
    return f"{decision.project.application.reference}-{decision.kind.replace('_', '-')}-{decision.pk}-{state}.pdf"


# ── Preparing and signing ───────────────────────────────────────────────────


def _snapshot(decision: ProjectDecision) -> dict:
    return {
        "kind": decision.kind,
        "state": decision.state,
        "language": decision.language,
        "presenter": decision.presenter_id,
        "decision_maker": decision.decision_maker_id,
        "presenter_title": decision.presenter_title,
        "decision_maker_title": decision.decision_maker_title,
        "diary_number": decision.diary_number,
        "grounds": decision.grounds,
        "facts": decision.facts,
        "version": decision.version,
    }


def _freeze(project, kind: str, source) -> dict:
    facts = project_kinds.kind(kind).facts(project, source)
    return {**facts, "parties": parties_of(project.application)}


def prepare(user, project, kind: str, source, data: ProjectDecisionData) -> ProjectDecision:
    """A draft (or a new version of the draft) of `kind` on `source`. The caller holds the project's lock
    inside its transaction and has checked what the kind requires of its source."""
    allowed = permissions.can_prepare_project_decision(user, project)
    if not allowed:
        raise Refused(allowed.reason)
    call = project.application.call
    data.grounds = (data.grounds or "").strip()
    problems: list[Problem] = _check_people(call, data)
    problems += rules_decisions.check_diary_number(data.diary_number, required=False)
    if not data.grounds:
        problems.append(Problem("grounds", "required", _("Enter the grounds of the decision.")))
    elif len(data.grounds) > GROUNDS_MAX:
        problems.append(Problem("grounds", "too_long", _("The grounds are too long (at most %(max)d characters).") % {"max": GROUNDS_MAX}))
    if data.decision_maker_id == user.pk:
        problems.append(Problem("decision_maker", "four_eyes", _("You prepare this decision: another person must make it.")))
    _refuse_with(problems)
    existing = draft_of(project, kind, source)
    if existing is not None:
        existing = ProjectDecision.objects.select_for_update().get(pk=existing.pk)
        if data.version is not None and data.version != existing.version:
            raise Refused(_("Someone else changed this draft after you opened it. Check the draft and make your changes again."))
    before = _snapshot(existing) if existing else {}
    decision = existing or ProjectDecision(project=project, kind=kind, language=language_of(project))
    decision.facts = _freeze(project, kind, source)
    decision.grounds = data.grounds
    decision.diary_number = data.diary_number.strip()
    decision.presenter_id = data.presenter_id
    decision.decision_maker_id = data.decision_maker_id
    decision.presenter_title = data.presenter_title.strip()
    decision.decision_maker_title = data.decision_maker_title.strip()
    decision.prepared_by = user
    decision.prepared_at = clock.now()
    if existing is not None:
        decision.version += 1
    decision.save()
    audit.record(user, "project_decision.prepare", decision, application_id=project.application_id, before=before, after=_snapshot(decision))
    _enqueue_render(decision.pk)
    return decision


def sign(user, decision_pk: int) -> ProjectDecision:
    """The named decision-maker signs the draft: the facts are frozen again as they stand, the date is
    today (Helsinki), the kind's own step is done; the document is rendered and sent after the commit."""
    from kuntadigi.projects.services import _lock

    with transaction.atomic():
        found = ProjectDecision.objects.filter(pk=decision_pk).values_list("project_id", flat=True).first()
        if found is None:
            raise Http404
        project = _lock(found)
        decision = ProjectDecision.objects.select_for_update(of=("self",)).select_related("project__application__call").get(pk=decision_pk)
        allowed = permissions.can_sign_project_decision(user, decision)
        if not allowed:
            raise Refused(allowed.reason)
        if decision.state == ProjectDecision.State.SIGNED:
            raise Refused(_("The decision has already been signed."))
        spec = project_kinds.kind(decision.kind)
        problems = rules_decisions.check_diary_number(decision.diary_number, required=True)
        problems += rules_decisions.check_two_people(decision.presenter_id, decision.decision_maker_id)
        _refuse_with(problems)
        before = _snapshot(decision)
        now = clock.now()
        decision.project = project
        decision.facts = _freeze(project, decision.kind, spec.source(decision))
        decision.state = ProjectDecision.State.SIGNED
        decision.signed_at = now
        decision.decision_date = clock.helsinki(now).date()
        decision.version += 1
        decision.save(update_fields=["facts", "state", "signed_at", "decision_date", "version"])
        audit.record(
            user,
            "project_decision.sign",
            decision,
            application_id=project.application_id,
            before=before,
            after={**_snapshot(decision), "signed_at": now.isoformat(), "decision_date": decision.decision_date.isoformat()},
        )
        if spec.on_sign is not None:
            spec.on_sign(user, decision)
        _enqueue_render(decision.pk)
    return decision


# ── Documents and notification (run by tasks) ───────────────────────────────


def _enqueue_render(decision_pk: int) -> None:
    from .tasks import render_project_decision_pdf

    enqueue_with_transaction(render_project_decision_pdf, decision_pk)


def store_preview(decision_pk: int) -> bool:
    """Render the draft's watermarked PDF unless the stored one already shows the same content."""
    with transaction.atomic():
        locked = ProjectDecision.objects.select_for_update().filter(pk=decision_pk).first()
        if locked is None or locked.state != ProjectDecision.State.DRAFT:
            return False
        decision = load(decision_pk)
        document = document_for(decision)
        digest = fingerprint(document)
        if decision.preview and decision.preview_of == digest:
            return False
        old = decision.preview.name if decision.preview else ""
        decision.preview.save(f"{decision.project.application.reference}-{decision.pk}-{digest[:16]}.pdf", ContentFile(render_pdf(document)), save=False)
        decision.preview_of = digest
        decision.save(update_fields=["preview", "preview_of"])
        if old and old != decision.preview.name:
            transaction.on_commit(lambda: decision.preview.storage.delete(old))
    return True


def preview_ready(decision: ProjectDecision) -> bool:
    return bool(decision.preview) and decision.preview_of == fingerprint(document_for(decision))


def store_final_document(decision_pk: int) -> bool:
    """Render and store the signed decision's PDF once; a stored document is never replaced."""
    with transaction.atomic():
        locked = ProjectDecision.objects.select_for_update().filter(pk=decision_pk).first()
        if locked is None or locked.state != ProjectDecision.State.SIGNED:
            return False
        if locked.document or locked.document_sha256:
            return False
        decision = load(decision_pk)
        pdf = render_pdf(document_for(decision))
        digest = hashlib.sha256(pdf).hexdigest()
        filename = f"{decision.project.application.reference}-{decision.kind.replace('_', '-')}-{decision.pk}-{digest[:16]}.pdf"
        name = decision.document.field.generate_filename(decision, filename)
        if stored_file_matches(decision.document.storage, name, digest):
            decision.document.name = name  # written by an attempt whose worker died before its commit
        else:
            decision.document.save(filename, ContentFile(pdf), save=False)
        decision.document_sha256 = digest
        decision.save(update_fields=["document", "document_sha256"])
        audit.record(
            None,
            "project_decision.document_stored",
            decision,
            application_id=decision.project.application_id,
            after={"document_sha256": digest, "bytes": len(pdf)},
        )
        if decision.notified_at is None:
            from .tasks import notify_project_decision

            enqueue_with_transaction(notify_project_decision, decision_pk)
    return True


def document_bytes(decision: ProjectDecision) -> bytes:
    """The signed PDF after its SHA-256 is checked (DocumentTampered otherwise)."""
    return signed_document_bytes(decision)


def recipients(project) -> list:
    """The lead's people (contact person and members) and the partners' people."""
    from kuntadigi.applications.models import Participant
    from kuntadigi.notifications import services as notify

    application = project.application
    people = list(notify.lead_recipients(application))
    for participant in application.participants.filter(role=Participant.Role.PARTNER):
        people += notify.organisation_recipients(participant.organisation_id, application.language)
    return people


SUBJECTS = {
    "payment_reduction": lambda reference: _("Decision on your payment request: %(reference)s") % {"reference": reference},
    "settlement": lambda reference: _("Settlement decision: %(reference)s") % {"reference": reference},
}


def _subject(kind: str, reference: str) -> str:
    builder = SUBJECTS.get(kind)
    if builder is not None:
        return builder(reference)
    return _("Decision on your project: %(reference)s") % {"reference": reference}


def notify(decision_pk: int) -> int:
    """E-mail the link to the signed document to the lead's and the partners' people, once."""
    from kuntadigi.notifications import services as notify_services

    with transaction.atomic():
        decision = ProjectDecision.objects.select_for_update().filter(pk=decision_pk).first()
        if decision is None or decision.state != ProjectDecision.State.SIGNED or not decision.document_sha256 or decision.notified_at is not None:
            return 0
        decision = load(decision_pk)
        project = decision.project
        application = project.application
        sent = notify_services.send(
            "project_decision_signed",
            recipients(project),
            template="decisions/email/project_decision",
            subject=lambda: _subject(decision.kind, application.reference),
            context=lambda recipient: {"decision": decision, "project": project, "application": application, "title": project_kinds.kind(decision.kind).title},
            url=lambda: settings.SITE_URL + reverse("decisions:project_decision_document", args=[project.pk, decision.pk]),
            key=f"project-decision-{decision.pk}",
        )
        decision.notified_at = clock.now()
        decision.save(update_fields=["notified_at"])
        audit.record(
            None,
            "project_decision.notify",
            decision,
            application_id=application.pk,
            after={"notified_at": decision.notified_at.isoformat(), "messages": len(sent)},
        )
    return len(sent)


def signed_documents(project) -> list[ProjectDecision]:
    """The project's signed decisions whose document is stored, oldest first."""
    return list(ProjectDecision.objects.filter(project=project, state=ProjectDecision.State.SIGNED).exclude(document_sha256=""))


def today() -> date:
    return clock.helsinki(clock.now()).date()
