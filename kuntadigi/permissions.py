"""Who may do what: every rule in one place, each answering (allowed, reason).

Views and services ask here and nowhere else. A refusal to see an object is shown as 404 (the
object's existence is not revealed); a refusal to act on an object one may see is shown with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from kuntadigi import clock


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOW = Decision(True)


def deny(reason) -> Decision:
    return Decision(False, str(reason))


def _authenticated(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def organisation_ids(user, *, admin_only: bool = False) -> set[int]:
    """The organisations the user acts for (approved memberships only). Cached on the user object."""
    if not _authenticated(user):
        return set()
    key = "_kd_admin_org_ids" if admin_only else "_kd_org_ids"
    cached = getattr(user, key, None)
    if cached is None:
        from kuntadigi.accounts.models import Membership

        memberships = Membership.objects.filter(user=user, status=Membership.Status.APPROVED)
        if admin_only:
            memberships = memberships.filter(role=Membership.Role.ADMIN)
        cached = set(memberships.values_list("organisation_id", flat=True))
        setattr(user, key, cached)
    return cached


def forget_cached_memberships(user) -> None:
    for key in ("_kd_org_ids", "_kd_admin_org_ids"):
        if hasattr(user, key):
            delattr(user, key)


def is_official(user) -> bool:
    """A person at the ministry: the "ministry official" flag or a system administrator. It opens the
    officials' menu and nothing more: applications are read through a role in their call (CallRole)."""
    return _authenticated(user) and (user.is_official or user.is_staff or user.is_superuser)


def is_registry_official(user) -> bool:
    """The one ministry-wide role (User.is_official, "ministry official"): keeps the registry of
    organisations and decides requests to join them. It opens no application by itself."""
    return _authenticated(user) and bool(user.is_official)


# ── Organisations ───────────────────────────────────────────────────────────


def can_manage_organisations(user) -> Decision:
    if is_registry_official(user):
        return ALLOW
    return deny(_("Only ministry officials can add organisations."))


def can_decide_membership(user, membership) -> Decision:
    if not _authenticated(user):
        return deny(_("Sign in first."))
    if membership.user_id == user.pk:
        return deny(_("You cannot approve your own request."))
    if is_registry_official(user) or membership.organisation_id in organisation_ids(user, admin_only=True):
        return ALLOW
    return deny(_("Only the organisation's administrator or a ministry official can decide this request."))


# ── Applications ────────────────────────────────────────────────────────────


def application_org_ids(application) -> set[int]:
    cached = getattr(application, "_kd_org_ids", None)
    if cached is None:
        cached = {p.organisation_id for p in application.participants.all()}
        application._kd_org_ids = cached
    return cached


def is_application_member(user, application) -> bool:
    """The user acts for an organisation that takes part in the application (an applicant's own read)."""
    return bool(application_org_ids(application) & organisation_ids(user))


def can_view_application(user, application) -> Decision:
    """The application's own pages (overview, project, partners, budget, attachments): the staff of its
    organisations always; at the ministry, the rule of `can_read_as_ministry`, and not while the applicant
    is supplementing it (the pages show the live content, which is not submitted until the answer is)."""
    from kuntadigi.applications.lifecycle import SUPPLEMENT_STATES

    if not _authenticated(user):
        return deny(_("Sign in first."))
    if is_application_member(user, application):
        return ALLOW
    decision = can_read_as_ministry(user, application)
    if not decision:
        return decision
    if application.state in SUPPLEMENT_STATES:
        return deny(_("The applicant is supplementing the application: its submitted versions are on the officials' page."))
    return ALLOW


def can_view_submitted_version(user, application) -> Decision:
    """A submitted version of the application (its receipt and PDF): the staff of its organisations; at
    the ministry, the rule of `can_read_as_ministry`."""
    if not _authenticated(user):
        return deny(_("Sign in first."))
    if is_application_member(user, application):
        return ALLOW
    return can_read_as_ministry(user, application)


def can_read_as_ministry(user, application) -> Decision:
    """The one rule for everyone at the ministry (officials, assessors, decision-makers, system
    administrators alike): only a submitted application (received by the ministry: a draft is the
    municipality's working paper, even one withdrawn to be edited), and only with a role in its call:
    preparer, presenting official or decision-maker, or an assessor assigned to it without a conflict
    of interest. The global "ministry official" flag and superuser status open nothing here."""
    from kuntadigi.applications.lifecycle import RECEIVED_STATES

    if not _authenticated(user):
        return deny(_("Sign in first."))
    if application.state not in RECEIVED_STATES:
        return deny(_("The application has not been submitted: a draft is the applicant's own until it is submitted."))
    if has_call_role(user, application.call_id, *CALL_OFFICIAL_ROLES):
        return ALLOW
    if "assessor" in call_roles(user, application.call_id):
        return can_assess_application(user, application)
    return deny(_("You have no role in this application's call."))


