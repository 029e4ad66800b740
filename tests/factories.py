"""Plain helpers that build the objects tests need. Every test that needs data builds it here."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from kuntadigi.accounts.models import Membership, User
from kuntadigi.calls.models import Call, CallRole, CostCategory, Criterion, Exclusion, TargetArea
from kuntadigi.registry.models import Organisation, Region

HKI = ZoneInfo("Europe/Helsinki")
# The 2020 call's instants (Helsinki time).
OPENS_2020 = datetime(2020, 6, 25, 10, 0, tzinfo=HKI)
CLOSES_2020 = datetime(2020, 10, 5, 16, 15, tzinfo=HKI)
DURING_2020 = datetime(2020, 10, 5, 12, 0, tzinfo=HKI)

_seq = itertools.count(1)


def region(code: str = "07") -> Region:
    obj, _ = Region.objects.get_or_create(code=code, defaults={"name_fi": f"Maakunta {code}", "name_sv": f"Landskap {code}", "name_en": f"Region {code}"})
    return obj


def municipality(
    name: str | None = None, code: str | None = None, name_sv: str | None = None, population: int = 10000, region_code: str = "07", **extra
) -> Organisation:
    """A municipality; `extra` sets any other field (legal_name_fi, language_status, valid_until, successor, ...)."""
    n = next(_seq)
    name = name or f"Kunta {n}"
    if code is None:  # the next three-digit code that is free (a test may have loaded the real 310)
        code = f"{n % 1000:03d}"
        while Organisation.objects.filter(municipality_code=code).exists():
            code = f"{next(_seq) % 1000:03d}"
    return Organisation.objects.create(
        kind=Organisation.Kind.MUNICIPALITY,
        municipality_code=code,
        name_fi=name,
        name_sv=name_sv or name,
        region=region(region_code),
        population=population,
        population_year=2019,
        **extra,
    )


def joint_authority(name: str = "Kuntayhtymä", business_id: str = "0201256-6", **extra) -> Organisation:
    return Organisation.objects.create(kind=Organisation.Kind.JOINT_AUTHORITY, business_id=business_id, name_fi=name, name_sv=name, region=region(), **extra)


def merged(predecessor: Organisation, successor: Organisation, last_day: date) -> Organisation:
    """Record that `predecessor` merged into `successor`: its last day, and who carries on."""
    predecessor.valid_until = last_day
    predecessor.successor = successor
    predecessor.save(update_fields=["valid_until", "successor"])
    return predecessor


def user(email: str | None = None, *, password: str | None = None, official: bool = False, assessor: bool = False, language: str = "fi", **extra) -> User:
    email = email or f"user{next(_seq)}@example.fi"
    return User.objects.create_user(email=email, password=password, is_official=official, is_assessor=assessor, language=language, **extra)


def official_in(call: Call, *roles: str, email: str | None = None, **extra) -> User:
    """A ministry official with roles in the call (calls.CallRole; default: preparer). Officials read the
    submitted applications of the calls in which they have a role, nothing more."""
    person = user(email, official=True, **extra)
    for role in roles or ("preparer",):
        CallRole.objects.create(call=call, user=person, role=role)
    return person


def member(organisation: Organisation, email: str | None = None, *, admin: bool = False, **extra) -> User:
    """A user who acts for the organisation (an approved membership)."""
    person = user(email, **extra)
    Membership.objects.create(
        user=person,
        organisation=organisation,
        role=Membership.Role.ADMIN if admin else Membership.Role.MEMBER,
        status=Membership.Status.APPROVED,
    )
    return person


def consent(organisation: Organisation, by: User | None = None, *, at: datetime | None = None):
    """The organisation's consent to electronic notification of decisions (kuntadigi.delivery), in force from `at` (now)."""
    from kuntadigi import clock
    from kuntadigi.delivery.models import NotificationConsent

    given_by = by or Membership.objects.filter(organisation=organisation).select_related("user").first().user
    return NotificationConsent.objects.create(organisation=organisation, given_by=given_by, given_at=at or clock.now(), given_in="organisation")


