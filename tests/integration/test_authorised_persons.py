"""The application names the person authorised to commit each organisation, not only a contact: the
lead's in the application, each partner's when it confirms its participation."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kuntadigi import clock
from kuntadigi.applications import submission
from kuntadigi.applications.errors import Refused
from kuntadigi.applications.models import Participant
from tests import factories
from tests.integration import submission_data as data

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(call_2020):
    clock.set_now(factories.DURING_2020)
    return data.application(call_2020, confirmed=False, requested=Decimal("12750.00"))


def test_a_partner_confirms_only_naming_its_authorised_person(application):
    partner = data.partner(application)
    user = factories.member(partner.organisation)

    with pytest.raises(Refused) as refused:
        submission.confirm_participation(user, application, partner.organisation, "", "")
    assert refused.value.field == "authorised_name"
    assert Participant.objects.get(pk=partner.pk).confirmed_at is None

    submission.confirm_participation(user, application, partner.organisation, " Kaisa Kunnanjohtaja ", "kunnanjohtaja")
    partner.refresh_from_db()
    assert (partner.authorised_name, partner.authorised_title) == ("Kaisa Kunnanjohtaja", "kunnanjohtaja")
    assert partner.confirmed_at is not None


def test_the_lead_cannot_submit_without_its_authorised_person(application):
    application.signatory_name = ""
    application.save(update_fields=["signatory_name"])
    data.confirm(data.partner(application), application.created_by)

    result = submission.submit_application(application.created_by, application.pk)

    assert result.submission is None
    assert "signatory_name" in [problem.field for problem in result.problems]


def test_the_submitted_version_names_every_authorised_person(application):
    partner = data.partner(application)
    submission.confirm_participation(factories.member(partner.organisation), application, partner.organisation, "Kaisa Kunnanjohtaja", "kunnanjohtaja")

    result = submission.submit_application(application.created_by, application.pk)

    assert result.submission is not None, result.problems
    content = result.submission.content
    assert content["signatory"] == {"name": "Kari Kunnanjohtaja", "title": "kunnanjohtaja"}
    assert content["partners"][0]["authorised"] == {"name": "Kaisa Kunnanjohtaja", "title": "kunnanjohtaja"}
