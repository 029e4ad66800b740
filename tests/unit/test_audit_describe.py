"""The audit timeline's sentences (kuntadigi.audit.describe), without the database."""

from datetime import UTC, datetime

import pytest

from kuntadigi.audit.describe import Event, Lookups, Names, Role, budget_changes, describe, known_kinds

NB = "\u00a0"
AT = datetime(2020, 10, 5, 9, 7, tzinfo=UTC)  # 12.07 in Helsinki (summer time)
LOOKUPS = Lookups(
    users={1: "Liisa Lead", 2: "Pekka Preparer", 3: "Arvo Assessor"},
    roles={1: (Role("party", "lead", 10),), 2: (Role("call", "preparer"),), 3: (Role("call", "assessor"),)},
    organisations={10: Names("Porvoo", "Borgå"), 11: Names("Loviisa", "Lovisa")},
    participants={100: 10, 101: 11},
    categories={7: Names("Henkilöstökulut", "Personalkostnader", "Staff costs")},
    category_codes={"staff": Names("Henkilöstökulut", "Personalkostnader", "Staff costs")},
    criteria={5: Names("Vaikuttavuus", "Effekt", "Impact")},
)


def budget_edit(before_amount="12000.00", after_amount="15000.00"):
    line = {"participant": 101, "category": 7, "description": "Koulutus"}
    other = {"participant": 100, "category": 7, "description": "Projektipäällikkö", "amount": "50000.00"}
    return Event(
        action="application.budget_saved",
        at=AT,
        actor_id=1,
        before={"lines": [other, {**line, "amount": before_amount}], "requested_grant": "50000.00"},
        after={"lines": [other, {**line, "amount": after_amount}], "requested_grant": "50000.00", "version": 7},
    )


def test_a_budget_edit_reads_as_one_sentence_in_finnish_and_swedish():
    fi = describe(budget_edit(), LOOKUPS, "fi")
    sv = describe(budget_edit(), LOOKUPS, "sv")
    assert fi.what == f"Talousarviorivi 'Koulutus' (Loviisa): 12{NB}000{NB}€ → 15{NB}000{NB}€"
    assert sv.what == f"Budgetrad 'Koulutus' (Lovisa): 12{NB}000{NB}€ → 15{NB}000{NB}€"
    assert fi.details == ()


def test_a_budget_edit_in_english_writes_euros_the_english_way():
    en = describe(budget_edit("12000.50"), LOOKUPS, "en")
    assert en.what == f"Budget line 'Koulutus' (Loviisa): 12,000.50{NB}€ → 15,000{NB}€"


def test_who_when_and_role_in_each_language():
    fi = describe(budget_edit(), LOOKUPS, "fi")
    sv = describe(budget_edit(), LOOKUPS, "sv")
    en = describe(budget_edit(), LOOKUPS, "en")
    assert (fi.who, fi.role, fi.when) == ("Liisa Lead", "hankehallinnoija, Porvoo", "5.10.2020 klo 12.07")
    assert (sv.role, sv.when) == ("projektadministratör, Borgå", "5.10.2020 kl. 12.07")
    assert (en.role, en.when) == ("lead applicant, Porvoo", "5 October 2020 at 12:07")
    marked = Event("screening.marked", AT, 2, {"state": "submitted"}, {"state": "eligible", "outcome": "eligible", "reason": "Täyttää ehdot."})
    assert describe(marked, LOOKUPS, "fi").role == "valmistelija"


def test_several_budget_changes_are_listed_under_one_sentence():
    event = Event(
        "application.budget_saved",
        AT,
        1,
        {"lines": [{"participant": 101, "category": 7, "description": "", "amount": "100.00"}], "requested_grant": None},
        {"lines": [{"participant": 100, "category": 7, "description": "Ohjelmisto", "amount": "2500.00"}], "requested_grant": "2000.00"},
    )
    described = describe(event, LOOKUPS, "en")
    assert described.what == "Budget changed in 3 places"
    assert described.details == (
        f"Budget line 'Staff costs' (Loviisa) removed: 100{NB}€",
        f"Budget line 'Ohjelmisto' (Porvoo) added: 2,500{NB}€",
        f"Grant applied for: not given → 2,000{NB}€",
    )


