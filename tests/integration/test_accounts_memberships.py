"""Asking to join an organisation, and the decisions of administrators and officials."""

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from kuntadigi.accounts.models import Membership
from kuntadigi.audit.models import AuditEvent
from tests import factories


@pytest.fixture(autouse=True)
def _interface_texts_untranslated(settings):
    """These tests read the interface's own texts in English (the source language) while the pages keep
    their Finnish addresses: without the project's catalogues the msgids show as they are written."""
    settings.LOCALE_PATHS = []


@pytest.fixture(autouse=True)
def _clean(db):
    cache.clear()
    translation.activate("fi")
    yield
    cache.clear()


@pytest.fixture
def porvoo(db):
    return factories.municipality("Porvoo", code="638", name_sv="Borgå")


@pytest.fixture
def loviisa(db):
    return factories.municipality("Loviisa", code="434", name_sv="Lovisa")


def join(client, text="", **extra):
    return client.post(reverse("accounts:join_organisation"), {"organisation": text, **extra})


def decide(client, membership, decision, capture):
    with capture(execute=True):
        return client.post(reverse("accounts:decide_membership", args=[membership.pk]), {"decision": decision})


def test_organisations_page_has_a_picker_that_works_without_javascript(client, porvoo, loviisa, django_assert_max_num_queries):
    client.force_login(factories.user())
    with django_assert_max_num_queries(8):
        page = client.get(reverse("accounts:organisations")).content.decode()
    assert '<datalist id="organisation-options">' in page
    assert 'list="organisation-options"' in page
    assert '<option value="Porvoo">Borgå 638</option>' in page
    assert '<option value="Borgå">Porvoo 638</option>' in page
    assert 'action="/fi/organisations/join/"' in page


@pytest.mark.parametrize("typed", ["Porvoo", "borgå", " BORGÅ ", "638"])
def test_exact_name_or_code_asks_to_join_directly(client, porvoo, loviisa, typed):
    person = factories.user()
    client.force_login(person)
    response = join(client, typed)
    assert response.status_code == 302
    membership = Membership.objects.get(user=person)
    assert membership.organisation == porvoo
    assert membership.status == Membership.Status.PENDING and membership.role == Membership.Role.MEMBER
    assert AuditEvent.objects.filter(action="accounts.membership_requested", object_id=str(membership.pk)).exists()
    page = client.get(reverse("accounts:organisations")).content.decode()
    assert "waiting for approval" in page
    assert "The Ministry of Finance's officials (the organisation has no administrator in kuntadigi yet)" in page


def test_several_matches_are_offered_as_a_choice(client, porvoo, loviisa):
    factories.municipality("Porvoon seutu", code="999", name_sv="Borgånejden")
    client.force_login(factories.user())
    response = join(client, "porv")
    page = response.content.decode()
    assert response.status_code == 200
    assert "2 organisations match" in page
    assert page.count('type="radio" name="organisation_id"') == 2
    assert "Loviisa" not in page.split('id="join"')[1].split("</form>")[0]

    no_choice = join(client, "porv", step="choose")
    assert no_choice.status_code == 400
    assert "Choose one of the organisations." in no_choice.content.decode()

    chosen = join(client, "porv", step="choose", organisation_id=str(porvoo.pk))
    assert chosen.status_code == 302
    assert Membership.objects.get().organisation == porvoo


def test_nothing_matches_is_an_error_on_the_field(client, porvoo):
    client.force_login(factories.user())
    response = join(client, "Atlantis")
    page = response.content.decode()
    assert response.status_code == 400
    assert "No organisation matches" in page
    assert 'href="#id_organisation"' in page
    assert not Membership.objects.exists()


def test_asking_twice_is_refused_politely(client, porvoo):
    client.force_login(factories.user())
    join(client, "Porvoo")
    response = join(client, "Porvoo")
    assert response.status_code == 302
    assert Membership.objects.count() == 1
    assert "You have already asked to join this organisation." in client.get(response.url).content.decode()


def test_admin_approves_and_the_requester_gets_an_email_in_their_language(client, porvoo, django_capture_on_commit_callbacks):
    admin = factories.member(porvoo, "admin@porvoo.fi", admin=True, full_name="Aino Admin")
    requester = factories.user("uusi@porvoo.fi", language="sv")
    client.force_login(requester)
    join(client, "Porvoo")
    page = client.get(reverse("accounts:organisations")).content.decode()
    assert "Aino Admin" in page  # who can approve

    client.force_login(admin)
    admin_page = client.get(reverse("accounts:organisations")).content.decode()
    assert "uusi@porvoo.fi" in admin_page
    assert 'value="approve_admin"' not in admin_page  # only officials make administrators
    membership = Membership.objects.get(user=requester)
    response = decide(client, membership, "approve", django_capture_on_commit_callbacks)
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.status == Membership.Status.APPROVED
    assert membership.role == Membership.Role.MEMBER
    assert membership.decided_by == admin
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["uusi@porvoo.fi"]
    assert "/sv/organisations/" in mail.outbox[0].body
    assert "Borgå" in mail.outbox[0].subject  # the organisation's name in the requester's language
    assert AuditEvent.objects.filter(action="accounts.membership_approved", object_id=str(membership.pk), actor=admin).exists()


