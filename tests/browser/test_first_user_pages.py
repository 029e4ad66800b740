"""The first user of a municipality in a real browser without JavaScript, in Finnish and in Swedish: a
person signs in by a link sent to an address in Loviisa's own e-mail domain, asks to join Loviisa
(which has no administrator yet) and sees who decides and how fast; the ministry official gets the
e-mail, opens the queue from its link, sees the count and the domain, and approves the person as
administrator with one click; the person is told. axe-core finds nothing on the pages."""

import pytest
from playwright.sync_api import expect

from kuntadigi.accounts.models import Membership
from tests import factories
from tests.browser.helpers import assert_no_axe_violations, assert_reads_at_320px, extract_link, path_of, sign_in_as

pytestmark = pytest.mark.browser

WORDS = {
    "fi": {
        "ministry": "Valtiovarainministeriön virkailijat",
        "estimate": "Arviota ei vielä ole",
        "count": "1 pyyntö odottaa ratkaisua.",
        "domain": "Osoite organisaation verkkotunnuksessa: loviisa.fi",
        "approve_admin": "Hyväksy pääkäyttäjäksi",
        "subject": "Pyyntö liittyä organisaatioon Loviisa odottaa ratkaisuasi",
    },
    "sv": {
        "ministry": "Finansministeriets tjänstemän",
        "estimate": "Ingen uppskattning ännu",
        "count": "1 begäran väntar på beslut.",
        "domain": "Adress i organisationens domän: loviisa.fi",
        "approve_admin": "Godkänn som administratör",
        "subject": "En begäran om anslutning till Lovisa väntar på ditt beslut",
    },
}


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_the_first_user_of_a_municipality_asks_to_join_and_the_official_approves_from_the_queue(nojs_page, site, mailbox, lang):
    page, words = nojs_page, WORDS[lang]
    loviisa = factories.municipality("Loviisa", code="434", name_sv="Lovisa", email_domains=["loviisa.fi"])
    official = factories.user("virkailija@vm.example", official=True, language=lang, full_name="Ville Virkailija")

    # The person signs in by a link sent to their address in Loviisa's domain.
    page.goto(site.reverse("accounts:sign_in", lang=lang))
    page.fill("#id_link-email", "liisa.laine@loviisa.fi")
    page.locator("form[action$='/sign-in/link/'] button[type=submit]").click()
    link = extract_link(mailbox.wait_for_mail("liisa.laine@loviisa.fi").body, "/sign-in/link/")
    page.goto(link)
    page.locator("main form[method=post] button[type=submit]").click()
    page.wait_for_url("**/organisations/")

    # They ask to join Loviisa and see who decides, and that there is no estimate yet.
    page.fill("#id_organisation", "Loviisa")
    page.locator("form[action$='/organisations/join/'] button[type=submit]").click()
    page.wait_for_url("**/organisations/")
    row = page.locator("main table tbody tr", has_text="Lov")
    expect(row).to_contain_text(words["ministry"])
    expect(row).to_contain_text(words["estimate"])
    expect(row).to_contain_text("loviisa.fi")
    assert_no_axe_violations(page)
    assert_reads_at_320px(page)

    # The official gets the e-mail in their language and opens the queue from its link.
    message = mailbox.wait_for_mail("virkailija@vm.example")
    assert message.subject.strip() == words["subject"]  # (a long subject is folded: the parsed header keeps a space)
    queue_link = extract_link(message.body, "/organisations/requests/")
    assert path_of(queue_link) == f"/{lang}/organisations/requests/"
    sign_in_as(page, site, official, clear=True)
    page.goto(queue_link)
    expect(page.locator("main")).to_contain_text(words["count"])
    expect(page.locator("main table")).to_contain_text(words["domain"])
    assert_no_axe_violations(page)
    assert_reads_at_320px(page)

    # One click: the person is the organisation's administrator, and is told.
    page.get_by_role("button", name=words["approve_admin"]).click()
    page.wait_for_url("**/organisations/requests/")
    membership = Membership.objects.get(user__email="liisa.laine@loviisa.fi")
    assert (membership.status, membership.role, membership.organisation) == (Membership.Status.APPROVED, Membership.Role.ADMIN, loviisa)
    assert mailbox.wait_for_mail("liisa.laine@loviisa.fi").subject
    expect(page.locator("main table")).to_have_count(0)
