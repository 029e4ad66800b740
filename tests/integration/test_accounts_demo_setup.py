"""manage.py demo_setup: demo users for Porvoo, Loviisa, Sipoo, an official and a system administrator."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from kuntadigi.accounts.models import Membership, User
from tests import factories


@pytest.fixture
def municipalities(db):
    return {code: factories.municipality(name, code=code) for code, name in [("638", "Porvoo"), ("434", "Loviisa"), ("753", "Sipoo")]}


def run(*args) -> str:
    out = StringIO()
    call_command("demo_setup", *args, stdout=out)
    return out.getvalue()


def test_demo_setup_is_idempotent(settings, municipalities, monkeypatch):
    settings.DEBUG = True
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    first = run()
    assert "porvoo@demo.kuntadigi.fi" in first and "kuntadigi-demo-2020" in first
    assert "Sign-in links are printed to this console" in first or "Sign-in links are sent" in first
    # someone changed things during the demo; running again restores the demo state
    User.objects.filter(email="sipoo@demo.kuntadigi.fi").update(is_active=False)
    Membership.objects.filter(user__email="porvoo@demo.kuntadigi.fi").update(role=Membership.Role.MEMBER)
    run()
    assert User.objects.count() == 9
    assert Membership.objects.count() == 3
    porvoo = User.objects.get(email="porvoo@demo.kuntadigi.fi")
    assert porvoo.check_password("kuntadigi-demo-2020")
    assert porvoo.language == "fi"
    assert porvoo.memberships.get().role == Membership.Role.ADMIN
    loviisa = User.objects.get(email="loviisa@demo.kuntadigi.fi")
    assert loviisa.language == "sv"
    assert loviisa.memberships.get().organisation == municipalities["434"]
    assert all(m.status == Membership.Status.APPROVED for m in Membership.objects.all())
    assert User.objects.get(email="sipoo@demo.kuntadigi.fi").is_active
    assert User.objects.get(email="virkailija@demo.kuntadigi.fi").is_official
    admin = User.objects.get(email="admin@demo.kuntadigi.fi")
    assert admin.is_staff and admin.is_superuser


def test_officials_and_assessors_get_their_roles_in_the_2020_call(settings, municipalities):
    from kuntadigi.assessment.models import Tie
    from kuntadigi.calls.models import CallRole

    settings.DEBUG = True
    call = factories.call("digi-2020")
    run()
    run()
    roles = {(r.user.email, r.role) for r in CallRole.objects.filter(call=call).select_related("user")}
    assert roles == {
        ("virkailija@demo.kuntadigi.fi", "preparer"),
        ("virkailija@demo.kuntadigi.fi", "presenter"),
        ("ratkaisija@demo.kuntadigi.fi", "decision_maker"),
        ("maksaja@demo.kuntadigi.fi", "payment_approver"),
        ("arvioija1@demo.kuntadigi.fi", "assessor"),
        ("arvioija2@demo.kuntadigi.fi", "assessor"),
    }
    tie = Tie.objects.get()
    assert (tie.assessor.email, tie.organisation) == ("arvioija1@demo.kuntadigi.fi", municipalities["638"])


def test_demo_password_comes_from_the_environment(settings, municipalities, monkeypatch):
    settings.DEBUG = True
    monkeypatch.setenv("DEMO_PASSWORD", "another-demo-password-1")
    run()
    assert User.objects.get(email="virkailija@demo.kuntadigi.fi").check_password("another-demo-password-1")


def test_refuses_without_municipalities(settings, db):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="load_reference_data"):
        run()
    assert not User.objects.exists()


def test_refuses_when_debug_is_off_unless_forced(settings, municipalities):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        run()
    assert not User.objects.exists()
    run("--force")
    assert User.objects.count() == 9


def test_officials_hold_the_same_roles_in_the_2019_call(settings, municipalities):
    from kuntadigi.calls.models import CallRole

    settings.DEBUG = True
    factories.call("digi-2020")
    call_2019 = factories.call("digi-2019-2")
    run()
    roles = {(r.user.email, r.role) for r in CallRole.objects.filter(call=call_2019).select_related("user")}
    assert ("virkailija@demo.kuntadigi.fi", "preparer") in roles and ("ratkaisija@demo.kuntadigi.fi", "decision_maker") in roles
    assert CallRole.objects.filter(call=call_2019).count() == CallRole.objects.filter(call__slug="digi-2020").count() == 6


def test_with_kuntadigi_demo_the_officials_get_the_printed_demo_key_for_their_second_factor(settings, municipalities):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from kuntadigi.demo.management.commands.demo_setup import DEMO_TOTP_SECRET

    settings.DEBUG = True
    settings.KUNTADIGI_DEMO = False
    out = run()
    assert TOTPDevice.objects.count() == 0 and DEMO_TOTP_SECRET not in out
    assert "add an authenticator app at their first sign-in" in out

    settings.KUNTADIGI_DEMO = True
    out = run()
    run()  # again: still one device each
    assert DEMO_TOTP_SECRET in out
    owners = sorted(TOTPDevice.objects.filter(confirmed=True).values_list("user__email", flat=True))
    officials = ["virkailija", "ratkaisija", "maksaja", "arvioija1", "arvioija2", "admin"]
    assert owners == sorted(f"{name}@demo.kuntadigi.fi" for name in officials)
    import base64

    device = TOTPDevice.objects.get(user__email="ratkaisija@demo.kuntadigi.fi")
    assert device.bin_key == base64.b32decode(DEMO_TOTP_SECRET)
    assert device.verify_token(f"{totp(base64.b32decode(DEMO_TOTP_SECRET)):06d}")  # what an app with the printed key shows


def test_the_demo_municipalities_get_their_demo_email_domains_but_an_officials_entry_is_kept(settings, municipalities):
    settings.DEBUG = True
    municipalities["753"].email_domains = ["sipoo.example"]
    municipalities["753"].save()
    run()
    for organisation in municipalities.values():
        organisation.refresh_from_db()
    assert municipalities["434"].email_domains == ["loviisa.fi"]
    assert municipalities["638"].email_domains == ["porvoo.fi"]
    assert municipalities["753"].email_domains == ["sipoo.example"]