def can_start_application(user, call, lead) -> Decision:
    if not _authenticated(user):
        return deny(_("Sign in first."))
    if lead.pk not in organisation_ids(user):
        return deny(_("You can start an application only for an organisation you act for."))
    if not call.is_published:
        return deny(_("The call is not published."))
    if call.phase(clock.now()) != "open":
        return deny(_("The call is not open for applications."))
    return ALLOW


def is_lead_member(user, application) -> bool:
    return application.lead_id in organisation_ids(user)


def can_edit_application(user, application, part: str | None = None) -> Decision:
    """A draft while the call is open; after a request for supplement, only the parts it names
    (`part`: one of SupplementRequest.PARTS) until its due time. Without `part` a supplement allows nothing."""
    from kuntadigi.applications.lifecycle import EDITABLE_STATES, SUPPLEMENT_STATES

    if not is_lead_member(user, application):
        return deny(_("Only the lead applicant's staff can edit the application."))
    if application.state in SUPPLEMENT_STATES:
        return _can_supplement(application, part)
    if application.state not in EDITABLE_STATES:
        return deny(_("A submitted application cannot be edited. Withdraw it first to make changes."))
    if application.call.phase(clock.now()) == "closed":
        return deny(_("The call has closed: the application can no longer be changed."))
    return ALLOW


def can_confirm_participation(user, application, participant) -> Decision:
    from kuntadigi.applications.lifecycle import State

    if participant.role != participant.Role.PARTNER:
        return deny(_("Only partners confirm their participation."))
    if participant.organisation_id not in organisation_ids(user):
        return deny(_("Only the partner organisation's staff can confirm its participation."))
    if application.state == State.SUPPLEMENT_REQUESTED:  # a supplement to partners or the budget is confirmed again
        if _can_supplement(application, "partners") or _can_supplement(application, "budget"):
            return ALLOW
        return deny(_("The application has been submitted; confirmations can no longer change."))
    if application.state != State.DRAFT:
        return deny(_("The application has been submitted; confirmations can no longer change."))
    if application.call.phase(clock.now()) == "closed":
        return deny(_("The call has closed."))
    return ALLOW


def can_decline_participation(user, application, participant) -> Decision:
    """A partner's own staff may say it does not take part, while the draft can still change (a declined
    partner may confirm later, while the call is open). The lead cannot decline for a partner."""
    from kuntadigi.applications.lifecycle import State

    if participant.role != participant.Role.PARTNER:
        return deny(_("Only partners can decline to take part."))
    if participant.organisation_id not in organisation_ids(user):
        return deny(_("Only the partner organisation's staff can decline its participation."))
    if application.state != State.DRAFT:
        return deny(_("The application has been submitted; participation can no longer be declined here. Contact the lead applicant."))
    if application.call.phase(clock.now()) == "closed":
        return deny(_("The call has closed."))
    if participant.declined_at:
        return deny(_("Your organisation has already declined to take part."))
    return ALLOW


def can_ask_partner_again(user, application, participant) -> Decision:
    """The lead's staff may ask a partner that declined to reconsider, while the draft can be edited."""
    decision = can_edit_application(user, application, part="partners")
    if not decision:
        return decision
    if participant.role != participant.Role.PARTNER or not participant.declined_at:
        return deny(_("Only a partner that declined can be asked again."))
    return ALLOW


def can_submit_application(user, application) -> Decision:
    if not is_lead_member(user, application):
        return deny(_("Only the lead applicant's staff can submit the application."))
    return ALLOW


def can_delete_draft(user, application) -> Decision:
    """The lead's staff may delete a draft that was never submitted (a submitted one is kept: it was received)."""
    from kuntadigi.applications.lifecycle import State

    if not is_lead_member(user, application):
        return deny(_("Only the lead applicant's staff can delete the application."))
    if application.state != State.DRAFT or application.submissions.exists():
        return deny(_("An application that has been submitted cannot be deleted; it stays stored as received."))
    return ALLOW


def can_withdraw_application(user, application) -> Decision:
    if not is_lead_member(user, application):
        return deny(_("Only the lead applicant's staff can withdraw the application."))
    if application.call.phase(clock.now()) != "open":
        return deny(_("The call has closed: a submitted application can no longer be withdrawn."))
    return ALLOW


# ── Officials ───────────────────────────────────────────────────────────────


def can_view_submitted_applications(user, call) -> Decision:
    """The list of a call's submitted applications: the call's officials (preparers, presenting officials,
    decision-makers), as every other read of its applications."""
    if has_call_role(user, call, *CALL_OFFICIAL_ROLES):
        return ALLOW
    return deny(_("Only the call's preparers, presenting official and decision-maker see its applications."))


# ── Organisation administrators ─────────────────────────────────────────────


def can_grant_organisation_admin(user, membership) -> Decision:
    """Only a ministry official (the registry's keepers) makes someone an organisation's administrator."""
    decision = can_decide_membership(user, membership)
    if not decision:
        return decision
    if is_registry_official(user):
        return ALLOW
    return deny(_("Only a ministry official can make someone an organisation administrator."))


# ── Calls ───────────────────────────────────────────────────────────────────


