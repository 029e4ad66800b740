"""Generate realistic joint applications in a call: `manage.py generate_applications --count 12`.

Every application goes through the same services as a person's would (start, save, partners, budget,
partner confirmations, submission), with the clock set to a moment inside the call's application
period, so generated data obeys every rule of the call and has real fingerprints. Most applications
arrive on the last day, as they do in real calls. A fixed seed gives the same data on every run.

Generated content is fictional: project names end with "(demo)", the applicants' users have
addresses under demo.kuntadigi.fi, and the call is marked `generated_content`, so that its pages and
exports say so.

`--through` carries the applications along the officials' whole path with the real services, each
step with the clock at a plausible moment after the deadline: `screened` (the preparer marks them,
the ones whose texts suggest an excluded field ineligible with the reason), `assessed` (assessors
spread evenly, blind scores with justifications), `decided` (the appropriation filled in rank order
and finalised, every decision prepared and signed, their PDFs rendered by the tasks), `published`
(the results made public). The officials are the demo officials of `demo_setup`, named to their roles
in the call when they are not yet.
"""

from __future__ import annotations

import logging
import random
import time
from datetime import date, datetime, timedelta
from datetime import time as dt_time
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation

from kuntadigi import clock
from kuntadigi.accounts.models import Membership, User
from kuntadigi.applications import drafting, submission
from kuntadigi.applications.errors import Refused
from kuntadigi.applications.lifecycle import State
from kuntadigi.applications.models import Application
from kuntadigi.applications.rules import ALAND_REGION_CODE
from kuntadigi.calls.models import Call, CallRole
from kuntadigi.registry.models import Organisation
from kuntadigi.registry.rules import helsinki_day

# Project ideas per target area number of the 2020 call (falls back to the first for other calls).
# Calls with ideas of their own are in IDEAS_BY_CALL; other calls take these.
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
SWEDISH_SPEAKING_REGIONS = {"21"}  # Åland: every municipality writes in Swedish
# Mainland municipalities with a Swedish-speaking majority (2020): in Ostrobothnia Korsnäs, Kristinestad,
# Kronoby, Larsmo, Malax, Korsholm, Närpes, Jakobstad, Pedersöre, Nykarleby and Vörå; Ingå and Raseborg
# in Uusimaa; Kimitoön and Pargas in Southwest Finland. Their applications are written in Swedish.
SWEDISH_MAJORITY = {"280", "287", "288", "440", "475", "499", "545", "598", "599", "893", "946", "149", "710", "322", "445"}
CENT = Decimal("0.01")
# Budget lines are written in the application's language.
LINE_DESCRIPTIONS = {
    "fi": {"staff": "Projektihenkilöstö", "services": "Ostopalvelut"},
    "sv": {"staff": "Projektpersonal", "services": "Köpta tjänster"},
}

