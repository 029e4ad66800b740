"""Who reaches what: every URL of the service, for every role.

The table below names, for each URL, what each role gets. A URL added to the service without a row
here fails `test_every_url_has_a_row`, so the matrix cannot silently fall behind.

Roles: anonymous; `outsider`, a member of a municipality that takes no part in the application;
`partner`, a member of a partner municipality; `lead`, a member of the lead applicant; `official`,
a ministry official (the ministry-wide flag: the registry and membership requests) without a role in
the call, who therefore gets 404 on its applications. The application in the table is submitted once,
has an attachment, and the call is open (the clock stands on the 2020 call's last day). The ministry's
roles in the call (and a draft nobody at the ministry opens) are the second table, at the end.

Outcomes: OK (200), LOGIN (redirect to the sign-in page), 404 (the object stays unknown), 405 (the
URL answers only POST), REDIRECT (a redirect elsewhere, e.g. back to a page that says why not),
400 (a sign-in link that is not valid gets its own page), 401 and 403 (the autosave endpoint answers
scripts in JSON).
Partners (and the call's officials, below) may see the application, so an action they may not take is
refused with its reason (REDIRECT with a message), not hidden.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from kuntadigi import clock
from kuntadigi.applications import submission as submission_services
from kuntadigi.applications.models import Attachment
from tests import factories
from tests.integration import submission_data

OK, LOGIN, NOT_FOUND, NOT_ALLOWED, REDIRECT = "OK", "LOGIN", "404", "405", "REDIRECT"
BAD, UNAUTHORISED, FORBIDDEN = "400", "401", "403"
ROLES = ("anonymous", "outsider", "partner", "lead", "official")


def row(anonymous, outsider, partner, lead, official):
    return dict(zip(ROLES, (anonymous, outsider, partner, lead, official), strict=True))


# GET of every named URL. Objects: {call} the open 2020 call, {app} the application, {n} its version 1,
# {att} its attachment, {membership} a pending request to join the lead municipality.
GET_MATRIX: dict[str, tuple[dict, dict]] = {
    "core:home": ({}, row(OK, OK, OK, OK, OK)),
    "core:accessibility": ({}, row(OK, OK, OK, OK, OK)),
    "core:privacy": ({}, row(OK, OK, OK, OK, OK)),
    "core:cookies": ({}, row(OK, OK, OK, OK, OK)),
    "core:help": ({}, row(OK, OK, OK, OK, OK)),
    "calls:list": ({}, row(OK, OK, OK, OK, OK)),
    "calls:detail": ({"slug": "{call}"}, row(OK, OK, OK, OK, OK)),
    "accounts:sign_in": ({}, row(OK, OK, OK, OK, OK)),
    "accounts:request_link": ({}, row(REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)),
    "accounts:link_sent": ({}, row(OK, OK, OK, OK, OK)),
    "accounts:use_link": ({"token": "not-a-token"}, row(BAD, BAD, BAD, BAD, BAD)),
    "accounts:sign_out": ({}, row(NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)),
    "accounts:account": ({}, row(LOGIN, OK, OK, OK, OK)),
    "accounts:change_password": ({}, row(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT)),
    "accounts:email_preferences": ({}, row(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT)),
    "accounts:organisations": ({}, row(LOGIN, OK, OK, OK, OK)),
    "accounts:join_organisation": ({}, row(LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)),
    "accounts:membership_requests": ({}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK)),
    "accounts:decide_membership": ({"pk": "{membership}"}, row(LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)),
    "registry:organisations": ({}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK)),
    "registry:add_joint_authority": ({}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, REDIRECT)),
    "registry:organisation": ({"pk": "{org}"}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK)),
    "registry:email_domains": ({"pk": "{org}"}, row(LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)),
    "applications:mine": ({}, row(LOGIN, OK, OK, OK, OK)),
    "applications:start": ({"call_slug": "{call}"}, row(LOGIN, OK, OK, OK, OK)),
    "applications:edit": ({"pk": "{app}"}, row(LOGIN, NOT_FOUND, OK, OK, NOT_FOUND)),
    "applications:autosave": ({"pk": "{app}"}, row(NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)),
    "applications:partners": ({"pk": "{app}"}, row(LOGIN, NOT_FOUND, OK, OK, NOT_FOUND)),
    "applications:budget": ({"pk": "{app}"}, row(LOGIN, NOT_FOUND, OK, OK, NOT_FOUND)),
    "applications:attachments": ({"pk": "{app}"}, row(LOGIN, NOT_FOUND, OK, OK, NOT_FOUND)),
    "applications:attachment_download": ({"pk": "{app}", "attachment_pk": "{att}"}, row(LOGIN, NOT_FOUND, OK, OK, NOT_FOUND)),
    "applications:attachment_delete": ({"pk": "{app}", "attachment_pk": "{att}"}, row(LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)),
    "applications:attachment_preview": ({"pk": "{app}", "attachment_pk": "{att}"}, row(LOGIN, NOT_FOUND, OK, OK, NOT_FOUND)),
    # A submitted application is no draft: nobody deletes it, and its printable view sends to its overview.
    "applications:delete": ({"pk": "{app}"}, row(LOGIN, NOT_FOUND, REDIRECT, REDIRECT, NOT_FOUND)),
    "applications:print": ({"pk": "{app}"}, row(LOGIN, NOT_FOUND, REDIRECT, REDIRECT, NOT_FOUND)),
    "applications:draft_pdf": ({"pk": "{app}"}, row(LOGIN, NOT_FOUND, REDIRECT, REDIRECT, NOT_FOUND)),
    "applications:detail": ({"pk": "{app}"}, row(LOGIN, NOT_FOUND, OK, OK, NOT_FOUND)),
    "applications:confirm": ({"pk": "{app}"}, row(LOGIN, NOT_FOUND, OK, REDIRECT, NOT_FOUND)),
    # Declining is a form on the confirmation page: it answers POST only.
    "applications:decline": ({"pk": "{app}"}, row(LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)),
    "applications:submit": ({"pk": "{app}"}, row(LOGIN, NOT_FOUND, OK, OK, NOT_FOUND)),
    "applications:withdraw": ({"pk": "{app}"}, row(LOGIN, NOT_FOUND, OK, OK, NOT_FOUND)),
    "applications:receipt": ({"pk": "{app}", "number": "{n}"}, row(LOGIN, NOT_FOUND, OK, OK, NOT_FOUND)),
    "applications:pdf": ({"pk": "{app}", "number": "{n}"}, row(LOGIN, NOT_FOUND, OK, OK, NOT_FOUND)),
    "applications:official_calls": ({}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK)),
    "applications:official_list": ({"call_slug": "{call}"}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    # The list's download: those who see the list (tests/integration/test_list_search_export.py).
    "applications:official_list_export": ({"call_slug": "{call}", "fmt": "csv"}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    # The work page of everyone at the ministry (a role in a call, the official or assessor flag); applicants get 404
    # (tests/integration/test_officials_work.py tests each role in a call).
    "officials:work": ({}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK)),
    # The overdue list of the call's funded projects and its download: the call's officials and payment approvers
    # (tests/integration/test_followup_overdue.py and the ministry's table below).
    "followup:overdue": ({"call_slug": "{call}"}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "followup:overdue_export": ({"call_slug": "{call}", "fmt": "csv"}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    # Ranking and allocation: only the call's preparers, presenter and decision-maker (tests/integration/test_ranking.py).
    "decisions:ranking": ({"call_slug": "{call}"}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "decisions:ranking_proposal": ({"call_slug": "{call}", "pk": "{app}"}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "decisions:ranking_propose_requested": ({"call_slug": "{call}"}, row(LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)),
    "decisions:ranking_fill": ({"call_slug": "{call}"}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "decisions:ranking_finalise": ({"call_slug": "{call}"}, row(LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)),
    "decisions:ranking_unfinalise": ({"call_slug": "{call}"}, row(LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)),
    "decisions:ranking_xlsx": ({"call_slug": "{call}"}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "decisions:ranking_csv": ({"call_slug": "{call}"}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    # Assessment: assessors' own pages, and the call's preparers/presenter/decision-maker; roles in the call are
    # tested in tests/integration/test_assessment_roles.py (the assignment and tie ids here exist for nobody).
    "assessment:queue": ({}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "assessment:score": ({"assignment_pk": 1}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "assessment:ties": ({}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "assessment:remove_tie": ({"pk": 1}, row(LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)),
    "assessment:assignments": ({"call_slug": "{call}"}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "assessment:assign": ({"call_slug": "{call}"}, row(LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)),
    "assessment:spread": ({"call_slug": "{call}"}, row(LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)),
    "assessment:unassign": ({"call_slug": "{call}", "pk": 1}, row(LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)),
    "assessment:results": ({"call_slug": "{call}"}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    # Decisions: the call's decision officials only (the plain official has no role in the call); the
    # applicants' download answers nothing before a decision is signed.
    "decisions:decision_list": ({"call_slug": "{call}"}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "decisions:decision_batch_prepare": ({"call_slug": "{call}"}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "decisions:decision_batch_sign": ({"call_slug": "{call}"}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "decisions:decision_prepare": ({"pk": "{app}"}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "decisions:decision_preview": ({"pk": "{app}"}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "decisions:decision_preview_pdf": ({"pk": "{app}"}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "decisions:decision_sign": ({"pk": "{app}"}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "decisions:decision_document": ({"pk": "{app}"}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    # Delivering decisions (tests/integration/test_delivery_*.py): consent is given by POST only; an organisation's
    # postal address by its administrators and officials; letters and copies (ids that exist for nobody here) 404.
    "delivery:application_consent": ({"pk": "{app}"}, row(LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)),
    "delivery:copy_document": ({"pk": "{app}", "delivery_pk": 1}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "delivery:organisation_consent": ({"pk": "{org}"}, row(LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)),
    "delivery:postal_address": ({"pk": "{org}"}, row(LOGIN, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND)),
    "delivery:letters": ({"call_slug": "{call}"}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "delivery:letter": ({"pk": 1}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "delivery:letter_pdf": ({"pk": 1}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "delivery:letter_posted": ({"pk": 1}, row(LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)),
    # Funded projects (tests/integration/test_projects_after_decision.py): the project of the application's grant
    # ({project}, with an agreement {agreement}) is its organisations' own; the lead's staff act on it, a partner
    # sees it and is refused the lead's actions with the reason; accepting, the agreement and confirming answer POST only.
    "projects:detail": ({"pk": "{project}"}, row(LOGIN, NOT_FOUND, OK, OK, NOT_FOUND)),
    "projects:accept": ({"pk": "{project}"}, row(LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)),
    "projects:refuse": ({"pk": "{project}"}, row(LOGIN, NOT_FOUND, REDIRECT, OK, NOT_FOUND)),
    "projects:account": ({"pk": "{project}"}, row(LOGIN, NOT_FOUND, REDIRECT, OK, NOT_FOUND)),
    "projects:agreement": ({"pk": "{project}"}, row(LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)),
    "projects:agreement_download": ({"pk": "{project}", "agreement_pk": "{agreement}"}, row(LOGIN, NOT_FOUND, OK, OK, NOT_FOUND)),
    "projects:confirm": ({"pk": "{project}"}, row(LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)),
    # A project's report: its organisations read it (the lead fills it in); the officials' review page is the call's officials'.
    "reports:report": ({"pk": "{report}"}, row(LOGIN, NOT_FOUND, OK, OK, NOT_FOUND)),
    "reports:confirmation": ({"pk": "{report}"}, row(LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)),
    "reports:attachment_download": ({"pk": "{report}", "attachment_pk": "{report_attachment}"}, row(LOGIN, NOT_FOUND, OK, OK, NOT_FOUND)),
    "reports:review": ({"pk": "{report}"}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "reports:versions": ({"pk": "{report}"}, row(LOGIN, NOT_FOUND, OK, OK, NOT_FOUND)),
    # Payment batches (tests/integration/test_batches_flow.py): the call's preparers and payment approvers only
    # ({batch}, an open batch of the call); the applicants and a plain official do not learn that they exist.
    "payments_batches:list": ({"call_slug": "{call}"}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "payments_batches:detail": ({"pk": "{batch}"}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "payments_batches:add": ({"pk": "{batch}"}, row(LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)),
    "payments_batches:remove": ({"pk": "{batch}"}, row(LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)),
    "payments_batches:export": ({"pk": "{batch}"}, row(LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)),
    "payments_batches:paid": ({"pk": "{batch}"}, row(LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)),
    "payments_batches:download": ({"pk": "{batch}", "kind": "pain001"}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    # Payment requests (tests/integration/test_payreq_*.py): the project's draft request {pr_number} with a line and a
    # ledger extract. The partner reads it; others' are 404. The project is not yet accepted, so the lead too is sent
    # back with the reason when it starts or changes one (the lead's own path: test_payreq_pages.py).
    "payment_requests:new": ({"pk": "{pr_project}"}, row(LOGIN, NOT_FOUND, REDIRECT, REDIRECT, NOT_FOUND)),
    "payment_requests:detail": ({"pk": "{pr_project}", "number": "{pr_number}"}, row(LOGIN, NOT_FOUND, OK, OK, NOT_FOUND)),
    "payment_requests:line_add": ({"pk": "{pr_project}", "number": "{pr_number}"}, row(LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)),
    "payment_requests:line_edit": (
        {"pk": "{pr_project}", "number": "{pr_number}", "line_pk": "{pr_line}"},
        row(LOGIN, NOT_FOUND, REDIRECT, REDIRECT, NOT_FOUND),
    ),
    "payment_requests:line_remove": (
        {"pk": "{pr_project}", "number": "{pr_number}", "line_pk": "{pr_line}"},
        row(LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED),
    ),
    "payment_requests:ledger_upload": ({"pk": "{pr_project}", "number": "{pr_number}"}, row(LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)),
    "payment_requests:ledger_download": (
        {"pk": "{pr_project}", "number": "{pr_number}", "extract_pk": "{pr_extract}"},
        row(LOGIN, NOT_FOUND, OK, OK, NOT_FOUND),
    ),
    "payment_requests:ledger_remove": (
        {"pk": "{pr_project}", "number": "{pr_number}", "extract_pk": "{pr_extract}"},
        row(LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED),
    ),
    "payment_requests:submit": ({"pk": "{pr_project}", "number": "{pr_number}"}, row(LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)),
    # Decisions on the project and its settlement: the call's officials only; the signed document also the project's people.
    "decisions:project_decision": ({"pk": "{project}", "decision_pk": "{project_decision}"}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "decisions:project_decision_preview_pdf": (
        {"pk": "{project}", "decision_pk": "{project_decision}"},
        row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    ),
    "decisions:project_decision_sign": ({"pk": "{project}", "decision_pk": "{project_decision}"}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "decisions:project_decision_document": ({"pk": "{project}", "decision_pk": "{project_decision}"}, row(LOGIN, NOT_FOUND, OK, OK, NOT_FOUND)),
    "decisions:payment_reduction_prepare": ({"request_pk": "{payment_request}"}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "settlement:prepare": ({"pk": "{project}"}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "settlement:record_return": ({"pk": "{project}"}, row(LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)),
    "settlement:close": ({"pk": "{project}"}, row(LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)),
    # Reviewing payment requests (tests/integration/test_payrev_review.py): the call's preparers and payment
    # approvers; the lead and partners see the outcome on their project page, not the ministry's review (404).
    "payment_review:list": ({"call_slug": "{call}"}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "payment_review:request": ({"pk": "{payreq}"}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "payment_review:check": ({"pk": "{payreq}"}, row(LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)),
    "payment_review:reopen": ({"pk": "{payreq}"}, row(LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)),
    "payment_review:approve": ({"pk": "{payreq}"}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "payment_review:ledger_extract": ({"pk": "{payreq}", "extract_pk": 1}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "payment_review:approve_again": ({"pk": "{payment}"}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    # Screening: the call's roles only (a plain official has none; system administrators name them),
    # tested with those roles in tests/integration/test_screening_access.py and test_call_roles.py.
    "screening:call_roles": ({"call_slug": "{call}"}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "screening:call_role_remove": ({"call_slug": "{call}", "role_pk": 1}, row(LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)),
    "screening:list": ({"call_slug": "{call}"}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "screening:list_export": ({"call_slug": "{call}", "fmt": "xlsx"}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    # Marking several at once (tests/integration/test_screening_bulk_mark.py): POST only, the call's preparers.
    "screening:bulk_mark": ({"call_slug": "{call}"}, row(LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)),
    "screening:application": ({"pk": "{app}"}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "screening:audit_download": ({"pk": "{app}", "fmt": "json"}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "screening:mark": ({"pk": "{app}"}, row(LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)),
    "screening:request_supplement": ({"pk": "{app}"}, row(LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)),
    # Public results (tests/integration/test_publication_pages.py): the call's results are not published, so its
    # results page and its application's project page are unknown; a municipality's page and the lists are public.
    # Publishing: the call's preparers and presenting official (the plain official has no role in the call).
    "publication:index": ({}, row(OK, OK, OK, OK, OK)),
    "publication:call": ({"slug": "{call}"}, row(NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "publication:publish": ({"slug": "{call}"}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "publication:project": ({"reference": "{ref}"}, row(NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "publication:municipalities": ({}, row(OK, OK, OK, OK, OK)),
    "publication:municipality": ({"code": "638"}, row(OK, OK, OK, OK, OK)),
    # Open data: public to everyone; a call's files exist only once its results are published (the open call's are not).
    "publication:open_data": ({}, row(OK, OK, OK, OK, OK)),
    # The map and statistics of the published results: public to everyone (tests/integration/test_publication_map.py, _statistics.py).
    "publication:map": ({}, row(OK, OK, OK, OK, OK)),
    "publication:statistics": ({}, row(OK, OK, OK, OK, OK)),
    "data:all_csv": ({}, row(OK, OK, OK, OK, OK)),
    "data:all_xlsx": ({}, row(OK, OK, OK, OK, OK)),
    "data:all_360giving": ({}, row(OK, OK, OK, OK, OK)),
    "data:call_csv": ({"slug": "{call}"}, row(NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "data:call_xlsx": ({"slug": "{call}"}, row(NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "data:call_360giving": ({"slug": "{call}"}, row(NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    # Open data API (tests/integration/test_api.py): public, the same for everyone, signed in or not. The open
    # call is public (without totals); its application is no public grant, for its lead and officials neither.
    # api:v1:api-root is ninja's name for /api/v1/, answered by the index.
    # The second factor (kuntadigi/mfa): these people have none; the official's role needs one, so the
    # code page sends the official to enrolment and the others on. The admin's login is the service's
    # sign-in, and 404 to anyone signed in who is no system administrator. Passkey ceremonies answer POST only, and
    # anonymous people not at all (403 in JSON: no passwordless sign-in).
    "mfa:verify": ({}, row(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT)),
    "mfa:enrol": ({}, row(LOGIN, OK, OK, OK, OK)),
    "mfa:recovery_codes": ({}, row(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT)),
    "mfa:regenerate_codes": ({}, row(LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)),
    "mfa:remove_device": ({"kind": "totp", "pk": "1"}, row(LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)),
    "mfa:sign_out_everywhere": ({}, row(LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)),
    "admin_login": ({}, row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "otp_webauthn:credential-registration-begin": ({}, row(FORBIDDEN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)),
    "otp_webauthn:credential-registration-complete": ({}, row(FORBIDDEN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)),
    "otp_webauthn:credential-authentication-begin": ({}, row(FORBIDDEN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)),
    "otp_webauthn:credential-authentication-complete": ({}, row(FORBIDDEN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)),
    "mfa:jsi18n": ({}, row(OK, OK, OK, OK, OK)),
    # /.well-known/security.txt (RFC 9116): public, the same for everyone.
    "security_txt": ({}, row(OK, OK, OK, OK, OK)),
    "api:root": ({}, row(REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)),
    "api:schema": ({}, row(OK, OK, OK, OK, OK)),
    "api:v1:api-root": ({}, row(OK, OK, OK, OK, OK)),
    "api:v1:index": ({}, row(OK, OK, OK, OK, OK)),
    "api:v1:calls": ({}, row(OK, OK, OK, OK, OK)),
    "api:v1:call": ({"id": "{call}"}, row(OK, OK, OK, OK, OK)),
    "api:v1:grants": ({}, row(OK, OK, OK, OK, OK)),
    "api:v1:grant": ({"id": "{ref}"}, row(NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "api:v1:organisations": ({}, row(OK, OK, OK, OK, OK)),
    "api:v1:organisation": ({"id": "638"}, row(OK, OK, OK, OK, OK)),
    "api:v1:regions": ({}, row(OK, OK, OK, OK, OK)),
    "api:v1:region": ({"id": "07"}, row(OK, OK, OK, OK, OK)),
}

# POST to the URLs that change something: strangers must learn nothing and change nothing.
POST_MATRIX: dict[str, dict] = {
    "applications:edit": row(LOGIN, NOT_FOUND, REDIRECT, None, NOT_FOUND),
    "applications:autosave": row(UNAUTHORISED, NOT_FOUND, FORBIDDEN, None, NOT_FOUND),
    "applications:partners": row(LOGIN, NOT_FOUND, REDIRECT, None, NOT_FOUND),
    "applications:budget": row(LOGIN, NOT_FOUND, REDIRECT, None, NOT_FOUND),
    "applications:attachments": row(LOGIN, NOT_FOUND, REDIRECT, None, NOT_FOUND),
    "applications:attachment_delete": row(LOGIN, NOT_FOUND, REDIRECT, None, NOT_FOUND),
    "applications:confirm": row(LOGIN, NOT_FOUND, None, REDIRECT, NOT_FOUND),
    # Only a partner's own staff decline (here refused with its reason: the application is submitted); the lead 404.
    "applications:decline": row(LOGIN, NOT_FOUND, REDIRECT, NOT_FOUND, NOT_FOUND),
    "applications:submit": row(LOGIN, NOT_FOUND, REDIRECT, None, NOT_FOUND),
    "applications:withdraw": row(LOGIN, NOT_FOUND, REDIRECT, None, NOT_FOUND),
    "applications:delete": row(LOGIN, NOT_FOUND, REDIRECT, REDIRECT, NOT_FOUND),
    "accounts:decide_membership": row(LOGIN, NOT_FOUND, NOT_FOUND, None, None),
    "registry:add_joint_authority": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, None),
    "registry:organisation": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, None),
    # An administrator of the organisation itself does not set its domains: a ministry official does.
    "registry:email_domains": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, REDIRECT),
    "decisions:ranking_proposal": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "decisions:ranking_propose_requested": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "decisions:ranking_fill": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "decisions:ranking_finalise": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "decisions:ranking_unfinalise": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "assessment:score": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "assessment:ties": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "assessment:remove_tie": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "assessment:assign": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "assessment:spread": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "assessment:unassign": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "decisions:decision_prepare": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "decisions:decision_sign": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "decisions:decision_batch_prepare": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "decisions:decision_batch_sign": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "screening:call_roles": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "screening:call_role_remove": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "screening:mark": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "screening:bulk_mark": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "screening:request_supplement": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "publication:publish": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    # The lead's consent in the application: only while its draft may be edited (this one is submitted).
    "delivery:application_consent": row(LOGIN, NOT_FOUND, REDIRECT, REDIRECT, NOT_FOUND),
    "delivery:organisation_consent": row(LOGIN, NOT_FOUND, NOT_FOUND, None, NOT_FOUND),
    "delivery:postal_address": row(LOGIN, NOT_FOUND, NOT_FOUND, None, NOT_FOUND),
    "delivery:letter_posted": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    # The lead's actions on its project: a partner is refused with the reason; confirming is a partner's (the
    # lead is refused, and so is a partner naming no organisation of its own).
    "projects:accept": row(LOGIN, NOT_FOUND, REDIRECT, None, NOT_FOUND),
    "projects:refuse": row(LOGIN, NOT_FOUND, REDIRECT, None, NOT_FOUND),
    "projects:account": row(LOGIN, NOT_FOUND, REDIRECT, None, NOT_FOUND),
    "projects:agreement": row(LOGIN, NOT_FOUND, REDIRECT, None, NOT_FOUND),
    "projects:confirm": row(LOGIN, NOT_FOUND, REDIRECT, REDIRECT, NOT_FOUND),
    # A report is the lead's to fill in (a partner is refused with the reason; this project is not running yet,
    # so the lead is refused too); reviewing is the call's preparers' (others: 404).
    "reports:report": row(LOGIN, NOT_FOUND, REDIRECT, REDIRECT, NOT_FOUND),
    "reports:confirmation": row(LOGIN, NOT_FOUND, REDIRECT, REDIRECT, NOT_FOUND),
    "reports:review": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "payments_batches:list": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "payments_batches:add": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "payments_batches:remove": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "payments_batches:export": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "payments_batches:paid": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    # A payment request is the lead's: the partner is refused with the reason, and so is the lead while the
    # project is not yet accepted.
    "payment_requests:new": row(LOGIN, NOT_FOUND, REDIRECT, REDIRECT, NOT_FOUND),
    "payment_requests:line_add": row(LOGIN, NOT_FOUND, REDIRECT, REDIRECT, NOT_FOUND),
    "payment_requests:line_edit": row(LOGIN, NOT_FOUND, REDIRECT, REDIRECT, NOT_FOUND),
    "payment_requests:line_remove": row(LOGIN, NOT_FOUND, REDIRECT, REDIRECT, NOT_FOUND),
    "payment_requests:ledger_upload": row(LOGIN, NOT_FOUND, REDIRECT, REDIRECT, NOT_FOUND),
    "payment_requests:ledger_remove": row(LOGIN, NOT_FOUND, REDIRECT, REDIRECT, NOT_FOUND),
    "payment_requests:submit": row(LOGIN, NOT_FOUND, REDIRECT, REDIRECT, NOT_FOUND),
    "decisions:project_decision_sign": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "decisions:payment_reduction_prepare": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "settlement:prepare": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "settlement:record_return": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "settlement:close": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "payment_review:check": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "payment_review:reopen": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "payment_review:approve": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "payment_review:approve_again": row(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
}

# URLs that are not the service's own pages.
OUTSIDE_THE_MATRIX = {"set_language", "health"}


def named_urls(resolver=None, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= named_urls(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_url_has_a_row():
    missing = named_urls() - set(GET_MATRIX) - OUTSIDE_THE_MATRIX
    assert not missing, f"URLs without a row in the authorisation matrix: {sorted(missing)}"
    gone = set(GET_MATRIX) - named_urls()
    assert not gone, f"Rows for URLs that no longer exist: {sorted(gone)}"


@pytest.fixture
def world(db):
    cache.clear()  # rate-limit counters
    clock.set_now(factories.DURING_2020)
    call = factories.call()
    lead_org = factories.municipality("Porvoo", code="638", name_sv="Borgå")
    partner_org = factories.municipality("Loviisa", code="434", name_sv="Lovisa")
    other_org = factories.municipality("Oulu", code="564", name_sv="Uleåborg")
    users = {
        "anonymous": None,
        "outsider": factories.member(other_org, "outsider@example.fi", admin=True),
        "partner": factories.member(partner_org, "partner@example.fi", admin=True),
        "lead": factories.member(lead_org, "lead@example.fi", admin=True),
        "official": factories.user("official@example.fi", official=True),
    }
    app = submission_data.application(call, lead=lead_org, partners=[partner_org], created_by=users["lead"], requested=Decimal("12750.00"))
    attachment = Attachment(application=app, original_name="plan.pdf", content_type="application/pdf", size=9, sha256="0" * 64, uploaded_by=users["lead"])
    attachment.file.save("plan.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    attachment.save()
    submission = submission_services.submit_application(users["lead"], app.pk).submission
    assert submission is not None
    applicant = factories.user("newcomer@example.fi")
    from kuntadigi.accounts.models import Membership

    membership = Membership.objects.create(user=applicant, organisation=lead_org)
    project, agreement = funded_project(app, users)
    report, report_attachment = project_report(project, users)
    payreq_ids = payment_request(project, users)
    project_decision, reduced_request = settled_project_rows(project, users)
    reviewed_request, payment = payment_review_rows(project, users)
    ids = {
        **payreq_ids,
        "{payreq}": reviewed_request.pk,
        "{payment}": payment.pk,
        "{project}": project.pk,
        "{agreement}": agreement.pk,
        "{report}": report.pk,
        "{report_attachment}": report_attachment.pk,
        "{project_decision}": project_decision.pk,
        "{payment_request}": reduced_request.pk,
        "{call}": call.slug,
        "{app}": app.pk,
        "{n}": submission.number,
        "{att}": attachment.pk,
        "{membership}": membership.pk,
        "{ref}": app.reference,
        "{org}": lead_org.pk,
        "{batch}": payment_batch(call, users["official"]).pk,
    }
    return users, ids


def funded_project(app, users):
    """The application's funded project with an uploaded agreement. Its decision is a draft, so that the
    application's own rows stay those of a submitted application; the project's rules do not look at it."""
    from datetime import date

    from kuntadigi.decisions.models import Decision
    from kuntadigi.projects.models import FundedProject, PartnerAgreement

    maker = users["official"]
    decision = Decision.objects.create(
        application=app, outcome="grant", language="fi", amount=Decimal("12750.00"), presenter=maker, decision_maker=maker, prepared_by=maker
    )
    project = FundedProject.objects.create(
        application=app,
        decision=decision,
        maximum_grant=Decimal("12750.00"),
        share=Decimal("0.85"),
        costs_from=date(2021, 1, 1),
        costs_until=date(2022, 10, 31),
        acceptance_due=date(2021, 1, 31),
    )
    agreement = PartnerAgreement(
        project=project, original_name="sopimus.pdf", content_type="application/pdf", size=9, sha256="2" * 64, uploaded_by=users["lead"]
    )
    agreement.file.save("sopimus.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    agreement.save()
    return project, agreement


def project_report(project, users):
    """The project's final report (kuntadigi/reports) with the auditor's confirmation attached."""
    from datetime import date

    from kuntadigi.reports.models import Report, ReportAttachment

    report = Report.objects.create(project=project, kind="final", due_date=date(2023, 2, 28))
    attachment = ReportAttachment(
        report=report, kind="confirmation", original_name="vahvistus.pdf", content_type="application/pdf", size=9, sha256="3" * 64, uploaded_by=users["lead"]
    )
    attachment.file.save("vahvistus.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    attachment.save()
    return report, attachment


def payment_request(project, users) -> dict:
    """The project's draft payment request 1 with a line of the lead and the lead's ledger extract."""
    from datetime import date

    from kuntadigi.payments.models import CostLine, LedgerExtract, PaymentRequest

    found = PaymentRequest.objects.create(project=project, number=1, period_start=date(2021, 1, 1), period_end=date(2021, 6, 30), created_by=users["lead"])
    lead = project.application.participants.get(role="lead")
    category = project.application.call.cost_categories.first()
    line = CostLine.objects.create(request=found, organisation_id=lead.organisation_id, category=category, description="Palkka", amount=Decimal("100.00"))
    extract = LedgerExtract(
        request=found,
        organisation_id=lead.organisation_id,
        original_name="ote.pdf",
        content_type="application/pdf",
        size=9,
        sha256="3" * 64,
        uploaded_by=users["lead"],
    )
    extract.file.save("ote.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    extract.save()
    return {"{pr_project}": project.pk, "{pr_number}": found.number, "{pr_line}": line.pk, "{pr_extract}": extract.pk}


def settled_project_rows(project, users):
    """A signed settlement decision with its stored document, and a draft payment request (rows only: the
    matrix asks who reaches them, not what they say)."""
    import hashlib
    from datetime import date

    from kuntadigi.decisions.models import ProjectDecision
    from kuntadigi.payments.models import PaymentRequest

    maker = users["official"]
    decision = ProjectDecision(project=project, kind="settlement", language="fi", state="signed", presenter=maker, decision_maker=maker, prepared_by=maker)
    content = b"%PDF-1.4\n% settlement\n"
    decision.document.save("loppuselvitys.pdf", ContentFile(content), save=False)
    decision.document_sha256 = hashlib.sha256(content).hexdigest()
    decision.save()
    request = PaymentRequest.objects.create(project=project, number=2, period_start=date(2021, 1, 1), period_end=date(2021, 6, 30), created_by=users["lead"])
    return decision, request


def payment_review_rows(project, users):
    """A checked payment request of the project (one line, checked by nobody at the ministry here) and a
    payment stopped by a change of account, made with the ORM."""
    from datetime import date

    from kuntadigi.payments.models import CostLine, Payment, PaymentRequest

    payment_request = PaymentRequest.objects.create(
        project=project,
        number=3,
        period_start=date(2021, 1, 1),
        period_end=date(2021, 6, 30),
        state="checked",
        created_by=users["lead"],
        submitted_by=users["lead"],
        submitted_at=clock.now(),
        claimed=Decimal("1000.00"),
        accepted=Decimal("1000.00"),
    )
    category = project.application.call.cost_categories.first()
    CostLine.objects.create(
        request=payment_request,
        organisation=project.application.lead,
        category=category,
        description="Palkat",
        amount=Decimal("1000.00"),
        accepted=Decimal("1000.00"),
    )
    payment = Payment.objects.create(
        project=project,
        kind="instalment",
        amount=Decimal("850.00"),
        iban="FI2112345600000785",
        approved_by=users["official"],
        end_to_end_id=f"KD-{project.pk}-0-1",
        stopped_at=clock.now(),
        stop_reason="account_changed",
    )
    return payment_request, payment


def url_for(name: str, kwargs: dict, ids: dict, lang: str = "fi") -> str:
    from django.utils import translation

    with translation.override(lang):
        return reverse(name, kwargs={key: ids.get(value, value) for key, value in kwargs.items()})


def outcome(response) -> str:
    if response.status_code == 200:
        return OK
    if response.status_code == 404:
        return NOT_FOUND
    if response.status_code == 405:
        return NOT_ALLOWED
    if response.status_code in (301, 302):
        return LOGIN if "/sign-in/" in response["Location"] and "next=" in response["Location"] else REDIRECT
    return str(response.status_code)


@pytest.mark.parametrize("role", ROLES)
def test_get_matrix(client, world, role):
    users, ids = world
    if users[role]:
        client.force_login(users[role])
    wrong = {}
    for name, (kwargs, expected) in GET_MATRIX.items():
        got = outcome(client.get(url_for(name, kwargs, ids)))
        if got != expected[role]:
            wrong[name] = f"expected {expected[role]}, got {got}"
    assert not wrong, f"{role}: {wrong}"


@pytest.mark.parametrize("role", ROLES)
def test_post_matrix(client, world, role):
    users, ids = world
    if users[role]:
        client.force_login(users[role])
    wrong = {}
    for name, expected in POST_MATRIX.items():
        if expected[role] is None:
            continue
        kwargs = GET_MATRIX[name][0]
        got = outcome(client.post(url_for(name, kwargs, ids), {"version": "1", "action": "approve"}))
        if got != expected[role]:
            wrong[name] = f"expected {expected[role]}, got {got}"
    assert not wrong, f"{role}: {wrong}"


@pytest.mark.parametrize("role", ["outsider", "partner", "official"])
def test_others_change_nothing(client, world, role):
    """After every refused POST, the application and its versions are as they were."""
    from kuntadigi.applications.models import Application, Submission

    users, ids = world
    before = Application.objects.values().get(pk=ids["{app}"])
    versions = Submission.objects.filter(application_id=ids["{app}"]).count()
    client.force_login(users[role])
    for name, expected in POST_MATRIX.items():
        if expected[role] is None:
            continue
        client.post(url_for(name, GET_MATRIX[name][0], ids), {"version": "1"})
    assert Application.objects.values().get(pk=ids["{app}"]) == before
    assert Submission.objects.filter(application_id=ids["{app}"]).count() == versions


# ── The ministry's people on one call's applications (least privilege) ─────
# Everyone at the ministry reads an application by the same rule (permissions.can_read_as_ministry): only a
# submitted one, and only with a role in its call. The flag "ministry official" and superuser status open
# nothing; a draft (never submitted, or withdrawn to be edited) is the applicant's own.

MINISTRY = ("flag_only", "superuser", "preparer", "presenter", "decision_maker", "assessor_assigned", "assessor_unassigned", "other_calls_preparer")
CALL_OFFICIALS = ("preparer", "presenter", "decision_maker")
# What one who may read the submitted application gets on the applicant's pages: they see them read-only;
# confirming is for partners, so it is refused with its reason.
READER_GETS = {
    "applications:edit": OK,
    "applications:partners": OK,
    "applications:budget": OK,
    "applications:attachments": OK,
    "applications:attachment_download": OK,
    "applications:attachment_preview": OK,
    "applications:detail": OK,
    "applications:confirm": REDIRECT,
    "applications:submit": OK,
    "applications:withdraw": OK,
    "applications:receipt": OK,
    "applications:pdf": OK,
    "screening:application": OK,
}


def application_urls() -> list[str]:
    """The GET URLs of the matrix that name the application (or its version or attachment)."""
    return sorted(name for name, (kwargs, _row) in GET_MATRIX.items() if "{app}" in kwargs.values())


@pytest.fixture
def ministry(world):
    from kuntadigi.assessment.models import Assignment
    from kuntadigi.calls.models import Call

    users, ids = world
    call = Call.objects.get(slug=ids["{call}"])
    other_call = factories.call("digi-2021", opens_at=factories.CLOSES_2020, closes_at=factories.CLOSES_2020.replace(year=2021))
    people = {
        "flag_only": factories.user("virkailija@vm.fi", official=True),
        "superuser": factories.user("yllapito@vm.fi", is_staff=True, is_superuser=True),
        "preparer": factories.official_in(call, "preparer", email="valmistelija@vm.fi"),
        "presenter": factories.official_in(call, "presenter", email="esittelija@vm.fi"),
        "decision_maker": factories.official_in(call, "decision_maker", email="ratkaisija@vm.fi"),
        "assessor_assigned": factories.official_in(call, "assessor", email="arvioija1@vm.fi"),
        "assessor_unassigned": factories.official_in(call, "assessor", email="arvioija2@vm.fi"),
        "other_calls_preparer": factories.official_in(other_call, "preparer", email="toinen@vm.fi"),
    }
    Assignment.objects.create(application_id=ids["{app}"], assessor=people["assessor_assigned"], assigned_by=people["preparer"])
    # A draft in the same call: its lead has not submitted it.
    draft = submission_data.application(call, lead=factories.municipality("Sipoo", code="753"), partners=[factories.municipality("Kerava", code="245")])
    draft_attachment = Attachment(
        application=draft, original_name="luonnos.pdf", content_type="application/pdf", size=9, sha256="1" * 64, uploaded_by=draft.created_by
    )
    draft_attachment.file.save("luonnos.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    draft_attachment.save()
    draft_ids = {**ids, "{app}": draft.pk, "{att}": draft_attachment.pk}
    return people, ids, draft_ids, users


@pytest.mark.parametrize("role", MINISTRY)
def test_the_ministry_reads_a_submitted_application_only_with_a_role_in_its_call(client, ministry, role):
    from kuntadigi.audit.models import AuditEvent

    people, ids, _draft_ids, _users = ministry
    client.force_login(people[role])
    may_read = role in CALL_OFFICIALS or role == "assessor_assigned"
    wrong = {}
    for name, expected_for_reader in READER_GETS.items():
        expected = expected_for_reader if may_read else NOT_FOUND
        got = outcome(client.get(url_for(name, GET_MATRIX.get(name, ({"pk": "{app}"}, None))[0], ids)))
        if got != expected:
            wrong[name] = f"expected {expected}, got {got}"
    assert not wrong, f"{role}: {wrong}"
    reads = AuditEvent.objects.filter(action="application.read", actor=people[role], application_id=ids["{app}"])
    if may_read:  # every page and document read is recorded, the attachment by its name
        kinds = sorted(event.after["read"] for event in reads)
        assert kinds == sorted(
            [
                "project",
                "partners",
                "budget",
                "attachments",
                "attachment",
                "attachment_preview",
                "overview",
                "confirmation",
                "review",
                "withdrawal",
                "receipt",
                "application_pdf",
                "officials_page",
            ]
        )
        assert reads.get(after__read="attachment").after["name"] == "plan.pdf"
    else:
        assert not reads.exists()


@pytest.mark.parametrize("role", ["outsider", "partner", "official"])
def test_others_change_no_project(client, world, role):
    """After every refused POST to the project's URLs, the project is as it was and its agreement unconfirmed."""
    from kuntadigi.projects.models import AgreementConfirmation, FundedProject, PartnerAgreement

    users, ids = world
    before = FundedProject.objects.values().get(pk=ids["{project}"])
    client.force_login(users[role])
    for name, expected in POST_MATRIX.items():
        if name.startswith("projects:") and expected[role] is not None:
            client.post(url_for(name, GET_MATRIX[name][0], ids), {"reason": "Ei kiitos", "iban": "FI2112345600000785", "bic": "NDEAFIHH"})
    assert FundedProject.objects.values().get(pk=ids["{project}"]) == before
    assert PartnerAgreement.objects.count() == 1 and not AgreementConfirmation.objects.exists()


