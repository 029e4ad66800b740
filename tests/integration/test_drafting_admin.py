"""The administration site shows applications read-only to system administrators."""

import pytest
from django.urls import reverse
from django.utils import translation

from kuntadigi.accounts.models import User
from kuntadigi.applications.lifecycle import State
from kuntadigi.applications.models import Application
from tests import factories
from tests.integration.drafting_support import Draft

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_system_administrator_sees_the_application_with_its_participants_but_cannot_change_it(client, during_call):
    draft = Draft()
    draft.add_partner(factories.municipality("Loviisa", code="434"))
    admin_user = User.objects.create_user("admin@kuntadigi.invalid", is_staff=True)
    client.force_login(admin_user)
    # A draft is the municipality's working paper: not in the admin (docs/access.md).
    listing = client.get(reverse("admin:applications_application_changelist"))
    assert listing.status_code == 200 and draft.application.reference not in listing.content.decode()
    # Once it is submitted (its state, as the submission service leaves it), the admin shows it read-only.
    Application.objects.filter(pk=draft.application.pk).update(state=State.SUBMITTED)
    listing = client.get(reverse("admin:applications_application_changelist"))
    assert listing.status_code == 200 and draft.application.reference in listing.content.decode()
    url = reverse("admin:applications_application_change", args=[draft.application.pk])
    page = client.get(url).content.decode()
    assert "Loviisa" in page and "Porvoo" in page
    assert 'name="_save"' not in page
    assert client.post(url, {"project_name": "Changed in admin"}).status_code == 403
    assert client.get(reverse("admin:applications_application_add")).status_code == 403
    assert client.get(reverse("admin:applications_application_delete", args=[draft.application.pk])).status_code == 403
    draft.refresh()
    assert draft.application.project_name == ""


def test_applicants_cannot_use_the_admin(client, during_call):
    draft = Draft()
    client.force_login(draft.user)
    response = client.get(reverse("admin:applications_application_changelist"))
    assert response.status_code == 302