# The 2019 joint-projects call: ideas per target area (1 customer-oriented service processes with
# shared solutions, 2 common data specifications, 3 statutory services made electronic together,
# 4 knowledge-based management, 5 strategic processes, 6 new technology), each with a sentence of its
# own in Finnish and Swedish.
IDEAS_2019 = {
    1: [
        (
            "Yhteinen sähköinen asiointi varhaiskasvatukseen",
            "Gemensam e-tjänst för småbarnspedagogiken",
            "Varhaiskasvatuksen hakemukset, päätökset ja maksut siirtyvät yhteen asiointipalveluun, jota kaikki mukana olevat kunnat käyttävät.",
            "Ansökningar, beslut och avgifter inom småbarnspedagogiken flyttas till en gemensam e-tjänst som alla deltagande kommuner använder.",
        ),
        (
            "Asiakaspalvelun yhteinen monikanavainen malli",
            "Gemensam modell för kundtjänst i flera kanaler",
            "Kuntien neuvonta yhdistää chatin, puhelimen ja palvelupisteet yhdeksi asiakaslähtöiseksi palveluketjuksi.",
            "Kommunernas rådgivning förenar chatt, telefon och servicepunkter till en enda kundorienterad servicekedja.",
        ),
    ],
    2: [
        (
            "Yhteiset tietomäärittelyt tapahtuma- ja harrastustiedolle",
            "Gemensamma informationsspecifikationer för evenemangs- och hobbydata",
            (
                "Tapahtuma-, harrastus- ja koulutustiedot kuvataan yhteisellä tietomallilla, jotta ne liikkuvat kuntien järjestelmien ja "
                "kansallisten palvelujen välillä."
            ),
            (
                "Evenemangs-, hobby- och utbildningsdata beskrivs med en gemensam datamodell så att de rör sig mellan kommunernas system och de "
                "nationella tjänsterna."
            ),
        ),
        (
            "Kuntalaisen tiedot kerran kerrottuina",
            "Invånarens uppgifter lämnas bara en gång",
            "Sähköisten lomakkeiden tiedot määritellään yhteisesti, jolloin kuntalaisen ei tarvitse antaa samoja tietoja useaan kertaan.",
            "Uppgifterna i de elektroniska blanketterna specificeras gemensamt så att invånaren inte behöver lämna samma uppgifter flera gånger.",
        ),
    ],
    3: [
        (
            "Sähköinen ilmoittautuminen perusopetukseen",
            "Elektronisk anmälan till den grundläggande utbildningen",
            "Perusopetukseen ilmoittautuminen ja koulupaikkapäätökset hoidetaan sähköisesti yhteisellä palvelulla.",
            "Anmälan till den grundläggande utbildningen och besluten om skolplats sköts elektroniskt med en gemensam tjänst.",
        ),
        (
            "Koulukuljetusten sähköinen haku ja päätökset",
            "Elektronisk ansökan och beslut om skolskjuts",
            "Koulukuljetusten hakeminen, päätökset ja reittitiedot siirtyvät sähköisiksi ja yhtenäisiksi kaikissa mukana olevissa kunnissa.",
            "Ansökan om skolskjuts, besluten och ruttuppgifterna blir elektroniska och enhetliga i alla deltagande kommuner.",
        ),
    ],
    4: [
        (
            "Tiedolla johtamisen yhteinen mittaristo",
            "Gemensamma mätare för kunskapsbaserad ledning",
            "Kuntien talous-, henkilöstö- ja palvelutiedot kootaan yhteiseen raportointimalliin, jota johto ja luottamushenkilöt käyttävät päätöksenteossa.",
            (
                "Kommunernas ekonomi-, personal- och servicedata samlas i en gemensam rapporteringsmodell som ledningen och de förtroendevalda "
                "använder i beslutsfattandet."
            ),
        ),
        (
            "Sivistystoimen yhteinen tietovarasto",
            "Gemensamt datalager för bildningsväsendet",
            "Opetuksen ja varhaiskasvatuksen tiedot yhdistetään ajantasaiseksi tilannekuvaksi palveluverkon suunnittelua varten.",
            "Data om undervisningen och småbarnspedagogiken förenas till en aktuell lägesbild för planeringen av servicenätet.",
        ),
    ],
    5: [
        (
            "Strategiatyön digitaalinen työtila",
            "Digital arbetsyta för strategiarbetet",
            "Kuntastrategian valmistelu, toimeenpano ja seuranta tehdään yhteisessä digitaalisessa työtilassa, johon myös kuntalaiset voivat osallistua.",
            "Beredningen, genomförandet och uppföljningen av kommunstrategin sköts i en gemensam digital arbetsyta där också invånarna kan delta.",
        ),
        (
            "Talousarvion yhteinen valmistelumalli",
            "Gemensam modell för budgetberedningen",
            "Talousarvion valmistelu yhtenäistetään ja sidotaan strategian tavoitteisiin yhteisellä prosessilla ja työkaluilla.",
            "Budgetberedningen förenhetligas och kopplas till strategins mål med en gemensam process och gemensamma verktyg.",
        ),
    ],
    6: [
        (
            "Ohjelmistorobotiikka taloushallinnossa",
            "Programvarurobotik inom ekonomiförvaltningen",
            "Ostolaskujen käsittely, täsmäytykset ja raportointi automatisoidaan ohjelmistorobotiikalla, ja vapautuva työaika ohjataan asiakastyöhön.",
            (
                "Hanteringen av inköpsfakturor, avstämningar och rapportering automatiseras med programvarurobotik, och den arbetstid som frigörs "
                "styrs till kundarbete."
            ),
        ),
        (
            "Tekoälyavusteinen neuvontapalvelu",
            "AI-stödd rådgivningstjänst",
            "Kuntien yleisneuvontaan otetaan käyttöön tekoälyavusteinen neuvontabotti, jonka vastaukset perustuvat yhteiseen palvelutietovarantoon.",
            "I kommunernas allmänna rådgivning införs en AI-stödd chattbot vars svar bygger på den gemensamma servicedatabasen.",
        ),
    ],
}
TEXTS_2019_FI = {
    "summary": (
        "Mukana olevat kunnat toteuttavat yhdessä hankkeen ”{idea}”. {description} Ensin kuvataan ja uudistetaan kuntien yhteiset prosessit, ja "
        "vasta niiden pohjalta valitaan tekniset ratkaisut."
    ),
    "current_state": "Kunnilla on nyt kullakin omat, osin paperiset käytäntönsä ja järjestelmänsä, joten sama työ tehdään moneen kertaan ja tieto ei liiku.",
    "objectives": "Tavoitteena on, että uusi toimintatapa on käytössä kaikissa mukana olevissa kunnissa marraskuuhun 2021 mennessä ja sen hyödyt on mitattu.",
    "change_in_ways_of_working": (
        "Prosessit kuvataan yhdessä henkilöstön ja palvelujen käyttäjien kanssa, vastuut sovitaan ja henkilöstö koulutetaan uuteen toimintatapaan."
    ),
    "rollout_and_spread": "Prosessikuvaukset, tietomäärittelyt ja ohjeet julkaistaan avoimesti, ja muita kuntia kutsutaan mukaan hankkeen vertaisverkostoon.",
    "prior_work": "Hanke hyödyntää kuntien digikannustimen esihaussa syntyneitä ehdotuksia, muiden kuntien kokemuksia ja yhteentoimivuusalustan tietomalleja.",
}
TEXTS_2019_SV = {
    "summary": (
        "De deltagande kommunerna genomför tillsammans projektet ”{idea}”. {description} Först beskrivs och förnyas kommunernas gemensamma "
        "processer, och först utifrån dem väljs de tekniska lösningarna."
    ),
    "current_state": (
        "Varje kommun har i dag egen, delvis pappersbaserad praxis och egna system, så samma arbete görs många gånger och informationen rör sig inte."
    ),
    "objectives": "Målet är att det nya arbetssättet används i alla deltagande kommuner senast i november 2021 och att nyttan har mätts.",
    "change_in_ways_of_working": (
        "Processerna beskrivs tillsammans med personalen och serviceanvändarna, ansvaret fördelas och personalen utbildas i det nya arbetssättet."
    ),
    "rollout_and_spread": (
        "Processbeskrivningarna, informationsspecifikationerna och anvisningarna publiceras öppet, och andra kommuner bjuds in till projektets nätverk."
    ),
    "prior_work": (
        "Projektet bygger på förslagen från förhandsansökan om digitaliseringsincitament, på andra kommuners erfarenheter och på datamodellerna i "
        "interoperabilitetsplattformen."
    ),
}
# Per call: (ideas by target area, Finnish texts, Swedish texts, the euros of one budget step).
# The 2019 call's projects are smaller, so that its appropriation funds about twenty of 51.
PROFILES = {"digi-2019-2": (IDEAS_2019, TEXTS_2019_FI, TEXTS_2019_SV, Decimal("400"))}
DEFAULT_PROFILE = (IDEAS, TEXTS_FI, TEXTS_SV, Decimal("1000"))

