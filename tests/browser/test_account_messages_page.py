"""The account page with its e-mail preferences and the list of messages sent, in a real browser:
axe-core finds nothing in Finnish and Swedish, it reads at 320 px, and the preferences save without JavaScript."""

from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from kuntadigi.notifications.models import Message
from tests import factories
from tests.browser.helpers import assert_no_axe_violations, assert_reads_at_320px, sign_in_as

pytestmark = pytest.mark.browser

SENT_AT = datetime(2020, 10, 5, 16, 15, tzinfo=factories.HKI)


@pytest.fixture
def person(transactional_db):
    person = factories.user("maija@kunta.fi", full_name="Maija Meikäläinen")
    for n, (kind, status) in enumerate([("receipt", "sent"), ("reminder_draft", "sent"), ("sign_in_link", "failed")]):
        Message.objects.create(
            user=person,
            address=person.email,
            language="fi",
            kind=kind,
            subject=f"Viesti {n}: DIGI-2020-0001",
            url="" if kind == "sign_in_link" else "http://example.invalid/fi/applications/1/",
            status=status,
            created_at=SENT_AT + timedelta(minutes=n),
        )
    return person


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_the_account_page_with_messages_is_accessible_and_reads_at_320px(page, site, person, lang):
    sign_in_as(page, site, person)
    response = page.goto(site.reverse("accounts:account", lang=lang))
    assert response.status == 200
    expect(page.locator("#sent-heading")).to_be_visible()
    expect(page.locator("table").last).to_contain_text("Viesti 2")
    assert_no_axe_violations(page)
    assert_reads_at_320px(page)


def test_the_preferences_save_without_javascript(nojs_page, site, person):
    sign_in_as(nojs_page, site, person)
    nojs_page.goto(site.reverse("accounts:account", lang="fi"))
    nojs_page.get_by_label("Muistutukset ennen määräaikoja", exact=False).uncheck()
    nojs_page.get_by_role("button", name="Tallenna sähköpostiasetukset").click()
    expect(nojs_page.locator("body")).to_contain_text("Sähköpostiasetuksesi tallennettiin.")
    person.refresh_from_db()
    assert (person.reminder_emails, person.update_emails) == (False, True)