def can_view_call(user, call) -> Decision:
    """Published calls are public; an unpublished one is previewed by system administrators (who set
    calls up) and by the people named to a role in it."""
    if call.is_published:
        return ALLOW
    if is_system_admin(user) or call_roles(user, call):
        return ALLOW
    return deny(_("The call is not published."))


# ── Roles in a call (screening, assessment, decisions) ──────────────────────
# Rights after the deadline follow the user's role in that call (calls.CallRole), not a global flag.
# Each area appends its own rules below, each built on `call_roles`.


def is_system_admin(user) -> bool:
    return _authenticated(user) and (user.is_staff or user.is_superuser)


def call_roles(user, call) -> set[str]:
    """The user's roles in the call ('preparer', 'presenter', 'decision_maker', 'assessor'). Cached on the user."""
    if not _authenticated(user):
        return set()
    cache = getattr(user, "_kd_call_roles", None)
    if cache is None:
        cache = {}
        user._kd_call_roles = cache
    call_id = getattr(call, "pk", call)
    if call_id not in cache and getattr(user, "_kd_all_call_roles", False):
        return set()  # every role of the user was loaded (all_call_roles): none in this call
    if call_id not in cache:
        from kuntadigi.calls.models import CallRole

        cache[call_id] = set(CallRole.objects.filter(user=user, call_id=call_id).values_list("role", flat=True))
    return cache[call_id]


def all_call_roles(user) -> dict[int, set[str]]:
    """The user's roles in every call ({call id: roles}), in one query, cached on the user: `call_roles` then
    answers for any call without asking again (pages that list many calls)."""
    if not _authenticated(user):
        return {}
    if not getattr(user, "_kd_all_call_roles", False):
        from kuntadigi.calls.models import CallRole

        cache: dict[int, set[str]] = {}
        for call_id, role in CallRole.objects.filter(user=user).values_list("call_id", "role"):
            cache.setdefault(call_id, set()).add(role)
        user._kd_call_roles = cache
        user._kd_all_call_roles = True
    return {call_id: roles for call_id, roles in user._kd_call_roles.items() if roles}


def forget_cached_call_roles(user) -> None:
    for key in ("_kd_call_roles", "_kd_all_call_roles"):
        if hasattr(user, key):
            delattr(user, key)


def can_name_call_roles(user) -> Decision:
    if is_system_admin(user):
        return ALLOW
    return deny(_("Only a system administrator names the officials and assessors of a call."))


def has_call_role(user, call, *roles: str) -> Decision:
    """Allowed when the user holds any of the roles in the call."""
    if call_roles(user, call) & set(roles):
        return ALLOW
    return deny(_("You have no role in this call that allows this."))


# ── Ranking and allocation (owner: decisions, ranking) ──────────────────────


def can_view_ranking(user, call) -> Decision:
    """The ranked list, proposed amounts and the allocation: the call's preparers, presenter and decision-maker."""
    if has_call_role(user, call, "preparer", "presenter", "decision_maker"):
        return ALLOW
    return deny(_("Only the call's preparers, presenting official and decision-maker see the ranking."))


def can_propose_amounts(user, call) -> Decision:
    """Proposed amounts, filling the appropriation and finalising the allocation: the call's preparers."""
    if has_call_role(user, call, "preparer"):
        return ALLOW
    return deny(_("Only the call's preparers propose amounts and finalise the allocation."))


# ── Assessment (owner: assessment) ──────────────────────────────────────────


def is_assessor(user) -> bool:
    """An assessor: the global flag, or the assessor role in some call. Cached on the user."""
    if not _authenticated(user):
        return False
    cached = getattr(user, "_kd_is_assessor", None)
    if cached is None:
        from kuntadigi.calls.models import CallRole

        cached = bool(user.is_assessor) or CallRole.objects.filter(user=user, role=CallRole.Role.ASSESSOR).exists()
        user._kd_is_assessor = cached
    return cached


def presents_or_decides(user) -> bool:
    """A presenting official or decision-maker in some call: they declare their ties, as assessors do."""
    if not _authenticated(user):
        return False
    cached = getattr(user, "_kd_presents_or_decides", None)
    if cached is None:
        from kuntadigi.calls.models import CallRole

        cached = CallRole.objects.filter(user=user, role__in=[CallRole.Role.PRESENTER, CallRole.Role.DECISION_MAKER]).exists()
        user._kd_presents_or_decides = cached
    return cached


def can_declare_ties(user) -> Decision:
    """Assessors, presenting officials and decision-makers declare their ties to organisations: a tie
    disqualifies them from the applications of the organisation (Administrative Procedure Act 27–28 §)."""
    if is_assessor(user) or presents_or_decides(user):
        return ALLOW
    return deny(_("Only assessors, presenting officials and decision-makers declare their ties to organisations."))


def can_assign_assessors(user, call) -> Decision:
    """Preparers of the call assign assessors and see the assessors' declared ties."""
    if has_call_role(user, call, "preparer"):
        return ALLOW
    return deny(_("Only the call's preparers assign assessors."))