def test_budget_changes_pair_lines_by_organisation_category_and_description():
    before = [{"participant": 1, "category": 2, "description": "A", "amount": "1"}, {"participant": 1, "category": 2, "description": "B", "amount": "2"}]
    after = [{"participant": 1, "category": 2, "description": "B", "amount": "3"}, {"participant": 1, "category": 2, "description": "A", "amount": "1"}]
    assert budget_changes(before, after) == [(before[1], after[0])]


@pytest.mark.parametrize(
    "action, before, after, expected",
    [
        (
            "application.started",
            {},
            {"reference": "DIGI-2020-7", "call": "digi-2020", "lead": 10, "language": "fi"},
            "Application DIGI-2020-7 started in Finnish",
        ),
        ("application.saved", {}, {"fields": ["project_name", "summary"], "version": 3}, "Application saved; changed: project name, summary"),
        ("application.partner_added", {}, {"organisation": 11, "version": 2}, "Partner added: Loviisa"),
        (
            "application.decline_participation",
            {"confirmed_at": None, "hash": ""},
            {"organisation": 11, "declined_at": "2020-10-05T09:07:00+00:00", "reason": "No staff this year."},
            "Loviisa declined to take part: “No staff this year.”",
        ),
        ("application.partner_asked_again", {}, {"organisation": 11, "version": 4}, "Loviisa was asked again to confirm its participation"),
        (
            "application.partner_removed",
            {"organisation": 11, "budget_lines": [{"category": "staff", "amount": "100.00"}, {"category": "staff", "amount": "50.50"}]},
            {"version": 3},
            f"Partner removed: Loviisa, with its 2 budget lines (150.50{NB}€)",
        ),
        (
            "application.attachment_added",
            {},
            {"attachment": 9, "name": "plan.pdf", "size": 204800, "sha256": "ab" * 32},
            f"Attachment added: plan.pdf (200{NB}kB)",
        ),
        ("application.attachment_deleted", {"attachment": 9, "name": "plan.pdf", "sha256": "ab" * 32, "size": 1}, {}, "Attachment deleted: plan.pdf"),
        (
            "application.confirm_participation",
            {"confirmed_at": None, "hash": "", "authorised": ["", ""]},
            {"organisation": 11, "confirmed_at": "2020-10-05T09:00:00+00:00", "hash": "cd" * 32, "authorised": ["Kaisa Kunta", "kunnanjohtaja"]},
            "Loviisa confirmed its participation; authorised person: Kaisa Kunta, kunnanjohtaja",
        ),
        (
            "application.submit",
            {"state": "draft"},
            {"state": "submitted", "version": 4, "submission": 1, "fingerprint": "ef" * 32},
            "Application submitted, receipt number 1",
        ),
        (
            "application.withdraw",
            {"state": "submitted"},
            {"state": "draft", "version": 5, "withdrawn_submission": 1},
            "Submitted application (receipt number 1) taken back to be edited",
        ),
        (
            "application.submit_supplement",
            {"state": "supplement_requested"},
            {"state": "submitted", "version": 9, "submission": 2, "fingerprint": "x", "request": 4},
            "Supplemented application submitted, receipt number 2",
        ),
        (
            "application.sign_grant",
            {"state": "eligible", "version": 9},
            {"state": "granted", "version": 10},
            "State of the application: eligible → grant decided",
        ),
        (
            "application.party_succeeded",
            {"organisation": 11, "name_fi": "Loviisa", "name_sv": "Lovisa", "role": "partner"},
            {"organisation": 12, "name_fi": "Uusikunta", "name_sv": "Nykommun", "merger_date": "2021-01-01"},
            "Loviisa replaced by Uusikunta, its successor in the municipal merger of 1 January 2021",
        ),
        (
            "screening.marked",
            {"state": "submitted", "outcome": None},
            {"state": "ineligible", "outcome": "ineligible", "reason": "Ei yhteishanke.", "failed_conditions": ["a", "b"], "version": 5},
            "Marked ineligible (2 conditions of the call not met). Reason: Ei yhteishanke.",
        ),
        (
            "screening.supplement_requested",
            {"state": "submitted"},
            {"state": "supplement_requested", "parts": ["budget"], "message": "", "reason": "", "due_at": "2020-10-12T13:15:00+00:00", "version": 6},
            "Supplement requested (cost estimate), due 12 October 2020 at 16:15",
        ),
        ("assessment.assigned", {}, {"assessor": 3, "how": "by_hand"}, "Assessor assigned: Arvo Assessor"),
        ("assessment.unassigned", {"assessor": 3, "draft_scores": {}}, {}, "Assignment taken back from assessor Arvo Assessor"),
        ("assessment.draft_saved", {"scores": {}}, {"scores": {"5": {"score": 3, "justification": "x"}}}, "Assessment saved as a draft (1 criterion scored)"),
        (
            "assessment.submitted",
            {"scores": {}},
            {"scores": {"5": {"score": 4, "justification": "x"}}, "submitted_at": "2020-10-20T10:00:00+00:00"},
            "Assessment submitted: Impact 4",
        ),
        ("decisions.proposal_set", {"amount": "1000.00", "reason": ""}, {"amount": "1200.00", "reason": ""}, f"Amount proposed: 1,000{NB}€ → 1,200{NB}€"),
        ("decisions.proposal_set_to_requested", {}, {"amount": "1200.00", "reason": ""}, f"Amount applied for proposed: 1,200{NB}€"),
        ("decisions.proposal_filled", {}, {"amount": "1200.00", "reason": ""}, f"Amount proposed by filling the appropriation in rank order: 1,200{NB}€"),
        ("decision.prepare", {}, {"outcome": "grant", "state": "draft", "amount": "85000.00"}, f"Decision prepared: grant of 85,000{NB}€"),
        (
            "decision.sign",
            {"outcome": "no_grant"},
            {"outcome": "no_grant", "signed_at": "2020-12-01T10:00:00+00:00", "decision_date": "2020-12-01"},
            "Decision signed: no grant, decision date 1 December 2020",
        ),
        ("decision.document_stored", {}, {"document_sha256": "ab" * 32, "bytes": 51200}, "Signed decision document stored (PDF, 50\u00a0kB)"),
        ("decision.notify", {}, {"notified_at": "2020-12-01T10:00:00+00:00", "messages": 3}, "Decision sent to the applicants: 3 e-mail messages"),
        ("delivery.consent_given", {}, {"organisation": 10, "given_at": "x", "given_in": "application"}, "Porvoo consented to notification by e-mail"),
        ("delivery.consent_withdrawn", {"organisation": 10}, {"organisation": 10}, "Porvoo withdrew its consent to notification by e-mail"),
        (
            "delivery.posted",
            {},
            {"organisation": 11, "posted_on": "2020-12-02", "language": "sv"},
            "Decision letter to Loviisa posted on 2 December 2020 (in Swedish)",
        ),
        ("delivery.read", {}, {"organisation": 11, "read_at": "2020-12-02T10:00:00+00:00"}, "Loviisa opened the decision"),
        (
            "project.created",
            {},
            {"state": "granted", "maximum_grant": "12750.00", "share": "0.8500", "acceptance_due": "2021-01-10"},
            f"Funded project made from the grant: at most 12,750{NB}€, to be accepted by 10 January 2021",
        ),
        ("project.accepted", {"state": "granted"}, {"state": "accepted"}, "Grant accepted by the recipient"),
        (
            "project.refused",
            {"state": "granted"},
            {"state": "refused", "reason": "Ei omaa rahoitusta.", "freed": "12750.00"},
            "Grant refused by the recipient: Ei omaa rahoitusta.",
        ),
        ("project.account_given", {"iban": "", "bic": ""}, {"iban": "FI2112345600000785", "bic": "NDEAFIHH"}, "Account for payments given"),
        (
            "project.agreement_uploaded",
            {},
            {"agreement": 3, "name": "sopimus.pdf", "sha256": "ab" * 32, "size": 9},
            "Agreement with the partners uploaded: sopimus.pdf",
        ),
        ("project.agreement_confirmed", {}, {"agreement": 3, "organisation": 11}, "Loviisa confirmed the agreement with the partners"),
    ],
)
def test_every_kind_reads_as_a_sentence_without_ids_or_field_names(action, before, after, expected):
    described = describe(Event(action, AT, 2, before, after), LOOKUPS, "en")
    assert described.what == expected
    text = " ".join((described.what, *described.details))
    assert "{" not in text and "sha256" not in text.lower() and "abab" not in text and "_" not in text


