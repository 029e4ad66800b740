"""The data generator walks every application through the real services, so the data obeys the call."""

import pytest
from django.core.management import call_command

from kuntadigi.applications.lifecycle import State
from kuntadigi.applications.models import Application
from kuntadigi.applications.snapshot import fingerprint
from tests import factories


@pytest.fixture
def municipalities(db):
    return [factories.municipality(f"Kunta {n}", code=f"{100 + n:03d}") for n in range(8)]


def test_generates_submitted_applications_that_keep_the_rules(municipalities):
    call = factories.call()
    call_command("generate_applications", "--call", call.slug, "--count", "5", "--drafts", "1", stdout=None)
    applications = list(Application.objects.filter(call=call).prefetch_related("submissions", "participants"))
    assert len(applications) == 5
    assert sorted(a.state for a in applications) == [State.DRAFT] + [State.SUBMITTED] * 4
    for application in applications:
        assert application.participants.count() >= call.min_municipalities
        assert application.requested_grant <= (sum(line.amount for line in application.budget_lines.all()) * call.max_grant_share)
        for submission in application.submissions.all():
            assert call.opens_at <= submission.submitted_at < call.closes_at
            assert submission.fingerprint == fingerprint(submission.content)
            assert all(partner["confirmed_at"] for partner in submission.content["partners"])


def test_the_same_seed_gives_the_same_applications(municipalities):
    first = factories.call("digi-a")
    second = factories.call("digi-b")
    call_command("generate_applications", "--call", "digi-a", "--count", "3", "--seed", "7", stdout=None)
    call_command("generate_applications", "--call", "digi-b", "--count", "3", "--seed", "7", stdout=None)

    def shape(call):
        return [(a.project_name, a.lead_id, a.requested_grant) for a in Application.objects.filter(call=call).order_by("reference")]

    assert shape(first) == shape(second)


def test_if_empty_leaves_a_call_with_applications_alone(municipalities):
    call = factories.call()
    call_command("generate_applications", "--call", call.slug, "--count", "2", stdout=None)
    call_command("generate_applications", "--call", call.slug, "--count", "2", "--if-empty", stdout=None)
    assert Application.objects.filter(call=call).count() == 2


def test_generated_mail_goes_nowhere_and_mail_works_afterwards(municipalities, mailoutbox, settings):
    from django.core.mail import send_mail

    backend = settings.EMAIL_BACKEND
    call = factories.call()
    call_command("generate_applications", "--call", call.slug, "--count", "1", stdout=None)
    assert mailoutbox == []
    assert settings.EMAIL_BACKEND == backend
    send_mail("s", "b", None, ["x@example.fi"])
    assert len(mailoutbox) == 1


def test_with_a_set_clock_nothing_is_submitted_in_its_future(municipalities):
    from kuntadigi import clock

    call = factories.call()
    clock.set_now(factories.DURING_2020)
    call_command("generate_applications", "--call", call.slug, "--count", "4", stdout=None)
    times = [a.submitted_at for a in Application.objects.filter(call=call)]
    assert len(times) == 4
    assert all(call.opens_at < t <= factories.DURING_2020 for t in times)
