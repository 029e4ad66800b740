"""kuntadigi.notifications: each message in its recipient's language, recorded, sent once per key,
and reminders and news left out for those who switched them off."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils.translation import gettext as _

from kuntadigi import clock
from kuntadigi.notifications import services as notify
from kuntadigi.notifications.kinds import KINDS, Category, may_switch_off
from kuntadigi.notifications.models import Message
from tests import factories

pytestmark = pytest.mark.django_db

# An existing pair of templates: the sign-in link's (it needs `link` and `minutes`).
TEMPLATE = "email/sign_in"


def _send(recipients, *, kind="reminder_draft", key=""):
    return notify.send(
        kind,
        recipients,
        template=TEMPLATE,
        subject=lambda: _("Your sign-in link to kuntadigi"),
        context={"link": "https://example.invalid/l", "minutes": 15, "site_url": "https://example.invalid"},
        url="https://example.invalid/applications/1/",
        key=key,
    )


def test_each_recipient_gets_the_message_in_their_own_language_and_it_is_recorded(mailoutbox):
    finn = factories.user("finn@example.fi", language="fi")
    swede = factories.user("swede@example.fi", language="sv")
    sent = _send([notify.recipient_for_user(finn), notify.recipient_for_user(swede)])
    assert [m.status for m in sent] == ["sent", "sent"]
    subjects = {message.to[0]: message.subject for message in mailoutbox}
    assert subjects["finn@example.fi"] != subjects["swede@example.fi"]
    assert "kuntadigi" in subjects["swede@example.fi"]
    stored = Message.objects.get(address="swede@example.fi")
    assert (stored.user, stored.language, stored.kind, stored.subject) == (swede, "sv", "reminder_draft", subjects["swede@example.fi"])
    assert stored.url == "https://example.invalid/applications/1/" and stored.sent_at is not None


def test_an_address_without_account_gets_the_callers_language_and_one_with_an_account_its_own(mailoutbox):
    factories.user("known@example.fi", language="sv")
    known = notify.recipient_for_address(" Known@Example.fi ", "fi")
    stranger = notify.recipient_for_address("stranger@example.fi", "sv")
    assert (known.language, known.user is not None) == ("sv", True)
    assert (stranger.language, stranger.user) == ("sv", None)


def test_the_same_address_twice_gets_one_message(mailoutbox):
    person = factories.user("one@example.fi")
    _send([notify.recipient_for_user(person), notify.recipient_for_address("ONE@example.fi", "fi")])
    assert len(mailoutbox) == 1


def test_a_keyed_message_goes_out_once_however_often_it_is_sent(mailoutbox):
    person = factories.user("once@example.fi")
    first = _send([notify.recipient_for_user(person)], key="reminder:7d:app-1")
    second = _send([notify.recipient_for_user(person)], key="reminder:7d:app-1")
    assert len(first) == 1 and second == []
    assert len(mailoutbox) == 1
    assert notify.was_sent("reminder:7d:app-1", "ONCE@example.fi")
    other = _send([notify.recipient_for_user(person)], key="reminder:1d:app-1")
    assert len(other) == 1 and len(mailoutbox) == 2


def test_a_failed_keyed_message_is_tried_again_by_the_next_run(mailoutbox, monkeypatch):
    person = factories.user("retry@example.fi")

    def refuse(self, fail_silently=False):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    failed = _send([notify.recipient_for_user(person)], key="k")
    assert [m.status for m in failed] == ["failed"]
    assert not notify.was_sent("k", "retry@example.fi")
    monkeypatch.undo()
    again = _send([notify.recipient_for_user(person)], key="k")
    assert [m.status for m in again] == ["sent"] and len(mailoutbox) == 1
    assert Message.objects.filter(address="retry@example.fi").count() == 1


def test_reminders_and_news_follow_the_preferences_but_required_messages_do_not(mailoutbox):
    quiet = factories.user("quiet@example.fi", reminder_emails=False, update_emails=False)
    recipient = notify.recipient_for_user(quiet)
    assert _send([recipient], kind="reminder_draft") == []
    assert _send([recipient], kind="screened") == []
    assert len(_send([recipient], kind="decision_signed")) == 1
    assert len(mailoutbox) == 1
    assert not may_switch_off("sign_in_link") and may_switch_off("reminder_draft")


def test_every_kind_has_a_label_in_each_language():
    from django.utils import translation

    for name, kind in KINDS.items():
        assert kind.category in set(Category), name
        with translation.override("fi"):
            finnish = str(kind.label)
        with translation.override("en"):
            english = str(kind.label)
        assert finnish and finnish != english, name


def test_an_unknown_kind_is_refused_before_anything_is_sent(mailoutbox):
    person = factories.user("x@example.fi")
    with pytest.raises(KeyError):
        _send([notify.recipient_for_user(person)], kind="no_such_kind")
    assert mailoutbox == [] and not Message.objects.exists()


def test_the_account_sees_messages_to_its_address_sent_before_it_existed(mailoutbox):
    _send([notify.recipient_for_address("later@example.fi", "fi")], kind="partner_added")
    person = factories.user("Later@example.fi")
    clock.set_now(clock.now() + timedelta(minutes=1))
    _send([notify.recipient_for_user(person)])
    assert [m.kind for m in notify.messages_for(person)] == ["reminder_draft", "partner_added"]


def test_organisation_recipients_are_its_approved_active_members(mailoutbox):
    town = factories.municipality()
    admin = factories.member(town, "admin@town.fi", admin=True)
    factories.member(town, "member@town.fi")
    gone = factories.member(town, "gone@town.fi")
    gone.is_active = False
    gone.save()
    assert [r.address for r in notify.organisation_recipients(town.pk, "fi")] == ["admin@town.fi", "member@town.fi"]
    assert [r.user for r in notify.organisation_recipients(town.pk, "fi", admins_only=True)] == [admin]


def test_key_is_unique_in_the_database():
    from django.db import IntegrityError, transaction

    Message.objects.create(address="a@example.fi", language="fi", kind="receipt", subject="s", key="k:a@example.fi")
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(address="a@example.fi", language="fi", kind="receipt", subject="s", key="k:a@example.fi")


def test_a_message_left_being_sent_by_a_run_that_died_is_sent_by_a_later_run(mailoutbox):
    person = factories.user("stale@example.fi")
    claimed = clock.now()
    Message.objects.create(
        user=person, address=person.email, language="fi", kind="reminder_draft", subject="s", key=notify.message_key("k", person.email), created_at=claimed
    )
    clock.set_now(claimed + timedelta(minutes=2))
    assert _send([notify.recipient_for_user(person)], key="k") == []  # perhaps still being sent by a live run
    assert notify.not_yet_sent("k", [notify.recipient_for_user(person)]) != []
    clock.set_now(claimed + notify.STALE_CLAIM + timedelta(minutes=1))
    again = _send([notify.recipient_for_user(person)], key="k")
    assert [m.status for m in again] == ["sent"] and len(mailoutbox) == 1
    assert notify.not_yet_sent("k", [notify.recipient_for_user(person)]) == []
