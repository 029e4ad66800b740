"""A system administrator names the preparers, presenting official, decision-maker and assessors of a
call by e-mail, and removes them; nobody else reaches the page."""

import pytest
from django.contrib.admin.sites import site
from django.urls import reverse
from django.utils import translation

from kuntadigi.accounts.models import User
from kuntadigi.applications.errors import Refused
from kuntadigi.audit.models import AuditEvent
from kuntadigi.calls.models import CallRole
from kuntadigi.screening import services
from tests import factories
from tests.integration import screening_support as support

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def call(db):
    return factories.call()


@pytest.fixture
def admin_user(db):
    return factories.user("admin@vm.example.fi", is_staff=True, full_name="Aino Admin")


def roles_url(call):
    return reverse("screening:call_roles", args=[call.slug])


def test_admin_names_an_existing_user_as_preparer(client, call, admin_user):
    person = factories.user("Valmistelija@VM.example.fi", full_name="Ville Valmistelija")
    client.force_login(admin_user)
    response = client.post(roles_url(call), {"email": " valmistelija@vm.example.fi ", "role": "preparer"})
    assert response.status_code == 302
    role = CallRole.objects.get(call=call)
    assert (role.user, role.role, role.named_by) == (person, "preparer", admin_user)
    page = client.get(roles_url(call)).content.decode()
    assert "Ville Valmistelija" in page
    assert "was named preparer" in page
    event = AuditEvent.objects.get(action="call_role.named")
    assert event.actor == admin_user
    assert event.after == {"call": call.slug, "user": person.pk, "role": "preparer", "user_created": False}


@pytest.mark.parametrize("role", ["preparer", "presenter", "decision_maker", "assessor", "payment_approver"])
def test_every_role_can_be_named(client, call, admin_user, role):
    person = factories.user()
    client.force_login(admin_user)
    client.post(roles_url(call), {"email": person.email, "role": role})
    assert CallRole.objects.filter(call=call, user=person, role=role).exists()


def test_the_roles_page_offers_the_payment_approver(client, call, admin_user):
    client.force_login(admin_user)
    html = client.get(roles_url(call)).content.decode()
    assert 'value="payment_approver"' in html and 'id="role-payment_approver"' in html
    assert "Payment approvers approve the payment requests" in html


def test_an_unknown_address_needs_the_box_ticked_then_a_user_is_created(client, call, admin_user):
    client.force_login(admin_user)
    response = client.post(roles_url(call), {"email": "uusi@vm.example.fi", "role": "presenter"})
    assert response.status_code == 200
    assert "Tick the box to create a user" in response.content.decode()
    assert 'href="#id_email"' in response.content.decode()
    assert not User.objects.filter(email="uusi@vm.example.fi").exists()
    response = client.post(roles_url(call), {"email": "uusi@vm.example.fi", "role": "presenter", "create_user": "on"})
    assert response.status_code == 302
    person = User.objects.get(email="uusi@vm.example.fi")
    assert not person.has_usable_password()
    assert CallRole.objects.filter(call=call, user=person, role="presenter").exists()
    assert AuditEvent.objects.filter(action="user.created", object_id=str(person.pk)).exists()
    assert AuditEvent.objects.get(action="call_role.named").after["user_created"] is True


def test_the_same_role_twice_is_refused_but_another_role_is_fine(client, call, admin_user):
    person = factories.user("p@vm.example.fi")
    client.force_login(admin_user)
    client.post(roles_url(call), {"email": person.email, "role": "preparer"})
    response = client.post(roles_url(call), {"email": person.email, "role": "preparer"})
    assert "already has this role" in response.content.decode()
    client.post(roles_url(call), {"email": person.email, "role": "presenter"})
    assert sorted(CallRole.objects.filter(call=call, user=person).values_list("role", flat=True)) == ["preparer", "presenter"]


def test_invalid_input_is_shown_with_the_fields(client, call, admin_user):
    client.force_login(admin_user)
    response = client.post(roles_url(call), {"email": "not-an-address", "role": ""})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"email", "role"}
    assert not CallRole.objects.exists()


