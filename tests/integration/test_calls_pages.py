"""The public call pages: the list and one call, in Finnish, Swedish and English, without signing in."""

from datetime import datetime
from html import unescape
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from kuntadigi import clock
from kuntadigi.calls.models import Call
from tests import factories

pytestmark = pytest.mark.django_db

TITLES_2020 = {
    "fi": "Valtionavustus kuntien digitalisaation edistämiseen 2020",
    "sv": "Statsunderstöd för främjande av digitalisering i kommunerna 2020",
    "en": "State grant for promoting digitalisation in municipalities 2020",
}


@pytest.fixture
def calls(db):
    call_command("load_calls", stdout=StringIO())
    return Call.objects.get(slug="digi-2020"), Call.objects.get(slug="digi-2021")


def url(name: str, lang: str, *args) -> str:
    with translation.override(lang):
        return reverse(name, args=args)


def page(client, name: str, lang: str = "en", *args) -> str:
    response = client.get(url(name, lang, *args))
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, heading_id: str) -> str:
    return html.split(f'id="{heading_id}"', 1)[1].split("</section>", 1)[0]


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_list_shows_the_title_in_the_page_language_and_the_helsinki_deadline(client, calls, during_call, lang):
    html = page(client, "calls:list", lang)

    assert TITLES_2020[lang] in html
    for other, title in TITLES_2020.items():
        if other != lang:
            assert title not in html
    assert f'lang="{lang}"' in html
    # 5.10.2020 16.15 in Helsinki (13.15 UTC), not the UTC wall time.
    expected = {"fi": "5.10.2020 klo 16.15", "sv": "5.10.2020 kl. 16.15", "en": "5 October 2020 at 16:15"}[lang]
    assert expected in html
    assert "13.15" not in html and "13:15" not in html


def test_list_groups_calls_and_shows_time_left_while_open(client, calls, during_call):
    html = page(client, "calls:list")

    assert TITLES_2020["en"] in section(html, "open-calls")
    assert "State grant for promoting digitalisation in municipalities 2021" in section(html, "upcoming-calls")
    assert "4 hours 15 minutes" in section(html, "open-calls")
    assert "tag-open" in section(html, "open-calls")
    assert "tag-upcoming" in section(html, "upcoming-calls")


def test_after_the_deadline_both_calls_are_listed_as_closed(client, calls):
    clock.set_now(datetime.fromisoformat("2021-06-01T12:00:00+03:00"))

    html = page(client, "calls:list")

    closed = section(html, "closed-calls")
    assert TITLES_2020["en"] in closed and "in municipalities 2021" in closed
    assert "No call is open at the moment." in section(html, "open-calls")
    assert "Time left" not in html


def test_unpublished_calls_are_not_listed(client, calls, during_call):
    Call.objects.filter(slug="digi-2021").update(is_published=False)

    html = page(client, "calls:list")

    assert "municipalities 2021" not in html


def test_detail_shows_the_rules_of_the_call(client, calls, during_call):
    html = page(client, "calls:detail", "en", "digi-2020")

    for area in calls[0].target_areas.all():
        assert area.name_en in html
    assert "Remote work and multi-location work" in html
    assert "85 % of the eligible costs" in html
    assert "at most 85 %" in html
    assert "not an eligible cost" in html  # VAT
    assert "Development of archiving" in html
    assert "Staff costs" in html
    assert "Improvement the project brings" in html
    assert "<caption>" in html and '<th scope="col"' in html
    assert "from 1 (lowest) to 5 (highest)" in html
    assert "The deadline is 5 October 2020 at 16:15 Finnish time." in html
    assert "31 October 2022" in html
    assert "10,000,000.00\u00a0€" in html
    assert "688/2001" in html and "893/2019" in html
    assert html.count("<details>") == calls[0].faq.count()
    assert "anne-marie.valikangas@vm.fi" in html
    assert "At least 2 municipalities" in html
    assert "Joint municipal authorities may also take part." in html