# Projects in a field a call may exclude: with --through, a few applications are such, and the preparer
# screens them ineligible. Only those whose texts match one of the call's exclusions are used.
EXCLUDED_IDEAS = [
    (
        "Kotihoidon etäpalvelut sosiaali- ja terveydenhuollossa",
        "Distanstjänster inom hemvården i social- och hälsovården",
        "Kotihoidon asiakkaille tarjotaan etäkäyntejä, ja sosiaali- ja terveydenhuollon henkilöstön työnjako uudistetaan.",
        "Hemvårdens klienter erbjuds distansbesök, och arbetsfördelningen inom social- och hälsovården förnyas.",
    ),
    (
        "Rakennusvalvonnan sähköinen lupaprosessi",
        "Elektronisk tillståndsprocess i byggnadstillsynen",
        "Rakennuslupien haku ja käsittely siirretään yhteiseen sähköiseen palveluun.",
        "Ansökan om bygglov och handläggningen flyttas till en gemensam elektronisk tjänst.",
    ),
    (
        "Yhteinen sähköinen arkisto",
        "Gemensamt elektroniskt arkiv",
        "Kuntien asiakirjat siirretään yhteiseen sähköiseen arkistoon ja pitkäaikaissäilytykseen.",
        "Kommunernas handlingar förs över till ett gemensamt elektroniskt arkiv och till långtidsbevaring.",
    ),
]

# How far the officials' path goes: each stage includes the ones before it.
STAGES = ("submitted", "screened", "assessed", "decided", "published")
# The officials' titles on the decisions, in the decision's language.
TITLES = {
    CallRole.Role.PRESENTER: {"fi": "neuvotteleva virkamies", "sv": "konsultativ tjänsteman"},
    CallRole.Role.DECISION_MAKER: {"fi": "finanssineuvos", "sv": "finansråd"},
}
# An assessor's justification for a score, by score (1–5) and language; the criterion's name comes first.
JUSTIFICATIONS = {
    "fi": {
        1: "hakemus ei kerro, mitä kunnissa käytännössä muuttuu; kuvaus jää yleiselle tasolle.",
        2: "tavoitteet on tunnistettu, mutta keinot ja mittarit jäävät epäselviksi.",
        3: "vastaa kriteeriin kohtuullisesti; toteutuksen yksityiskohdat jäävät osin ohuiksi.",
        4: "hyvin perusteltu, sillä tavoitteet ovat selkeät ja toteutus on kuvattu uskottavasti.",
        5: "erinomainen, sillä muutos on kuvattu konkreettisesti ja mitattavasti, ja tulokset ovat laajasti muiden kuntien hyödynnettävissä.",
    },
    "sv": {
        1: "ansökan berättar inte vad som i praktiken förändras i kommunerna; beskrivningen är allmän.",
        2: "målen är identifierade, men medlen och mätarna förblir oklara.",
        3: "svarar skäligt mot kriteriet; detaljerna i genomförandet är delvis tunna.",
        4: "väl motiverat, eftersom målen är tydliga och genomförandet är trovärdigt beskrivet.",
        5: "utmärkt, eftersom förändringen är konkret och mätbart beskriven, och resultaten kan utnyttjas brett i andra kommuner.",
    },
}


