"""The demo carries the 2019 call's funded projects on through the real services (kuntadigi/demo)."""

from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from kuntadigi import clock
from kuntadigi.audit.models import AuditEvent
from kuntadigi.calls.models import Call
from kuntadigi.projects import rules
from kuntadigi.projects.lifecycle import State
from kuntadigi.projects.models import FundedProject
from kuntadigi.projects.services import agreement_in_force, partner_confirmations, refused_amount
from tests import factories

CALL_2019 = Path(settings.BASE_DIR) / "data" / "calls" / "digi-2019-2.json"


@pytest.fixture
def decided_2019(db):
    for n in range(8):
        factories.municipality(f"Kunta {n}", code=f"{100 + n:03d}")
    call_command("load_calls", str(CALL_2019), stdout=StringIO())
    call = Call.objects.get(slug="digi-2019-2")
    call_command("generate_applications", "--call", call.slug, "--count", "5", "--seed", "11", "--through", "decided", stdout=StringIO())
    call_command("create_funded_projects", stdout=StringIO())
    return call


def carry(call, *args) -> str:
    out = StringIO()
    call_command("carry_projects", "--call", call.slug, *args, stdout=out)
    return out.getvalue()


def test_accepted_every_grant_is_answered_one_refused_and_the_rest_run_with_account_and_agreement(decided_2019):
    projects = list(FundedProject.objects.filter(application__call=decided_2019).order_by("maximum_grant", "pk"))
    assert len(projects) >= 2, "the fixture must grant at least two projects"

    output = carry(decided_2019, "--through", "accepted")

    for project in projects:
        project.refresh_from_db()
    smallest, *others = projects
    assert smallest.state == State.REFUSED and "(demo)" in smallest.refusal_reason
    assert refused_amount(decided_2019) == smallest.maximum_grant
    for project in others:
        assert project.state == State.RUNNING
        assert project.accepted_at.date() >= project.decision.decision_date
        assert clock.helsinki(project.accepted_at).date() <= project.acceptance_due
        assert rules.validate_account(project.iban, project.bic).iban == project.iban
        agreement = agreement_in_force(project)
        assert agreement is not None and agreement.content_type == "application/pdf"
        assert all(c.confirmation is not None for c in partner_confirmations(project, agreement))
    assert "1 refused" in output
    assert AuditEvent.objects.filter(action="project.accepted").count() == len(others)
    assert AuditEvent.objects.filter(action="project.agreement_confirmed").exists()
    assert not clock.is_set()


def test_the_same_seed_gives_the_same_accounts_and_if_new_leaves_a_carried_call_alone(decided_2019):
    carry(decided_2019, "--through", "accepted", "--seed", "5")
    accounts = sorted(FundedProject.objects.exclude(iban="").values_list("iban", flat=True))

    output = carry(decided_2019, "--if-new")

    assert "nothing carried" in output
    assert sorted(FundedProject.objects.exclude(iban="").values_list("iban", flat=True)) == accounts
    assert Decimal(sum(p.maximum_grant for p in FundedProject.objects.all())) > 0


def test_a_call_without_projects_is_refused_with_what_to_do(db):
    call_command("load_calls", str(CALL_2019), stdout=StringIO())
    with pytest.raises(CommandError, match="has no funded projects"):
        carry(Call.objects.get(slug="digi-2019-2"))
