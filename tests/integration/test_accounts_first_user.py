"""The first user of a municipality is not left waiting unseen: who decides a request to join is told
by e-mail, the requester sees who decides and how fast it usually goes, and an address in the
organisation's own e-mail domain (confirmed by the sign-in link) puts the request first in the
officials' queue, with the domain shown (docs/access.md, "The first user of a municipality")."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from kuntadigi import clock
from kuntadigi.accounts import services
from kuntadigi.accounts.models import Membership, User
from kuntadigi.audit.models import AuditEvent
from kuntadigi.notifications.models import Message
from tests import factories

HKI = ZoneInfo("Europe/Helsinki")
NOW = datetime(2020, 10, 30, 12, 0, tzinfo=HKI)  # a Friday


@pytest.fixture(autouse=True)
def _clean(db):
    cache.clear()
    clock.set_now(NOW)
    yield
    cache.clear()


@pytest.fixture
def loviisa(db):
    return factories.municipality("Loviisa", code="434", name_sv="Lovisa", email_domains=["loviisa.fi"])


@pytest.fixture
def officials(db):
    return [
        factories.user("virkailija@vm.example", official=True, language="fi", full_name="Ville Virkailija"),
        factories.user("tjansteman@vm.example", official=True, language="sv", full_name="Tove Tjänsteman"),
    ]


def url(name, language="en", **kwargs):
    with translation.override(language):
        return reverse(name, kwargs=kwargs or None)


def sign_in_by_link(client, email, language="en"):
    """The real path: a link is sent to the address, and the person follows it."""
    with translation.override(language):
        token = services.request_sign_in_link(email)
    client.post(url("accounts:use_link", language, token=token))
    mail.outbox.clear()
    return User.objects.get(email=email)


def test_the_first_user_in_the_domain_reaches_the_officials_at_once_and_the_approval_makes_them_administrator(
    client, loviisa, officials, django_capture_on_commit_callbacks
):
    bystander = factories.user("someone@example.fi")  # neither official nor administrator: not told
    person = sign_in_by_link(client, "liisa.laine@loviisa.fi")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("accounts:join_organisation"), {"organisation_id": loviisa.pk})
    membership = Membership.objects.get(user=person)
    assert membership.status == Membership.Status.PENDING and membership.confirmed_domain == "loviisa.fi"
    event = AuditEvent.objects.get(action="accounts.membership_requested", object_id=str(membership.pk))
    assert event.after["confirmed_domain"] == "loviisa.fi"

    # Each official is told in their own language, with a link to the queue in that language.
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {"virkailija@vm.example", "tjansteman@vm.example"}
    finnish, swedish = by_address["virkailija@vm.example"], by_address["tjansteman@vm.example"]
    assert finnish.subject == "Pyyntö liittyä organisaatioon Loviisa odottaa ratkaisuasi"
    assert swedish.subject == "En begäran om anslutning till Lovisa väntar på ditt beslut"
    assert "liisa.laine@loviisa.fi" in finnish.body and "loviisa.fi" in finnish.body
    assert "/fi/organisations/requests/" in finnish.body and "/sv/organisations/requests/" in swedish.body
    assert "pääkäyttäjäksi" in finnish.body  # the organisation has no administrator: approve the first one as administrator
    stored = Message.objects.get(address="tjansteman@vm.example")
    assert (stored.kind, stored.status, stored.language) == ("membership_requested", "sent", "sv")
    assert stored.url.endswith("/sv/organisations/requests/")
    assert not Message.objects.filter(address=bystander.email).exists()

    # The person sees who decides, and that there is no estimate yet.
    page = client.get(url("accounts:organisations")).content.decode()
    assert "The Ministry of Finance's officials" in page
    assert "No estimate yet: too few requests have been decided recently." in page
    assert "Your address is in the organisation's e-mail domain (loviisa.fi)" in page

    # The official's queue: the count, and the request with its domain first although an older one waits.
    older = factories.user("maija@gmail.example")
    Membership.objects.create(user=older, organisation=loviisa, requested_at=NOW - timedelta(days=3))
    official = officials[0]
    client.force_login(official)
    queue = client.get(url("accounts:membership_requests")).content.decode()
    assert "2 requests wait for a decision." in queue
    assert "1 of them is from an address in the organisation's own e-mail domain: it is shown first." in queue
    assert "Address in the organisation's domain: loviisa.fi" in queue
    assert "Warning: the address is not in the organisation's e-mail domain" in queue
    assert queue.index("liisa.laine@loviisa.fi") < queue.index("maija@gmail.example")
    assert services.pending_request_count(official) == 2

    # One click approves the first user as the organisation's administrator, and they are told.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("accounts:decide_membership", pk=membership.pk), {"decision": "approve_admin", "next": url("accounts:membership_requests")})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert (membership.status, membership.role, membership.decided_by) == (Membership.Status.APPROVED, Membership.Role.ADMIN, official)
    assert [message.to for message in mail.outbox] == [["liisa.laine@loviisa.fi"]]
    assert services.pending_request_count(official) == 1
    # From now on the new administrator decides the municipality's requests.
    assert services.pending_request_count(person) == 1


def test_with_an_administrator_the_administrator_is_told_not_the_officials(client, loviisa, officials, django_capture_on_commit_callbacks):
    administrator = factories.member(loviisa, "hallinto@loviisa.fi", admin=True, full_name="Hanna Hallinto", language="sv")
    sign_in_by_link(client, "uusi@loviisa.fi")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("accounts:join_organisation"), {"organisation_id": loviisa.pk})
    assert [message.to for message in mail.outbox] == [["hallinto@loviisa.fi"]]
    assert mail.outbox[0].subject == "En begäran om anslutning till Lovisa väntar på ditt beslut"
    stored = Message.objects.get(kind="membership_requested")
    assert stored.user == administrator and stored.url.endswith("/sv/organisations/#requests")
    assert "pääkäyttäjäksi" not in mail.outbox[0].body
    page = client.get(url("accounts:organisations")).content.decode()
    assert "The organisation's administrators: Hanna Hallinto" in page
    assert services.pending_request_count(administrator) == 1
    # An applicant of another organisation decides nothing.
    assert services.pending_request_count(factories.member(factories.municipality(), "x@example.fi")) == 0


def test_an_address_not_confirmed_by_a_link_is_not_flagged(client, loviisa, officials, django_capture_on_commit_callbacks):
    made_by_admin = factories.user("nimi@loviisa.fi")  # never signed in by a link
    client.force_login(made_by_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("accounts:join_organisation"), {"organisation_id": loviisa.pk})
    membership = Membership.objects.get(user=made_by_admin)
    assert membership.confirmed_domain == ""
    assert len(mail.outbox) == 2  # the officials are still told
    assert "loviisa.fi" not in mail.outbox[0].body.replace("nimi@loviisa.fi", "")


def test_an_address_in_another_domain_is_not_flagged_and_the_official_is_warned(client, loviisa, officials, django_capture_on_commit_callbacks):
    sign_in_by_link(client, "liisa@gmail.example")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("accounts:join_organisation"), {"organisation_id": loviisa.pk})
    assert Membership.objects.get(user__email="liisa@gmail.example").confirmed_domain == ""
    client.force_login(officials[1])
    queue = client.get(url("accounts:membership_requests", "sv")).content.decode()
    assert "1 begäran väntar på beslut." in queue
    assert "Varning: adressen hör inte till organisationens e-postdomän" in queue


def decided(organisation, official, *, days_before: int, took: timedelta):
    person = factories.user()
    decided_at = NOW - timedelta(days=days_before)
    return Membership.objects.create(
        user=person,
        organisation=organisation,
        status=Membership.Status.APPROVED,
        requested_at=decided_at - took,
        decided_at=decided_at,
        decided_by=official,
    )


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", "Usually decided within 3 working days."),
        ("fi", "Pyyntö ratkaistaan yleensä 3 työpäivän kuluessa."),
        ("sv", "Begäran avgörs vanligen inom 3 arbetsdagar."),
    ],
)
def test_the_requester_sees_how_fast_the_ministry_usually_decides(client, loviisa, officials, language, words, django_capture_on_commit_callbacks):
    other = factories.municipality("Sipoo", code="753")
    # Three requests decided by officials in the last 90 days, each 3 working days after it was made
    # (Monday → Thursday); one long ago does not count.
    for days_before in (1, 8, 15):  # Thursdays 29.10, 22.10 and 15.10 (NOW is a Friday)
        decided(other, officials[0], days_before=days_before, took=timedelta(days=3))
    decided(other, officials[0], days_before=200, took=timedelta(days=60))
    person = factories.user("liisa@example.fi", language=language)
    client.force_login(person)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("accounts:join_organisation", language), {"organisation_id": loviisa.pk})
    page = client.get(url("accounts:organisations", language)).content.decode()
    assert words in page


def test_an_organisation_with_administrators_has_its_own_estimate(client, loviisa, officials, django_capture_on_commit_callbacks):
    administrator = factories.member(loviisa, "hallinto@loviisa.fi", admin=True, full_name="Hanna Hallinto")
    for days_before in (4, 11, 18):
        decided(loviisa, administrator, days_before=days_before, took=timedelta(hours=2))
    # The ministry is slower, but it does not decide Loviisa's requests now.
    other = factories.municipality("Sipoo", code="753")
    for days_before in (4, 11, 18):
        decided(other, officials[0], days_before=days_before, took=timedelta(days=3))
    client.force_login(factories.user("uusi@example.fi"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("accounts:join_organisation"), {"organisation_id": loviisa.pk})
    page = client.get(url("accounts:organisations")).content.decode()
    assert "Usually decided within 1 working day." in page


def test_the_queue_takes_the_same_number_of_queries_however_many_wait(client, loviisa, officials):
    client.force_login(officials[0])
    Membership.objects.create(user=factories.user("p@loviisa.fi"), organisation=loviisa, confirmed_domain="loviisa.fi")
    client.get(url("accounts:membership_requests"))  # the session's first reads
    few = _queries(client)
    for n in range(5):
        Membership.objects.create(user=factories.user(f"q{n}@gmail.example"), organisation=loviisa)
    assert _queries(client) == few


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url("accounts:membership_requests")).status_code == 200
    return len(captured.captured_queries)


def test_the_count_of_waiting_requests_for_a_landing_page(loviisa, officials):
    from django.contrib.auth.models import AnonymousUser

    sipoo = factories.municipality("Sipoo", code="753")
    administrator = factories.member(loviisa, "hallinto@loviisa.fi", admin=True)
    applicant = factories.member(loviisa, "jasen@loviisa.fi")
    Membership.objects.create(user=factories.user("a@loviisa.fi"), organisation=loviisa)
    Membership.objects.create(user=factories.user("b@sipoo.fi"), organisation=sipoo)
    Membership.objects.create(user=officials[0], organisation=sipoo)  # an official's own request is not theirs to decide
    assert services.pending_request_count(officials[0]) == 2
    assert services.pending_request_count(officials[1]) == 3
    assert services.pending_request_count(administrator) == 1
    assert services.pending_request_count(applicant) == 0
    assert services.pending_request_count(AnonymousUser()) == 0


# ── The organisation's e-mail domains on the registry page ─────────────────


def test_an_official_enters_the_organisations_email_domains(client, loviisa, officials):
    client.force_login(officials[0])
    response = client.post(url("registry:email_domains", pk=loviisa.pk), {"ed-email_domains": "Loviisa.fi\nlovisa.fi, loviisa.fi"})
    assert response.status_code == 302
    loviisa.refresh_from_db()
    assert loviisa.email_domains == ["loviisa.fi", "lovisa.fi"]
    event = AuditEvent.objects.get(action="registry.email_domains_set")
    assert (event.before, event.after) == ({"email_domains": ["loviisa.fi"]}, {"email_domains": ["loviisa.fi", "lovisa.fi"]})
    page = client.get(response["Location"]).content.decode()
    assert "loviisa.fi\nlovisa.fi</textarea>" in page


def test_what_is_not_a_domain_is_refused_with_the_reason(client, loviisa, officials):
    client.force_login(officials[0])
    response = client.post(url("registry:email_domains", pk=loviisa.pk), {"ed-email_domains": "loviisa.fi\nhttp://lovisa.fi"})
    assert response.status_code == 400
    assert "Not a domain name: http://lovisa.fi." in response.content.decode()
    loviisa.refresh_from_db()
    assert loviisa.email_domains == ["loviisa.fi"]


def test_only_officials_set_email_domains(client, loviisa):
    administrator = factories.member(loviisa, "hallinto@loviisa.fi", admin=True)
    client.force_login(administrator)
    response = client.post(url("registry:email_domains", pk=loviisa.pk), {"ed-email_domains": "example.com"})
    assert response.status_code == 404
    loviisa.refresh_from_db()
    assert loviisa.email_domains == ["loviisa.fi"]
