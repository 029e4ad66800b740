"""Every change made in the administration site is in the audit trail with the values before and after;
the user form offers only what an administrator should change; officials' reads are listed for system
administrators, read-only, by person and by application."""

from __future__ import annotations

import pytest
from django.contrib import admin as django_admin
from django.urls import reverse

from kuntadigi.accounts.models import Membership, User
from kuntadigi.audit.admin_mixins import AuditedAdmin
from kuntadigi.audit.models import AuditEvent
from kuntadigi.audit.services import record_read
from kuntadigi.calls.models import Call
from kuntadigi.registry.models import Region
from tests import factories
from tests.integration import submission_data
from tests.integration.test_calls_admin import new_call_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def sysadmin(client):
    person = factories.user("yllapito@vm.fi", is_staff=True, is_superuser=True, full_name="Ylva Ylläpitäjä")
    client.force_login(person)
    return person


def user_form(person: User, **changes) -> dict:
    data = {
        "email": person.email,
        "full_name": person.full_name,
        "phone": person.phone,
        "language": person.language,
        "is_active": "on",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    for flag in ("is_official", "is_assessor", "is_staff", "is_superuser"):
        if getattr(person, flag):
            data[flag] = "on"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_every_model_in_the_admin_that_can_change_is_audited(rf):
    """Ours all carry the mixin; a library's admin (the task queue's) may stay only if it changes nothing."""
    request = rf.get("/")
    request.user = factories.user(is_staff=True, is_superuser=True)
    for model, model_admin in django_admin.site._registry.items():
        if isinstance(model_admin, AuditedAdmin):
            continue
        changes = (model_admin.has_add_permission(request), model_admin.has_change_permission(request), model_admin.has_delete_permission(request))
        assert changes == (False, False, False), f"{model._meta.label} can be changed in the admin without the audit mixin"
    assert isinstance(django_admin.site._registry[User], AuditedAdmin)


def test_the_user_form_offers_only_what_an_administrator_should_change(client, sysadmin):
    person = factories.user("henkilo@example.fi", password="Vahva-Salasana-2020!", full_name="Helka Henkilö")
    page = client.get(reverse("admin:accounts_user_change", args=[person.pk])).content.decode()
    for field in ("email", "full_name", "phone", "language", "is_official", "is_assessor", "is_staff", "is_superuser", "is_active"):
        assert f'name="{field}"' in page
    for field in ("password", "last_login", "date_joined", "groups", "user_permissions"):
        assert f'name="{field}"' not in page
    assert person.password not in page  # not even the hash as text
    assert "Keeps the registry of organisations" in page or "Ylläpitää organisaatiorekisteriä" in page


def test_a_change_to_a_user_is_recorded_before_and_after_without_the_password(client, sysadmin):
    person = factories.user("henkilo@example.fi", password="Vahva-Salasana-2020!", full_name="Helka Henkilö")
    response = client.post(reverse("admin:accounts_user_change", args=[person.pk]), user_form(person, full_name="Helka Uusinimi", is_official="on"))
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action="admin.changed")
    assert (event.actor, event.object_type, event.object_id) == (sysadmin, "accounts.user", str(person.pk))
    # The name changed, and the trail shows it without keeping the name (nobody can delete from the trail).
    assert event.before["full_name"] != event.after["full_name"] and event.before["email"] == event.after["email"]
    for personal in ("Helka", "henkilo@example.fi"):
        assert personal not in str(event.before) + str(event.after)
    assert (event.before["is_official"], event.after["is_official"]) == (False, True)
    assert "password" not in event.before and "password" not in event.after
    person.refresh_from_db()
    assert person.check_password("Vahva-Salasana-2020!")  # the form did not touch the password


def test_setting_a_password_in_the_admin_is_recorded_without_the_hash(client, sysadmin):
    person = factories.user("henkilo@example.fi")
    url = reverse("admin:auth_user_password_change", args=[person.pk])
    response = client.post(url, {"password1": "Uusi-Vahva-Salasana-77", "password2": "Uusi-Vahva-Salasana-77", "usable_password": "true"})
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action="admin.password_set")
    assert event.after == {"usable_password": True} and event.object_id == str(person.pk)
    person.refresh_from_db()
    assert person.password not in str(event.before) + str(event.after)