def test_admin_removes_a_role_and_the_removal_is_audited(client, call, admin_user):
    person = factories.user("p@vm.example.fi")
    named = services.name_call_role(admin_user, call, person.email, "assessor")
    client.force_login(admin_user)
    response = client.post(reverse("screening:call_role_remove", args=[call.slug, named.pk]))
    assert response.status_code == 302
    assert not CallRole.objects.exists()
    event = AuditEvent.objects.get(action="call_role.removed")
    assert event.before == {"call": call.slug, "user": person.pk, "role": "assessor"}
    # Removing it again says so.
    response = client.post(reverse("screening:call_role_remove", args=[call.slug, named.pk]), follow=True)
    assert "may have been removed already" in response.content.decode()


def test_a_role_of_another_call_is_not_removed_through_this_call(client, call, admin_user):
    other = factories.call("digi-2021")
    named = services.name_call_role(admin_user, other, factories.user().email, "preparer")
    client.force_login(admin_user)
    client.post(reverse("screening:call_role_remove", args=[call.slug, named.pk]))
    assert CallRole.objects.filter(pk=named.pk).exists()


def test_only_a_system_administrator_names_roles(client, call):
    preparer = support.official(call, "preparer")
    official = factories.user(official=True)
    applicant = factories.member(factories.municipality())
    named = CallRole.objects.get(user=preparer)
    for person in (preparer, official, applicant):
        client.force_login(person)
        assert client.get(roles_url(call)).status_code == 404
        assert client.post(roles_url(call), {"email": person.email, "role": "preparer"}).status_code == 404
        assert client.post(reverse("screening:call_role_remove", args=[call.slug, named.pk])).status_code == 404
    assert CallRole.objects.count() == 1
    client.logout()
    response = client.get(roles_url(call))
    assert response.status_code == 302 and reverse("accounts:sign_in") in response["Location"]
    with pytest.raises(Refused, match="system administrator"):
        services.name_call_role(official, call, official.email, "preparer")


def test_a_role_takes_effect_at_once(client, call, admin_user):
    person = factories.user("p@vm.example.fi")
    client.force_login(person)
    assert client.get(reverse("screening:list", args=[call.slug])).status_code == 404
    services.name_call_role(admin_user, call, person.email, "preparer")
    assert client.get(reverse("screening:list", args=[call.slug])).status_code == 200


def test_the_officials_calls_link_to_screening_and_roles(client, call, admin_user):
    preparer = support.official(call, "preparer")
    other = factories.call("digi-2021")
    client.force_login(preparer)  # not a global official: reaches the page by the role
    page = client.get(reverse("applications:official_calls")).content.decode()
    assert reverse("screening:list", args=[call.slug]) in page
    assert reverse("screening:list", args=[other.slug]) not in page
    assert reverse("screening:call_roles", args=[call.slug]) not in page
    client.force_login(admin_user)
    page = client.get(reverse("applications:official_calls")).content.decode()
    assert reverse("screening:call_roles", args=[call.slug]) in page
    assert reverse("screening:call_roles", args=[other.slug]) in page
    client.force_login(factories.member(factories.municipality()))
    assert client.get(reverse("applications:official_calls")).status_code == 404


def test_roles_in_the_admin_site_are_audited(client, call, admin_user):
    assert CallRole in site._registry
    admin_user.is_superuser = True
    admin_user.save()
    person = factories.user("p@vm.example.fi")
    client.force_login(admin_user)
    response = client.post(reverse("admin:calls_callrole_add"), {"call": call.pk, "user": person.pk, "role": "decision_maker"})
    assert response.status_code == 302
    named = CallRole.objects.get()
    assert named.named_by == admin_user
    assert AuditEvent.objects.get(action="call_role.named").after == {"call": call.slug, "user": person.pk, "role": "decision_maker"}
    client.post(reverse("admin:calls_callrole_delete", args=[named.pk]), {"post": "yes"})
    assert not CallRole.objects.exists()
    assert AuditEvent.objects.filter(action="call_role.removed").count() == 1


def test_a_named_assessor_finds_their_assessments_in_the_menu(client, call, admin_user):
    person = factories.user("arvioija@example.fi")
    client.force_login(admin_user)
    client.post(roles_url(call), {"email": person.email, "role": "assessor"})
    client.force_login(person)
    page = client.get(reverse("core:home")).content.decode()
    assert f'href="{reverse("assessment:queue")}"' in page