def can_view_assessment_results(user, call) -> Decision:
    """Scores, justifications and the assessors' names: the call's preparers, presenter and decision-maker."""
    if has_call_role(user, call, "preparer", "presenter", "decision_maker"):
        return ALLOW
    return deny(_("Only the call's preparers, presenting official and decision-maker see the assessments."))


def can_assess_application(user, application) -> Decision:
    """Only an assessor of the call with an assignment on the application, tied to none of its
    organisations. The ties are read again on every call: a tie declared after the assignment blocks."""
    if not _authenticated(user):
        return deny(_("Sign in first."))
    if "assessor" not in call_roles(user, application.call_id):
        return deny(_("You are not an assessor in this call."))
    from kuntadigi.assessment.models import Assignment
    from kuntadigi.assessment.queries import tie_facts
    from kuntadigi.assessment.rules import conflict_check

    if not Assignment.objects.filter(application_id=application.pk, assessor_id=user.pk).exists():
        return deny(_("This application has not been assigned to you."))
    org_ids = application_org_ids(application)
    answer = conflict_check(tie_facts(user.pk, org_ids), org_ids)
    if not answer:
        return deny(answer.reason)
    return ALLOW


# ── Decisions (owner: decisions) ────────────────────────────────────────────


def can_view_decisions(user, call) -> Decision:
    """The call's decisions, drafts and previews: its preparers, presenting officials and decision-makers."""
    if has_call_role(user, call, "preparer", "presenter", "decision_maker"):
        return ALLOW
    return deny(_("Only the call's preparers, presenting official and decision-maker see its decisions."))


def can_prepare_decisions(user, call) -> Decision:
    """Preparing a decision (grant or no grant, its terms and its document): the call's preparers and presenting officials."""
    if has_call_role(user, call, "preparer", "presenter"):
        return ALLOW
    return deny(_("Only the call's preparers and presenting officials prepare decisions."))


def can_sign_decision(user, decision) -> Decision:
    """Only the decision-maker named on the decision, who still holds that role in the call, signs it."""
    if not _authenticated(user):
        return deny(_("Sign in first."))
    if decision.decision_maker_id != user.pk:
        return deny(_("Only the decision-maker named on the decision can sign it."))
    if "decision_maker" not in call_roles(user, decision.application.call_id):
        return deny(_("You are no longer a decision-maker in this call."))
    return ALLOW


def can_download_decision(user, application) -> Decision:
    """A signed decision: the organisations of the application, and the call's decision officials."""
    if not _authenticated(user):
        return deny(_("Sign in first."))
    if application_org_ids(application) & organisation_ids(user):
        return ALLOW
    if has_call_role(user, application.call_id, "preparer", "presenter", "decision_maker"):
        return ALLOW
    return deny(_("Your organisations do not take part in this application."))


# ── Screening and requests for supplement (owner: screening) ────────────────

# The officials of a call: they see its applications, checks, versions and audit trail.
CALL_OFFICIAL_ROLES = ("preparer", "presenter", "decision_maker")


def open_supplement_request(application):
    """The application's unanswered request for supplement, or None. Cached on the application."""
    if not hasattr(application, "_kd_open_supplement"):
        from kuntadigi.screening.models import SupplementRequest

        application._kd_open_supplement = (
            SupplementRequest.objects.filter(application_id=application.pk, answered_at__isnull=True).order_by("-requested_at", "-pk").first()
        )
    return application._kd_open_supplement


def forget_cached_supplement(application) -> None:
    if hasattr(application, "_kd_open_supplement"):
        delattr(application, "_kd_open_supplement")


def _can_supplement(application, part: str | None) -> Decision:
    request = open_supplement_request(application)
    if request is None:
        return deny(_("The application has been submitted and cannot be edited."))
    if clock.now() >= request.due_at:
        return deny(_("The due time of the request for supplement has passed: the application can no longer be changed."))
    if part is None or part not in request.parts:
        return deny(_("The request for supplement does not open this part of the application."))
    return ALLOW


def editable_parts(user, application) -> set[str]:
    """The parts (SupplementRequest.PARTS) the user may edit now: every part of an editable draft,
    or the parts an open request for supplement names."""
    from kuntadigi.screening.models import SupplementRequest

    return {part for part in SupplementRequest.PARTS if can_edit_application(user, application, part)}


def can_view_screening(user, call) -> Decision:
    """The call's list of received applications with the automatic checks: the call's officials."""
    if has_call_role(user, call, *CALL_OFFICIAL_ROLES):
        return ALLOW
    return deny(_("Only the call's preparers, presenting official and decision-maker see its applications."))


def can_view_official_application(user, application) -> Decision:
    """The official's page of one application (its submitted versions): the same rule as the
    applicant's pages at the ministry (`can_read_as_ministry`)."""
    return can_read_as_ministry(user, application)


def can_view_audit_trail(user, application) -> Decision:
    """The application's audit trail: the call's officials (not assessors)."""
    if has_call_role(user, application.call_id, *CALL_OFFICIAL_ROLES):
        return ALLOW
    return deny(_("Only the call's officials see the audit trail."))


