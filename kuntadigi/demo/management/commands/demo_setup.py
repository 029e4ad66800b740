"""Demo users for a demonstration or a local run: `manage.py demo_setup`.

Needs the municipalities (run `manage.py load_reference_data` first). Running it again gives the same
result: users, passwords and memberships are brought back to the demo state.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from kuntadigi import clock
from kuntadigi.accounts.models import Membership, User
from kuntadigi.assessment.models import Tie
from kuntadigi.calls.models import Call, CallRole
from kuntadigi.registry.models import Organisation

DEFAULT_PASSWORD = "kuntadigi-demo-2020"  # noqa: S105 (a published demo password, refused when DEBUG is off)
# The demo officials' second factor (KUNTADIGI_DEMO=1 only): one published TOTP key for all of them, so a
# tester adds it once to an authenticator app. Base32 (what the apps take): DEMO_TOTP_SECRET.
DEMO_TOTP_KEY = b"kuntadigi-demo-totp!"  # 20 bytes, published: a demonstration only
DEMO_TOTP_SECRET = base64.b32encode(DEMO_TOTP_KEY).decode("ascii")


@dataclass(frozen=True)
class DemoUser:
    email: str
    full_name: str
    language: str
    who: str
    municipality_code: str | None = None
    admin: bool = False
    official: bool = False
    superuser: bool = False
    assessor: bool = False
    # Roles in the demo calls (calls.CallRole), and an organisation the person is tied to (assessors).
    call_roles: tuple[str, ...] = ()
    tied_to: str | None = None


# The officials hold their roles in the open 2020 call and in the 2019 joint-projects call, whose
# generated applications they screened, assessed, decided and published (generate_applications --through).
DEMO_CALLS = ("digi-2020", "digi-2019-2")


DEMO_USERS = [
    DemoUser("porvoo@demo.kuntadigi.fi", "Pia Porvoo (demo)", "fi", "Lead applicant, organisation administrator", "638", admin=True),
    DemoUser("loviisa@demo.kuntadigi.fi", "Lars Lovisa (demo)", "sv", "Partner", "434"),
    DemoUser("sipoo@demo.kuntadigi.fi", "Siiri Sipoo (demo)", "fi", "Partner", "753"),
    DemoUser(
        "virkailija@demo.kuntadigi.fi",
        "Ville Virkailija (demo)",
        "fi",
        "Official: preparer and presenting official",
        official=True,
        call_roles=("preparer", "presenter"),
    ),
    DemoUser("ratkaisija@demo.kuntadigi.fi", "Riitta Ratkaisija (demo)", "fi", "Official: decision-maker", official=True, call_roles=("decision_maker",)),
    DemoUser("maksaja@demo.kuntadigi.fi", "Maija Maksaja (demo)", "fi", "Official: payment approver", official=True, call_roles=("payment_approver",)),
    DemoUser("arvioija1@demo.kuntadigi.fi", "Arto Arvioija (demo)", "fi", "Assessor (tied to Porvoo)", assessor=True, call_roles=("assessor",), tied_to="638"),
    DemoUser("arvioija2@demo.kuntadigi.fi", "Bodil Bedömare (demo)", "sv", "Assessor", assessor=True, call_roles=("assessor",)),
    DemoUser("admin@demo.kuntadigi.fi", "Anna Admin (demo)", "fi", "System administrator", superuser=True),
]


# DEMO DATA, not for production: the demo municipalities' own e-mail domains, so that a tester can try
# the first user's faster path (docs/access.md) by signing in as e.g. someone@loviisa.fi (the sign-in
# link is printed to the console). In production a ministry official enters each organisation's
# domains on its registry page; none are loaded. Set only where an official has entered none.
DEMO_EMAIL_DOMAINS = {"638": "porvoo.fi", "434": "loviisa.fi", "753": "sipoo.fi"}


class Command(BaseCommand):
    help = (
        "Create the demo users (lead Porvoo, partners Loviisa and Sipoo, officials with roles in the 2020 and 2019 calls, assessors, "
        "a system administrator). Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even when DEBUG is off (the demo password is public).")

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: refusing to create demo users with a public password. Use --force for a demonstration server.")
        codes = sorted({code for u in DEMO_USERS for code in (u.municipality_code, u.tied_to) if code})
        municipalities = {org.municipality_code: org for org in Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY, municipality_code__in=codes)}
        missing = [code for code in codes if code not in municipalities]
        if missing:
            raise CommandError(
                f"Municipalities {', '.join(missing)} are missing. "
                "Load the reference data first: `python manage.py load_reference_data`, then run demo_setup again."
            )
        password = os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD

        calls = list(Call.objects.filter(slug__in=DEMO_CALLS).order_by("slug"))
        rows = []
        with transaction.atomic():
            for spec in DEMO_USERS:
                user = User.objects.filter(email=spec.email).first() or User(email=spec.email)
                user.full_name = spec.full_name
                user.language = spec.language
                user.is_official = spec.official
                user.is_assessor = spec.assessor
                user.is_staff = spec.superuser
                user.is_superuser = spec.superuser
                user.is_active = True
                if not user.has_usable_password() or not user.check_password(password):
                    user.set_password(password)
                user.save()
                organisation = municipalities.get(spec.municipality_code) if spec.municipality_code else None
                if organisation is not None:
                    role = Membership.Role.ADMIN if spec.admin else Membership.Role.MEMBER
                    membership, created = Membership.objects.get_or_create(
                        user=user, organisation=organisation, defaults={"role": role, "status": Membership.Status.APPROVED, "decided_at": clock.now()}
                    )
                    if not created and (membership.role != role or membership.status != Membership.Status.APPROVED):
                        membership.role, membership.status, membership.decided_at = role, Membership.Status.APPROVED, clock.now()
                        membership.save()
                self._roles_and_ties(user, spec, municipalities, calls)
                rows.append((spec.who, organisation.name_fi if organisation else "–", spec.email, password))
            for code, domain in DEMO_EMAIL_DOMAINS.items():
                Organisation.objects.filter(municipality_code=code, email_domains=[]).update(email_domains=[domain])

        officials = [spec for spec in DEMO_USERS if spec.official or spec.assessor or spec.superuser]
        if settings.KUNTADIGI_DEMO:
            self._demo_second_factor([User.objects.get(email=spec.email) for spec in officials])
        self._print_table(rows)
        self.stdout.write("")
        if settings.KUNTADIGI_DEMO:
            self.stdout.write(
                f"Officials, assessors and the administrator also give a second factor: add the demo key {DEMO_TOTP_SECRET} to an "
                "authenticator app (time-based, 6 digits, 30 s) and type its code after the password."
            )
        else:
            self.stdout.write(
                "Officials, assessors and the administrator add an authenticator app at their first sign-in (KUNTADIGI_DEMO=1 gives them a demo key)."
            )
        if settings.EMAIL_BACKEND.endswith("console.EmailBackend"):
            self.stdout.write("Sign-in links are printed to this console: e-mail messages go to the server's output (console e-mail backend).")
        else:
            self.stdout.write(f"Sign-in links are sent as e-mail through {settings.EMAIL_BACKEND}.")
        self.stdout.write(self.style.SUCCESS(f"Demo users ready: {len(rows)}."))

    def _demo_second_factor(self, people) -> None:
        """Each official's authenticator app with the published demo key (KUNTADIGI_DEMO only)."""
        from django_otp.plugins.otp_totp.models import TOTPDevice

        for person in people:
            device, _created = TOTPDevice.objects.get_or_create(user=person, name="Demo", defaults={"key": DEMO_TOTP_KEY.hex(), "confirmed": True})
            if device.key != DEMO_TOTP_KEY.hex() or not device.confirmed:
                device.key, device.confirmed = DEMO_TOTP_KEY.hex(), True
                device.save(update_fields=["key", "confirmed"])

    def _roles_and_ties(self, user, spec: DemoUser, municipalities: dict, calls: list) -> None:
        """The person's roles in the demo calls (those loaded) and declared ties."""
        for call in calls:
            for role in spec.call_roles:
                CallRole.objects.get_or_create(call=call, user=user, role=role)
        if spec.tied_to:
            Tie.objects.get_or_create(assessor=user, organisation=municipalities[spec.tied_to], kind=Tie.Kind.EMPLOYER)

    def _print_table(self, rows) -> None:
        header = ("Who", "Organisation", "E-mail", "Password")
        widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]

        def line(cells) -> str:
            return "  ".join(str(cell).ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()

        self.stdout.write(line(header))
        self.stdout.write("  ".join("-" * width for width in widths))
        for row in rows:
            self.stdout.write(line(row))