# The title of a municipality's person authorised to commit it, in the application's language.
SIGNATORY_TITLES = {"fi": "kunnanjohtaja", "sv": "kommundirektör"}


def fictional_business_id(seed: int) -> str:
    """A business ID of valid form that no real organisation has (real ones do not start with 9) and no
    organisation of the register has yet."""
    from stdnum.fi import ytunnus

    number = 9000000 + seed % 1000000
    while True:
        valid = [f"{number:07d}-{digit}" for digit in "0123456789" if ytunnus.is_valid(f"{number:07d}-{digit}")]
        if valid and not Organisation.objects.filter(business_id=valid[0]).exists():
            return valid[0]
        number += 1  # a number whose check would be 10 has no valid ID; a taken one is skipped


class Command(BaseCommand):
    help = (
        "Generate joint applications in a call through the real services (fixed seed, fictional content); "
        "with --through, carry them along the officials' path as far as screened, assessed, decided or published."
    )

    def add_arguments(self, parser):
        parser.add_argument("--call", default="digi-2020", help="The call's identifier (slug).")
        parser.add_argument("--count", type=int, default=12, help="How many applications to generate.")
        parser.add_argument("--seed", type=int, default=2020, help="Random seed: the same seed gives the same data.")
        parser.add_argument("--drafts", type=int, default=0, help="How many of them to leave as unsubmitted drafts.")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when the call already has applications (for make run).")
        parser.add_argument("--send-mail", action="store_true", help="Send the receipts, confirmations and decisions (by default they are dropped).")
        parser.add_argument(
            "--through",
            choices=STAGES,
            default="submitted",
            help="How far along the officials' path to carry the call after its deadline (each stage includes the ones before it).",
        )

    def handle(self, *args, call: str, count: int, seed: int, drafts: int, if_empty: bool, send_mail: bool, through: str = "submitted", **options):
        try:
            the_call = Call.objects.get(slug=call)
        except Call.DoesNotExist:
            raise CommandError(f"No call '{call}'. Load the calls first: `python manage.py load_calls`.") from None
        # The municipalities that exist on the call's opening day (the municipal map of that day), without
        # Åland's unless the call lets them take part.
        municipalities = Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY, is_active=True).valid_on(helsinki_day(the_call.opens_at))
        if not the_call.aland_may_apply:  # the call's rule: Åland's municipalities take no part
            municipalities = municipalities.exclude(region__code=ALAND_REGION_CODE)
        municipalities = list(municipalities.select_related("region").order_by("municipality_code"))
        if len(municipalities) < the_call.min_municipalities + 1:
            raise CommandError("Too few municipalities. Load the reference data first: `python manage.py load_reference_data`.")
        already = Application.objects.filter(call=the_call).count()
        if if_empty and already:
            self.stdout.write(f"{the_call.slug}: has {already} applications already; none generated.")
            return
        stage = STAGES.index(through)
        moments = path_moments(the_call)
        if stage:
            last = moments["published" if through == "published" else "signed" if through == "decided" else through]
            if clock.is_set() and last > clock.now():
                now, then = clock.helsinki(clock.now()), clock.helsinki(last)
                raise CommandError(f"The clock ({now:%d.%m.%Y %H.%M}) is before the moment the call would be {through} ({then:%d.%m.%Y %H.%M}).")
            if count - drafts < 1:
                raise CommandError("--through needs at least one submitted application.")
        email_backend = settings.EMAIL_BACKEND
        if not send_mail:
            # The applicants are fictional: their receipts, confirmations and decisions go nowhere.
            settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
        rng = random.Random(seed)  # noqa: S311 (reproducible demo data, not security)
        # With a set clock (the demo) nothing is submitted in the clock's future.
        until = min(the_call.closes_at, clock.now()) if clock.is_set() else the_call.closes_at
        if until <= the_call.opens_at + timedelta(minutes=10):
            raise CommandError(f"The call {the_call.slug} has not been open long enough by the clock to have applications.")
        instants = sorted(submission_instant(rng, the_call.opens_at, until) for _ in range(count))
        # With --through, a few applications are in a field the call excludes (a separate generator, so
        # that the applications of a plain run stay what they were).
        planted = excluded_plan(random.Random(f"{seed}-excluded"), the_call, range(drafts, count)) if stage else {}  # noqa: S311
        saved_clock = clock.now() if clock.is_set() else None
        made = 0
        timings: list[tuple[str, float]] = []
        quiet = options.get("verbosity", 1) < 2
        if quiet:
            # Hundreds of services, mails and PDFs log at INFO; the command prints its own summary.
            logging.disable(logging.INFO)
        try:
            # All or nothing, so that a run that stops half-way leaves no half-decided call behind for
            # --if-empty to skip. Each service still runs in its own savepoint; the tasks (mail, PDFs)
            # run when this commits, while the mail still goes nowhere.
            with transaction.atomic():
                Call.objects.filter(pk=the_call.pk).update(generated_content=True)
                started = time.perf_counter()
                for index, at in enumerate(instants):
                    clock.set_now(at)
                    submit = index >= drafts
                    generate_one(rng, the_call, municipalities, submit=submit, excluded=planted.get(index))
                    made += 1
                timings.append(("submitted", time.perf_counter() - started))
                if stage:
                    timings += OfficialsPath(the_call, random.Random(f"{seed}-path"), moments).run(STAGES[1 : stage + 1])  # noqa: S311
                started = time.perf_counter()
            timings.append(("tasks after the commit", time.perf_counter() - started))
        except Refused as refused:
            raise CommandError(f"{the_call.slug}: the officials' path stopped: {refused.message}") from refused
        finally:
            if quiet:
                logging.disable(logging.NOTSET)
            settings.EMAIL_BACKEND = email_backend
            if saved_clock:
                clock.set_now(saved_clock, frozen=False)
            else:
                clock.reset()
        self.stdout.write(f"{the_call.slug}: {made} applications generated ({made - drafts} submitted), {already + made} in the call now.")
        if stage:
            spent = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in timings)
            self.stdout.write(f"{the_call.slug}: carried through {through} ({spent}).")
            self.stdout.write(summary(the_call))