def test_adding_and_deleting_in_the_admin_is_recorded(client, sysadmin):
    organisation = factories.municipality("Porvoo", code="638")
    person = factories.user("jasen@example.fi")
    response = client.post(
        reverse("admin:accounts_membership_add"), {"user": person.pk, "organisation": organisation.pk, "role": "member", "status": "approved"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    membership = Membership.objects.get()
    added = AuditEvent.objects.get(action="admin.added")
    assert added.before == {} and added.after["organisation_id"] == organisation.pk and added.after["status"] == "approved"

    response = client.post(reverse("admin:accounts_membership_delete", args=[membership.pk]), {"post": "yes"})
    assert response.status_code == 302
    deleted = AuditEvent.objects.get(action="admin.deleted")
    assert (deleted.object_id, deleted.before["user_id"], deleted.after) == (str(membership.pk), person.pk, {})


def test_the_bulk_delete_action_records_each_object(client, sysadmin):
    regions = [factories.region("98"), factories.region("99")]
    response = client.post(
        reverse("admin:registry_region_changelist"), {"action": "delete_selected", "_selected_action": [r.pk for r in regions], "post": "yes"}
    )
    assert response.status_code == 302
    assert not Region.objects.filter(code__in=["98", "99"]).exists()
    events = AuditEvent.objects.filter(action="admin.deleted", object_type="registry.region")
    assert sorted(event.before["code"] for event in events) == ["98", "99"]


def test_a_call_and_its_rows_changed_in_the_admin_are_recorded(client, sysadmin):
    response = client.post("/fi/admin/calls/call/add/", new_call_form())
    assert response.status_code == 302, response.content.decode()[:2000]
    call = Call.objects.get(slug="digi-2022")
    added = {(event.object_type, event.action) for event in AuditEvent.objects.all()}
    assert {("calls.call", "admin.added"), ("calls.targetarea", "admin.added"), ("calls.costcategory", "admin.added")} <= added
    assert AuditEvent.objects.get(object_type="calls.call").after["appropriation"] == "10000000.00"

    form = new_call_form()
    form.update({"appropriation": "12000000.00", "target_areas-INITIAL_FORMS": "1", "target_areas-0-id": str(call.target_areas.get().pk)})
    form.update({"target_areas-0-call": str(call.pk), "cost_categories-TOTAL_FORMS": "0"})
    area = call.target_areas.get()
    form.update({"target_areas-0-DELETE": "on"})
    response = client.post(f"/fi/admin/calls/call/{call.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    changed = AuditEvent.objects.get(object_type="calls.call", action="admin.changed")
    assert (changed.before["appropriation"], changed.after["appropriation"]) == ("10000000.00", "12000000.00")
    removed = AuditEvent.objects.get(object_type="calls.targetarea", action="admin.deleted")
    assert removed.object_id == str(area.pk) and removed.before["name_fi"] == "Tiedon laatu (fi)"


def test_system_administrators_see_the_officials_reads_by_person_and_application(client, sysadmin):
    clock_call = factories.call()
    application = submission_data.application(clock_call)
    reader = factories.official_in(clock_call, email="valmistelija@vm.fi", full_name="Valma Valmistelija")
    other = factories.official_in(clock_call, email="esittelija@vm.fi", full_name="Eero Esittelijä")
    record_read(reader, application, "officials_page")
    record_read(other, application, "application_pdf")
    record_read(reader, application, "overview", as_official=True)

    listing = reverse("admin:audit_auditevent_changelist")
    page = client.get(listing, {"kind": "reads", "reader": reader.pk})
    assert page.status_code == 200
    assert [event.actor for event in page.context["cl"].result_list] == [reader, reader]
    by_application = client.get(listing, {"application_id": application.pk, "kind": "reads"})
    assert len(by_application.context["cl"].result_list) == 3
    by_reference = client.get(listing, {"q": application.reference})
    assert len(by_reference.context["cl"].result_list) >= 3
    assert "Valma Valmistelija" in page.content.decode()

    event = AuditEvent.objects.filter(action="application.read").first()
    assert client.post(reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    change = client.post(reverse("admin:audit_auditevent_change", args=[event.pk]), {"action": "x"})
    assert change.status_code in (302, 403)
    assert AuditEvent.objects.get(pk=event.pk).action == "application.read"


def test_a_lost_authenticator_is_removed_in_the_admin_without_showing_or_recording_its_key(client, sysadmin):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    person = factories.user("kadotti@vm.fi", official=True)
    device = TOTPDevice.objects.create(user=person, name="Puhelin", confirmed=True)
    page = client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk])).content.decode()
    assert "Puhelin" in page
    assert device.key not in page and "qrcode" not in page.lower()
    assert client.get(reverse("admin:otp_totp_totpdevice_add")).status_code == 403
    response = client.post(reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    event = AuditEvent.objects.get(action="admin.deleted", object_type="otp_totp.totpdevice")
    assert event.before == {"user_id": person.pk, "device": "otp_totp.totpdevice", "name": "Puhelin", "confirmed": True}
    assert device.key not in str(event.before)


def test_the_admin_lists_no_draft_and_records_who_opened_a_submitted_application(client, sysadmin):
    from tests.integration import screening_support

    call = factories.call()
    draft = submission_data.application(call, project_name="Keskeneräinen luonnos")
    submitted = screening_support.submitted(call, project_name="Lähetetty hanke")
    listing = client.get(reverse("admin:applications_application_changelist")).content.decode()
    assert "Lähetetty hanke" in listing and "Keskeneräinen luonnos" not in listing
    assert client.get(reverse("admin:applications_application_change", args=[draft.pk])).status_code in (302, 404)
    assert not AuditEvent.objects.filter(action="application.read", application_id=draft.pk).exists()
    assert client.get(reverse("admin:applications_application_change", args=[submitted.pk])).status_code == 200
    read = AuditEvent.objects.get(action="application.read", application_id=submitted.pk)
    assert (read.actor, read.after) == (sysadmin, {"read": "admin_page"})