def has_signed_decision(application) -> bool:
    from kuntadigi.decisions.models import Decision as GrantDecision

    return GrantDecision.objects.filter(application_id=application.pk, state=GrantDecision.State.SIGNED).exists()


def _screening_window(user, application) -> Decision:
    from kuntadigi.applications.lifecycle import DECIDED_STATES

    if not has_call_role(user, application.call_id, "preparer"):
        return deny(_("Only the call's preparers screen applications."))
    if application.call.phase(clock.now()) != "closed":
        return deny(_("Applications are screened after the call has closed."))
    if application.state in DECIDED_STATES or has_signed_decision(application):
        return deny(_("The application has been decided: its screening can no longer change."))
    return ALLOW


def can_screen_in_call(user, call) -> Decision:
    """Marking applications of the call at all (the screening list's checkboxes): a preparer, after the
    call has closed. Each application is then checked by `can_screen_application`."""
    if not has_call_role(user, call, "preparer"):
        return deny(_("Only the call's preparers screen applications."))
    if call.phase(clock.now()) != "closed":
        return deny(_("Applications are screened after the call has closed."))
    return ALLOW


def can_screen_application(user, application) -> Decision:
    """Marking eligible or ineligible: a preparer, after the call has closed, before a decision; not
    while a request for supplement waits for its answer."""
    from kuntadigi.applications.lifecycle import State

    decision = _screening_window(user, application)
    if not decision:
        return decision
    if application.state == State.SUPPLEMENT_REQUESTED:
        request = open_supplement_request(application)
        if request is not None and clock.now() < request.due_at:
            return deny(_("A request for supplement is waiting for its answer until its due time."))
    return ALLOW


def can_request_supplement(user, application) -> Decision:
    """A request for supplement: a preparer, after the call has closed, for a submitted application not yet screened."""
    from kuntadigi.applications.lifecycle import State

    decision = _screening_window(user, application)
    if not decision:
        return decision
    if application.state == State.SUPPLEMENT_REQUESTED:
        return deny(_("A request for supplement is already open."))
    if application.state != State.SUBMITTED:
        return deny(_("A supplement can be requested only before the application is marked eligible or ineligible."))
    return ALLOW


def can_submit_supplement(user, application) -> Decision:
    """The lead submits the supplemented application before the request's due time."""
    if not is_lead_member(user, application):
        return deny(_("Only the lead applicant's staff can submit the application."))
    request = open_supplement_request(application)
    if request is None:
        return deny(_("There is no open request for supplement."))
    if clock.now() >= request.due_at:
        return deny(_("The due time of the request for supplement has passed: the application can no longer be changed."))
    return ALLOW


# ── Publication of results (owner: publication) ─────────────────────────────


def can_publish_results(user, call) -> Decision:
    """Publishing a call's results: the call's preparers and presenting official."""
    if has_call_role(user, call, "preparer", "presenter"):
        return ALLOW
    return deny(_("Only the call's preparers and presenting official publish its results."))


# ── Delivering decisions (owner: delivery) ──────────────────────────────────


def can_manage_notification_consent(user, organisation) -> Decision:
    """On the organisation's page, only its administrators give or withdraw its consent to electronic notification."""
    if not _authenticated(user):
        return deny(_("Sign in first."))
    if organisation.pk in organisation_ids(user, admin_only=True):
        return ALLOW
    return deny(_("Only the organisation's administrators give or withdraw its consent to electronic notification."))


def can_consent_in_application(user, application) -> Decision:
    """The lead applicant's consent in the application form: whoever may edit the draft."""
    return can_edit_application(user, application)


def can_edit_postal_address(user, organisation) -> Decision:
    """An organisation's postal address for letters: its administrators, and the officials who post
    decisions to it (a preparer or presenting official of a call in which it applied)."""
    if not _authenticated(user):
        return deny(_("Sign in first."))
    if organisation.pk in organisation_ids(user, admin_only=True):
        return ALLOW
    from kuntadigi.calls.models import CallRole

    if CallRole.objects.filter(
        user=user, role__in=[CallRole.Role.PREPARER, CallRole.Role.PRESENTER], call__applications__participants__organisation_id=organisation.pk
    ).exists():
        return ALLOW
    return deny(_("Only the organisation's administrators and the officials who send it decisions change its postal address."))


def can_view_deliveries(user, call) -> Decision:
    """How the call's decisions were delivered, and its letters to post: the call's decision officials."""
    if has_call_role(user, call, "preparer", "presenter", "decision_maker"):
        return ALLOW
    return deny(_("Only the call's preparers, presenting official and decision-maker see how its decisions were delivered."))


def can_post_letters(user, call) -> Decision:
    """Marking a letter posted: the call's preparers and presenting officials, who send the decisions."""
    if has_call_role(user, call, "preparer", "presenter"):
        return ALLOW
    return deny(_("Only the call's preparers and presenting officials mark letters as posted."))