PROJECT_URLS = [name for name, (kwargs, _row) in GET_MATRIX.items() if "{project}" in kwargs.values()]
# The call's officials read a project (its page and agreement); its forms send them back with the reason.
OFFICIAL_GETS = {"projects:detail": OK, "projects:agreement_download": OK, "projects:refuse": REDIRECT, "projects:account": REDIRECT}
# The settlement and the decisions on the project: the call's officials read them (a signed decision's preview and
# signing page send them to the document and to the decision with the reason).
OFFICIAL_GETS |= {
    "decisions:project_decision": OK,
    "decisions:project_decision_preview_pdf": REDIRECT,
    "decisions:project_decision_sign": REDIRECT,
    "decisions:project_decision_document": OK,
    "settlement:prepare": OK,
}


@pytest.mark.parametrize("role", MINISTRY)
def test_the_ministry_reads_a_project_only_as_the_calls_official(client, ministry, role):
    people, ids, _draft_ids, _users = ministry
    client.force_login(people[role])
    wrong = {}
    for name in PROJECT_URLS:
        if GET_MATRIX[name][1]["lead"] == NOT_ALLOWED:
            continue
        expected = OFFICIAL_GETS[name] if role in CALL_OFFICIALS else NOT_FOUND
        got = outcome(client.get(url_for(name, GET_MATRIX[name][0], ids)))
        if got != expected:
            wrong[name] = f"expected {expected}, got {got}"
    assert not wrong, f"{role}: {wrong}"


