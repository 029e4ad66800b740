"""The screening pages are well-formed and keep to the service's rules (the checker of
test_html_validity: ids, labels, one h1, heading order, no inline script or style), in every language."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from kuntadigi import clock
from kuntadigi.applications import drafting
from kuntadigi.screening import services
from tests.integration import screening_support as support
from tests.integration.test_html_validity import PageChecker

pytestmark = pytest.mark.django_db
LANGUAGES = ["fi", "sv", "en"]


def check(client, url: str, lang: str, status: int = 200) -> None:
    response = client.get(url)
    assert response.status_code == status, f"{url}: {response.status_code}"
    checker = PageChecker()
    checker.feed(response.content.decode())
    checker.close()
    problems = checker.report(lang)
    assert not problems, f"{url}:\n  " + "\n  ".join(problems)


@pytest.fixture
def world():
    world = support.World()
    support.submitted(world.call, summary="Sote-palvelujen ajanvaraus.", project_name="Ajanvaraus")
    return world


def _with_two_versions(world):
    services.request_supplement(
        world.preparer, world.app.pk, ["project", "budget"], "Tarkentakaa.\nKiitos.", clock.now() + timedelta(days=7), "Kustannusarvio puuttui."
    )
    app = world.refresh()
    drafting.save_draft(world.lead, app, {"objectives": "Uudet tavoitteet."}, app.version)
    services.submit_supplement(world.lead, app.pk)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_screening_list_and_application_page(client, world, lang):
    _with_two_versions(world)
    services.mark_application(world.preparer, world.app.pk, "eligible", "Kunnossa.")
    client.force_login(world.preparer)
    with translation.override(lang):
        check(client, reverse("screening:list", args=[world.call.slug]), lang)
        check(client, reverse("screening:list", args=[world.call.slug]) + "?flag=any", lang)
        check(client, reverse("screening:application", args=[world.app.pk]), lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_application_page_with_the_forms_and_their_errors(client, world, lang):
    client.force_login(world.preparer)
    with translation.override(lang):
        url = reverse("screening:application", args=[world.app.pk])
        check(client, url, lang)
        response = client.post(reverse("screening:request_supplement", args=[world.app.pk]), {"parts": [], "message": "", "due_at": "x"})
        checker = PageChecker()
        checker.feed(response.content.decode())
        checker.close()
        assert not checker.report(lang)
        response = client.post(reverse("screening:mark", args=[world.app.pk]), {"outcome": "", "reason": ""})
        checker = PageChecker()
        checker.feed(response.content.decode())
        checker.close()
        assert not checker.report(lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_roles_page(client, world, lang):
    client.force_login(world.admin)
    with translation.override(lang):
        check(client, reverse("screening:call_roles", args=[world.call.slug]), lang)
        response = client.post(reverse("screening:call_roles", args=[world.call.slug]), {"email": "x", "role": ""})
        checker = PageChecker()
        checker.feed(response.content.decode())
        checker.close()
        assert not checker.report(lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_leads_pages_during_a_supplement(client, world, lang):
    services.request_supplement(world.preparer, world.app.pk, ["schedule", "budget"], "Korjatkaa.", clock.now() + timedelta(days=7), "Kustannusarvio puuttui.")
    client.force_login(world.lead)
    with translation.override(lang):
        for name in ("edit", "partners", "budget", "attachments", "detail", "submit"):
            check(client, reverse(f"applications:{name}", args=[world.app.pk]), lang)
