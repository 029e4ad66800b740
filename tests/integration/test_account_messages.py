"""The account page: the person's e-mail preferences (saved with an audit event) and the messages sent
to them, newest first, in Helsinki time and the page's language, with a constant number of queries."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from kuntadigi.audit.models import AuditEvent
from kuntadigi.notifications.models import Message
from tests import factories

pytestmark = pytest.mark.django_db

HKI = factories.HKI
SENT_AT = datetime(2020, 10, 5, 16, 15, tzinfo=HKI)


def account_url(language: str) -> str:
    with translation.override(language):
        return reverse("accounts:account")


def message(person, kind: str, subject: str, *, minutes: int = 0, status: str = "sent", url: str = "", address: str | None = None) -> Message:
    return Message.objects.create(
        user=person if address is None else None,
        address=address or person.email,
        language="fi",
        kind=kind,
        subject=subject,
        url=url,
        status=status,
        created_at=SENT_AT + timedelta(minutes=minutes),
    )


def test_preferences_are_saved_with_an_audit_event(client):
    person = factories.user("maija@kunta.fi")
    client.force_login(person)
    page = client.get(account_url("fi")).content.decode()
    assert "Muistutukset ennen määräaikoja" in page and "Tiedot hakemusten vaiheista" in page
    assert "Kirjautumislinkit, osallistumisen vahvistuspyynnöt, täydennyspyynnöt ja päätökset lähetetään aina" in page
    assert page.count("checked") >= 2
    response = client.post(reverse("accounts:email_preferences"), {"prefs-update_emails": "on"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.reminder_emails, person.update_emails) == (False, True)
    event = AuditEvent.objects.get(action="accounts.email_preferences_changed")
    assert event.actor == person
    assert event.before == {"reminder_emails": True, "update_emails": True}
    assert event.after == {"reminder_emails": False, "update_emails": True}
    client.post(reverse("accounts:email_preferences"), {"prefs-update_emails": "on"})
    assert AuditEvent.objects.filter(action="accounts.email_preferences_changed").count() == 1  # nothing changed, nothing recorded


def test_preferences_are_asked_by_post_only(client):
    person = factories.user("maija@kunta.fi")
    client.force_login(person)
    assert client.get(reverse("accounts:email_preferences")).status_code == 302
    person.refresh_from_db()
    assert person.reminder_emails and person.update_emails


@pytest.mark.parametrize(
    ("language", "time", "failed"),
    [("fi", "5.10.2020 klo 16.15", "ei lähetetty"), ("sv", "5.10.2020 kl. 16.15", "inte skickat")],
)
def test_the_messages_sent_are_listed_newest_first_in_the_page_language(client, language, time, failed):
    from kuntadigi.notifications.kinds import KINDS

    person = factories.user("maija@kunta.fi", language=language)
    other = factories.user("other@kunta.fi")
    message(person, "reminder_draft", "Vanhempi viesti", url="https://kuntadigi.example/fi/applications/7/")
    message(person, "sign_in_link", "Kirjautumislinkki", minutes=5, status="failed")
    message(person, "partner_added", "Ennen tiliä", minutes=-5, address="MAIJA@kunta.fi")  # to the address, before the account
    message(other, "receipt", "Toisen viesti")
    client.force_login(person)
    with translation.override(language):
        expected_label = str(KINDS["reminder_draft"].label)
    page = client.get(account_url(language)).content.decode()
    listing = page.split('id="sent-heading"', 1)[1]
    assert listing.index("Kirjautumislinkki") < listing.index("Vanhempi viesti") < listing.index("Ennen tiliä")
    assert "Toisen viesti" not in page
    assert time in listing
    assert expected_label in listing  # the kind's label in the page's language
    assert failed in listing  # a message that did not go out says so
    assert 'href="https://kuntadigi.example/fi/applications/7/"' in listing


def test_the_list_costs_the_same_queries_for_one_or_many_messages_and_is_capped(client):
    person = factories.user("maija@kunta.fi")
    client.force_login(person)
    message(person, "receipt", "Viesti 0")
    with CaptureQueriesContext(connection) as one:
        client.get(account_url("fi"))
    for n in range(1, 60):
        message(person, "receipt", f"Viesti {n}", minutes=n)
    with CaptureQueriesContext(connection) as many:
        page = client.get(account_url("fi")).content.decode()
    assert len(many) == len(one)
    assert "Viesti 59" in page and "Viesti 10<" in page and "Viesti 9<" not in page  # the latest 50