@pytest.mark.parametrize("role", MINISTRY)
def test_nobody_at_the_ministry_opens_an_unsubmitted_draft(client, ministry, role):
    """Not the call's officials, not an assessor, not a superuser: every URL that names the draft is 404."""
    people, _ids, draft_ids, _users = ministry
    client.force_login(people[role])
    wrong = {}
    for name in application_urls():
        got = outcome(client.get(url_for(name, GET_MATRIX[name][0], draft_ids)))
        if got not in (NOT_FOUND, NOT_ALLOWED):
            wrong[name] = f"expected 404, got {got}"
    got = outcome(client.get(url_for("screening:application", {"pk": "{app}"}, draft_ids)))
    if got != NOT_FOUND:
        wrong["screening:application"] = f"expected 404, got {got}"
    assert not wrong, f"{role}: {wrong}"


def test_a_withdrawn_application_is_a_draft_again_for_the_ministry(client, ministry):
    from kuntadigi.applications import submission as services

    people, ids, _draft_ids, users = ministry
    services.withdraw_application(users["lead"], ids["{app}"])
    client.force_login(people["preparer"])
    for name in ("applications:detail", "applications:receipt", "applications:pdf", "applications:attachment_download"):
        assert outcome(client.get(url_for(name, GET_MATRIX[name][0], ids))) == NOT_FOUND, name
    assert outcome(client.get(url_for("screening:application", {"pk": "{app}"}, ids))) == NOT_FOUND