def summary(call: Call) -> str:
    from kuntadigi.decisions.models import Decision

    signed = Decision.objects.filter(application__call=call, state=Decision.State.SIGNED)
    grants = signed.filter(outcome=Decision.Outcome.GRANT)
    total = sum((d.amount for d in grants), Decimal("0.00"))
    return f"{call.slug}: {signed.count()} signed decisions, {grants.count()} grants, {total} euros of {call.appropriation}."


def workday(day: date) -> date:
    """The day itself, or the Monday after a weekend."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def at_helsinki(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(workday(day), dt_time(hour, minute), tzinfo=clock.HELSINKI)


def path_moments(call: Call) -> dict[str, datetime]:
    """Plausible moments of the officials' path after the deadline, Helsinki office hours on working days:
    screening two weeks after, assessors the week after, the allocation eight weeks after, the decisions
    prepared a week later and signed two days after that, the results published the next working day."""
    closed = clock.helsinki(call.closes_at).date()
    moments = {"screened": at_helsinki(closed + timedelta(days=14), 9)}
    moments["assigned"] = at_helsinki(closed + timedelta(days=21), 9)
    moments["assessed"] = at_helsinki(closed + timedelta(days=49), 16)  # the last scores are in by then
    moments["ranked"] = at_helsinki(closed + timedelta(days=56), 10)
    moments["decided"] = at_helsinki(closed + timedelta(days=63), 9)
    moments["signed"] = at_helsinki(moments["decided"].date() + timedelta(days=2), 14)
    moments["published"] = at_helsinki(moments["signed"].date() + timedelta(days=1), 9)
    return moments


def excluded_plan(rng: random.Random, call: Call, indices: range) -> dict[int, tuple[str, str, str, str]]:
    """Which of the submitted applications are about a field the call excludes: about 6 %, at least one
    when there are three or more, and only with ideas the call's exclusions match."""
    from kuntadigi.screening.rules import find_keywords, keywords_from_text

    keywords = [keywords_from_text(exclusion.keywords) for exclusion in call.exclusions.all()]
    # The idea must match in Finnish and in Swedish alike, as the application may be written in either.
    usable = [
        idea for idea in EXCLUDED_IDEAS if all(any(find_keywords(f"{name} {text}", words) for words in keywords) for name, text in (idea[0::2], idea[1::2]))
    ]
    indices = list(indices)
    if not usable or len(indices) < 3:
        return {}
    how_many = max(1, round(len(indices) * 0.06))
    return {index: usable[n % len(usable)] for n, index in enumerate(sorted(rng.sample(indices, how_many)))}


