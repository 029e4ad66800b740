"""The daily reminder job (`manage.py send_reminders`): drafts not submitted and partners not confirmed
7 days and 1 day before a call closes, requests for supplement the day before they are due; each
reminder once, in its recipient's language, and none for those who switched reminders off.

Concurrency: the reminder's key is unique in the database (notifications.Message), so two runs at once
cannot both send it; test_notifications.test_key_is_unique_in_the_database checks the constraint."""

from __future__ import annotations

from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from kuntadigi import clock
from kuntadigi.notifications.models import Message
from kuntadigi.screening import services as screening
from tests import factories
from tests.integration import screening_support, submission_data

pytestmark = pytest.mark.django_db

HKI = factories.HKI
WEEK_BEFORE = datetime(2020, 9, 28, 9, 0, tzinfo=HKI)  # the 2020 call closes on 5.10.2020 at 16.15
DAY_BEFORE = datetime(2020, 10, 4, 9, 0, tzinfo=HKI)


def run(*args) -> str:
    out = StringIO()
    call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def draft(call_2020):
    """A draft of the 2020 call whose partner (Vaasa, one member writing Swedish) has not confirmed."""
    lead = factories.municipality("Hämeenlinna", name_sv="Tavastehus")
    vaasa = factories.municipality("Vaasa", name_sv="Vasa")
    factories.member(vaasa, "partner@vaasa.fi", language="sv")
    creator = factories.member(lead, "lead@hameenlinna.fi")
    return submission_data.application(call_2020, lead=lead, partners=[vaasa], created_by=creator, confirmed=False)


def sent_to(mailoutbox) -> dict[str, str]:
    return {message.to[0]: message.subject for message in mailoutbox}


def test_the_job_run_twice_sends_each_reminder_once(draft, mailoutbox):
    clock.set_now(WEEK_BEFORE)
    first = run()
    assert "reminder_draft: 2 sent" in first and "reminder_confirmation: 1 sent" in first
    subjects = sent_to(mailoutbox)
    assert set(subjects) == {"lead@hameenlinna.fi", "maija@example.fi", "partner@vaasa.fi"}
    assert draft.reference in subjects["lead@hameenlinna.fi"]
    assert "Muistutus" in subjects["lead@hameenlinna.fi"]  # Finnish for the lead's member
    assert "Påminnelse" in subjects["partner@vaasa.fi"]  # the partner's member writes Swedish
    partner_mail = next(m for m in mailoutbox if m.to == ["partner@vaasa.fi"])
    assert f"/sv/applications/{draft.pk}/confirm/" in partner_mail.body  # the link to its confirmation page

    second = run()
    assert "reminder_draft: 0 sent" in second and "reminder_confirmation: 0 sent" in second
    assert len(mailoutbox) == 3
    clock.set_now(WEEK_BEFORE + timedelta(days=2))
    run()
    assert len(mailoutbox) == 3  # the 7-day stage went out already

    clock.set_now(DAY_BEFORE)
    run()
    run()
    assert len(mailoutbox) == 6  # the 1-day stage, once
    assert Message.objects.filter(kind="reminder_draft").count() == 4


def test_dry_run_counts_and_sends_nothing(draft, mailoutbox):
    clock.set_now(WEEK_BEFORE)
    out = run("--dry-run")
    assert "reminder_draft: 2 would be sent" in out and "reminder_confirmation: 1 would be sent" in out
    assert mailoutbox == [] and not Message.objects.exists()


def test_no_reminders_for_people_who_switched_them_off(draft, mailoutbox):
    from kuntadigi.accounts.models import User

    User.objects.filter(email__in=["lead@hameenlinna.fi", "partner@vaasa.fi"]).update(reminder_emails=False)
    clock.set_now(WEEK_BEFORE)
    run()
    assert set(sent_to(mailoutbox)) == {"maija@example.fi"}  # the contact person has no account


def test_no_reminders_once_the_call_has_closed_or_too_early(draft, mailoutbox):
    clock.set_now(datetime(2020, 10, 5, 16, 15, tzinfo=HKI))
    run()
    clock.set_now(datetime(2020, 9, 20, 9, 0, tzinfo=HKI))
    run()
    assert mailoutbox == []


def test_a_confirmed_partner_gets_no_reminder(draft, mailoutbox):
    submission_data.confirm(submission_data.partner(draft), draft.created_by)
    clock.set_now(WEEK_BEFORE)
    run()
    assert "partner@vaasa.fi" not in sent_to(mailoutbox)
    assert Message.objects.filter(kind="reminder_confirmation").count() == 0


def test_a_partner_that_declined_gets_no_reminder_but_the_lead_does(draft, mailoutbox):
    partner = submission_data.partner(draft)
    partner.declined_at = clock.now()
    partner.decline_reason = "Ei resursseja tänä vuonna"
    partner.save()
    clock.set_now(WEEK_BEFORE)
    run()
    assert "partner@vaasa.fi" not in sent_to(mailoutbox)
    assert "lead@hameenlinna.fi" in sent_to(mailoutbox)


def test_a_submitted_application_gets_no_reminder(call_2020, mailoutbox):
    app = screening_support.submitted(call_2020, at=WEEK_BEFORE - timedelta(days=1))
    mailoutbox.clear()
    clock.set_now(WEEK_BEFORE)
    run()
    assert not Message.objects.filter(kind__startswith="reminder_").exists()
    assert app.state == "submitted"


def test_an_unanswered_supplement_is_reminded_of_once_the_day_before_it_is_due(call_2020, mailoutbox):
    app = screening_support.submitted(call_2020)
    preparer = screening_support.official(call_2020, "preparer")
    due = screening_support.AFTER_2020 + timedelta(days=7)
    screening.request_supplement(preparer, app.pk, ["project"], "Tarkenna tavoitteita.", due)
    requested = len(mailoutbox)
    clock.set_now(due - timedelta(days=3))
    run()
    assert len(mailoutbox) == requested
    clock.set_now(due - timedelta(hours=20))
    out = run()
    run()
    assert "reminder_supplement: 2 sent" in out  # the lead's member and the contact person
    assert len(mailoutbox) == requested + 2
    assert all(app.reference in m.subject for m in mailoutbox[requested:])


def test_old_message_records_are_deleted_by_the_job(settings, mailoutbox):
    settings.KUNTADIGI_MESSAGE_RETENTION_DAYS = 30
    now = datetime(2021, 3, 1, 9, 0, tzinfo=HKI)
    clock.set_now(now)
    Message.objects.create(address="old@example.fi", language="fi", kind="receipt", subject="s", created_at=now - timedelta(days=31))
    kept = Message.objects.create(address="new@example.fi", language="fi", kind="receipt", subject="s", created_at=now - timedelta(days=29))
    assert "deleted: 1" in run()
    assert list(Message.objects.all()) == [kept]


def test_one_broken_reminder_does_not_stop_the_others_and_the_job_fails_visibly(draft, mailoutbox, monkeypatch):
    from django.core.management.base import CommandError

    from kuntadigi.notifications import services as notify

    real_send = notify.send

    def send(kind, *args, **kwargs):
        if kind == "reminder_draft":
            raise RuntimeError("template broken")
        return real_send(kind, *args, **kwargs)

    monkeypatch.setattr(notify, "send", send)
    clock.set_now(WEEK_BEFORE)
    with pytest.raises(CommandError, match="could not be sent"):
        run()
    assert "partner@vaasa.fi" in sent_to(mailoutbox)  # the partner's reminder went out all the same
    assert "lead@hameenlinna.fi" not in sent_to(mailoutbox)