def test_the_applicants_own_reads_are_not_recorded(client, ministry):
    from kuntadigi.audit.models import AuditEvent

    _people, ids, _draft_ids, users = ministry
    for role in ("lead", "partner"):
        client.force_login(users[role])
        for name in READER_GETS:
            if name != "screening:application":
                client.get(url_for(name, GET_MATRIX[name][0], ids))
    assert not AuditEvent.objects.filter(action="application.read").exists()


def test_while_the_applicant_supplements_the_ministry_reads_the_submitted_versions_only(client, ministry):
    """The live pages show what is being supplemented (not yet submitted): 404; the versions and the officials' page stay open."""
    from kuntadigi.applications.models import Application

    people, ids, _draft_ids, users = ministry
    Application.objects.filter(pk=ids["{app}"]).update(state="supplement_requested")
    client.force_login(people["preparer"])
    for name in ("applications:detail", "applications:edit", "applications:budget", "applications:attachments", "applications:attachment_download"):
        assert outcome(client.get(url_for(name, GET_MATRIX[name][0], ids))) == NOT_FOUND, name
    for name in ("applications:receipt", "applications:pdf"):
        assert outcome(client.get(url_for(name, GET_MATRIX[name][0], ids))) == OK, name
    assert outcome(client.get(url_for("screening:application", {"pk": "{app}"}, ids))) == OK
    client.force_login(users["lead"])
    assert outcome(client.get(url_for("applications:edit", GET_MATRIX["applications:edit"][0], ids))) == OK


