"""The browser-test tools themselves: each helper must be able to fail, and the SMTP server must deliver."""

import pytest
from django.core.mail import EmailMultiAlternatives, send_mail

from tests.browser.helpers import assert_no_axe_violations, assert_reads_at_320px, assert_skip_link_comes_first, extract_link

GOOD_PAGE = """<!DOCTYPE html><html lang="fi"><head><title>Testi</title></head>
<body><a class="skip-link" href="#main">Siirry sisältöön</a>
<main id="main" tabindex="-1"><h1>Otsikko</h1><p>Teksti.</p></main></body></html>"""


@pytest.mark.browser
def test_axe_passes_a_clean_page(page):
    page.set_content(GOOD_PAGE)
    assert_no_axe_violations(page)


@pytest.mark.browser
def test_axe_reports_each_violation_with_its_nodes(page):
    page.set_content(
        """<!DOCTYPE html><html><head><title>x</title></head><body><main>
        <h1>Otsikko</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" id="logo">
        <form><input type="text" id="nimi"></form></main></body></html>"""
    )
    with pytest.raises(AssertionError) as failure:
        assert_no_axe_violations(page)
    report = str(failure.value)
    assert "html-has-lang" in report
    assert "image-alt" in report
    assert "#logo" in report
    assert "label" in report
    assert "#nimi" in report


@pytest.mark.browser
def test_reflow_check_catches_a_page_wider_than_320px(page):
    page.set_content(GOOD_PAGE)
    assert_reads_at_320px(page)
    assert page.viewport_size == {"width": 1280, "height": 900}
    page.set_content(
        GOOD_PAGE.replace("<p>Teksti.</p>", '<table id="wide"><tr><td>Pitkäsanaisuuskilpailupalkintojenjakotilaisuusvalmisteluryhmä</td></tr></table>')
    )
    with pytest.raises(AssertionError, match="scrolls sideways"):
        assert_reads_at_320px(page)


@pytest.mark.browser
def test_skip_link_check(page):
    page.set_content(GOOD_PAGE)
    assert_skip_link_comes_first(page)
    page.set_content(GOOD_PAGE.replace('<a class="skip-link"', '<a href="/">Etusivu</a><a class="skip-link"'))
    with pytest.raises(AssertionError, match="first Tab stop"):
        assert_skip_link_comes_first(page)


@pytest.mark.browser
def test_page_collects_console_errors(page):
    page.set_content("<html lang='fi'><head><title>x</title></head><body><script>console.error('rikki'); undefinedFunction();</script></body></html>")
    assert any("rikki" in error for error in page.console_errors)
    assert any(error.startswith("uncaught:") for error in page.console_errors)


def test_mail_reaches_the_smtp_server(mailbox, wait_for_mail):
    send_mail(
        "Kirjautumislinkki – kuntadigi",
        "Hei!\n\nKirjaudu tästä: http://127.0.0.1:8000/fi/sign-in/abc123/.\nLinkki on voimassa 15 minuuttia.\n",
        "kuntadigi <noreply@kuntadigi.invalid>",
        ["Liisa.Virtanen@Espoo.example.fi"],
    )
    mail = wait_for_mail("liisa.virtanen@espoo.example.fi", timeout=5)
    assert mail.subject == "Kirjautumislinkki – kuntadigi"
    assert "voimassa 15 minuuttia" in mail.body
    assert mail.sender == "noreply@kuntadigi.invalid"
    assert extract_link(mail.body, "/sign-in/") == "http://127.0.0.1:8000/fi/sign-in/abc123/"
    with pytest.raises(AssertionError, match="no mail to"):
        wait_for_mail("liisa.virtanen@espoo.example.fi", timeout=0.2)


def test_wait_for_mail_reads_html_alternatives_and_each_recipient(mailbox):
    message = EmailMultiAlternatives("Päätös", "Päätös liitteenä: https://kuntadigi.example.fi/sv/beslut/7/", to=["a@example.fi", "b@example.fi"])
    message.attach_alternative("<p>Päätös</p>", "text/html")
    message.send()
    assert mailbox.wait_for_mail("b@example.fi").html.strip() == "<p>Päätös</p>"
    assert mailbox.wait_for_mail("a@example.fi").subject == "Päätös"
    assert len(mailbox.messages) == 1


def test_extract_link_fails_without_a_matching_link():
    assert extract_link("Avaa <https://x.example.fi/fi/a/1/> tai https://x.example.fi/fi/b/2/", "/b/") == "https://x.example.fi/fi/b/2/"
    with pytest.raises(AssertionError):
        extract_link("Ei linkkiä.", "/sign-in/")


@pytest.mark.browser
def test_axe_runs_on_a_page_without_javascript(nojs_page, site):
    """A page with JavaScript off never runs axe's timers; the helper checks a copy instead of hanging."""
    nojs_page.goto(site("/fi/"))
    assert_no_axe_violations(nojs_page)
    nojs_page.set_content(GOOD_PAGE.replace("<p>Teksti.</p>", '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" id="kuva">'))
    with pytest.raises(AssertionError, match="image-alt"):
        assert_no_axe_violations(nojs_page)
    assert_reads_at_320px(nojs_page)
    blank = nojs_page.context.new_page()
    blank.set_content(GOOD_PAGE.replace("<p>Teksti.</p>", '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" id="kuva">'))
    with pytest.raises(AssertionError, match="image-alt"):
        assert_no_axe_violations(blank)


def test_reference_data_fixture_loads_the_municipalities(reference_data):
    from kuntadigi.registry.models import Organisation, Region

    # The 310 of 2020, and Valtimo (merged into Nurmes on 1.1.2020) as a historical municipality.
    assert Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY, valid_until__isnull=True).count() == 309  # Honkajoki ends 31.12.2020
    assert Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY).count() == 311
    assert Region.objects.count() == 19
    assert Organisation.objects.get(municipality_code="638").name_sv == "Borgå"


@pytest.mark.browser
def test_site_sets_the_address_used_in_mail(site, settings, page):
    assert settings.SITE_URL == site.url
    assert site.reverse("calls:detail", "digi-2020", lang="sv") == f"{site.url}/sv/calls/digi-2020/"
    response = page.goto(site("/fi/"))
    assert response.status == 200