class OfficialsPath:
    """The officials' work on a closed call, with the real services, each step at its moment."""

    def __init__(self, call: Call, rng: random.Random, moments: dict[str, datetime]):
        self.call = call
        self.rng = rng
        self.moments = moments
        people = demo_officials(call)
        self.preparer = people[CallRole.Role.PREPARER][0]
        self.presenter = people[CallRole.Role.PRESENTER][0]
        self.decision_maker = people[CallRole.Role.DECISION_MAKER][0]

    def run(self, stages) -> list[tuple[str, float]]:
        timings = []
        for stage in stages:
            started = time.perf_counter()
            getattr(self, stage)()
            timings.append((stage, time.perf_counter() - started))
        return timings

    def screened(self) -> None:
        """The preparer marks every submitted application, in reference order: ineligible with the
        excluded field named when its texts suggest one, eligible otherwise."""
        from kuntadigi.screening import services as screening
        from kuntadigi.screening.conditions import exclusion_code
        from kuntadigi.screening.rules import SEARCHED_TEXTS, find_keywords, keywords_from_text

        exclusions = [(exclusion.pk, exclusion.name_fi, keywords_from_text(exclusion.keywords)) for exclusion in self.call.exclusions.all()]
        rows = screening.screening_rows(screening.received_applications(self.call, State.SUBMITTED), screening.call_rules(self.call))
        for index, row in enumerate(rows):
            clock.set_now(self.moments["screened"] + timedelta(minutes=4 * index))
            text = "\n".join(str(row.content.get(name) or "") for name in SEARCHED_TEXTS)
            hits = [(exclusion_id, name) for exclusion_id, name, words in exclusions if find_keywords(text, words)]
            fields = [name for _id, name in hits]
            failed = [exclusion_code(exclusion_id) for exclusion_id, _name in hits]
            if fields:
                outcome, reason = "ineligible", f"Hanke kohdistuu alaan, jota haussa ei rahoiteta: {', '.join(fields).lower()}."
            else:
                outcome, reason = (
                    "eligible",
                    (
                        "Useamman kunnan yhteishanke; kohdistuu haun kohdealueisiin eikä haun ulkopuolisiin aloihin; kustannusarvio ja "
                        "avustusosuus haun ehtojen mukaiset."
                    ),
                )
            screening.mark_application(self.preparer, row.application.pk, outcome, reason, failed if outcome == "ineligible" else ())

    def assessed(self) -> None:
        """Assessors spread evenly (two for each eligible application, none tied to its organisations),
        then each scores blind on their own day, with a justification for every criterion."""
        from kuntadigi.assessment import services as assessment
        from kuntadigi.assessment.models import Assignment
        from kuntadigi.assessment.rules import ScoreEntry
        from kuntadigi.calls.models import Criterion

        clock.set_now(self.moments["assigned"])
        assessment.spread(self.preparer, self.call, per_application=2)
        criteria = list(Criterion.objects.filter(call=self.call).order_by("order", "pk"))
        assignments = list(
            Assignment.objects.filter(application__call=self.call, submitted_at__isnull=True)
            .select_related("assessor", "application")
            .order_by("application__reference", "assessor__email")
        )
        quality = {}
        bias = {}
        plan = []
        window = (self.moments["assessed"] - self.moments["assigned"]).days
        for assignment in assignments:
            quality.setdefault(assignment.application_id, self.rng.uniform(1.6, 4.9))
            bias.setdefault(assignment.assessor_id, self.rng.gauss(0, 0.3))
            day = self.moments["assigned"].date() + timedelta(days=self.rng.randint(1, max(1, window - 1)))
            moment = at_helsinki(day, self.rng.randint(8, 15), self.rng.randint(0, 59))
            plan.append((min(moment, self.moments["assessed"]), assignment))
        low, high = self.call.score_min, self.call.score_max
        for moment, assignment in sorted(plan, key=lambda item: (item[0], item[1].application.reference, item[1].assessor.email)):
            clock.set_now(moment)
            language = "sv" if assignment.assessor.language == "sv" else "fi"
            entries = {}
            for criterion in criteria:
                raw = quality[assignment.application_id] + bias[assignment.assessor_id] + self.rng.gauss(0, 0.6)
                score = min(high, max(low, round(raw)))
                phrase = JUSTIFICATIONS[language][min(5, max(1, score - low + 1))]
                entries[criterion.pk] = ScoreEntry(score, f"{getattr(criterion, f'name_{language}') or criterion.name}: {phrase}")
            assessment.save_scores(assignment.assessor, assignment.pk, entries, final=True)

    def decided(self) -> None:
        """The preparer fills the appropriation in rank order and finalises the allocation; the decisions
        are prepared (grant, or no grant with the call's reason) and the decision-maker signs them all."""
        from kuntadigi.decisions import services_decisions as decisions
        from kuntadigi.decisions import services_ranking as ranking

        clock.set_now(self.moments["ranked"])
        if not self.call.diary_number:  # a fictional diary number for the generated call's decisions
            self.call.diary_number = f"VN/{9000 + self.call.pk}/{clock.helsinki(self.call.closes_at).year}"
            Call.objects.filter(pk=self.call.pk).update(diary_number=self.call.diary_number)
        # A grant is signed only to a lead with a business ID; the register has none for municipalities, so
        # the demo gives each eligible lead without one a fictional ID (9xxxxxx-c: no real business ID
        # starts with 9), which officials would enter from the Business Information System (YTJ).
        leads = Organisation.objects.filter(led_applications__call=self.call, led_applications__state=State.ELIGIBLE, business_id__isnull=True).distinct()
        for lead in leads:
            lead.business_id = fictional_business_id(lead.pk)
            lead.save(update_fields=["business_id"])
        if Application.objects.filter(call=self.call, state=State.ELIGIBLE).exists():
            ranking.apply_fill(self.preparer, self.call)
            clock.set_now(self.moments["ranked"] + timedelta(hours=1))
            ranking.finalise(self.preparer, self.call)
        # Prepared and signed in one transaction (each decision still in its own savepoint): the tasks
        # run after it commits and render each decision's signed PDF once, instead of a draft's preview
        # that nobody would look at and then the signed one (51 PDFs instead of 102 for the 2019 call).
        # (The command's own transaction around the whole run does the same; this keeps it so when the
        # path is run on its own.)
        with transaction.atomic():
            clock.set_now(self.moments["decided"])
            applications = list(
                Application.objects.filter(call=self.call, state__in=(State.ELIGIBLE, State.INELIGIBLE)).select_related("call").order_by("reference")
            )
            # Decisions of an excluded field give that reason; the first Swedish one shows the Swedish titles,
            # which the batch then reuses for the other Swedish decisions.
            first_swedish = next((a for a in applications if a.language == "sv"), None)
            for application in applications:
                if application.state == State.INELIGIBLE or application is first_swedish:
                    self._prepare_one(application)
            with translation.override("fi"):
                people = decisions.Signatories(
                    self.presenter.pk, TITLES[CallRole.Role.PRESENTER]["fi"], self.decision_maker.pk, TITLES[CallRole.Role.DECISION_MAKER]["fi"]
                )
                prepared = decisions.prepare_all(self.presenter, self.call, people)
            if prepared.refused:
                raise CommandError(f"Decisions refused: {prepared.refused}")
            clock.set_now(self.moments["signed"])
            signed = decisions.sign_all(self.decision_maker, self.call)
            if signed.refused or signed.skipped:
                raise CommandError(f"Decisions not signed: {signed.refused + signed.skipped}")

    def _prepare_one(self, application: Application) -> None:
        from kuntadigi.calls.models import NoGrantReason
        from kuntadigi.decisions import documents, rules_decisions
        from kuntadigi.decisions import services_decisions as decisions

        proposal = decisions.proposal_of(application)
        plan = rules_decisions.batch_plan(rules_decisions.BatchItem(application.pk, application.state, proposal.amount if proposal else None))
        code = "excluded-field" if application.state == State.INELIGIBLE else plan.reason_code
        reasons = {reason.code: reason.pk for reason in NoGrantReason.objects.filter(call=self.call)}
        language = documents.document_language(application.language)
        data = decisions.defaults_for(application, self.presenter)
        data.outcome, data.amount = plan.outcome, plan.amount
        data.no_grant_reason_id = (reasons.get(code) or reasons.get(plan.reason_code)) if plan.reason_code else None
        data.presenter_id, data.presenter_title = self.presenter.pk, TITLES[CallRole.Role.PRESENTER][language]
        data.decision_maker_id, data.decision_maker_title = self.decision_maker.pk, TITLES[CallRole.Role.DECISION_MAKER][language]
        decisions.prepare_decision(self.presenter, application.pk, data)

    def published(self) -> None:
        from kuntadigi.publication.services import publish_results

        clock.set_now(self.moments["published"])
        publish_results(self.preparer, self.call)