@pytest.mark.parametrize("role", MINISTRY)
def test_the_lists_downloads_for_the_calls_officials_only(client, ministry, role):
    """The downloads of the officials' lists follow the lists: the call's officials; everyone else at the ministry 404."""
    people, ids, _draft_ids, _users = ministry
    client.force_login(people[role])
    expected = OK if role in CALL_OFFICIALS else NOT_FOUND
    for name in ("applications:official_list_export", "screening:list_export"):
        for fmt in ("csv", "xlsx"):
            assert outcome(client.get(url_for(name, {"call_slug": "{call}", "fmt": fmt}, ids))) == expected, (name, fmt)


# ── Payment batches: the call's officials (preparer, payment approver, decision-maker) ──


def payment_batch(call, created_by):
    """An open payment batch of the call, with nothing in it."""
    from datetime import date

    from kuntadigi.payments.models import PaymentBatch

    return PaymentBatch.objects.create(call=call, number=1, due_date=date(2020, 12, 31), created_by=created_by)


BATCH_ROLES = ("preparer", "payment_approver", "decision_maker", "presenter")
# GET: the preparers make the batches and the approvers see them; the batch's files are the preparers' (this
# open batch has none: 404), an approver is refused with the reason. POST: the approver is refused with the
# reason, the decision-maker and the presenter do not learn the batch exists.
BATCH_GETS = {
    "payments_batches:list": {"preparer": OK, "payment_approver": OK, "decision_maker": NOT_FOUND, "presenter": NOT_FOUND},
    "payments_batches:detail": {"preparer": OK, "payment_approver": OK, "decision_maker": NOT_FOUND, "presenter": NOT_FOUND},
    "payments_batches:download": {"preparer": NOT_FOUND, "payment_approver": REDIRECT, "decision_maker": NOT_FOUND, "presenter": NOT_FOUND},
}
BATCH_POSTS = {
    name: {"payment_approver": REDIRECT, "decision_maker": NOT_FOUND, "presenter": NOT_FOUND}
    for name in ("payments_batches:list", "payments_batches:add", "payments_batches:remove", "payments_batches:export", "payments_batches:paid")
}