def call(slug: str = "digi-2020", *, opens_at: datetime = OPENS_2020, closes_at: datetime = CLOSES_2020, **extra) -> Call:
    """A call shaped like the 2020 call: 2 municipalities at least, 85 %, no VAT, five target areas."""
    fields = {
        "title_fi": "Valtionavustus kuntien digitalisaation edistämiseen 2020",
        "title_sv": "Statsunderstöd för främjande av digitalisering i kommunerna 2020",
        "title_en": "State grant for promoting digitalisation in municipalities 2020",
        "funder_fi": "Valtiovarainministeriö",
        "funder_sv": "Finansministeriet",
        "funder_en": "Ministry of Finance",
        "summary_fi": "Yhteishankkeet",
        "summary_sv": "Samarbetsprojekt",
        "summary_en": "Joint projects",
        "purpose_fi": "Tarkoitus",
        "purpose_sv": "Syfte",
        "purpose_en": "Purpose",
        "appropriation": Decimal("10000000.00"),
        "opens_at": opens_at,
        "closes_at": closes_at,
        "project_end_latest": date(2022, 10, 31),
        "min_municipalities": 2,
        "max_grant_share": Decimal("0.85"),
        "vat_eligible": False,
        "is_published": True,
        "diary_number": "VN/1234/2020",
        "applied_provisions_fi": (
            "Valtionavustuslaki (688/2001) 5–7, 9–12, 14–16, 19–22 ja 34 §\n"
            "Valtioneuvoston asetus kuntien digitalisaation kannustinjärjestelmästä (893/2019) 2–5 §\n"
            "Hallintolaki (434/2003) 45–47 § ja 7 a luku"
        ),
        "applied_provisions_sv": (
            "Statsunderstödslagen (688/2001) 5–7, 9–12, 14–16, 19–22 och 34 §\n"
            "Statsrådets förordning om incitamentsystemet för digitalisering i kommunerna (893/2019) 2–5 §\n"
            "Förvaltningslagen (434/2003) 45–47 § och 7 a kap."
        ),
        "applied_provisions_en": "State Subsidies Act (688/2001), sections 5–7, 9–12, 14–16, 19–22 and 34",
        "eligible_cost_types_fi": "Hankkeen henkilöstökustannukset\nOstopalvelut",
        "eligible_cost_types_sv": "Personalkostnader för projektet\nKöpta tjänster",
        "eligible_cost_types_en": "Staff costs of the project\nPurchased services",
        "ineligible_cost_types_fi": "Arvonlisävero\nLaitehankinnat sellaisenaan",
        "ineligible_cost_types_sv": "Mervärdesskatt\nAnskaffning av utrustning som sådan",
        "ineligible_cost_types_en": "Value added tax\nEquipment purchases as such",
        "payment_terms_fi": "Avustus maksetaan hankehallinnoijan maksatushakemusten perusteella.",
        "payment_terms_sv": "Understödet betalas ut på basis av projektadministratörens ansökningar om utbetalning.",
        "payment_terms_en": "The grant is paid on the lead applicant's payment requests.",
    }
    fields.update(extra)
    obj = Call.objects.create(slug=slug, **fields)
    for number, name in enumerate(["Sähköinen päätöksenteko", "Sähköiset kokoukset", "Osallistuminen", "Etätyö", "Palvelujen digitalisaatio"], 1):
        TargetArea.objects.create(call=obj, number=number, name_fi=name, name_sv=f"{name} (sv)", name_en=f"{name} (en)")
    for order, (code, name) in enumerate(
        [("staff", "Henkilöstökulut"), ("travel", "Matkakulut"), ("rent", "Toimitilavuokrat"), ("services", "Ostopalvelut"), ("other", "Muut kulut")]
    ):
        CostCategory.objects.create(call=obj, order=order, code=code, name_fi=name, name_sv=f"{name} (sv)", name_en=f"{name} (en)")
    for order, (name, weight) in enumerate([("Parannus", "40"), ("Toimintatapojen muutos", "40"), ("Hyödynnettävyys", "20")]):
        Criterion.objects.create(call=obj, order=order, name_fi=name, name_sv=name, name_en=name, weight=Decimal(weight))
    Exclusion.objects.create(
        call=obj,
        order=0,
        name_fi="Sosiaali- ja terveydenhuolto",
        name_sv="Social- och hälsovård",
        name_en="Social and health care",
        keywords="sote\nterveys\nhälso\nhealth",
    )
    return obj
