"""Applicants are told of their application's steps: screened (news, in the application's language, to
the lead's members and contact person, with a link), and every other message of the service is recorded
for the account page too (a sign-in link without its secret)."""

from __future__ import annotations

import pytest
from django.core import mail

from kuntadigi.accounts import services as accounts
from kuntadigi.accounts.models import User
from kuntadigi.applications.models import Application
from kuntadigi.notifications.models import Message
from kuntadigi.screening import services
from tests.integration import screening_support as support

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return support.World()


def test_screened_tells_the_lead_in_the_applications_language_with_a_link(world, django_capture_on_commit_callbacks):
    Application.objects.filter(pk=world.app.pk).update(language="sv")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.mark_application(world.preparer, world.app.pk, "eligible", "Täyttää hakuehdot.")
    assert sorted(m.to[0] for m in mail.outbox) == ["contact@porvoo.example.fi", "lead@porvoo.example.fi"]
    for message in mail.outbox:
        assert message.subject == f"Ansökan granskad: {world.app.reference}"  # Swedish, the application's language
        assert f"/sv/applications/{world.app.pk}/" in message.body
        assert "Täyttää hakuehdot." not in message.body  # the official's own reason stays with the officials
    assert "partner@loviisa.example.fi" not in [m.to[0] for m in mail.outbox]
    assert Message.objects.filter(kind="screened", language="sv").count() == 2


def test_screened_ineligible_then_a_corrected_reason_tells_once(world, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.mark_application(world.preparer, world.app.pk, "ineligible", "Ei täytä ehtoja.", ["other"])
    with django_capture_on_commit_callbacks(execute=True):
        services.mark_application(world.preparer, world.app.pk, "ineligible", "Ei täytä ehtoja, tarkennettu.", ["other"])
    assert len(mail.outbox) == 2
    assert "ei täytä haun ehtoja" in mail.outbox[0].body


def test_who_switched_news_off_is_not_told_of_the_screening(world, django_capture_on_commit_callbacks):
    User.objects.filter(pk=world.lead.pk).update(update_emails=False)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.mark_application(world.preparer, world.app.pk, "eligible", "Täyttää hakuehdot.")
    assert [m.to[0] for m in mail.outbox] == ["contact@porvoo.example.fi"]


def test_a_sign_in_link_is_recorded_without_its_secret(django_capture_on_commit_callbacks, client):
    with django_capture_on_commit_callbacks(execute=True):
        token = accounts.request_sign_in_link("Someone@Kunta.fi")
    assert len(mail.outbox) == 1 and token in mail.outbox[0].body
    record = Message.objects.get(kind="sign_in_link")
    assert (record.address, record.url, record.status) == ("someone@kunta.fi", "", "sent")
    assert token not in record.subject and token not in record.key