@pytest.mark.parametrize("role", BATCH_ROLES)
def test_payment_batches_for_the_calls_preparers_and_payment_approvers(client, ministry, role):
    from kuntadigi.calls.models import Call, CallRole
    from kuntadigi.payments.models import PaymentBatch

    people, ids, _draft_ids, _users = ministry
    if role == "payment_approver":
        people[role] = factories.user("maksaja@vm.fi", official=True)
        CallRole.objects.create(call=Call.objects.get(slug=ids["{call}"]), user=people[role], role=CallRole.Role.PAYMENT_APPROVER)
    client.force_login(people[role])
    wrong = {}
    for name, expected in BATCH_GETS.items():
        got = outcome(client.get(url_for(name, GET_MATRIX[name][0], ids)))
        if got != expected[role]:
            wrong[f"GET {name}"] = f"expected {expected[role]}, got {got}"
    before = list(PaymentBatch.objects.values())
    for name, expected in BATCH_POSTS.items():
        if role not in expected:
            continue
        got = outcome(client.post(url_for(name, GET_MATRIX[name][0], ids), {"due_date": "2020-12-31", "value_date": "2020-10-05", "payment": "1"}))
        if got != expected[role]:
            wrong[f"POST {name}"] = f"expected {expected[role]}, got {got}"
    assert not wrong, f"{role}: {wrong}"
    assert list(PaymentBatch.objects.values()) == before