def demo_officials(call: Call) -> dict[str, list[User]]:
    """The demo officials of `demo_setup` with their roles in `call` (named when they are not yet). One
    who does not exist yet is made without a password: `demo_setup` gives the demo password."""
    from kuntadigi.assessment.models import Tie
    from kuntadigi.demo.management.commands.demo_setup import DEMO_USERS

    people: dict[str, list[User]] = {role: [] for role in CallRole.Role.values}
    for spec in DEMO_USERS:
        if not spec.call_roles:
            continue
        user = User.objects.filter(email=spec.email).first()
        if user is None:
            user = User(email=spec.email, full_name=spec.full_name, language=spec.language, is_official=spec.official, is_assessor=spec.assessor)
            user.set_unusable_password()
            user.save()
        for role in spec.call_roles:
            CallRole.objects.get_or_create(call=call, user=user, role=role)
            people[role].append(user)
        tied_to = Organisation.objects.filter(municipality_code=spec.tied_to).first() if spec.tied_to else None
        if tied_to is not None:
            Tie.objects.get_or_create(assessor=user, organisation=tied_to, kind=Tie.Kind.EMPLOYER)
    return people


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


def first_of_next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def demo_user(org: Organisation) -> User:
    email = f"hakija.{org.municipality_code or org.pk}@demo.kuntadigi.fi"
    user, _ = User.objects.get_or_create(email=email, defaults={"full_name": f"Hakija {org.name_fi} (demo)"})
    Membership.objects.update_or_create(user=user, organisation=org, defaults={"status": Membership.Status.APPROVED, "role": Membership.Role.MEMBER})
    return user


