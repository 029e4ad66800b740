"""The pages a Finnish public e-service must have, in Finnish, Swedish and English: the privacy notice,
the cookie notice, the accessibility statement (Act 306/2019) and help; the contacts and the links to
these pages in the footer of every page; and the demo banner that says how the clock runs."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.messages.storage.cookie import CookieStorage
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

from kuntadigi import clock
from kuntadigi.accounts import throttle
from kuntadigi.calls.models import Contact
from tests import factories

LANGUAGES = ["fi", "sv", "en"]
SERVICE_PAGES = ["core:help", "core:privacy", "core:cookies", "core:accessibility"]
FOOTER_LINKS = ["core:help", "core:privacy", "core:cookies", "core:accessibility", "publication:open_data"]


def get(client, name: str, lang: str, *args):
    with translation.override(lang):
        url = reverse(name, args=args)
    response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return response.content.decode()


def main_of(page: str) -> str:
    return page[page.index("<main") : page.index("</main>")]


def footer_of(page: str) -> str:
    return page[page.index("<footer") : page.index("</footer>")]


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# ── Privacy notice ────────────────────────────────────────────────────────────


PRIVACY_WORDS = {
    "fi": ["Tietosuojaseloste", "Rekisterinpitäjä", "Valtiovarainministeriö", "Tietosuojavaltuutetun toimisto", "EU- ja ETA-alueen ulkopuolelle"],
    "sv": ["Dataskyddsbeskrivning", "Personuppgiftsansvarig", "Finansministeriet", "Dataombudsmannens byrå", "utanför EU och EES"],
    "en": ["Privacy notice", "Controller", "Ministry of Finance", "Office of the Data Protection Ombudsman", "outside the European Union"],
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_privacy_notice_names_the_controller_the_basis_the_retention_and_the_authority(client, db, settings, lang):
    settings.KUNTADIGI_CONTACT = {**settings.KUNTADIGI_CONTACT, "data_protection_email": "dpo@ministry.example.fi"}
    main = main_of(get(client, "core:privacy", lang))
    text = text_of(main)
    for word in PRIVACY_WORDS[lang]:
        assert word in text, f"{word!r} missing from the {lang} privacy notice"
    # the legal basis, the acts, the public results and the rights
    for reference in ["6", "688/2001", "434/2003", "621/1999", "831/1994", "906/2019", "2016/679"]:
        assert reference in text
    assert 'href="mailto:dpo@ministry.example.fi"' in main
    assert 'href="https://tietosuoja.fi/"' in main
    with translation.override(lang):
        assert f'href="{reverse("publication:open_data")}"' in main
        assert f'href="{reverse("core:cookies")}"' in main
    # the retention the code applies: a sign-in link for 15 minutes, its record deleted 24 hours after
    assert re.search(r"\b15\b", text) and re.search(r"\b24\b", text)


PLACEHOLDERS = re.compile(r"TODO|TBD|FIXME|XXX|lorem|placeholder|to be confirmed|vahvistetaan|example\.|esimerkki\.|\[[^\]]*\]|\{\{|\{%", re.IGNORECASE)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_privacy_notice_gives_the_ministrys_real_business_id_and_data_protection_officer(client, db, lang):
    """With the default settings: the Ministry of Finance's business ID and its data protection officer's
    address as the ministry publishes them, and no placeholder text anywhere in the notice."""
    main = main_of(get(client, "core:privacy", lang))
    text = text_of(main)
    assert re.search(r"\b0245439-9\b", text)
    assert 'href="mailto:vmtietosuojavastaava@gov.fi"' in main
    assert "PL 28, 00023 Valtioneuvosto" in text or "PB 28, 00023 Statsrådet" in text or "PO Box 28, FI-00023 Government" in text
    assert PLACEHOLDERS.search(text) is None, PLACEHOLDERS.search(text)


def test_privacy_notice_follows_the_sign_in_links_lifetime_and_retention(client, db, monkeypatch):
    from kuntadigi.core import pages

    monkeypatch.setattr(pages, "TOKEN_LIFETIME_MINUTES", 10)
    monkeypatch.setattr(pages, "TOKEN_RETENTION", timedelta(hours=48))
    text = text_of(main_of(get(client, "core:privacy", "en")))
    assert "A sign-in link is valid for 10 minutes." in text
    assert "Its record is deleted 48 hours after the link expired." in text


# ── Cookies ───────────────────────────────────────────────────────────────────


def cookie_names_on(page: str) -> set[str]:
    return set(re.findall(r'<th scope="row" class="cookie-name">([^<]+)</th>', page))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_cookie_notice_names_the_cookies_the_settings_set(client, db, settings, lang):
    page = get(client, "core:cookies", lang)
    expected = {settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME, CookieStorage.cookie_name, throttle.DEVICE_COOKIE}
    assert cookie_names_on(page) == expected
    text = text_of(main_of(page))
    assert {"fi": "seurantaan", "sv": "spårning", "en": "tracking"}[lang] in text


def test_cookie_notice_follows_renamed_cookies(client, db, settings):
    settings.SESSION_COOKIE_NAME = "kd_session"
    settings.CSRF_COOKIE_NAME = "kd_csrf"
    settings.SESSION_COOKIE_AGE = 8 * 3600
    page = get(client, "core:cookies", "en")
    assert {"kd_session", "kd_csrf"} <= cookie_names_on(page)
    assert "sessionid" not in cookie_names_on(page)
    assert "at most 8 hours" in text_of(page)


def test_every_cookie_a_visit_sets_is_on_the_cookie_notice(client, db):
    """A visit that signs in with a password, opens the account page, signs out and chooses a language:
    every cookie the service set on the way (the test client keeps each one, removed ones included) is
    named on the cookie notice."""
    password = "correct horse battery staple 42"
    person = factories.member(factories.municipality("Porvoo", code="638"), "cookies@kunta.fi", password=password)
    client.get(reverse("accounts:sign_in"))
    client.post(reverse("accounts:sign_in"), {"pw-email": person.email, "pw-password": password}, follow=True)
    client.get(reverse("accounts:account"))
    client.post(reverse("accounts:sign_out"), follow=True)
    client.post("/i18n/setlang/", {"language": "sv", "next": "/sv/"})
    seen = set(client.cookies)
    assert {"sessionid", "csrftoken"} <= seen, seen
    named = cookie_names_on(get(client, "core:cookies", "en"))
    assert seen <= named, f"cookies the service sets but the cookie notice does not name: {sorted(seen - named)}"


# ── Accessibility statement ──────────────────────────────────────────────────


ACCESSIBILITY_WORDS = {
    "fi": ["Saavutettavuusseloste", "täyttää saavutettavuusvaatimukset osittain", "Traficom", "14 päivän"],
    "sv": ["Tillgänglighetsutlåtande", "uppfyller delvis tillgänglighetskraven", "Traficom", "14 dagar"],
    "en": ["Accessibility statement", "partially meets the accessibility requirements", "Traficom", "14 days"],
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_accessibility_statement_has_what_the_act_requires(client, db, settings, lang):
    settings.KUNTADIGI_CONTACT = {**settings.KUNTADIGI_CONTACT, "accessibility_email": "saavutettavuus@ministry.example.fi"}
    main = main_of(get(client, "core:accessibility", lang))
    text = text_of(main)
    for word in ACCESSIBILITY_WORDS[lang]:
        assert word in text, f"{word!r} missing from the {lang} accessibility statement"
    assert "WCAG 2.1" in text
    # when it was prepared and last reviewed
    from kuntadigi.core.pages import ACCESSIBILITY_LAST_REVIEWED, ACCESSIBILITY_PREPARED

    for day in (ACCESSIBILITY_PREPARED, ACCESSIBILITY_LAST_REVIEWED):
        assert (day.strftime("%-d %B %Y") if lang == "en" else f"{day.day}.{day.month}.{day.year}") in text
    # the known shortcomings: the untagged PDFs and the map
    assert "PDF" in text and "1.3.1" in text
    # feedback and the supervisory authority with its link, e-mail and phone
    assert 'href="mailto:saavutettavuus@ministry.example.fi"' in main
    assert 'href="https://www.saavutettavuusvaatimukset.fi/"' in main
    assert 'href="mailto:saavutettavuus@traficom.fi"' in main
    assert "029 534 5000" in text


# ── Help ──────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("lang", LANGUAGES)
def test_help_tells_how_to_apply_jointly_and_names_the_open_calls_contacts(client, db, during_call, lang):
    call = factories.call("digi-2020")
    Contact.objects.create(
        call=call,
        order=1,
        name="Anne-Marie Välikangas",
        role_fi="finanssineuvos",
        role_sv="finansråd",
        role_en="Finance Counsellor",
        phone="02955 30020",
        email="anne-marie.valikangas@vm.fi",
    )
    main = main_of(get(client, "core:help", lang))
    text = text_of(main)
    assert getattr(call, f"title_{lang}") in text
    assert "Anne-Marie Välikangas" in text
    assert {"fi": "finanssineuvos", "sv": "finansråd", "en": "Finance Counsellor"}[lang] in text
    assert 'href="mailto:anne-marie.valikangas@vm.fi"' in main and 'href="tel:0295530020"' in main
    # joint applying: the lead applicant, the partners' confirmation, the administrator, Helsinki time
    words = {
        "fi": ["hankehallinnoija", "osatoteuttaja", "pääkäyttäjä", "Suomen aikaa"],
        "sv": ["projektadministratör", "delgenomförare", "administratör", "finsk tid"],
        "en": ["lead applicant", "partner", "administrator", "Finnish time"],
    }[lang]
    for word in words:
        assert word in text, f"{word!r} missing from the {lang} help page"
    with translation.override(lang):
        assert f'href="{reverse("accounts:sign_in")}"' in main


def test_help_with_an_open_call_without_contacts_does_not_say_no_call_is_open(client, db, during_call):
    factories.call("digi-2020")
    text = text_of(main_of(get(client, "core:help", "en")))
    assert "No call is open" not in text
    assert "General questions about the service: the Ministry of Finance" in text


def test_help_without_an_open_call_gives_the_ministrys_contact(client, db, settings):
    settings.KUNTADIGI_CONTACT = {**settings.KUNTADIGI_CONTACT, "email": "kirjaamo@ministry.example.fi", "phone": "0295 000 000"}
    clock.set_now(factories.DURING_2020 + timedelta(days=30))  # the 2020 call has closed
    call = factories.call("digi-2020")
    Contact.objects.create(call=call, order=1, name="Closed Call Person", role="", email="closed@vm.fi")
    main = main_of(get(client, "core:help", "en"))
    assert "Closed Call Person" not in main
    assert "No call is open at the moment." in text_of(main)
    assert 'href="mailto:kirjaamo@ministry.example.fi"' in main and 'href="tel:0295000000"' in main


# ── The footer of every page ────────────────────────────────────────────────────


def pages_without_arguments() -> list[str]:
    """Every named page of the service that takes no argument in its address (under /fi/, /sv/ or /en/)."""
    names: list[str] = []

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, namespace + (f"{pattern.namespace}:" if pattern.namespace else ""))
            elif isinstance(pattern, URLPattern) and pattern.name and not pattern.pattern.regex.groups:
                names.append(f"{namespace}{pattern.name}")

    walk(get_resolver().url_patterns)
    return sorted(name for name in set(names) if not name.startswith(("admin:", "api", "core_health")))


def test_the_footer_list_covers_the_service_pages():
    names = pages_without_arguments()
    assert set(SERVICE_PAGES) <= set(names)
    assert {"core:home", "calls:list", "publication:index", "accounts:account"} <= set(names)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_page_has_the_contacts_and_the_links_in_its_footer(client, db, during_call, settings, lang):
    """Every page without arguments that answers 200 with HTML, for a visitor and for a signed-in official."""
    settings.KUNTADIGI_CONTACT = {**settings.KUNTADIGI_CONTACT, "email": "kirjaamo@ministry.example.fi"}
    factories.call("digi-2020")
    with translation.override(lang):
        links = [reverse(name) for name in FOOTER_LINKS]
    checked = []
    for who in ("visitor", "official"):
        if who == "official":
            client.force_login(factories.user("official@example.fi", official=True))
        for name in pages_without_arguments():
            with translation.override(lang):
                url = reverse(name)
            response = client.get(url)
            if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
                continue
            footer = footer_of(response.content.decode())
            for link in links:
                assert f'href="{link}"' in footer, f"{url} ({who}): the footer has no link to {link}"
            assert 'href="mailto:kirjaamo@ministry.example.fi"' in footer, f"{url} ({who}): the footer has no contact"
            checked.append(url)
    assert len(checked) >= 10, checked


def test_the_footer_gives_the_registrys_address_in_the_pages_language(client, db, settings):
    registry = {
        "fi": ("Ministeriö, kirjaamo", "PL 99, 00023 Valtioneuvosto", "Katu 1"),
        "sv": ("Ministeriet, registratorskontoret", "PB 99, 00023 Statsrådet", "Gatan 1"),
        "en": ("Ministry, Registry", "PO Box 99, FI-00023 Government", "Street 1"),
    }
    settings.KUNTADIGI_CONTACT = {**settings.KUNTADIGI_CONTACT, "registry": registry}
    for lang in LANGUAGES:
        footer = text_of(footer_of(get(client, "core:home", lang)))
        assert f"{registry[lang][0]} {registry[lang][1]}" in footer


def test_the_decisions_registry_is_the_services_contact(settings):
    """A claim for rectification goes where the footer points: the decision documents and the letters
    read the registry from the same setting."""
    from kuntadigi.decisions import documents

    settings.KUNTADIGI_CONTACT = {**settings.KUNTADIGI_CONTACT, "email": "kirjaamo@ministry.example.fi"}
    assert documents.registry_email() == "kirjaamo@ministry.example.fi"
    assert documents.registry("sv") == settings.KUNTADIGI_CONTACT["registry"]["sv"]


def test_every_page_links_the_favicon(client, db):
    page = get(client, "core:home", "fi")
    assert re.search(r'<link rel="icon" href="/static/favicon\.svg" type="image/svg\+xml">', page)
    assert '<link rel="icon" href="/static/favicon.ico" sizes="32x32">' in page
    from xml.etree import ElementTree

    from django.contrib.staticfiles import finders

    assert ElementTree.parse(finders.find("favicon.svg")).getroot().tag == "{http://www.w3.org/2000/svg}svg"  # noqa: S314 (our own file)
    with open(finders.find("favicon.ico"), "rb") as icon:
        assert icon.read(4) == b"\x00\x00\x01\x00"  # the ICO header


# ── The demo banner says how the clock runs ───────────────────────────────────────


def banner_of(page: str) -> str:
    match = re.search(r'<div class="demo-banner"[^>]*>(.*?)</div>', page, re.S)
    assert match, "no demo banner"
    return text_of(match.group(1))


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("fi", "Sen kello käynnistyi 5.10.2020 klo 12.00 (Suomen aikaa) ja käy eteenpäin"),
        ("sv", "Dess klocka startade 5.10.2020 kl. 12.00 (finsk tid) och går vidare"),
        ("en", "Its clock started at 5 October 2020 at 12:00 (Helsinki time) and runs on"),
    ],
)
def test_the_demo_banner_says_the_clock_runs_on_from_its_start(client, db, lang, expected):
    clock.set_now(factories.DURING_2020, frozen=False)
    banner = banner_of(get(client, "core:home", lang))
    assert expected in banner
    assert {"fi": "seisoo", "sv": "står still", "en": "stands still"}[lang] not in banner


def test_the_running_clock_shows_where_it_started_and_where_it_is(client, db, monkeypatch):
    clock.set_now(factories.DURING_2020, frozen=False)
    later = clock.time.monotonic() + 2 * 3600 + 5 * 60  # two hours and five minutes on
    monkeypatch.setattr(clock.time, "monotonic", lambda: later)
    banner = banner_of(get(client, "core:home", "en"))
    assert "Its clock started at 5 October 2020 at 12:00 (Helsinki time) and runs on: when this page was loaded it was 5 October 2020 at 14:05." in banner


def test_a_frozen_clock_stands_still(client, db):
    clock.set_now(factories.DURING_2020, frozen=True)
    banner = banner_of(get(client, "core:home", "en"))
    assert "Its clock stands still at 5 October 2020 at 12:00 (Helsinki time)." in banner
    assert "runs on" not in banner


def test_the_demo_banner_on_real_time_says_so(client, db, settings):
    settings.KUNTADIGI_DEMO = True
    clock.set_now(None)
    banner = banner_of(get(client, "core:home", "en"))
    assert "on real time" in banner
    assert "clock" not in banner


def test_in_production_every_cookie_of_the_notice_goes_over_https_only():
    """The cookie notice says that over HTTPS the cookies are sent only over an encrypted connection."""
    import json

    from tests.integration.test_settings import PRODUCTION_ENV, import_production

    probe = (
        "import json\nfrom django.conf import settings\n"
        "print(json.dumps([settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.LANGUAGE_COOKIE_SECURE, settings.SESSION_COOKIE_HTTPONLY]))"
    )
    result = import_production(probe, **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [True, True, True, True]  # the messages cookie follows SESSION_COOKIE_SECURE