@pytest.mark.parametrize(
    ("lang", "sentences"),
    [
        (
            "en",
            [
                "Only municipalities count towards the minimum of 2 municipalities, the lead applicant included. A joint municipal authority may take "
                "part, but it does not count towards the minimum: the register does not know its member municipalities.",
                "Åland's municipalities may not apply in this call.",
                "Costs that are not eligible",
                "Equipment purchases as such and the acquisition of fixed assets",
                "Reasonable travel costs of carrying out the project",
                "Other costs: Other costs necessary for the project, such as training, communication and event costs. "
                "Equipment purchases are not funded directly.",
                "costs become eligible only when the grant decision accepts them",
            ],
        ),
        (
            "fi",
            [
                "Vähimmäismäärään (2 kuntaa) lasketaan vain kunnat, hankehallinnoija mukaan luettuna.",
                "Ahvenanmaan kunnat eivät voi hakea avustusta tässä haussa.",
                "Laitehankinnat sellaisenaan ja käyttöomaisuuden hankinta",
                "Laitehankintoja ei rahoiteta suoraan.",
            ],
        ),
        (
            "sv",
            [
                "Endast kommuner räknas in i minimiantalet på 2 kommuner, projektadministratören medräknad.",
                "Ålands kommuner kan inte söka understöd i denna utlysning.",
                "Anskaffning av utrustning som sådan och anskaffning av anläggningstillgångar",
                "Anskaffning av utrustning finansieras inte direkt.",
            ],
        ),
    ],
)
def test_detail_says_who_counts_whether_aland_may_apply_and_which_costs_are_eligible(client, calls, during_call, lang, sentences):
    html = " ".join(unescape(page(client, "calls:detail", lang, "digi-2020")).replace("<strong>", "").replace("</strong>", "").split())
    for sentence in sentences:
        assert sentence in html, sentence
    assert html.count('<ul class="cost-types">') == 2


def test_a_call_that_allows_aland_says_so(client, calls, during_call):
    Call.objects.filter(slug="digi-2020").update(aland_may_apply=True)
    html = unescape(page(client, "calls:detail", "en", "digi-2020"))
    assert "Åland's municipalities may apply in this call." in html


def test_detail_is_in_the_page_language(client, calls, during_call):
    html = page(client, "calls:detail", "sv", "digi-2020")

    assert TITLES_2020["sv"] in html
    assert "Distansarbete och arbete på flera olika ställen" in html
    assert "Personalkostnader" in html
    assert "Remote work and multi-location work" not in html


def test_an_open_call_offers_to_start_an_application(client, calls, during_call):
    html = page(client, "calls:detail", "en", "digi-2020")

    assert f'href="{url("applications:start", "en", "digi-2020")}"' in html
    assert "Start an application" in html
    assert "The call has closed." not in html
    assert "Time left: 4 hours 15 minutes." in html


def test_one_second_before_the_deadline_the_call_is_still_open(client, calls):
    clock.set_now(datetime.fromisoformat("2020-10-05T16:14:59+03:00"))

    html = page(client, "calls:detail", "fi", "digi-2020")

    assert f'href="{url("applications:start", "fi", "digi-2020")}"' in html


def test_a_closed_call_says_so_and_offers_no_start(client, calls):
    clock.set_now(factories.CLOSES_2020)  # 16.15.00 on the closing day: already closed

    html = page(client, "calls:detail", "en", "digi-2020")

    assert "The call has closed." in html
    assert url("applications:start", "en", "digi-2020") not in html


def test_an_upcoming_call_tells_when_it_opens(client, calls, during_call):
    html = page(client, "calls:detail", "en", "digi-2021")

    assert "The call opens on 18 February 2021 at 10:00 Finnish time." in html
    assert url("applications:start", "en", "digi-2021") not in html
    # The 2021 call's own rules: two target areas, its own exclusions.
    assert "digital security" in html
    assert "Projects that only digitise material" in html
    assert "Development of archiving" not in html


def test_an_unpublished_call_is_404_for_the_public(client, calls):
    Call.objects.filter(slug="digi-2021").update(is_published=False)

    assert client.get(url("calls:detail", "fi", "digi-2021")).status_code == 404
    assert client.get(url("calls:detail", "fi", "no-such-call")).status_code == 404


def test_an_unpublished_call_is_404_for_an_applicant_but_its_officials_can_preview_it(client, calls):
    Call.objects.filter(slug="digi-2021").update(is_published=False)
    client.force_login(factories.user())
    assert client.get(url("calls:detail", "en", "digi-2021")).status_code == 404
    client.force_login(factories.user(official=True))  # an official without a role in it
    assert client.get(url("calls:detail", "en", "digi-2021")).status_code == 404

    client.force_login(factories.official_in(Call.objects.get(slug="digi-2021")))
    html = page(client, "calls:detail", "en", "digi-2021")
    assert "This call is not published." in html
    client.force_login(factories.user(is_staff=True))  # a system administrator, who sets calls up
    assert "This call is not published." in page(client, "calls:detail", "en", "digi-2021")


def test_list_query_count_does_not_grow_with_the_number_of_calls(client, during_call, django_assert_max_num_queries):
    factories.call("call-a")
    factories.call("call-b", opens_at=factories.CLOSES_2020, closes_at=factories.CLOSES_2020.replace(year=2021))
    with CaptureQueriesContext(connection) as two_calls:
        page(client, "calls:list")
    assert len(two_calls) <= 2

    for i in range(4):
        factories.call(f"call-{i}")
    with django_assert_max_num_queries(len(two_calls)):
        html = page(client, "calls:list")

    assert html.count('class="card call-card') == 6