def can_download_copy(user, application, organisation_id: int) -> Decision:
    """An organisation's own copy of a decision: that organisation's members, and the call's decision officials."""
    if not _authenticated(user):
        return deny(_("Sign in first."))
    if organisation_id in organisation_ids(user) and organisation_id in application_org_ids(application):
        return ALLOW
    if has_call_role(user, application.call_id, "preparer", "presenter", "decision_maker"):
        return ALLOW
    return deny(_("Your organisations do not take part in this application."))


# ── Funded projects (owner: projects) ───────────────────────────────────────


def project_org_ids(project) -> set[int]:
    """The organisations of a funded project: those of its application."""
    return application_org_ids(project.application)


def is_project_member(user, project) -> bool:
    return bool(project_org_ids(project) & organisation_ids(user))


def can_view_project(user, project) -> Decision:
    """A funded project's page: the staff of its organisations; at the ministry, read only, the call's officials."""
    if not _authenticated(user):
        return deny(_("Sign in first."))
    if is_project_member(user, project):
        return ALLOW
    if has_call_role(user, project.application.call_id, *CALL_OFFICIAL_ROLES):
        return ALLOW
    return deny(_("Your organisations do not take part in this project."))


def can_answer_grant(user, project) -> Decision:
    """Accepting or refusing the grant: an administrator of the lead organisation, within the call's
    acceptance period (until the end of its last day, Helsinki time)."""
    from kuntadigi.projects.lifecycle import State

    if project.application.lead_id not in organisation_ids(user, admin_only=True):
        return deny(_("Only an administrator of the lead organisation can accept or refuse the grant."))
    if project.state == State.REFUSED:
        return deny(_("The grant has already been refused."))
    if project.state != State.GRANTED:
        return deny(_("The grant has already been accepted."))
    if clock.helsinki(clock.now()).date() > project.acceptance_due:
        return deny(_("The period for accepting the grant ended on %(day)s. Contact the ministry.") % {"day": _day(project.acceptance_due)})
    return ALLOW


def _day(value) -> str:
    from django.utils.translation import get_language

    from kuntadigi.core import formats

    return formats.day(value, get_language())


def _project_open(project) -> Decision:
    from kuntadigi.projects.lifecycle import State

    if project.state in (State.GRANTED, State.ACCEPTED, State.RUNNING):
        return ALLOW
    if project.state == State.REFUSED:
        return deny(_("The grant was refused: the project no longer changes."))
    return deny(_("The project has ended: this can no longer change."))


def can_give_account(user, project) -> Decision:
    """The account the grant is paid to: an administrator of the lead organisation (as for accepting the
    terms: changing where the money goes is the organisation's commitment), while the project is open.
    Every change is e-mailed to the lead's administrators and the call's preparers."""
    if project.application.lead_id not in organisation_ids(user, admin_only=True):
        return deny(_("Only an administrator of the lead organisation can give or change the account."))
    return _project_open(project)


def can_upload_agreement(user, project) -> Decision:
    """The written agreement with the partners: the lead organisation's staff, while the project is open."""
    if project.application.lead_id not in organisation_ids(user):
        return deny(_("Only the lead organisation's staff can upload the agreement with the partners."))
    return _project_open(project)


def can_confirm_agreement(user, project, organisation_id: int) -> Decision:
    """A partner confirms the agreement in force: only the staff of that partner organisation."""
    partner_ids = {p.organisation_id for p in project.application.participants.all() if p.role == p.Role.PARTNER}
    if organisation_id not in partner_ids:
        return deny(_("Only partners confirm the agreement."))
    if organisation_id not in organisation_ids(user):
        return deny(_("Only the partner organisation's staff can confirm its agreement."))
    return _project_open(project)


# ── Reports of funded projects (owner: reports) ─────────────────────────────


def can_view_report(user, report) -> Decision:
    """A project's report: whoever sees the project (its organisations' staff; the call's officials)."""
    return can_view_project(user, report.project)


def can_edit_report(user, report) -> Decision:
    """Filling in and submitting a report: the lead organisation's staff, while the report is a draft or a
    supplement is asked (a submitted report waits for the officials; an approved one no longer changes)."""
    from kuntadigi.projects.lifecycle import State as ProjectState
    from kuntadigi.reports.lifecycle import State

    project = report.project
    if project.application.lead_id not in organisation_ids(user):
        return deny(_("Only the lead organisation's staff fill in and submit the project's reports."))
    if project.state in (ProjectState.GRANTED, ProjectState.REFUSED):
        return deny(_("Reports are made once the project is running."))
    if report.state == State.SUBMITTED:
        return deny(_("The report has been submitted and is being reviewed: it changes only if the ministry asks for a supplement."))
    if report.state == State.APPROVED:
        return deny(_("The report has been approved: it no longer changes."))
    return ALLOW


def can_read_report_reviews(user, report) -> Decision:
    """The officials' review page of a report: the call's officials (read only, but for its preparers)."""
    if has_call_role(user, report.project.application.call_id, *CALL_OFFICIAL_ROLES):
        return ALLOW
    return deny(_("Only the call's officials review reports."))


