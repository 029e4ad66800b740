"""Requests for supplement: the preparer asks, the lead is told by e-mail, edits exactly the opened
parts until the due time, and submits again; every version is kept and the change is shown."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from kuntadigi import clock
from kuntadigi.applications import drafting
from kuntadigi.applications.errors import Refused
from kuntadigi.applications.models import Application, BudgetLine, Submission
from kuntadigi.audit.models import AuditEvent
from kuntadigi.core import formats
from kuntadigi.notifications.models import Message
from kuntadigi.screening import services
from kuntadigi.screening.models import SupplementRequest
from tests import factories
from tests.integration import screening_support as support
from tests.integration import submission_data

# The person authorised to commit the confirming partner, named on the confirmation page.
AUTHORISED = {"authorised_name": "Kaisa Kunnanjohtaja", "authorised_title": "kunnanjohtaja"}

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def world():
    return support.World()


def due(days=7):
    return clock.now() + timedelta(days=days)


REASON = "Kumppanin kustannusarviosta puuttuvat ostopalvelut."


def ask(world, parts=("schedule", "budget"), message="Korjatkaa aikataulu ja talousarvio.", due_at=None, client=None, reason=REASON):
    """The preparer's request through the page (POST-redirect-GET)."""
    client.force_login(world.preparer)
    local = clock.helsinki(due_at or due())
    fields = {"parts": list(parts), "message": message, "reopening_reason": reason, "due_at": local.strftime("%Y-%m-%dT%H:%M")}
    response = client.post(world.page("request_supplement"), fields)
    assert response.status_code == 302, response.content.decode()[:2000]
    return SupplementRequest.objects.get(application=world.app)


def edit_post(world, app, **changes):
    """The project page as the lead's browser posts it: every enabled field, with `changes`."""
    app.refresh_from_db()
    data = {
        "version": app.version,
        "project_name": app.project_name,
        "language": app.language,
        "target_areas": [a.pk for a in app.target_areas.all()],
        "summary": app.summary,
        "current_state": app.current_state,
        "objectives": app.objectives,
        "change_in_ways_of_working": app.change_in_ways_of_working,
        "rollout_and_spread": app.rollout_and_spread,
        "prior_work": app.prior_work,
        "start_date": app.start_date.isoformat(),
        "end_date": app.end_date.isoformat(),
        "contact_name": app.contact_name,
        "contact_email": app.contact_email,
        "contact_phone": app.contact_phone,
        "declaration_not_excluded": "on",
    }
    data.update(changes)
    return data


def budget_post(app, requested, lines):
    data = {"version": app.version, "requested_grant": requested, "lines-TOTAL_FORMS": len(lines), "lines-INITIAL_FORMS": len(lines)}
    for index, line in enumerate(lines):
        data.update(
            {
                f"lines-{index}-line_id": line.pk,
                f"lines-{index}-participant": line.participant_id,
                f"lines-{index}-category": line.category_id,
                f"lines-{index}-description": line.description,
                f"lines-{index}-amount": str(line.amount),
            }
        )
    return data


# ── The whole flow ──────────────────────────────────────────────────────────