def test_admin_cannot_grant_the_administrator_role(client, porvoo, django_capture_on_commit_callbacks):
    admin = factories.member(porvoo, admin=True)
    requester = factories.user()
    membership = Membership.objects.create(user=requester, organisation=porvoo)
    client.force_login(admin)
    decide(client, membership, "approve_admin", django_capture_on_commit_callbacks)
    membership.refresh_from_db()
    assert membership.status == Membership.Status.PENDING
    assert len(mail.outbox) == 0


def test_admin_rejects(client, porvoo, django_capture_on_commit_callbacks):
    admin = factories.member(porvoo, admin=True)
    membership = Membership.objects.create(user=factories.user(), organisation=porvoo)
    client.force_login(admin)
    decide(client, membership, "reject", django_capture_on_commit_callbacks)
    membership.refresh_from_db()
    assert membership.status == Membership.Status.REJECTED
    assert "not approved" in mail.outbox[0].subject


def test_member_or_admin_of_another_organisation_cannot_decide(client, porvoo, loviisa, django_capture_on_commit_callbacks):
    membership = Membership.objects.create(user=factories.user(), organisation=porvoo)
    for outsider in [factories.member(loviisa, admin=True), factories.member(porvoo), factories.user()]:
        client.force_login(outsider)
        response = decide(client, membership, "approve", django_capture_on_commit_callbacks)
        assert response.status_code == 404
    membership.refresh_from_db()
    assert membership.status == Membership.Status.PENDING
    assert len(mail.outbox) == 0


def test_nobody_approves_their_own_request(client, porvoo, django_capture_on_commit_callbacks):
    official = factories.user(official=True)
    membership = Membership.objects.create(user=official, organisation=porvoo)
    client.force_login(official)
    response = decide(client, membership, "approve", django_capture_on_commit_callbacks)
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.status == Membership.Status.PENDING


def test_official_sees_all_requests_and_approves_as_administrator(client, porvoo, loviisa, django_capture_on_commit_callbacks, django_assert_max_num_queries):
    first = Membership.objects.create(user=factories.user("a@porvoo.fi"), organisation=porvoo)
    Membership.objects.create(user=factories.user("b@loviisa.fi"), organisation=loviisa)
    official = factories.user(official=True)
    client.force_login(official)
    with django_assert_max_num_queries(6):
        page = client.get(reverse("accounts:membership_requests")).content.decode()
    assert "a@porvoo.fi" in page and "b@loviisa.fi" in page
    assert 'value="approve_admin"' in page
    decide(client, first, "approve_admin", django_capture_on_commit_callbacks)
    first.refresh_from_db()
    assert first.status == Membership.Status.APPROVED
    assert first.role == Membership.Role.ADMIN
    assert len(mail.outbox) == 1

    # the new administrator now decides the organisation's requests
    newcomer = Membership.objects.create(user=factories.user(), organisation=porvoo)
    client.force_login(first.user)
    decide(client, newcomer, "approve", django_capture_on_commit_callbacks)
    newcomer.refresh_from_db()
    assert newcomer.status == Membership.Status.APPROVED


def test_officials_page_is_hidden_from_others(client, porvoo):
    client.force_login(factories.member(porvoo, admin=True))
    assert client.get(reverse("accounts:membership_requests")).status_code == 404


def test_already_decided_request_is_not_decided_again(client, porvoo, django_capture_on_commit_callbacks):
    admin = factories.member(porvoo, admin=True)
    membership = Membership.objects.create(user=factories.user(), organisation=porvoo)
    client.force_login(admin)
    decide(client, membership, "reject", django_capture_on_commit_callbacks)
    decide(client, membership, "approve", django_capture_on_commit_callbacks)
    membership.refresh_from_db()
    assert membership.status == Membership.Status.REJECTED
    assert len(mail.outbox) == 1


def test_rejected_person_can_ask_again(client, porvoo):
    person = factories.user()
    Membership.objects.create(user=person, organisation=porvoo, status=Membership.Status.REJECTED)
    client.force_login(person)
    join(client, "Porvoo")
    assert Membership.objects.get(user=person).status == Membership.Status.PENDING


def test_pages_need_sign_in(client):
    response = client.get(reverse("accounts:organisations"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:sign_in") + "?next=")


def test_a_requester_sees_administrators_by_name_never_by_email(client, porvoo):
    factories.member(porvoo, "aino.admin@porvoo.fi", admin=True, full_name="Aino Admin")
    factories.member(porvoo, "nameless.admin@porvoo.fi", admin=True)
    requester = factories.user("new@porvoo.fi")
    Membership.objects.create(user=requester, organisation=porvoo)
    client.force_login(requester)
    page = client.get(reverse("accounts:organisations")).content.decode()
    assert "Aino Admin" in page
    assert "aino.admin@porvoo.fi" not in page
    assert "nameless.admin@porvoo.fi" not in page