def can_review_report(user, report, part: str) -> Decision:
    """The substantive review (every report) and the financial review (the final report): the call's
    preparers, while the report is submitted and that review has not passed."""
    from kuntadigi.reports import services_reports
    from kuntadigi.reports.lifecycle import State

    if not has_call_role(user, report.project.application.call_id, "preparer"):
        return deny(_("Only the call's preparers review reports."))
    if part not in services_reports.parts_needed(report):
        return deny(_("An interim report has no financial review."))
    if report.state != State.SUBMITTED:
        return deny(_("Only a submitted report is reviewed; this one is %(state)s.") % {"state": State(report.state).label})
    if part in services_reports.parts_passed(report):
        return deny(_("This review has already passed."))
    return ALLOW


# ── Payment batches (owner: payments, batches) ──────────────────────────────


def can_view_payment_batches(user, call) -> Decision:
    """The call's payment batches (the payments in them and their total): the call's preparers, who make
    them, and its payment approvers, who approved the payments. Others do not learn that they exist."""
    if has_call_role(user, call, "preparer", "payment_approver"):
        return ALLOW
    return deny(_("Only the call's preparers and payment approvers see its payment batches."))


def can_manage_payment_batches(user, call) -> Decision:
    """Making a batch, putting approved payments into it and taking them out, exporting it (the bank's
    credit-transfer file and the CSV for the State's accounting, which only they download: they carry
    every recipient's account whole) and marking it paid: the call's preparers. The payment approver
    approved the payments and does not also send them to the bank (four eyes on the money)."""
    if has_call_role(user, call, "preparer"):
        return ALLOW
    return deny(_("Only the call's preparers make, export and mark payment batches paid, and download their files."))


# ── Payment requests (owner: payments, the lead's side) ─────────────────────


def can_make_payment_request(user, project) -> Decision:
    """Starting a payment request: the lead organisation's staff, while the project may be paid
    (projects.lifecycle.PAYABLE_STATES) and its account has been given."""
    from kuntadigi.projects.lifecycle import PAYABLE_STATES

    if project.application.lead_id not in organisation_ids(user):
        return deny(_("Only the lead organisation's staff can make a payment request."))
    if project.state not in PAYABLE_STATES:
        if project.state == "granted":
            return deny(_("A payment request can be made once the grant has been accepted."))
        return deny(_("No payment request can be made while the project is in this state."))
    if not project.iban:
        return deny(_("Give the account the grant is paid to first: nothing is paid before it is given."))
    return ALLOW


def can_view_payment_request(user, payment_request) -> Decision:
    """A payment request's page: the staff of the project's organisations (the partners read only)."""
    if not _authenticated(user):
        return deny(_("Sign in first."))
    if is_project_member(user, payment_request.project):
        return ALLOW
    return deny(_("Your organisations do not take part in this project."))


def can_edit_payment_request(user, payment_request) -> Decision:
    """Lines, ledger extracts and submitting: the lead organisation's staff, while the request is a draft
    and the project may be paid."""
    from kuntadigi.payments.lifecycle import State
    from kuntadigi.projects.lifecycle import PAYABLE_STATES

    project = payment_request.project
    if project.application.lead_id not in organisation_ids(user):
        return deny(_("Only the lead organisation's staff can change or submit the payment request."))
    if payment_request.state != State.DRAFT:
        return deny(_("The payment request has been submitted: it no longer changes."))
    if project.state not in PAYABLE_STATES:
        return deny(_("No payment request can be made while the project is in this state."))
    return ALLOW


# ── Decisions on funded projects and the settlement (owner: decisions, projects settlement) ──


def can_view_project_decisions(user, project) -> Decision:
    """The drafts and previews of decisions on a project, and its settlement work: the call's officials."""
    if not _authenticated(user):
        return deny(_("Sign in first."))
    if has_call_role(user, project.application.call_id, *CALL_OFFICIAL_ROLES):
        return ALLOW
    return deny(_("Only the call's preparers, presenting officials and decision-makers see the decisions being prepared on a project."))


def can_prepare_project_decision(user, project) -> Decision:
    """Preparing a decision on a project (a payment reduction, the settlement): the call's preparers and presenting officials."""
    if has_call_role(user, project.application.call_id, "preparer", "presenter"):
        return ALLOW
    return deny(_("Only the call's preparers and presenting officials prepare decisions on projects."))


def can_sign_project_decision(user, decision) -> Decision:
    """Only the decision-maker named on the decision, still a decision-maker in the call, and not the person
    who prepared it (four eyes: money is decided by two people)."""
    if not _authenticated(user):
        return deny(_("Sign in first."))
    if decision.decision_maker_id != user.pk:
        return deny(_("Only the decision-maker named on the decision can sign it."))
    if "decision_maker" not in call_roles(user, decision.project.application.call_id):
        return deny(_("You are no longer a decision-maker in this call."))
    if decision.prepared_by_id == user.pk:
        return deny(_("You prepared this decision: another person must sign it."))
    return ALLOW