@pytest.mark.parametrize("role", ["outsider", "partner", "official", "lead"])
def test_refused_posts_change_no_payment_request(client, world, role):
    """After every refused POST to a payment request's URLs, the request, its line and its extract are as they were."""
    from kuntadigi.payments.models import CostLine, LedgerExtract, PaymentRequest

    users, ids = world
    snapshot = (list(PaymentRequest.objects.values()), list(CostLine.objects.values()), list(LedgerExtract.objects.values()))
    client.force_login(users[role])
    for name, expected in POST_MATRIX.items():
        if name.startswith("payment_requests:") and expected[role] is not None:
            data = {"organisation": "1", "category": "1", "description": "x", "amount": "1", "period_start": "2021-01-01", "period_end": "2021-01-31"}
            client.post(url_for(name, GET_MATRIX[name][0], ids), data)
    assert (list(PaymentRequest.objects.values()), list(CostLine.objects.values()), list(LedgerExtract.objects.values())) == snapshot


PAYMENT_REQUEST_URLS = [name for name in GET_MATRIX if name.startswith("payment_requests:")]


@pytest.mark.parametrize("role", MINISTRY)
def test_the_ministry_does_not_open_the_leads_payment_request_pages(client, ministry, role):
    """The lead's pages of a payment request are its project's organisations' own: nobody at the ministry opens
    them (officials check requests on their own pages). The call's officials, who see the project, are sent back
    from starting a request with the reason."""
    people, ids, _draft_ids, _users = ministry
    client.force_login(people[role])
    wrong = {}
    for name in PAYMENT_REQUEST_URLS:
        kwargs, expected_row = GET_MATRIX[name]
        if expected_row["lead"] == NOT_ALLOWED:
            continue
        expected = REDIRECT if name == "payment_requests:new" and role in CALL_OFFICIALS else NOT_FOUND
        got = outcome(client.get(url_for(name, kwargs, ids)))
        if got != expected:
            wrong[name] = f"expected {expected}, got {got}"
    assert not wrong, f"{role}: {wrong}"