def generate_one(
    rng: random.Random, call: Call, municipalities: list[Organisation], *, submit: bool, excluded: tuple[str, str, str, str] | None = None
) -> Application:
    """One joint application (submitted unless `submit` is off); `excluded` replaces its idea with one in a field the call excludes."""
    ideas, texts_fi, texts_sv, budget_step = PROFILES.get(call.slug, DEFAULT_PROFILE)
    lead, *partners = rng.sample(municipalities, rng.choice([2, 2, 3, 3, 4, 5]))
    swedish = lead.municipality_code in SWEDISH_MAJORITY or (lead.region_id and lead.region.code in SWEDISH_SPEAKING_REGIONS)
    language = "sv" if swedish else "fi"
    areas = list(call.target_areas.all())
    area = rng.choice(areas)
    idea_fi, idea_sv, *descriptions = excluded or rng.choice(ideas.get(area.number, ideas[min(ideas)]))
    if excluded:
        rng.random()  # the draw the idea would have taken, so that the applications after this one stay the same
    descriptions = descriptions or ["", ""]
    idea = idea_sv if language == "sv" else idea_fi
    description = descriptions[1] if language == "sv" else descriptions[0]
    texts = texts_sv if language == "sv" else texts_fi
    lead_user = demo_user(lead)
    with transaction.atomic():
        application = drafting.start_application(lead_user, call, lead, language)
        data = {name: template.format(idea_l=idea.lower(), idea=idea, description=description) for name, template in texts.items()}
        if excluded:
            data["summary"] = f"{data['summary']} {description}"
        # Costs are eligible from the decision on, so projects start after the call has closed.
        start = max(date(clock.now().year, clock.now().month, 1) + timedelta(days=92), first_of_next_month(clock.helsinki(call.closes_at).date()))
        data.update(
            project_name=f"{idea} – {lead.name_sv if language == 'sv' else lead.name_fi} (demo)",
            target_areas=[area] + ([rng.choice(areas)] if rng.random() < 0.4 else []),
            start_date=start.replace(day=1),
            end_date=call.project_end_latest,
            contact_name=lead_user.full_name,
            contact_email=lead_user.email,
            contact_phone="040 123 4567",
            signatory_name=f"{lead_user.full_name} (demo)",
            signatory_title=SIGNATORY_TITLES[language],
            declaration_not_excluded=True,
        )
        application, _ = drafting.save_draft(lead_user, application, data, application.version)
        for org in partners:
            drafting.add_partner(lead_user, application, org)
        application.refresh_from_db()
        categories = {c.code: c.pk for c in call.cost_categories.all()}
        lines = []
        for participant in application.participants.all():
            share = Decimal(rng.randrange(40, 600)) * budget_step
            words = LINE_DESCRIPTIONS[language]
            lines.append({"id": None, "participant_id": participant.pk, "category_id": categories["staff"], "description": words["staff"], "amount": share})
            if rng.random() < 0.7:
                lines.append(
                    {"id": None, "participant_id": participant.pk, "category_id": categories["services"], "description": words["services"], "amount": share / 2}
                )
        eligible = sum(line["amount"] for line in lines)
        share = call.max_grant_share if rng.random() < 0.8 else call.max_grant_share - Decimal("0.10")
        requested = (eligible * share).quantize(CENT, rounding=ROUND_DOWN)
        application, _ = drafting.save_budget(lead_user, application, lines, requested, application.version)
        for participant in application.participants.filter(role="partner").select_related("organisation"):
            partner_user = demo_user(participant.organisation)
            submission.confirm_participation(
                partner_user, application, participant.organisation, f"{partner_user.full_name or partner_user.email} (demo)", SIGNATORY_TITLES[language]
            )
    if submit:
        result = submission.submit_application(lead_user, application.pk)
        if result.submission is None:
            raise CommandError(f"{application.reference} could not be submitted: {[str(p.message) for p in result.problems] or result.message}")
    return application