def can_download_project_decision(user, project) -> Decision:
    """A signed decision on a project: the staff of the lead and the partners, and the call's officials."""
    if not _authenticated(user):
        return deny(_("Sign in first."))
    if is_project_member(user, project):
        return ALLOW
    if has_call_role(user, project.application.call_id, *CALL_OFFICIAL_ROLES):
        return ALLOW
    return deny(_("Your organisations do not take part in this project."))


def can_record_return(user, project) -> Decision:
    """Recording a return of an excess grant: the call's preparers (they follow the project's money)."""
    if has_call_role(user, project.application.call_id, "preparer"):
        return ALLOW
    return deny(_("Only the call's preparers record returns of an excess grant."))


def can_close_project(user, project) -> Decision:
    """Closing a settled project: the call's preparers."""
    if has_call_role(user, project.application.call_id, "preparer"):
        return ALLOW
    return deny(_("Only the call's preparers close a project."))


# ── Follow-up of funded projects: the officials' overdue list (owner: officials, followup) ──────────


def can_view_follow_up(user, call) -> Decision:
    """The call's list of overdue follow-up (reports, payment requests to check, grants not accepted):
    its preparers, presenting official, decision-maker and payment approvers."""
    if has_call_role(user, call, *CALL_OFFICIAL_ROLES, "payment_approver"):
        return ALLOW
    return deny(_("Only the call's officials and payment approvers see the follow-up of its projects."))


# ── Reviewing payment requests (owner: payments, review) ─────────────────────
# The preparer of the call checks each line; an approver with the call's payment-approver role approves,
# never the one who checked (four eyes, kuntadigi/payments/review_rules.py). Others at the ministry with a
# role in the call (presenter, decision-maker) read the review.

PAYMENT_REVIEW_ROLES = ("preparer", "payment_approver")
PAYMENT_READER_ROLES = (*CALL_OFFICIAL_ROLES, "payment_approver")


def can_follow_payment_requests(user, call) -> Decision:
    """The call's follow-up list of payment requests: its preparers and payment approvers."""
    if has_call_role(user, call, *PAYMENT_REVIEW_ROLES):
        return ALLOW
    return deny(_("Only the call's preparers and payment approvers follow its payment requests."))


def can_view_payment_review(user, payment_request) -> Decision:
    """A submitted payment request as the ministry reviews it: the call's officials and payment approvers
    (the lead sees the outcome on its project page). A draft is the lead's own."""
    from kuntadigi.payments.lifecycle import State

    if payment_request.state == State.DRAFT:
        return deny(_("The payment request has not been submitted."))
    if has_call_role(user, payment_request.project.application.call_id, *PAYMENT_READER_ROLES):
        return ALLOW
    return deny(_("Only the call's officials see the review of a payment request."))


def can_check_payment_request(user, payment_request) -> Decision:
    """Checking the lines and marking the request checked (or reopening the check): a preparer of the
    call, while the request waits to be checked (reopening: while it waits for approval)."""
    from kuntadigi.payments.lifecycle import State

    if not has_call_role(user, payment_request.project.application.call_id, "preparer"):
        return deny(_("Only the call's preparers check payment requests."))
    if payment_request.state == State.APPROVED:
        return deny(_("The payment request has already been approved: its check no longer changes."))
    return ALLOW


def can_approve_payment(user, payment_request) -> Decision:
    """Approving a checked request: a payment approver of the call who did not check it (four eyes)."""
    from kuntadigi.payments import review_rules
    from kuntadigi.payments.lifecycle import State

    if not has_call_role(user, payment_request.project.application.call_id, "payment_approver"):
        return deny(_("Only the call's payment approvers approve payments."))
    if payment_request.state == State.APPROVED:
        return deny(_("The payment request has already been approved."))
    if payment_request.state != State.CHECKED:
        return deny(_("The payment request has not been checked yet: a preparer checks it first."))
    if payment_request.project.state in ("settled", "closed"):
        return deny(_("The project has been settled: nothing more is paid on its payment requests."))
    checkers = [payment_request.checked_by_id, *(line.checked_by_id for line in payment_request.lines.all())]
    refusal = review_rules.four_eyes(approver_id=user.pk, checked_by=checkers)
    if refusal:
        return deny(refusal)
    return ALLOW


def can_approve_payment_again(user, payment) -> Decision:
    """A payment stopped by a change of account is approved again, to the new account, by a payment
    approver of the call who did not check its request (four eyes)."""
    from kuntadigi.payments import review_rules

    if not has_call_role(user, payment.project.application.call_id, "payment_approver"):
        return deny(_("Only the call's payment approvers approve payments."))
    if payment.stopped_at is None:
        return deny(_("The payment is not stopped: there is nothing to approve again."))
    if not payment.project.iban:
        return deny(_("The project has no account: the lead gives it first."))
    request = payment.request
    if request is not None:
        checkers = [request.checked_by_id, *(line.checked_by_id for line in request.lines.all())]
        refusal = review_rules.four_eyes(approver_id=user.pk, checked_by=checkers)
        if refusal:
            return deny(refusal)
    return ALLOW
