"""After the decision: a signed grant becomes a funded project; the lead's administrator accepts it (or
refuses it with a reason) within the call's period; the lead gives the account and uploads the agreement
with the partners, and each partner confirms it. Others' projects are 404; the call's officials read only."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from kuntadigi import clock
from kuntadigi.audit.models import AuditEvent
from kuntadigi.notifications.models import Message
from kuntadigi.projects import services
from kuntadigi.projects.models import AgreementConfirmation, FundedProject, PartnerAgreement
from tests import factories
from tests.integration import decisions_support
from tests.integration import projects_support as support
from tests.integration.drafting_support import MINIMAL_PDF


@pytest.fixture
def world(db):
    with translation.override("en"):  # English interface texts (the pages use /en/ addresses)
        yield decisions_support.build_world()


@pytest.fixture
def project(world) -> FundedProject:
    return support.sign_grant(world)


def url(name, project, *args, lang="en"):
    with translation.override(lang):
        return reverse(f"projects:{name}", args=[project.pk, *args])


def said(response) -> list[str]:
    """The message this response added (earlier ones wait in the session until a page shows them)."""
    return [str(m) for m in get_messages(response.wsgi_request)][-1:]


def fresh(project) -> FundedProject:
    return FundedProject.objects.get(pk=project.pk)


def actions(project) -> list[str]:
    return list(AuditEvent.objects.filter(object_type="projects.fundedproject", object_id=str(project.pk)).order_by("id").values_list("action", flat=True))


def upload(client, project, name="Yhteistyösopimus.pdf", content=MINIMAL_PDF):
    return client.post(url("agreement", project), {"file": SimpleUploadedFile(name, content, content_type="application/pdf")})


# ── Made from the signed grant ───────────────────────────────────────────────


def test_signing_a_grant_makes_its_project_with_the_terms_in_force(world, project):
    decision = project.decision
    assert project.application == world.apps["sv"] and project.state == "granted"
    assert (project.maximum_grant, project.share) == (decision.amount, decision.max_share) == (Decimal("12750.00"), Decimal("0.8500"))
    assert (project.costs_from, project.costs_until) == (decision.costs_from, decision.costs_until)
    assert project.acceptance_due.isoformat() == "2021-01-10"  # 30 days (the call's default) after 11.12.2020
    created = AuditEvent.objects.get(action="project.created", object_id=str(project.pk))
    assert (created.actor, created.application_id, created.after["acceptance_due"]) == (world.decision_maker, world.apps["sv"].pk, "2021-01-10")


def test_a_no_grant_decision_makes_no_project(world):
    app = world.apps["ineligible"]
    support.sign(world, "ineligible")
    assert world.application("ineligible").state == "not_granted"
    assert not FundedProject.objects.filter(application=app).exists()


def test_the_call_sets_the_acceptance_period(world):
    world.call.acceptance_days = 14
    world.call.save(update_fields=["acceptance_days"])
    assert support.sign_grant(world).acceptance_due.isoformat() == "2020-12-25"


def test_the_command_makes_the_missing_projects_once(world, project, capsys):
    """Grants signed before projects existed (or written by the bulk generator) get theirs from the command."""
    project.reports.all().delete()  # made with the project (kuntadigi/reports); the command makes them again
    FundedProject.objects.filter(pk=project.pk).delete()

    call_command("create_funded_projects")
    call_command("create_funded_projects")

    assert capsys.readouterr().out.splitlines() == ["Funded projects made: 1", "Reports made: 0", "Funded projects made: 0", "Reports made: 0"]
    remade = FundedProject.objects.get(application=world.apps["sv"])
    assert remade.acceptance_due.isoformat() == "2021-01-10"
    assert AuditEvent.objects.filter(action="project.created", object_id=str(remade.pk), actor=None).count() == 1


def test_the_applicants_overview_links_to_the_project(client, world, project):
    client.force_login(world.partner_user)
    page = client.get(reverse("applications:detail", args=[world.apps["sv"].pk])).content.decode()
    assert url("detail", project) in page and "Open the funded project" in page


def test_my_applications_links_to_the_project(client, world, project, django_assert_max_num_queries):
    client.force_login(world.partner_user)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("applications:mine")).content.decode()
    assert f'<a href="{url("detail", project)}">Funded project</a>' in page


# ── Accepting ────────────────────────────────────────────────────────────────


def test_the_leads_administrator_accepts_the_grant(client, world, project):
    client.force_login(world.lead_user)
    page = client.get(url("detail", project)).content.decode()
    assert "Accept the grant or refuse it by 10 January 2021." in page
    assert "12,750.00" in page and "85 %" in page and "1 January 2021–31 October 2022" in page

    response = client.post(url("accept", project))

    assert response.status_code == 302 and said(response) == ["You accepted the grant and its terms."]
    accepted = fresh(project)
    assert (accepted.state, accepted.accepted_by, accepted.accepted_at) == ("accepted", world.lead_user, decisions_support.DECISION_DAY)
    assert actions(project) == ["project.created", "project.accepted"]
    page = client.get(url("detail", project)).content.decode()
    assert "Accepted on 11 December 2020 at 10:00" in page and "Accept the grant</button>" not in page


def test_a_member_who_is_no_administrator_is_refused_with_the_reason(client, world, project):
    client.force_login(support.colleague())
    page = client.get(url("detail", project)).content.decode()
    assert "An administrator of your organisation accepts the grant or refuses it by 10 January 2021." in page
    assert "Accept the grant</button>" not in page

    response = client.post(url("accept", project))

    assert said(response) == ["Only an administrator of the lead organisation can accept or refuse the grant."]
    assert fresh(project).state == "granted" and actions(project) == ["project.created"]


@pytest.mark.parametrize("who", ["partner_user"])
def test_a_partner_cannot_accept(client, world, project, who):
    client.force_login(getattr(world, who))
    response = client.post(url("accept", project))
    assert said(response) == ["Only an administrator of the lead organisation can accept or refuse the grant."]
    assert fresh(project).state == "granted"


def test_on_the_last_day_the_grant_is_accepted_and_after_it_refused_with_the_reason(client, world, project):
    client.force_login(world.lead_user)
    clock.set_now(datetime(2021, 1, 11, 0, 0, tzinfo=factories.HKI))
    response = client.post(url("accept", project))
    assert said(response) == ["The period for accepting the grant ended on 10 January 2021. Contact the ministry."]
    assert fresh(project).state == "granted"
    refused = client.post(url("refuse", project), {"reason": "Late"})
    assert fresh(project).state == "granted" and refused.status_code == 302

    clock.set_now(datetime(2021, 1, 10, 23, 59, tzinfo=factories.HKI))
    client.post(url("accept", project))
    assert fresh(project).state == "accepted"


def test_a_grant_is_answered_once(client, world, project):
    client.force_login(world.lead_user)
    client.post(url("accept", project))
    response = client.post(url("refuse", project), {"reason": "Changed our minds"})
    assert said(response) == ["The grant has already been accepted."]
    assert fresh(project).state == "accepted"


# ── Refusing ─────────────────────────────────────────────────────────────────


def test_refusing_needs_a_reason_and_frees_the_amount(client, world, project):
    client.force_login(world.lead_user)
    response = client.post(url("refuse", project), {"reason": "  "})
    assert response.status_code == 400 and "Enter the reason for refusing the grant." in response.content.decode()
    assert fresh(project).state == "granted"

    response = client.post(url("refuse", project), {"reason": "The council did not approve the municipality's own share."})

    assert response.status_code == 302
    refused = fresh(project)
    assert (refused.state, refused.refused_by, refused.refusal_reason) == (
        "refused",
        world.lead_user,
        "The council did not approve the municipality's own share.",
    )
    assert services.refused_amount(world.call) == Decimal("12750.00")
    event = AuditEvent.objects.get(action="project.refused", object_id=str(project.pk))
    assert event.after == {"state": "refused", "reason": "The council did not approve the municipality's own share.", "freed": "12750.00"}
    page = client.get(url("detail", project)).content.decode()
    assert "The council did not approve" in page and "Give the account" not in page

    client.force_login(world.preparer)
    ranking = client.get(reverse("decisions:ranking", args=[world.call.slug])).content.decode()
    assert "Freed by refused grants" in ranking and "12,750.00" in ranking.split("Freed by refused grants")[1][:80]


def test_nothing_is_freed_while_the_grant_stands(world, project):
    assert services.refused_amount(world.call) == Decimal("0.00")


# ── The account ──────────────────────────────────────────────────────────────


def test_a_wrong_iban_checksum_is_shown_on_the_field_and_nothing_is_saved(client, world, project):
    client.force_login(world.lead_user)

    response = client.post(url("account", project), {"iban": support.IBAN_WRONG_CHECKSUM, "bic": support.BIC})

    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_iban_error"' in page and "The IBAN&#x27;s check digits do not match: check the number." in page
    assert fresh(project).iban == "" and actions(project) == ["project.created"]


def test_a_wrong_bic_is_shown_on_its_field(client, world, project):
    client.force_login(world.lead_user)
    response = client.post(url("account", project), {"iban": support.IBAN, "bic": "NDEA"})
    assert response.status_code == 400 and 'id="id_bic_error"' in response.content.decode()
    assert fresh(project).iban == ""


def test_the_error_is_in_the_readers_language(client, world, project):
    client.force_login(world.lead_user)
    response = client.post(url("account", project, lang="fi"), {"iban": support.IBAN_WRONG_CHECKSUM, "bic": support.BIC})
    assert "IBAN-tilinumeron tarkisteet eivät täsmää" in response.content.decode()
    response = client.post(url("account", project, lang="sv"), {"iban": support.IBAN_WRONG_CHECKSUM, "bic": support.BIC})
    assert "IBAN-kontonumrets kontrollsiffror stämmer inte" in response.content.decode()


def test_the_leads_administrator_gives_the_account_and_partners_see_it_masked(client, world, project, mailoutbox):
    client.force_login(support.colleague())  # a member of the lead who is not its administrator
    response = client.post(url("account", project), {"iban": "fi2112345600000785", "bic": "ndeafihh"})
    assert said(response) == ["Only an administrator of the lead organisation can give or change the account."]
    assert fresh(project).iban == ""

    client.force_login(world.lead_user)
    response = client.post(url("account", project), {"iban": "fi2112345600000785", "bic": "ndeafihh"})
    assert response.status_code == 302
    given = fresh(project)
    assert (given.iban, given.bic, given.account_given_by) == ("FI2112345600000785", "NDEAFIHH", world.lead_user)
    assert actions(project) == ["project.created", "project.account_given"]
    assert "FI21 1234 5600 0007 85" in client.get(url("detail", project)).content.decode()
    client.force_login(world.partner_user)
    page = client.get(url("detail", project)).content.decode()
    assert "FI21 1234" not in page and "0785" in page
    assert client.get(url("account", project)).status_code == 302  # a partner gives no account


def test_a_changed_account_is_told_to_the_leads_administrators_and_the_preparers_masked(client, world, project, mailoutbox, django_capture_on_commit_callbacks):
    client.force_login(world.lead_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("account", project), {"iban": "fi2112345600000785", "bic": "ndeafihh"})
    told = {message.to[0]: message for message in mailoutbox}
    assert set(told) == {world.lead_user.email, world.preparer.email}
    for message in told.values():
        assert "0785" in message.body and "FI2112345600000785" not in message.body and "1234 5600" not in message.body
    assert Message.objects.filter(kind="account_changed").count() == 2
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("account", project), {"iban": "fi2112345600000785", "bic": "ndeafihh"})  # the same account: no change, no e-mail
    assert mailoutbox == []


def test_a_refusal_is_told_to_the_calls_preparers(client, world, project, mailoutbox, django_capture_on_commit_callbacks):
    client.force_login(world.lead_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("refuse", project), {"reason": "Hanke toteutetaan omin varoin."})
    assert [message.to for message in mailoutbox] == [[world.preparer.email]]
    assert project.application.reference in mailoutbox[0].subject
    assert Message.objects.filter(kind="grant_refused", user=world.preparer).exists()


def test_accepted_with_an_account_once_the_period_began_the_project_runs(client, world, project):
    clock.set_now(datetime(2021, 1, 5, 12, 0, tzinfo=factories.HKI))  # the eligible-cost period began on 1.1.2021
    client.force_login(world.lead_user)
    client.post(url("accept", project))
    assert fresh(project).state == "accepted"
    client.post(url("account", project), {"iban": support.IBAN, "bic": support.BIC})
    assert fresh(project).state == "running"
    assert actions(project) == ["project.created", "project.accepted", "project.account_given", "project.started"]


def test_a_project_accepted_before_its_period_starts_on_its_first_day(client, world, project, capsys):
    client.force_login(world.lead_user)
    client.post(url("accept", project))
    client.post(url("account", project), {"iban": support.IBAN, "bic": support.BIC})
    call_command("start_funded_projects")
    assert fresh(project).state == "accepted"  # 11.12.2020: the period begins on 1.1.2021

    clock.set_now(datetime(2021, 1, 1, 0, 5, tzinfo=factories.HKI))
    call_command("start_funded_projects")
    call_command("start_funded_projects")

    assert capsys.readouterr().out.splitlines() == [
        "Funded projects started: 0",
        "Reports made: 0",
        "Funded projects started: 1",
        "Reports made: 0",
        "Funded projects started: 0",
        "Reports made: 0",
    ]
    assert fresh(project).state == "running"
    assert AuditEvent.objects.get(action="project.started", object_id=str(project.pk)).actor is None


# ── The agreement with the partners ──────────────────────────────────────────


def test_the_lead_uploads_the_agreement_and_the_partner_confirms_it(client, world, project):
    client.force_login(support.colleague())
    response = upload(client, project)
    assert response.status_code == 302, response.content.decode()[:2000]
    agreement = PartnerAgreement.objects.get(project=project)
    assert (agreement.original_name, agreement.content_type, agreement.uploaded_by) == ("Yhteistyösopimus.pdf", "application/pdf", support.colleague())

    response = client.post(url("confirm", project), {"organisation": world.apps["sv"].participants.get(role="partner").organisation_id})
    assert said(response) == ["Only the partner organisation's staff can confirm its agreement."]

    client.force_login(world.partner_user)
    page = client.get(url("detail", project)).content.decode()
    assert "Confirm the agreement for Loviisa." in page
    download = client.get(url("agreement_download", project, agreement.pk))
    assert download.status_code == 200 and b"".join(download.streaming_content) == MINIMAL_PDF
    loviisa = world.apps["sv"].participants.get(role="partner").organisation_id
    response = client.post(url("confirm", project), {"organisation": loviisa})
    assert said(response) == ["Your organisation confirmed the agreement."]
    confirmation = AgreementConfirmation.objects.get(agreement=agreement)
    assert (confirmation.organisation_id, confirmation.confirmed_by) == (loviisa, world.partner_user)
    assert actions(project) == ["project.created", "project.agreement_uploaded", "project.agreement_confirmed"]
    response = client.post(url("confirm", project), {"organisation": loviisa})
    assert said(response) == ["Your organisation has already confirmed this agreement."]


def test_the_lead_is_no_partner_and_a_partner_uploads_nothing(client, world, project):
    client.force_login(world.lead_user)
    upload(client, project)
    response = client.post(url("confirm", project), {"organisation": world.apps["sv"].lead_id})
    assert said(response) == ["Only partners confirm the agreement."]
    client.force_login(world.partner_user)
    response = upload(client, project, name="other.pdf", content=MINIMAL_PDF + b"% other\n")
    assert said(response) == ["Only the lead organisation's staff can upload the agreement with the partners."]
    assert PartnerAgreement.objects.filter(project=project).count() == 1


def test_a_new_agreement_is_confirmed_again(client, world, project):
    client.force_login(world.lead_user)
    upload(client, project)
    loviisa = world.apps["sv"].participants.get(role="partner").organisation_id
    client.force_login(world.partner_user)
    client.post(url("confirm", project), {"organisation": loviisa})
    client.force_login(world.lead_user)

    upload(client, project, name="Sopimus v2.pdf", content=MINIMAL_PDF + b"% v2\n")

    assert services.agreement_in_force(fresh(project)).original_name == "Sopimus v2.pdf"
    page = client.get(url("detail", project)).content.decode()
    assert "Not yet confirmed" in page
    assert "The partners confirm the agreement" in page


def test_an_agreement_that_is_no_document_is_refused(client, world, project):
    client.force_login(world.lead_user)
    response = upload(client, project, name="sopimus.pdf", content=b"This is plain text pretending to be a PDF.\n" * 10)
    assert response.status_code == 400
    assert "Check its content, not only its name." in response.content.decode()
    assert not PartnerAgreement.objects.exists()


def test_an_infected_agreement_is_refused(client, world, project, virus_scanner):
    if virus_scanner is None:
        pytest.skip("clamd is not installed")
    from tests.clamd import EICAR

    client.force_login(world.lead_user)
    response = upload(client, project, name="sopimus.pdf", content=MINIMAL_PDF + EICAR)
    assert response.status_code == 400 and "contains a virus" in response.content.decode()
    assert not PartnerAgreement.objects.exists()


# ── Who sees the project ─────────────────────────────────────────────────────


@pytest.mark.parametrize("who", ["outsider", "official", "assessor"])
def test_others_get_404_on_every_project_url(client, world, project, who):
    client.force_login(getattr(world, who))
    agreement = PartnerAgreement.objects.create(
        project=project, file="projects/x.pdf", original_name="x.pdf", content_type="application/pdf", size=1, sha256="0" * 64, uploaded_by=world.lead_user
    )
    for name, args in [("detail", ()), ("refuse", ()), ("account", ()), ("agreement_download", (agreement.pk,))]:
        assert client.get(url(name, project, *args)).status_code == 404, name
    for name in ("accept", "refuse", "account", "agreement", "confirm"):
        assert client.post(url(name, project), {"reason": "x", "iban": support.IBAN, "bic": support.BIC}).status_code == 404, name
    assert fresh(project).state == "granted" and fresh(project).iban == ""


@pytest.mark.parametrize("who", ["preparer", "presenter", "decision_maker"])
def test_the_calls_officials_read_the_project_only(client, world, project, who):
    client.force_login(getattr(world, who))
    page = client.get(url("detail", project)).content.decode()
    assert "Terms in force" in page and "Accept the grant</button>" not in page and "What waits for you" not in page
    response = client.post(url("accept", project))
    assert said(response) == ["Only an administrator of the lead organisation can accept or refuse the grant."]
    response = client.post(url("account", project), {"iban": support.IBAN, "bic": support.BIC})
    assert said(response) == ["Only an administrator of the lead organisation can give or change the account."]
    assert fresh(project).state == "granted" and fresh(project).iban == ""


def test_the_project_page_takes_a_constant_number_of_queries(client, world, project, django_assert_max_num_queries):
    client.force_login(world.partner_user)
    with django_assert_max_num_queries(20):
        assert client.get(url("detail", project)).status_code == 200


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_project_pages_are_valid_html(client, world, project, lang):
    """Well-formed, labelled, one h1, no inline script or style (tests/integration/test_html_validity.py)."""
    from tests.integration.test_html_validity import check_page

    client.force_login(world.lead_user)
    upload(client, project)
    client.post(url("account", project), {"iban": support.IBAN, "bic": support.BIC})
    for name in ("projects:detail", "projects:refuse", "projects:account"):
        check_page(client, name, lang, project.pk)
    client.force_login(world.partner_user)
    check_page(client, "projects:detail", lang, project.pk)