@pytest.mark.parametrize("role", MINISTRY)
def test_the_follow_up_overdue_list_for_the_calls_officials_only(client, ministry, role):
    """The overdue list of the call's funded projects and its downloads: the call's officials (and payment
    approvers, tests/integration/test_followup_overdue.py); everyone else at the ministry 404."""
    people, ids, _draft_ids, _users = ministry
    client.force_login(people[role])
    expected = OK if role in CALL_OFFICIALS else NOT_FOUND
    assert outcome(client.get(url_for("followup:overdue", {"call_slug": "{call}"}, ids))) == expected
    for fmt in ("csv", "xlsx"):
        assert outcome(client.get(url_for("followup:overdue_export", {"call_slug": "{call}", "fmt": fmt}, ids))) == expected, fmt


# ── Reviewing payment requests: the ministry's roles in the call ────────────
# Preparers check, payment approvers approve (never what they checked), presenter and decision-maker read.
PAYMENT_REVIEW_GETS = ("payment_review:list", "payment_review:request")


@pytest.mark.parametrize("role", [*MINISTRY, "payment_approver"])
def test_the_payment_review_is_the_calls_officials(client, ministry, role):
    from kuntadigi.calls.models import Call

    people, ids, _draft_ids, _users = ministry
    if role == "payment_approver":
        people = {**people, role: factories.official_in(Call.objects.get(slug=ids["{call}"]), "payment_approver", email="hyvaksyja@vm.fi")}
    client.force_login(people[role])
    expected = {
        "payment_review:list": OK if role in ("preparer", "payment_approver") else NOT_FOUND,
        "payment_review:request": OK if role in ("preparer", "presenter", "decision_maker", "payment_approver") else NOT_FOUND,
    }
    wrong = {}
    for name in PAYMENT_REVIEW_GETS:
        got = outcome(client.get(url_for(name, GET_MATRIX[name][0], ids)))
        if got != expected[name]:
            wrong[name] = f"expected {expected[name]}, got {got}"
    assert not wrong, f"{role}: {wrong}"


@pytest.mark.parametrize("role", ["preparer", "presenter", "decision_maker"])
def test_acting_on_a_payment_without_the_role_is_refused_with_the_reason(client, ministry, role):
    from django.contrib.messages import get_messages

    from kuntadigi.payments.models import Payment, PaymentRequest

    people, ids, _draft_ids, _users = ministry
    client.force_login(people[role])
    reasons = []
    for name in ("payment_review:approve", "payment_review:approve_again"):
        response = client.post(url_for(name, GET_MATRIX[name][0], ids, lang="en"))
        assert outcome(response) == REDIRECT, name
        reasons += [str(m) for m in get_messages(response.wsgi_request)]
    assert "Only the call's payment approvers approve payments." in reasons
    assert PaymentRequest.objects.get(pk=ids["{payreq}"]).state == "checked"
    assert Payment.objects.get(pk=ids["{payment}"]).stopped_at is not None