def test_every_kind_the_services_record_for_an_application_has_a_sentence():
    recorded = {
        "application.started",
        "application.saved",
        "application.partner_added",
        "application.partner_removed",
        "application.budget_saved",
        "application.attachment_added",
        "application.attachment_deleted",
        "application.confirm_participation",
        "application.decline_participation",
        "application.partner_asked_again",
        "application.submit",
        "application.withdraw",
        "application.submit_supplement",
        "application.sign_grant",
        "application.sign_no_grant",
        "application.party_succeeded",
        "screening.marked",
        "screening.supplement_requested",
        "assessment.assigned",
        "assessment.unassigned",
        "assessment.draft_saved",
        "assessment.submitted",
        "decisions.proposal_set",
        "decisions.proposal_set_to_requested",
        "decisions.proposal_filled",
        "decision.prepare",
        "decision.sign",
        "decision.document_stored",
        "decision.notify",
        "delivery.consent_given",
        "delivery.consent_withdrawn",
        "delivery.posted",
        "delivery.read",
        "project.created",
        "project.accepted",
        "project.refused",
        "project.started",
        "project.account_given",
        "project.agreement_uploaded",
        "project.agreement_confirmed",
    }
    assert recorded <= known_kinds()


def test_an_unknown_kind_gets_a_generic_readable_sentence():
    event = Event("application.read", AT, 2, {}, {"section": "budget", "id": 991})
    assert describe(event, LOOKUPS, "en").what == "Pekka Preparer made a change: application read"
    assert describe(event, LOOKUPS, "fi").what == "Pekka Preparer teki muutoksen: application read"


def test_a_known_kind_with_an_unexpected_payload_falls_back_to_its_name():
    assert describe(Event("application.submit", AT, None, {}, {"state": "submitted"}), LOOKUPS, "en").what == "Application submitted"
    assert describe(Event("application.submit", AT, None, {}, {}), LOOKUPS, "sv").who == "Systemet"


def test_names_that_are_no_longer_there_are_said_in_words():
    event = Event("application.partner_added", AT, 99, {}, {"organisation": 404})
    described = describe(event, LOOKUPS, "en")
    assert described.what == "Partner added: an organisation"
    assert described.who == "a person no longer in the service"
    assert "404" not in described.what and "99" not in described.who


def test_the_raw_download_carries_any_column_as_text():
    from kuntadigi.screening import timeline

    events = [{"id": 1, "at": AT, "action": "x", "before": {}, "after": {"a": [1]}, "hash": b"\x01\xff", "extra": None}]
    assert '"hash": "01ff"' in timeline.as_json(events)
    rows = timeline.as_csv(events).splitlines()
    assert rows[0] == "id,at,action,before,after,hash,extra"
    assert rows[1] == '1,2020-10-05T09:07:00+00:00,x,{},"{""a"": [1]}",01ff,'
