"""The second factor as people meet it: enforcement, enrolment, codes, recovery codes, step-up before
signing a decision, the admin behind the service's sign-in, session limits and "sign out everywhere".

Every test here gives the second factor for real (@pytest.mark.second_factor): force_login gives only
the first factor, and the default session limits and step-up age apply."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kuntadigi import clock
from kuntadigi.audit.models import AuditEvent
from kuntadigi.calls.models import CallRole
from kuntadigi.decisions import services_decisions as decision_services
from kuntadigi.decisions.models import Decision
from tests import factories
from tests.integration import decisions_support as support

pytestmark = pytest.mark.second_factor

PASSWORD = "a-long-officials-password-2020"
T0 = factories.DURING_2020


@pytest.fixture(autouse=True)
def _clean(db, settings):
    settings.LOCALE_PATHS = []  # the interface's texts in the source language (English)
    cache.clear()
    translation.activate("fi")
    clock.set_now(T0)
    yield
    cache.clear()


def url(name, *args, **query):
    with translation.override("fi"):
        address = reverse(name, args=args)
    if query:
        address += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return address


def code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows now (or `steps_ahead` 30-second steps later)."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + steps_ahead):0{device.digits}d}"


def with_totp(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="app", confirmed=True)


def with_recovery_codes(user, *codes: str) -> StaticDevice:
    device = StaticDevice.objects.create(user=user, name="codes", confirmed=True)
    for token in codes:
        StaticToken.objects.create(device=device, token=token)
    return device


def sign_in(client, user, password=PASSWORD):
    return client.post(url("accounts:sign_in"), {"pw-email": user.email, "pw-password": password})


def give_code(client, typed, **extra):
    return client.post(url("mfa:verify"), {"code": typed, **extra})


@pytest.fixture
def official(db):
    person = factories.user("virkailija@vm.example.fi", password=PASSWORD, official=True)
    return person


# ── Enforcement ─────────────────────────────────────────────────────────────


def test_an_official_with_only_a_password_reaches_nothing_but_the_second_factor_pages(client, official):
    with_totp(official)
    response = sign_in(client, official)
    assert response.status_code == 302 and response["Location"] == url("mfa:verify")

    for page in (url("core:home"), url("accounts:account"), url("applications:official_calls"), url("calls:list"), "/fi/admin/"):
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(url("mfa:verify")), (page, response["Location"])
    assert client.post(url("mfa:sign_out_everywhere")).status_code == 302
    assert official.__class__.objects.get(pk=official.pk).session_generation == 0  # refused: no second factor yet

    page = client.get(url("mfa:verify"))
    assert page.status_code == 200 and b'name="code"' in page.content
    assert client.post(url("accounts:sign_out")).status_code == 302
    assert client.get(url("accounts:account")).status_code == 302  # signed out: the sign-in page
    assert client.get(url("accounts:account"))["Location"].startswith(url("accounts:sign_in"))


@pytest.mark.parametrize("flags", [{"assessor": True}, {"is_staff": True}, {"call_role": "preparer"}])
def test_every_official_role_needs_the_second_factor(client, flags):
    role = flags.pop("call_role", None)
    person = factories.user("someone@example.fi", password=PASSWORD, **flags)
    if role:
        CallRole.objects.create(call=factories.call(), user=person, role=role)
    response = sign_in(client, person)
    assert response["Location"] == url("mfa:enrol")
    assert client.get(url("accounts:account"))["Location"].startswith(url("mfa:enrol"))


def test_an_applicant_signs_in_without_a_second_factor_until_they_turn_one_on(client):
    applicant = factories.member(factories.municipality(), "hakija@porvoo.example.fi", password=PASSWORD)
    assert sign_in(client, applicant)["Location"] == url("applications:mine")
    assert client.get(url("accounts:account")).status_code == 200

    page = client.get(url("mfa:enrol"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=applicant, confirmed=False)
    response = client.post(url("mfa:enrol"), {"code": code(device)})
    assert response.status_code == 302 and response["Location"].startswith(url("mfa:recovery_codes"))
    client.post(url("accounts:sign_out"))

    assert sign_in(client, applicant)["Location"] == url("mfa:verify")
    assert client.get(url("accounts:account"))["Location"].startswith(url("mfa:verify"))


# ── Enrolment and codes ─────────────────────────────────────────────────────


def test_an_official_without_a_device_enrols_an_app_and_sees_the_recovery_codes_once(client, official):
    assert sign_in(client, official)["Location"] == url("mfa:enrol")
    page = client.get(url("mfa:enrol"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'src="data:image/png;base64,' in html  # the QR code, drawn on the server
    device = TOTPDevice.objects.get(user=official, confirmed=False)
    secret = re.search(r'<code class="secret"[^>]*>([A-Z2-7 ]+)</code>', html).group(1).replace(" ", "")
    import base64

    assert base64.b32decode(secret + "=" * (-len(secret) % 8)) == device.bin_key  # the same key as text

    assert client.post(url("mfa:enrol"), {"code": "000000" if code(device) != "000000" else "111111"}).status_code == 400
    response = client.post(url("mfa:enrol"), {"code": code(device)})
    assert response.status_code == 302
    codes_page = client.get(response["Location"])
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", codes_page.content.decode())
    assert len(codes) == 10
    assert sorted(codes) == sorted(StaticToken.objects.filter(device__user=official).values_list("token", flat=True))
    assert client.get(url("mfa:recovery_codes"))["Location"] == url("accounts:account")  # shown once

    assert client.get(url("applications:official_calls")).status_code == 200
    actions = list(AuditEvent.objects.filter(actor=official, action__startswith="mfa.").values_list("action", flat=True))
    assert actions == ["mfa.device_added", "mfa.recovery_codes_created", "mfa.verified"]
    assert all(set(event.after) <= {"kind", "count", "method", "step_up"} for event in AuditEvent.objects.filter(action__startswith="mfa."))


def test_a_wrong_code_is_refused_and_the_right_one_lets_the_official_in(client, official):
    device = with_totp(official)
    sign_in(client, official)
    wrong = "123456" if code(device) != "123456" else "654321"
    response = give_code(client, wrong)
    assert response.status_code == 400 and b"The code is not valid" in response.content
    response = give_code(client, code(device), next=url("applications:official_calls"))
    assert response.status_code == 302 and response["Location"] == url("applications:official_calls")
    assert client.get(url("applications:official_calls")).status_code == 200
    assert AuditEvent.objects.filter(actor=official, action="mfa.verified", after__method="totp").count() == 1


def test_a_code_is_used_once(client, official):
    device = with_totp(official)
    sign_in(client, official)
    typed = code(device)
    assert give_code(client, typed).status_code == 302
    other = Client()
    sign_in(other, official)
    assert give_code(other, typed).status_code == 400  # the same code, replayed in another browser


def test_a_recovery_code_works_once_and_not_twice(client, official):
    with_totp(official)
    with_recovery_codes(official, "abcdefgh", "ijklmnop")
    sign_in(client, official)
    response = give_code(client, "ABCD-EFGH")
    assert response.status_code == 302
    assert client.get(url("accounts:account")).status_code == 200
    used = AuditEvent.objects.get(action="mfa.recovery_code_used")
    assert used.actor == official and used.after == {"left": 1}
    client.post(url("accounts:sign_out"))

    sign_in(client, official)
    response = give_code(client, "abcdefgh")
    assert response.status_code == 400
    assert client.get(url("accounts:account"))["Location"].startswith(url("mfa:verify"))
    assert list(StaticToken.objects.filter(device__user=official).values_list("token", flat=True)) == ["ijklmnop"]


def test_code_attempts_are_rate_limited(client, official, settings):
    settings.KUNTADIGI_MFA_CODE_RATE = "3/10m"
    device = with_totp(official)
    sign_in(client, official)
    wrong = "123456" if code(device) != "123456" else "654321"
    statuses = [give_code(client, wrong).status_code for _ in range(4)]
    assert statuses == [400, 400, 400, 429]


def test_an_official_cannot_remove_the_last_device_but_may_add_another_first(client, official):
    device = with_totp(official)
    with_recovery_codes(official, "abcdefgh")
    sign_in(client, official)
    give_code(client, code(device))
    response = client.post(url("mfa:remove_device", "totp", device.pk), follow=True)
    assert b"add another authenticator app or passkey before you remove this one" in response.content
    assert TOTPDevice.objects.filter(pk=device.pk).exists()

    second = with_totp(official)
    client.post(url("mfa:remove_device", "totp", device.pk))
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    assert AuditEvent.objects.filter(action="mfa.device_removed", object_id=str(device.pk), after={"kind": "totp"}).count() == 1
    assert TOTPDevice.objects.filter(pk=second.pk).exists()


def test_new_recovery_codes_ask_for_the_second_factor_again_when_it_is_not_fresh(client, official):
    device = with_totp(official)
    with_recovery_codes(official, "abcdefgh")
    sign_in(client, official)
    give_code(client, code(device))
    clock.set_now(T0 + timedelta(minutes=11))
    response = client.post(url("mfa:regenerate_codes"))
    assert response["Location"].startswith(url("mfa:verify")) and "step_up=1" in response["Location"]
    assert StaticToken.objects.filter(token="abcdefgh").exists()

    give_code(client, code(device, steps_ahead=1), step_up="1")
    response = client.post(url("mfa:regenerate_codes"))
    assert response["Location"].startswith(url("mfa:recovery_codes"))
    assert not StaticToken.objects.filter(token="abcdefgh").exists()
    assert StaticToken.objects.filter(device__user=official).count() == 10


# ── Step-up before signing a decision ───────────────────────────────────────


def test_signing_a_decision_asks_for_the_second_factor_again_after_ten_minutes(client, django_capture_on_commit_callbacks):
    with translation.override("en"):
        world = support.build_world()
    app = world.apps["sv"]
    data = decision_services.defaults_for(app, world.preparer)
    data.presenter_id, data.presenter_title = world.presenter.pk, "neuvotteleva virkamies"
    data.decision_maker_id, data.decision_maker_title = world.decision_maker.pk, "finanssineuvos"
    decision_services.prepare_decision(world.preparer, app.pk, data)
    maker = world.decision_maker
    maker.set_password(PASSWORD)
    maker.save()
    device = with_totp(maker)
    start = clock.now()

    sign_in(client, maker)
    give_code(client, code(device))
    sign_url = url("decisions:decision_sign", app.pk)
    assert client.get(sign_url).status_code == 200  # fresh: no new question

    clock.set_now(start + timedelta(minutes=11))
    response = client.get(sign_url)
    assert response.status_code == 302
    assert response["Location"] == url("mfa:verify", next=sign_url.replace("/", "%2F"), step_up="1")
    response = client.post(sign_url)  # a POST with an old second factor signs nothing; it returns to the form
    assert response["Location"] == url("mfa:verify", next=sign_url.replace("/", "%2F"), step_up="1")
    assert Decision.objects.get(application=app).state == "draft"

    page = client.get(response["Location"])
    assert b"Confirm it is you" in page.content
    response = give_code(client, code(device, steps_ahead=1), next=sign_url, step_up="1")
    assert response["Location"] == sign_url
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(sign_url).status_code == 302
    assert Decision.objects.get(application=app).state == "signed"
    assert AuditEvent.objects.filter(actor=maker, action="mfa.verified", after__step_up=True).count() == 1


def test_naming_a_role_asks_for_the_second_factor_again_after_ten_minutes(client):
    admin = factories.user("admin@vm.example.fi", password=PASSWORD, is_staff=True, is_superuser=True)
    device = with_totp(admin)
    call = factories.call()
    person = factories.user("new@vm.example.fi", official=True)
    sign_in(client, admin)
    give_code(client, code(device))
    roles_url = url("screening:call_roles", call.slug)
    assert client.get(roles_url).status_code == 200
    clock.set_now(T0 + timedelta(minutes=11))
    assert client.get(roles_url).status_code == 200  # looking needs no new question
    response = client.post(roles_url, {"email": person.email, "role": "preparer"})
    assert response["Location"].startswith(url("mfa:verify")) and "step_up=1" in response["Location"]
    assert not CallRole.objects.filter(user=person).exists()


# ── The admin ───────────────────────────────────────────────────────────────


def test_the_admin_login_is_the_services_sign_in(client):
    response = client.get("/fi/admin/login/?next=/fi/admin/")
    assert response.status_code == 302 and response["Location"] == url("accounts:sign_in", next="%2Ffi%2Fadmin%2F")
    response = client.get("/fi/admin/")
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"].startswith(url("accounts:sign_in"))
    assert client.post("/fi/admin/login/", {"username": "x", "password": "y"}).status_code == 302  # no password form of its own


def test_only_system_administrators_with_a_second_factor_reach_the_admin(client):
    applicant = factories.member(factories.municipality(), "hakija@porvoo.example.fi", password=PASSWORD)
    sign_in(client, applicant)
    response = client.get("/fi/admin/")
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 404

    admin = factories.user("admin@vm.example.fi", password=PASSWORD, is_staff=True, is_superuser=True)
    device = with_totp(admin)
    staff = Client()
    sign_in(staff, admin)
    assert staff.get("/fi/admin/")["Location"].startswith(url("mfa:verify"))  # password only
    give_code(staff, code(device))
    assert staff.get("/fi/admin/").status_code == 200
    clock.set_now(T0 + timedelta(minutes=11))
    response = staff.post(f"/fi/admin/accounts/user/{applicant.pk}/change/", {"email": applicant.email})
    assert response["Location"].startswith(url("mfa:verify")) and "step_up=1" in response["Location"]  # a change asks again


# ── Sessions ────────────────────────────────────────────────────────────────


def _verified_official(client, official):
    device = with_totp(official)
    sign_in(client, official)
    give_code(client, code(device))


def test_an_officials_session_ends_after_thirty_idle_minutes(client, official):
    _verified_official(client, official)
    clock.set_now(T0 + timedelta(minutes=29))
    assert client.get(url("accounts:account")).status_code == 200
    clock.set_now(T0 + timedelta(minutes=29 + 31))
    response = client.get(url("accounts:account"))
    assert response["Location"] == url("accounts:sign_in", next=url("accounts:account").replace("/", "%2F"))
    assert "_auth_user_id" not in client.session


def test_an_officials_session_ends_after_a_working_day_however_busy(client, official):
    _verified_official(client, official)
    for minutes in range(20, 10 * 60 + 1, 20):
        clock.set_now(T0 + timedelta(minutes=minutes))
        assert client.get(url("accounts:account")).status_code == 200, minutes
    clock.set_now(T0 + timedelta(hours=10, minutes=1))
    assert client.get(url("accounts:account"))["Location"].startswith(url("accounts:sign_in"))


def test_an_applicants_session_ends_after_eight_idle_hours(client):
    applicant = factories.member(factories.municipality(), "hakija@porvoo.example.fi", password=PASSWORD)
    sign_in(client, applicant)
    clock.set_now(T0 + timedelta(hours=7, minutes=59))
    assert client.get(url("accounts:account")).status_code == 200
    clock.set_now(T0 + timedelta(hours=7, minutes=59) + timedelta(hours=8, minutes=1))
    assert client.get(url("accounts:account"))["Location"].startswith(url("accounts:sign_in"))


def test_sign_out_everywhere_ends_every_other_session(official):
    device = with_totp(official)
    here, elsewhere = Client(), Client()
    sign_in(elsewhere, official)
    give_code(elsewhere, code(device))
    sign_in(here, official)
    give_code(here, code(device, steps_ahead=1))
    assert elsewhere.get(url("accounts:account")).status_code == 200

    response = here.post(url("mfa:sign_out_everywhere"), follow=True)
    assert b"You were signed out everywhere else" in response.content
    assert here.get(url("accounts:account")).status_code == 200
    assert elsewhere.get(url("accounts:account"))["Location"].startswith(url("accounts:sign_in"))
    event = AuditEvent.objects.get(action="accounts.signed_out_everywhere")
    assert (event.actor, event.object_id) == (official, str(official.pk))


def test_the_account_page_shows_the_second_factor(client, official):
    device = with_totp(official)
    with_recovery_codes(official, "abcdefgh", "ijklmnop")
    sign_in(client, official)
    give_code(client, code(device))
    page = client.get(url("accounts:account")).content.decode()
    assert "Your second factor is on" in page
    assert "You have 2 unused recovery codes." in page
    assert url("mfa:remove_device", "totp", device.pk) in page
    assert url("mfa:sign_out_everywhere") in page
    assert 'id="passkey-registration-placeholder"' in page and "otp_webauthn_register.js" in page


def test_the_passkey_scripts_texts_come_in_the_pages_language(client, settings):
    settings.LOCALE_PATHS = [settings.BASE_DIR / "locale"]
    import json

    assert json.dumps("Lisää pääsyavain") in client.get("/fi/second-factor/passkey-texts.js").content.decode()
    assert json.dumps("Lägg till en nyckel") in client.get("/sv/second-factor/passkey-texts.js").content.decode()


def test_an_official_signing_in_by_link_gives_the_second_factor_too(client, official, django_capture_on_commit_callbacks):
    from django.core import mail

    from kuntadigi.accounts import services as account_services

    device = with_totp(official)
    with django_capture_on_commit_callbacks(execute=True):
        account_services.request_sign_in_link(official.email, next_url=url("applications:official_calls"))
    token = re.search(r"/sign-in/link/([A-Za-z0-9_-]{40,})/", mail.outbox[-1].body).group(1)
    response = client.post(url("accounts:use_link", token))
    assert response["Location"] == url("mfa:verify")
    assert client.get(url("applications:official_calls"))["Location"].startswith(url("mfa:verify"))
    before = client.session.session_key
    response = give_code(client, code(device))
    assert response["Location"] == url("applications:official_calls")  # where the link was going
    assert client.session.session_key != before  # a new session key once both factors are given


def test_a_person_without_a_second_factor_meets_the_views_own_rules_not_a_step_up(client):
    applicant = factories.member(factories.municipality(), "hakija@porvoo.example.fi", password=PASSWORD)
    call = factories.call()
    sign_in(client, applicant)
    clock.set_now(T0 + timedelta(minutes=11))
    assert client.get(url("decisions:decision_batch_sign", call.slug)).status_code == 404
    assert client.post(url("screening:call_roles", call.slug), {"email": applicant.email, "role": "preparer"}).status_code == 404


def test_the_account_page_dates_each_device_the_way_the_page_language_does(client, official):
    """'added 31.1.2021' is Finnish and Swedish; an English page says 'added 31 January 2021'."""
    device = with_totp(official)
    TOTPDevice.objects.filter(pk=device.pk).update(created_at=T0)
    sign_in(client, official)
    give_code(client, code(device))
    day = clock.helsinki(T0).date()
    finnish = f"added {day.day}.{day.month}.{day.year}"
    english = f"added {day.day} {day:%B} {day.year}"
    assert finnish in client.get(url("accounts:account")).content.decode()
    with translation.override("en"):
        page = client.get(reverse("accounts:account")).content.decode()
    assert english in page
    assert finnish not in page
