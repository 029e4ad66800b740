"""The officials' whole path for a closed call, walked in Chromium by the people who do it.

The real 2020 call after its deadline, with four applications generated through the real services
(one of them in Swedish). The preparer screens and requests a supplement, which the lead applicant
answers; every application is marked (one ineligible), assessors are spread evenly and score blind,
the preparer ranks, fills the appropriation and finalises it, prepares the decisions (one by hand in
Swedish, the rest at once), the decision-maker signs them all at once, and the lead applicant reads
and downloads the signed decision. Officials and the lead walk in Finnish; the decisions are written
in each application's language. axe-core checks every page visited.

Selectors are ids, names and form actions, never visible words, so the walk holds in any language;
what a person would notice (the mail, the diff, the scores, the decision) is asserted on the way, and
the audit trail of the application that went through everything at the end.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.utils import translation
from django.utils.translation import gettext

from kuntadigi import clock
from kuntadigi.applications.models import Application
from kuntadigi.assessment.models import Assignment
from kuntadigi.audit.models import AuditEvent
from kuntadigi.calls.models import Criterion
from kuntadigi.decisions.models import Allocation, Decision, Proposal
from kuntadigi.screening.models import Screening, SupplementRequest
from tests.browser import official_path_support as support
from tests.browser.helpers import SIGNING_TIMEOUT, assert_reads_at_320px
from tests.browser.official_path_support import Walker

pytestmark = pytest.mark.browser

SUPPLEMENT_ASKED = "Tarkentakaa hankkeen tiivistelmää: mitkä palvelut uudistetaan ensin?"
SUPPLEMENTED = "Ensimmäisenä uudistetaan ajanvaraus ja asukaspalaute yhteisellä sähköisellä asiointialustalla."
SWEDISH_TITLES = ("konsultativ tjänsteman", "finansråd")
FINNISH_TITLES = ("neuvotteleva virkamies", "finanssineuvos")


def justification(assessor_index: int, application: Application, criterion: Criterion) -> str:
    return f"Arvioija {assessor_index + 1}: {application.reference} täyttää kriteerin {criterion.order} hyvin."


@pytest.fixture
def world(transactional_db, reference_data, site, mailbox):
    return support.closed_call()


DIARY_NUMBER = "VN/20641/2020"  # the ministry's diary number of the matter, typed by the preparer


def test_the_officials_whole_path_from_screening_to_the_signed_decision(browser, site, mailbox, world):
    call = world.call
    swedish = world.by_language("sv")[0]
    supplemented, *finnish_others = world.by_language("fi")
    ineligible = finnish_others[-1]
    eligible = [a for a in world.applications if a.pk != ineligible.pk]
    lead = support.lead_user(supplemented)
    criteria = list(Criterion.objects.filter(call=call).order_by("order"))
    assert criteria, "the 2020 call has its criteria"

    # ── 1. The preparer finds the call, screens, and requests a supplement ────────────────────────
    preparer = Walker(browser, site)
    preparer.sign_in(world.preparer.email)
    preparer.go("applications:official_calls")
    preparer.click(f"main a[href$='/officials/calls/{call.slug}/screening/']")
    for application in world.applications:
        assert preparer.page.locator(f"main a[href$='/officials/applications/{application.pk}/']").count() == 1
    preparer.click(f"main a[href$='/officials/applications/{supplemented.pk}/']")
    request_form = preparer.page.locator(f"form[action$='/officials/applications/{supplemented.pk}/supplement/']")
    request_form.locator("input[name=parts][value=project]").check()
    request_form.locator("textarea[name=message]").fill(SUPPLEMENT_ASKED)
    due = clock.helsinki(clock.now() + timedelta(days=4)).replace(hour=16, minute=15, second=0, microsecond=0)
    request_form.locator("input[name=due_at]").fill(due.strftime("%Y-%m-%dT%H:%M"))
    preparer.click(f"form[action$='/officials/applications/{supplemented.pk}/supplement/'] button[type=submit]")
    supplement = SupplementRequest.objects.get(application=supplemented)
    assert supplement.parts == ["project"] and supplement.due_at == due and supplement.answered_at is None
    assert Application.objects.get(pk=supplemented.pk).state == "supplement_requested"
    assert SUPPLEMENT_ASKED in preparer.text("main")

    # The lead's contact person gets the request, in the application's language (Finnish).
    with translation.override("fi"):
        subject = gettext("Request for supplement: %(reference)s") % {"reference": supplemented.reference}
    mail = mailbox.wait_for_mail(lead.email, subject=subject)
    assert SUPPLEMENT_ASKED in mail.body
    assert f"/fi/applications/{supplemented.pk}/" in mail.body

    # ── 2. The lead applicant answers: changes the summary, reviews and submits again ─────────────
    clock.set_now(support.SUPPLEMENT_ANSWERED)
    applicant = Walker(browser, site)
    applicant.sign_in(lead.email)
    applicant.go("applications:detail", supplemented.pk)
    assert SUPPLEMENT_ASKED in applicant.text(".supplement-notice")
    applicant.click(f".supplement-notice a[href*='/applications/{supplemented.pk}/edit/']")
    summary = applicant.page.locator("#id_summary")
    assert summary.is_enabled() and applicant.page.locator("#id_start_date").is_disabled()  # only the project part is open
    summary.fill(summary.input_value() + " " + SUPPLEMENTED)
    applicant.click(f"form[action$='/applications/{supplemented.pk}/edit/'] button[type=submit]")
    assert SUPPLEMENTED in Application.objects.get(pk=supplemented.pk).summary
    applicant.go("applications:submit", supplemented.pk)
    assert applicant.page.locator(".error-summary").count() == 0
    applicant.click(f"main form[action$='/applications/{supplemented.pk}/submit/'] button[type=submit]")
    supplement.refresh_from_db()
    assert supplement.answer is not None and supplement.answer.number == 2
    assert Application.objects.get(pk=supplemented.pk).state == "submitted"
    applicant.go("applications:detail", supplemented.pk)
    assert applicant.page.locator(f"#versions ~ * a[href$='/applications/{supplemented.pk}/versions/2/']").count() == 1
    assert applicant.page.locator(".supplement-notice").count() == 0
    with translation.override("fi"):
        subject = gettext("Application received: %(reference)s") % {"reference": supplemented.reference}
    receipt = mailbox.wait_for_mail(lead.email, subject=subject)  # the receipt of the supplement, with its receipt number
    with translation.override(lead.language or "fi"):
        assert f"{gettext('Receipt number')}: 2" in receipt.body
    assert supplement.answer.fingerprint not in receipt.body

    # ── 3. The preparer sees what changed and marks every application ────────────────────────────
    clock.set_now(support.SCREENED)
    preparer.go("screening:application", supplemented.pk)
    added = " ".join(preparer.page.locator("dl.changes ins").all_inner_texts())
    assert SUPPLEMENTED in added, f"the diff of versions 1 and 2 does not show the added text: {added!r}"
    assert preparer.page.locator("#id_a").input_value() == "1" and preparer.page.locator("#id_b").input_value() == "2"
    for application in world.applications:
        outcome = "ineligible" if application.pk == ineligible.pk else "eligible"
        preparer.go("screening:application", application.pk)
        mark_form = f"form[action$='/officials/applications/{application.pk}/mark/']"
        preparer.page.locator(f"{mark_form} input[name=outcome][value={outcome}]").check()
        if outcome == "ineligible":
            preparer.page.locator(f"{mark_form} input[name=failed_conditions][value=target_areas]").check()
        reason = "Hakemus täyttää haun ehdot." if outcome == "eligible" else "Hanke ei kohdistu haun kohdealueisiin."
        preparer.page.locator(f"{mark_form} textarea[name=reason]").fill(reason)
        preparer.click(f"{mark_form} button[type=submit]")
        assert reason in preparer.text("main")
        assert Screening.objects.get(application=application).outcome == outcome
        assert Application.objects.get(pk=application.pk).state == outcome
    assert_reads_at_320px(preparer.page)

    # ── 4. The preparer spreads the eligible applications between the two assessors ──────────────
    preparer.go("assessment:assignments", call.slug)
    preparer.page.fill("#id_per_application", "2")
    preparer.click(f"form[action$='/officials/calls/{call.slug}/assignments/spread/'] button[type=submit]")
    for application in eligible:
        assessors = set(Assignment.objects.filter(application=application).values_list("assessor_id", flat=True))
        assert assessors == {a.pk for a in world.assessors}, f"{application.reference} is assessed by {assessors}"
        assert preparer.page.locator(f"#application-{application.pk}").count() == 1
    assert not Assignment.objects.filter(application=ineligible).exists()

    # ── 5. Each assessor scores blind; the other's justifications show only after submitting ─────
    clock.set_now(support.ASSESSED)
    shared = supplemented  # both assessors have every eligible application; this one is checked for blindness
    for index, person in enumerate(world.assessors):
        assessor = Walker(browser, site)
        assessor.sign_in(person.email)
        assessor.go("assessment:queue")
        mine = list(Assignment.objects.filter(assessor=person).select_related("application").order_by("application__reference"))
        assert {a.application_id for a in mine} == {a.pk for a in eligible}
        for assignment in mine:
            assert assessor.page.locator(f"main a[href$='/officials/assessments/{assignment.pk}/']").count() == 1
        for assignment in mine:
            application = assignment.application
            assessor.go("assessment:score", assignment.pk)
            others_text = justification(0, application, criteria[0])  # what the first assessor wrote
            if index == 1 and application.pk == shared.pk:  # blind before submitting
                assert others_text not in assessor.text()
            for number, criterion in enumerate(criteria):
                value = call.score_min + (number + index + application.pk) % (call.score_max - call.score_min + 1)  # varied, on the scale
                assessor.page.locator(f"#id_score_{criterion.pk}_{value}").check()
                assessor.page.locator(f"#id_justification_{criterion.pk}").fill(justification(index, application, criterion))
            assessor.click(f"form[action$='/officials/assessments/{assignment.pk}/'] button[name=action][value=submit]")
            assignment.refresh_from_db()
            assert assignment.submitted_at is not None
            assert justification(index, application, criteria[-1]) in assessor.text()
            if index == 1 and application.pk == shared.pk:  # after submitting, the first assessor's scores show
                assert others_text in assessor.text()
        assessor.go("assessment:queue")
        assessor.close()

    # ── 6. The preparer reads the results, ranks, fills the appropriation and finalises ──────────
    clock.set_now(support.RANKED)
    preparer.go("assessment:results", call.slug)
    for application in eligible:
        assert preparer.page.locator(f"main a[href*='/officials/applications/{application.pk}/']").count() >= 1
    preparer.go("decisions:ranking", call.slug)
    preparer.click(f"main a[href$='/officials/calls/{call.slug}/ranking/fill/']")  # the preview of the plan
    preparer.click("main form[action=''] button[type=submit]")  # apply it
    for application in eligible:
        assert Proposal.objects.get(application=application).amount == application.requested_grant  # all fit in 10 M€
    assert not Proposal.objects.filter(application=ineligible).exists()
    preparer.click(f"main form[action$='/officials/calls/{call.slug}/ranking/finalise/'] button[type=submit]")
    allocation = Allocation.objects.get(call=call)
    assert allocation.total == sum(a.requested_grant for a in eligible)

    # ── 7. The preparer (also the presenting official) prepares the decisions ────────────────────
    clock.set_now(support.DECIDED)
    preparer.go("decisions:decision_list", call.slug)
    # The Swedish application's decision by hand, with the titles in Swedish...
    preparer.click(f"main a[href$='/officials/applications/{swedish.pk}/decision/']")
    assert preparer.page.locator("#id_presenter").input_value() == str(world.preparer.pk)
    assert preparer.page.locator("#id_decision_maker").input_value() == str(world.decision_maker.pk)
    preparer.page.fill("#id_diary_number", DIARY_NUMBER)
    preparer.page.fill("#id_presenter_title", SWEDISH_TITLES[0])
    preparer.page.fill("#id_decision_maker_title", SWEDISH_TITLES[1])
    preparer.click("form#decision-form button[type=submit]")
    assert preparer.page.url.endswith(f"/officials/applications/{swedish.pk}/decision/preview/")
    assert swedish.lead.name_sv in preparer.text(".decision-paper")  # the lead by its Swedish name
    # ...and the rest at once, in Finnish.
    preparer.go("decisions:decision_list", call.slug)
    preparer.click(f"main a[href$='/officials/calls/{call.slug}/decisions/prepare-all/']")
    preparer.page.select_option("#id_presenter", str(world.preparer.pk))
    preparer.page.select_option("#id_decision_maker", str(world.decision_maker.pk))
    preparer.page.fill("#id_diary_number", DIARY_NUMBER)
    preparer.page.fill("#id_presenter_title", FINNISH_TITLES[0])
    preparer.page.fill("#id_decision_maker_title", FINNISH_TITLES[1])
    preparer.click("main form[action=''] button[type=submit]")
    decisions = {d.application_id: d for d in Decision.objects.filter(application__call=call)}
    assert set(decisions) == {a.pk for a in world.applications}
    assert all(d.state == "draft" and d.diary_number == DIARY_NUMBER for d in decisions.values())
    assert decisions[swedish.pk].language == "sv" and decisions[swedish.pk].presenter_title == SWEDISH_TITLES[0]
    assert decisions[supplemented.pk].language == "fi" and decisions[supplemented.pk].presenter_title == FINNISH_TITLES[0]
    assert decisions[ineligible.pk].outcome == "no_grant" and decisions[ineligible.pk].no_grant_reason.code == "conditions-not-met"
    for application in eligible:
        assert decisions[application.pk].outcome == "grant" and decisions[application.pk].amount == application.requested_grant
    # The preview of one decision, with its watermarked PDF ready.
    preparer.click(f"main a[href$='/officials/applications/{supplemented.pk}/decision/preview/']")
    assert supplemented.reference in preparer.text(".decision-paper")
    assert preparer.page.locator(f"main a[href$='/officials/applications/{supplemented.pk}/decision/preview/pdf/']").count() == 1
    assert_reads_at_320px(preparer.page)
    preparer.close()

    # ── 8. The decision-maker signs them all ──────────────────────────────────────────────────────
    maker = Walker(browser, site)
    maker.sign_in(world.decision_maker.email)
    maker.go("decisions:decision_list", call.slug)
    maker.click(f"main a[href$='/officials/calls/{call.slug}/decisions/sign-all/']")
    maker.click("main form[action=''] button[type=submit]", timeout=SIGNING_TIMEOUT)
    assert maker.page.url.endswith(f"/officials/calls/{call.slug}/decisions/")
    maker.close()
    signed = {d.application_id: d for d in Decision.objects.filter(application__call=call)}
    for application in world.applications:
        decision = signed[application.pk]
        assert decision.state == "signed" and decision.signed_at == support.DECIDED, application.reference
        assert decision.document and decision.document_sha256 and decision.notified_at, application.reference
        expected_state = "not_granted" if application.pk == ineligible.pk else "granted"
        assert Application.objects.get(pk=application.pk).state == expected_state
    documents = {pk: decision.document.open("rb").read() for pk, decision in signed.items()}
    for pk, data in documents.items():
        assert hashlib.sha256(data).hexdigest() == signed[pk].document_sha256
    assert all(DIARY_NUMBER in support.pdf_text(data) for data in documents.values())
    _assert_written_in(support.pdf_text(documents[swedish.pk]), "sv", swedish)
    _assert_written_in(support.pdf_text(documents[supplemented.pk]), "fi", supplemented)
    _assert_written_in(support.pdf_text(documents[ineligible.pk]), "fi", ineligible)

    # ── 9. The lead applicant reads the decision and downloads the signed PDF ─────────────────────
    with translation.override("fi"):
        subject = gettext("Decision on your application %(reference)s") % {"reference": supplemented.reference}
    notification = mailbox.wait_for_mail(lead.email, subject=subject)
    assert f"/applications/{supplemented.pk}/decision/pdf/" in notification.body
    applicant.go("applications:detail", supplemented.pk)
    assert applicant.page.locator("#decision").is_visible()
    assert applicant.page.locator("section[aria-labelledby=decision] .tag-ok").count() == 1  # a grant
    with applicant.page.expect_download() as download:
        applicant.page.locator(f"section[aria-labelledby=decision] a[href$='/applications/{supplemented.pk}/decision/pdf/']").click()
    pdf = download.value.path().read_bytes()
    assert pdf.startswith(b"%PDF")
    assert hashlib.sha256(pdf).hexdigest() == signed[supplemented.pk].document_sha256
    assert_reads_at_320px(applicant.page)
    applicant.close()

    # ── The audit trail of the application that went through everything ──────────────────────────
    actions = list(AuditEvent.objects.filter(application_id=supplemented.pk).values_list("action", "actor_id"))
    expected = [
        ("screening.supplement_requested", world.preparer.pk),
        ("application.submit_supplement", lead.pk),
        ("screening.marked", world.preparer.pk),
        ("assessment.assigned", world.preparer.pk),
        ("assessment.submitted", world.assessors[0].pk),
        ("assessment.submitted", world.assessors[1].pk),
        ("decisions.proposal_filled", world.preparer.pk),
        ("decision.prepare", world.preparer.pk),
        ("decision.sign", world.decision_maker.pk),
        ("application.sign_grant", world.decision_maker.pk),
    ]
    for event in expected:
        assert event in actions, f"no audit event {event} for {supplemented.reference}; the trail: {actions}"
    order = [action for action, _actor in actions]
    firsts = [order.index(action) for action, _actor in expected]
    assert firsts == sorted(firsts), f"the audit trail is out of order: {order}"
    assert len(preparer.visited) + len(maker.visited) + len(applicant.visited) >= 30


def _assert_written_in(text: str, language: str, application: Application) -> None:
    """The signed document of the application is in its language: the law, the reference, the registry's
    address in the appeal instructions and the instructions' heading as the catalogue translates it."""
    other = {"fi": "sv", "sv": "fi"}[language]
    registry = {"fi": "Valtioneuvosto", "sv": "Statsrådet"}
    assert "688/2001" in text and application.reference in text
    assert registry[language] in text and registry[other] not in text, f"{application.reference} is not written in {language}"
    with translation.override(language):
        heading = gettext("Instructions for claiming rectification")
    assert heading in text, f"{application.reference}: the appeal instructions' heading {heading!r} is not in the document"
