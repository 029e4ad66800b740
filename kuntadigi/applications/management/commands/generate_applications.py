"""Generate realistic joint applications in a call: `manage.py generate_applications --count 12`.

Every application goes through the same services as a person's would (start, save, partners, budget,
partner confirmations, submission), with the clock set to a moment inside the call's application
period, so generated data obeys every rule of the call and has real fingerprints. Most applications
arrive on the last day, as they do in real calls. A fixed seed gives the same data on every run.

Generated content is fictional: project names end with "(demo)" and the applicants' users have
addresses under demo.kuntadigi.fi.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from kuntadigi import clock
from kuntadigi.accounts.models import Membership, User
from kuntadigi.applications import drafting, submission
from kuntadigi.applications.models import Application
from kuntadigi.calls.models import Call
from kuntadigi.registry.models import Organisation

# Project ideas per target area number of the 2020 call (falls back to the first for other calls).
IDEAS = {
    1: [("Sähköinen päätöksenteko", "Elektroniskt beslutsfattande"), ("Asianhallinnan uudistus", "Förnyad ärendehantering")],
    2: [("Etäkokoukset luottamushenkilöille", "Distansmöten för förtroendevalda"), ("Sähköinen pöytäkirja", "Elektroniskt protokoll")],
    3: [("Osallistuva kuntalainen", "Delaktig kommuninvånare"), ("Asukaspalautteen uudistus", "Förnyad invånarrespons")],
    4: [("Monipaikkainen työ", "Arbete på flera orter"), ("Etätyön yhteiset käytännöt", "Gemensam praxis för distansarbete")],
    5: [("Digitaalinen kirjasto ja kulttuuri", "Digitalt bibliotek och kultur"), ("Nuorisopalvelut verkossa", "Ungdomstjänster på nätet")],
}
TEXTS_FI = {
    "summary": "Kunnat kehittävät yhdessä {idea_l} -toimintamallin, jossa prosessit ja työtavat uudistetaan ennen teknisiä ratkaisuja.",
    "current_state": "Nykyiset käytännöt ovat kunnittain erilaisia, osin paperisia ja vaativat päällekkäistä työtä.",
    "objectives": "Tavoitteena on yhteinen, vakiintunut toimintatapa kaikissa mukana olevissa kunnissa hankkeen loppuun mennessä.",
    "change_in_ways_of_working": "Henkilöstö koulutetaan, vastuut kuvataan ja prosessit uudistetaan yhdessä kuntalaisten kanssa.",
    "rollout_and_spread": "Toimintamalli ja ohjeet julkaistaan avoimesti, ja muita kuntia kutsutaan vertaisverkostoon.",
    "prior_work": "Hanke hyödyntää aiempien digikannustinhankkeiden tuloksia ja yhteentoimivuusalustan tietomalleja.",
}
TEXTS_SV = {
    "summary": "Kommunerna utvecklar tillsammans en verksamhetsmodell för {idea_l}, där processer och arbetssätt förnyas före tekniken.",
    "current_state": "Dagens praxis skiljer sig mellan kommunerna, är delvis pappersbaserad och kräver dubbelarbete.",
    "objectives": "Målet är ett gemensamt, etablerat arbetssätt i alla deltagande kommuner före projektets slut.",
    "change_in_ways_of_working": "Personalen utbildas, ansvaret beskrivs och processerna förnyas tillsammans med invånarna.",
    "rollout_and_spread": "Modellen och anvisningarna publiceras öppet, och andra kommuner bjuds in till ett nätverk.",
    "prior_work": "Projektet bygger på tidigare digitaliseringsprojekt och på datamodellerna i interoperabilitetsplattformen.",
}
SWEDISH_SPEAKING_REGIONS = {"15", "21"}  # Ostrobothnia, Åland
CENT = Decimal("0.01")


class Command(BaseCommand):
    help = "Generate submitted joint applications in a call through the real services (fixed seed, fictional content)."

    def add_arguments(self, parser):
        parser.add_argument("--call", default="digi-2020", help="The call's identifier (slug).")
        parser.add_argument("--count", type=int, default=12, help="How many applications to generate.")
        parser.add_argument("--seed", type=int, default=2020, help="Random seed: the same seed gives the same data.")
        parser.add_argument("--drafts", type=int, default=0, help="How many of them to leave as unsubmitted drafts.")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when the call already has applications (for make run).")
        parser.add_argument("--send-mail", action="store_true", help="Send the receipts and confirmations (by default they are dropped).")

    def handle(self, *args, call: str, count: int, seed: int, drafts: int, if_empty: bool, send_mail: bool, **options):
        try:
            the_call = Call.objects.get(slug=call)
        except Call.DoesNotExist:
            raise CommandError(f"No call '{call}'. Load the calls first: `python manage.py load_calls`.") from None
        municipalities = list(Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY, is_active=True).order_by("municipality_code"))
        if len(municipalities) < the_call.min_municipalities + 1:
            raise CommandError("Too few municipalities. Load the reference data first: `python manage.py load_reference_data`.")
        already = Application.objects.filter(call=the_call).count()
        if if_empty and already:
            self.stdout.write(f"{the_call.slug}: has {already} applications already; none generated.")
            return
        email_backend = settings.EMAIL_BACKEND
        if not send_mail:
            # The applicants are fictional: their receipts and confirmations go nowhere.
            settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
        rng = random.Random(seed)  # noqa: S311 (reproducible demo data, not security)
        # With a set clock (the demo) nothing is submitted in the clock's future.
        until = min(the_call.closes_at, clock.now()) if clock.is_set() else the_call.closes_at
        if until <= the_call.opens_at + timedelta(minutes=10):
            raise CommandError(f"The call {the_call.slug} has not been open long enough by the clock to have applications.")
        instants = sorted(submission_instant(rng, the_call.opens_at, until) for _ in range(count))
        saved_clock = clock.now() if clock.is_set() else None
        made = 0
        try:
            for index, at in enumerate(instants):
                clock.set_now(at)
                submit = index >= drafts
                generate_one(rng, the_call, municipalities, submit=submit)
                made += 1
        finally:
            settings.EMAIL_BACKEND = email_backend
            if saved_clock:
                clock.set_now(saved_clock, frozen=False)
            else:
                clock.reset()
        self.stdout.write(f"{the_call.slug}: {made} applications generated ({made - drafts} submitted), {already + made} in the call now.")


def submission_instant(rng: random.Random, opens: datetime, until: datetime) -> datetime:
    """Most applications arrive on the last day, many in its last hours."""
    period = (until - opens).total_seconds()
    roll = rng.random()
    if roll < 0.5:
        seconds = rng.uniform(60, 6 * 3600)  # the last six hours
    elif roll < 0.8:
        seconds = rng.uniform(6 * 3600, 7 * 86400)  # the last week
    else:
        seconds = rng.uniform(7 * 86400, max(period, 7 * 86400 + 1))
    return until - timedelta(seconds=min(seconds, period - 300))


def demo_user(org: Organisation) -> User:
    email = f"hakija.{org.municipality_code or org.pk}@demo.kuntadigi.fi"
    user, _ = User.objects.get_or_create(email=email, defaults={"full_name": f"Hakija {org.name_fi} (demo)"})
    Membership.objects.update_or_create(user=user, organisation=org, defaults={"status": Membership.Status.APPROVED, "role": Membership.Role.MEMBER})
    return user


def generate_one(rng: random.Random, call: Call, municipalities: list[Organisation], *, submit: bool) -> Application:
    lead, *partners = rng.sample(municipalities, rng.choice([2, 2, 3, 3, 4, 5]))
    language = "sv" if lead.region_id and lead.region.code in SWEDISH_SPEAKING_REGIONS and lead.name_sv != lead.name_fi else "fi"
    areas = list(call.target_areas.all())
    area = rng.choice(areas)
    idea_fi, idea_sv = rng.choice(IDEAS.get(area.number, IDEAS[1]))
    idea = idea_sv if language == "sv" else idea_fi
    texts = TEXTS_SV if language == "sv" else TEXTS_FI
    lead_user = demo_user(lead)
    with transaction.atomic():
        application = drafting.start_application(lead_user, call, lead, language)
        data = {name: template.format(idea_l=idea.lower()) for name, template in texts.items()}
        start = max(date(clock.now().year, clock.now().month, 1) + timedelta(days=92), call.opens_at.date())
        data.update(
            project_name=f"{idea} – {lead.name_sv if language == 'sv' else lead.name_fi} (demo)",
            target_areas=[area] + ([rng.choice(areas)] if rng.random() < 0.4 else []),
            start_date=start.replace(day=1),
            end_date=call.project_end_latest,
            contact_name=lead_user.full_name,
            contact_email=lead_user.email,
            contact_phone="040 123 4567",
            declaration_not_excluded=True,
        )
        application, _ = drafting.save_draft(lead_user, application, data, application.version)
        for org in partners:
            drafting.add_partner(lead_user, application, org)
        application.refresh_from_db()
        categories = {c.code: c.pk for c in call.cost_categories.all()}
        lines = []
        for participant in application.participants.all():
            share = Decimal(rng.randrange(40, 600)) * 1000
            lines.append(
                {"id": None, "participant_id": participant.pk, "category_id": categories["staff"], "description": "Projektihenkilöstö", "amount": share}
            )
            if rng.random() < 0.7:
                lines.append(
                    {"id": None, "participant_id": participant.pk, "category_id": categories["services"], "description": "Ostopalvelut", "amount": share / 2}
                )
        eligible = sum(line["amount"] for line in lines)
        share = call.max_grant_share if rng.random() < 0.8 else call.max_grant_share - Decimal("0.10")
        requested = (eligible * share).quantize(CENT, rounding=ROUND_DOWN)
        application, _ = drafting.save_budget(lead_user, application, lines, requested, application.version)
        for participant in application.participants.filter(role="partner").select_related("organisation"):
            submission.confirm_participation(demo_user(participant.organisation), application, participant.organisation)
    if submit:
        result = submission.submit_application(lead_user, application.pk)
        if result.submission is None:
            raise CommandError(f"{application.reference} could not be submitted: {[str(p.message) for p in result.problems] or result.message}")
    return application