def test_request_edit_exactly_the_opened_parts_resubmit_and_see_the_change(client, world, django_capture_on_commit_callbacks):
    app = world.app
    # The preparer asks for the schedule and the budget, due in a week.
    with django_capture_on_commit_callbacks(execute=True):
        request = ask(world, client=client)
    assert world.refresh().state == "supplement_requested"
    assert request.parts == ["schedule", "budget"]
    assert request.requested_by == world.preparer
    assert request.reason == REASON

    # The lead's contact person and the lead organisation's members get the request, in Finnish (the application's language).
    # One message to each (notifications: each recorded on its recipient's account page).
    assert sorted(m.to[0] for m in mail.outbox) == ["contact@porvoo.example.fi", "lead@porvoo.example.fi"]
    message = mail.outbox[0]
    assert app.reference in message.subject
    assert "Korjatkaa aikataulu ja talousarvio." in message.body
    assert REASON in message.body and REASON in message.alternatives[0][0]
    # Written in Finnish, the application's language (whoever the preparer is), naming the parts opened.
    assert "Hanke: Avoin kunta" in message.body
    assert "Aikataulu" in message.body
    assert f"/fi/applications/{app.pk}/" in message.body
    assert "partner@loviisa.example.fi" not in [m.to[0] for m in mail.outbox]
    assert Message.objects.filter(kind="supplement_request", url__endswith=f"/fi/applications/{app.pk}/").count() == 2

    # The lead sees the request at the top of the application's pages.
    client.force_login(world.lead)
    page = client.get(reverse("applications:detail", args=[app.pk])).content.decode()
    assert "Request for supplement" in page
    assert "Korjatkaa aikataulu ja talousarvio." in page
    assert "Why these parts are reopened:" in page and REASON in page
    assert formats.instant(request.due_at, "en") in page

    # The project page: the schedule is open, the project texts are read-only.
    response = client.get(reverse("applications:edit", args=[app.pk]))
    form = response.context["form"]
    assert not form.fields["end_date"].disabled
    assert form.fields["objectives"].disabled
    assert form.fields["declaration_not_excluded"].disabled
    assert "data-autosave-url" not in response.content.decode()

    # Changing the end date saves; a changed text posted along is ignored (the field is closed).
    response = client.post(reverse("applications:edit", args=[app.pk]), edit_post(world, app, end_date="2022-06-30", objectives="Jotain aivan muuta."))
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.end_date.isoformat() == "2022-06-30"
    assert app.objectives == "Sähköiset kokoukset kaikissa kunnissa."

    # The service itself refuses a closed field.
    with pytest.raises(Refused):
        drafting.save_draft(world.lead, app, {"objectives": "Jotain aivan muuta."}, app.version)

    # Partners and attachments are not opened: their pages are read-only and a POST is refused.
    response = client.get(reverse("applications:partners", args=[app.pk]))
    assert not response.context["can_edit"]
    assert "does not open this part" in response.content.decode()
    client.post(reverse("applications:partners", args=[app.pk]), {"action": "add", "organisation": "Kotka"})
    assert app.participants.count() == 2
    response = client.get(reverse("applications:attachments", args=[app.pk]))
    assert not response.context["can_edit"]

    # The budget is open: the lead raises the partner's line and the grant.
    lines = list(BudgetLine.objects.filter(application=app).order_by("pk"))
    lines[1].amount = Decimal("6000.00")
    # The pages are in English here, so the amount is typed the English way.
    response = client.post(reverse("applications:budget", args=[app.pk]), budget_post(app, "13600.00", lines))
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.requested_grant == Decimal("13600.00")

    # The partner's budget changed, so it confirms again (allowed while the budget is open).
    client.force_login(world.partner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("applications:confirm", args=[app.pk]), {"organisation": world.partner_org.pk, **AUTHORISED})
    assert response.status_code == 302
    mail.outbox.clear()

    # The lead resubmits: version 2 is stored beside version 1, and the request is answered.
    client.force_login(world.lead)
    review = client.get(reverse("applications:submit", args=[app.pk]))
    assert review.context["may_submit"], review.context["problems"]
    assert "Submit the supplemented application" in review.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("applications:submit", args=[app.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("applications:receipt", args=[app.pk, 2])
    app.refresh_from_db()
    assert app.state == "submitted"
    versions = list(Submission.objects.filter(application=app).order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].content["end_date"] == "2022-10-31"
    assert versions[1].content["end_date"] == "2022-06-30"
    request.refresh_from_db()
    assert request.answer == versions[1]
    assert request.answered_at == versions[1].submitted_at
    # The receipt, as for a submission: to the submitter and the contact person, with receipt number 2 (the fingerprint is in the PDF).
    # The partner's staff get a copy of it.
    assert sorted(address for message in mail.outbox for address in message.to) == [
        "contact@porvoo.example.fi",
        "lead@porvoo.example.fi",
        "partner@loviisa.example.fi",
    ]
    assert all(app.reference in message.subject and "Kuittinumero: 2" in message.body for message in mail.outbox)
    assert not any(versions[1].fingerprint in message.body for message in mail.outbox)

    # A second click finds the answer already given.
    response = client.post(reverse("applications:submit", args=[app.pk]))
    assert response["Location"] == reverse("applications:receipt", args=[app.pk, 2])
    assert Submission.objects.filter(application=app).count() == 2

    # The lead can no longer edit.
    assert not client.get(reverse("applications:edit", args=[app.pk])).context["can_edit"]

    # The official's page: the diff of the last two versions, the request answered, and the trail.
    client.force_login(world.preparer)
    response = client.get(world.page())
    page = response.content.decode()
    changed = {change.field for _label, items in response.context["changes"] for change in items}
    assert changed == {"end_date", "budget", "requested_grant"}
    assert "31 October 2022" in page and "30 June 2022" in page
    assert "13,600.00\u00a0€" in page
    assert "Version 2," in page  # the answer column
    changes = AuditEvent.objects.filter(application_id=app.pk).exclude(action="application.read").order_by("at", "id")
    actions = [event.action for event in changes]
    assert actions[actions.index("screening.supplement_requested") :] == [
        "screening.supplement_requested",
        "application.saved",
        "application.budget_saved",
        "application.confirm_participation",
        "application.submit_supplement",
    ]
    # The preparer's reads of the officials' page are recorded apart; none by the applicants.
    reads = AuditEvent.objects.filter(application_id=app.pk, action="application.read")
    assert {event.actor for event in reads} == {world.preparer}
    assert reads.last().after == {"read": "officials_page"}
    for sentence in (
        "Supplement requested (",
        "Application saved; changed: end date",
        "Grant applied for: ",
        "Supplemented application submitted, receipt number 2",
    ):
        assert sentence in page
    requested = AuditEvent.objects.get(application_id=app.pk, action="screening.supplement_requested")
    assert requested.after["reason"] == REASON
    # What the reopened budget changed, with the reason: only the budget's changes, not the schedule's.
    start = page.index('id="supplement-changes"')
    section = page[start : page.index("</section>", start)]
    assert REASON in section
    assert "Changes from version 1 to version 2." in section
    assert "13,600.00 €" in section and "30 June 2022" not in section
    # The automatic in-time check accepts version 2: it answers the request before its due time.
    in_time = next(check for check in response.context["checks"] if check.code == "in_time")
    assert in_time.passed and "request for supplement" in in_time.reason


def test_the_request_is_written_in_the_applications_language(world, django_capture_on_commit_callbacks):
    Application.objects.filter(pk=world.app.pk).update(language="sv")
    with django_capture_on_commit_callbacks(execute=True):
        services.request_supplement(world.preparer, world.app.pk, ["contact"], "Telefonnummer saknas.", due())
    assert mail.outbox and all(f"/sv/applications/{world.app.pk}/" in m.body for m in mail.outbox)


def test_audit_events_of_each_step_with_before_and_after(world):
    request = services.request_supplement(world.preparer, world.app.pk, ["contact"], "Puhelinnumero puuttuu.", due())
    event = AuditEvent.objects.get(action="screening.supplement_requested")
    assert event.actor == world.preparer
    assert event.application_id == world.app.pk
    assert event.before == {"state": "submitted"}
    assert event.after["state"] == "supplement_requested"
    assert event.after["parts"] == ["contact"]
    app = world.refresh()
    _saved, changed = drafting.save_draft(world.lead, app, {"contact_phone": "040 123"}, app.version)
    assert changed == ["contact_phone"]
    result = services.submit_supplement(world.lead, app.pk)
    assert result.submission.number == 2
    event = AuditEvent.objects.get(action="application.submit_supplement")
    assert event.before == {"state": "supplement_requested"}
    assert event.after["submission"] == 2
    assert event.after["request"] == request.pk
    assert event.after["fingerprint"] == result.submission.fingerprint


# ── Refusals ────────────────────────────────────────────────────────────────


def test_after_the_due_time_nothing_can_be_edited_or_resubmitted(client, world):
    request = services.request_supplement(world.preparer, world.app.pk, ["schedule"], "Aikataulu.", due(days=2))
    clock.set_now(request.due_at)
    app = world.refresh()
    client.force_login(world.lead)
    response = client.get(reverse("applications:edit", args=[app.pk]))
    assert not response.context["can_edit"]
    assert "due time of the request for supplement has passed" in response.content.decode()
    client.post(reverse("applications:edit", args=[app.pk]), edit_post(world, app, end_date="2022-06-30"))
    assert Application.objects.get(pk=app.pk).end_date.isoformat() == "2022-10-31"
    response = client.post(reverse("applications:submit", args=[app.pk]))
    assert response.status_code == 302
    assert Submission.objects.filter(application=app).count() == 1
    assert world.refresh().state == "supplement_requested"
    with pytest.raises(Refused):
        services.submit_supplement(world.lead, app.pk)


def test_an_unanswered_request_past_its_due_time_lets_the_preparer_mark(world):
    request = services.request_supplement(world.preparer, world.app.pk, ["schedule"], "Aikataulu.", due(days=2))
    with pytest.raises(Refused, match="waiting for its answer"):
        services.mark_application(world.preparer, world.app.pk, "eligible", "Kunnossa.")
    clock.set_now(request.due_at + timedelta(minutes=1))
    services.mark_application(world.preparer, world.app.pk, "ineligible", "Täydennystä ei saatu.", ["other"])
    assert world.refresh().state == "ineligible"


def test_the_request_needs_parts_a_message_and_a_future_due_time(client, world):
    client.force_login(world.preparer)
    response = client.post(world.page("request_supplement"), {"parts": [], "message": "", "due_at": "2020-10-01T12:00"})
    assert response.status_code == 200
    errors = response.context["request_form"].errors
    assert set(errors) == {"parts", "message", "due_at"}
    assert "must be in the future" in str(errors["due_at"])
    assert 'href="#id_parts"' in response.content.decode()  # the error summary links to the fields
    assert world.refresh().state == "submitted"
    with pytest.raises(Refused, match="future"):
        services.request_supplement(world.preparer, world.app.pk, ["schedule"], "x", clock.now())
    with pytest.raises(Refused, match="at least one part"):
        services.request_supplement(world.preparer, world.app.pk, ["nonsense"], "x", due())


def test_the_due_time_is_read_in_helsinki(client, world):
    request = ask(world, due_at=support.after_deadline(24 * 7), client=client)
    assert request.due_at == support.after_deadline(24 * 7)
    assert clock.helsinki(request.due_at).hour == 12


def test_only_a_preparer_after_the_deadline_requests(client, world):
    for person in (world.presenter, world.decision_maker):
        with pytest.raises(Refused):
            services.request_supplement(person, world.app.pk, ["schedule"], "x", due())
        client.force_login(person)
        response = client.post(world.page("request_supplement"), {"parts": ["schedule"], "message": "x", "due_at": "2020-12-01T12:00"})
        assert response.status_code == 302
    assert not SupplementRequest.objects.exists()
    clock.set_now(factories.DURING_2020)
    with pytest.raises(Refused, match="after the call has closed"):
        services.request_supplement(world.preparer, world.app.pk, ["schedule"], "x", due())


def test_a_second_request_waits_for_the_first_to_be_answered(world):
    services.request_supplement(world.preparer, world.app.pk, ["schedule"], "x", due())
    with pytest.raises(Refused, match="already open"):
        services.request_supplement(world.preparer, world.app.pk, ["budget"], "y", due())


def test_a_marked_application_gets_no_request(world):
    services.mark_application(world.preparer, world.app.pk, "eligible", "Kunnossa.")
    with pytest.raises(Refused):
        services.request_supplement(world.preparer, world.app.pk, ["schedule"], "x", due())


def test_the_autosave_is_refused_during_a_supplement(client, world):
    services.request_supplement(world.preparer, world.app.pk, ["project"], "Tarkentakaa tavoitteet.", due())
    app = world.refresh()
    client.force_login(world.lead)
    response = client.post(reverse("applications:autosave", args=[app.pk]), edit_post(world, app, objectives="Uusi"))
    assert response.status_code == 403
    assert Application.objects.get(pk=app.pk).objectives == "Sähköiset kokoukset kaikissa kunnissa."


def test_the_project_part_opens_the_texts_but_not_the_schedule_or_the_declaration(client, world):
    services.request_supplement(world.preparer, world.app.pk, ["project"], "Tarkentakaa tavoitteet.", due())
    app = world.refresh()
    client.force_login(world.lead)
    response = client.post(
        reverse("applications:edit", args=[app.pk]),
        edit_post(world, app, objectives="Tarkemmat tavoitteet.", end_date="2021-12-31", declaration_not_excluded=""),
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.objectives == "Tarkemmat tavoitteet."
    assert app.end_date.isoformat() == "2022-10-31"
    assert app.declaration_not_excluded is True
    with pytest.raises(Refused):
        drafting.save_draft(world.lead, app, {"declaration_not_excluded": False}, app.version)


def test_a_partner_cannot_edit_the_opened_parts(world):
    services.request_supplement(world.preparer, world.app.pk, ["schedule"], "x", due())
    app = world.refresh()
    with pytest.raises(Refused, match="lead applicant"):
        drafting.save_draft(world.partner, app, {"end_date": app.end_date}, app.version)


def test_another_applications_lead_gets_404_on_the_pages(client, world):
    services.request_supplement(world.preparer, world.app.pk, ["schedule"], "x", due())
    other = submission_data.application(world.call, lead=factories.municipality("Oulu"), partners=[factories.municipality("Kemi")])
    client.force_login(other.created_by)
    assert client.get(reverse("applications:edit", args=[world.app.pk])).status_code == 404


def test_the_ministry_reads_a_supplement_once_it_is_submitted_not_while_the_lead_edits_it(client, world):
    """The lead's edits during a supplement are its working paper: neither the officials' timeline nor the
    raw audit download shows them until the supplement is submitted."""
    app = world.app
    ask(world, client=client)
    client.force_login(world.lead)
    app.refresh_from_db()
    lines = list(BudgetLine.objects.filter(application=app).order_by("pk"))
    lines[1].amount = Decimal("6543.00")
    response = client.post(reverse("applications:budget", args=[app.pk]), budget_post(app, str(app.requested_grant), lines))
    assert response.status_code == 302

    client.force_login(world.preparer)
    download = reverse("screening:audit_download", args=[app.pk, "json"])
    page = client.get(world.page("application")).content.decode()
    raw = client.get(download).content.decode()
    # Amounts as the page ("6,543.00 €") and the download ("6543.00") write them: neither can occur by
    # chance inside a hash, which is hex (a bare "6543" can).
    assert "6,543" not in page
    assert "6543.00" not in raw
    assert "Supplement requested" in page  # what the ministry itself did stays in view
    assert AuditEvent.objects.filter(action="application.read", actor=world.preparer, after={"read": "audit_json"}).exists()

    # The partner confirms its changed budget and the lead submits: now the ministry reads the change.
    client.force_login(world.partner)
    client.post(reverse("applications:confirm", args=[app.pk]), {"organisation": world.partner_org.pk, **AUTHORISED})
    services.submit_supplement(world.lead, app.pk)
    client.force_login(world.preparer)
    assert "6,543" in client.get(world.page("application")).content.decode()
    assert "6543.00" in client.get(download).content.decode()
