"""Signing: only the decision-maker named on the decision, once; the decision and its document are
frozen; the applicants are notified in the application's language and download the signed PDF."""

from __future__ import annotations

import logging
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from kuntadigi.applications.errors import Refused
from kuntadigi.audit.models import AuditEvent
from kuntadigi.calls.models import CallRole
from kuntadigi.decisions import services_decisions as services
from kuntadigi.decisions import tasks
from kuntadigi.decisions.models import Decision
from tests.integration import decisions_support as support


@pytest.fixture
def world(db):
    with translation.override("en"):  # English interface texts (the pages use /en/ addresses)
        yield support.build_world()


def url(name, *args, lang="en"):
    with translation.override(lang):
        return reverse(name, args=args)


def prepare(world, key, **changes) -> Decision:
    app = world.apps[key]
    data = services.defaults_for(app, world.preparer)
    data.presenter_id, data.presenter_title = world.presenter.pk, "neuvotteleva virkamies"
    data.decision_maker_id, data.decision_maker_title = world.decision_maker.pk, "finanssineuvos"
    for name, value in changes.items():
        setattr(data, name, value)
    return services.prepare_decision(world.preparer, app.pk, data)


def sign(world, key, capture, user=None) -> Decision:
    with capture(execute=True):
        return services.sign_decision(user or world.decision_maker, world.apps[key].pk)


def test_the_named_decision_maker_signs_and_the_decision_is_frozen(client, world, django_capture_on_commit_callbacks):
    prepare(world, "sv")
    client.force_login(world.decision_maker)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("decisions:decision_sign", world.apps["sv"].pk))

    assert response.status_code == 302
    decision = Decision.objects.get(application=world.apps["sv"])
    assert decision.state == "signed"
    assert decision.signed_at == support.DECISION_DAY
    assert decision.decision_date.isoformat() == "2020-12-11"
    assert len(decision.document_sha256) == 64 and decision.document.name.endswith(".pdf")
    assert decision.notified_at == support.DECISION_DAY
    assert world.application("sv").state == "granted"
    actions = list(AuditEvent.objects.filter(application_id=world.apps["sv"].pk).values_list("action", flat=True))
    # A grant becomes a funded project in the same transaction (kuntadigi.projects), with its final report due (kuntadigi.reports).
    assert actions[-6:] == ["decision.sign", "application.sign_grant", "project.created", "report.scheduled", "decision.document_stored", "decision.notify"]
    signed = AuditEvent.objects.get(action="decision.sign", application_id=world.apps["sv"].pk)
    assert (signed.actor, signed.before["state"], signed.after["state"]) == (world.decision_maker, "draft", "signed")


def test_a_no_grant_decision_signs_the_application_not_granted(world, django_capture_on_commit_callbacks):
    prepare(world, "ineligible")

    sign(world, "ineligible", django_capture_on_commit_callbacks)

    assert world.application("ineligible").state == "not_granted"
    assert AuditEvent.objects.filter(action="application.sign_no_grant", application_id=world.apps["ineligible"].pk).exists()


@pytest.mark.parametrize("who", ["presenter", "preparer", "other_maker", "official", "lead_user"])
def test_nobody_but_the_named_decision_maker_signs(client, world, who, django_capture_on_commit_callbacks):
    prepare(world, "fi")

    with pytest.raises(Refused):
        sign(world, "fi", django_capture_on_commit_callbacks, user=getattr(world, who))

    decision = Decision.objects.get(application=world.apps["fi"])
    assert (decision.state, decision.signed_at, decision.document_sha256) == ("draft", None, "")
    assert world.application("fi").state == "eligible"


def test_another_decision_maker_is_refused_with_the_reason(client, world):
    prepare(world, "fi")
    client.force_login(world.other_maker)

    response = client.post(url("decisions:decision_sign", world.apps["fi"].pk), follow=True)

    assert "Only the decision-maker named on the decision can sign it." in response.content.decode()
    assert Decision.objects.get(application=world.apps["fi"]).state == "draft"


def test_a_decision_maker_who_lost_the_role_cannot_sign(world, django_capture_on_commit_callbacks):
    prepare(world, "fi")
    CallRole.objects.filter(user=world.decision_maker, role="decision_maker").delete()

    with pytest.raises(Refused, match="no longer a decision-maker"):
        sign(world, "fi", django_capture_on_commit_callbacks)


def test_signing_twice_is_refused_and_changes_nothing(world, django_capture_on_commit_callbacks):
    prepare(world, "fi")
    first = sign(world, "fi", django_capture_on_commit_callbacks)
    before = Decision.objects.values().get(pk=first.pk)

    with pytest.raises(Refused, match="already been signed"):
        sign(world, "fi", django_capture_on_commit_callbacks)

    assert Decision.objects.values().get(pk=first.pk) == before
    assert AuditEvent.objects.filter(action="decision.sign").count() == 1


def test_a_signed_decision_cannot_be_prepared_again(client, world, django_capture_on_commit_callbacks):
    prepare(world, "fi")
    signed = sign(world, "fi", django_capture_on_commit_callbacks)

    with pytest.raises(Refused, match="signed: it can no longer be changed"):
        prepare(world, "fi", amount=Decimal("1.00"), version=signed.version)
    client.force_login(world.preparer)
    response = client.get(url("decisions:decision_prepare", world.apps["fi"].pk))

    assert response.status_code == 302 and response["Location"] == url("decisions:decision_preview", world.apps["fi"].pk)
    assert Decision.objects.get(pk=signed.pk).amount == Decimal("10000.00")


def test_a_second_render_does_not_replace_the_signed_document(world, django_capture_on_commit_callbacks, caplog):
    prepare(world, "fi")
    signed = sign(world, "fi", django_capture_on_commit_callbacks)
    stored = Decision.objects.get(pk=signed.pk)
    content = stored.document.read()
    stored.document.close()

    with django_capture_on_commit_callbacks(execute=True), caplog.at_level(logging.INFO):
        assert tasks.render_decision_pdf.call(signed.pk) == "unchanged"

    again = Decision.objects.get(pk=signed.pk)
    assert (again.document.name, again.document_sha256) == (stored.document.name, stored.document_sha256)
    assert again.document.read() == content
    assert AuditEvent.objects.filter(action="decision.document_stored").count() == 1
    assert "already stored" in caplog.text


def test_the_signing_rechecks_the_allocation(world, django_capture_on_commit_callbacks):
    prepare(world, "fi")
    world.call.allocation.total = Decimal("5000.00")
    world.call.allocation.save()

    with pytest.raises(Refused, match="left of the call's allocation"):
        sign(world, "fi", django_capture_on_commit_callbacks)

    assert world.application("fi").state == "eligible"


# ── Notification and the applicants' view ───────────────────────────────────


def test_the_recipients_are_notified_once_in_the_applications_language(world, django_capture_on_commit_callbacks):
    support.consent_to_email(world.apps["sv"])
    prepare(world, "sv")

    sign(world, "sv", django_capture_on_commit_callbacks)

    recipients = sorted(message.to[0] for message in mail.outbox)
    # The lead's contact address and the approved members of the lead and of the partner, each once.
    assert recipients == ["colleague@borga.fi", "kontakt@borga.fi", "lead@borga.fi", "partner@lovisa.fi"]
    message = mail.outbox[0]
    with translation.override("sv"):
        expected_subject = translation.gettext("Decision on your application %(reference)s") % {"reference": world.apps["sv"].reference}
    assert message.subject == expected_subject
    assert "Borgå" in message.body and "Lovisa" in message.body  # the names in Swedish
    assert "12\u00a0750" in message.body
    assert "/sv/applications/" in message.body and "#decision" in message.body
    assert url("decisions:decision_document", world.apps["sv"].pk, lang="sv") in message.body
    assert Decision.objects.get(application=world.apps["sv"]).notified_at is not None

    assert tasks.notify_decision.call(Decision.objects.get(application=world.apps["sv"]).pk) == 0  # never twice
    assert len(mail.outbox) == 4


def test_a_finnish_application_is_notified_in_finnish(world, django_capture_on_commit_callbacks):
    support.consent_to_email(world.apps["fi"])
    prepare(world, "fi")

    sign(world, "fi", django_capture_on_commit_callbacks)

    assert {m.to[0] for m in mail.outbox} == {"yhteys@hameenlinna.fi", "hml@hameenlinna.fi", "vaasa@vaasa.fi"}
    assert all("/fi/applications/" in m.body and "Hämeenlinna" in m.body for m in mail.outbox)


def test_the_applicants_see_and_download_the_decision_only_after_signing(client, world, django_capture_on_commit_callbacks):
    app = world.apps["sv"]
    prepare(world, "sv")
    detail = url("applications:detail", app.pk)
    download = url("decisions:decision_document", app.pk)

    client.force_login(world.lead_user)
    assert 'id="decision"' not in client.get(detail).content.decode()
    assert client.get(download).status_code == 404

    sign(world, "sv", django_capture_on_commit_callbacks)

    for user in (world.lead_user, world.partner_user):
        client.force_login(user)
        page = client.get(detail).content.decode()
        assert 'id="decision"' in page and download in page
        response = client.get(download)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
    for stranger in (world.outsider, world.official, world.assessor):
        client.force_login(stranger)
        assert client.get(download).status_code == 404
    # The applicants' downloads are theirs; the decision-maker's is recorded (who, what, when).
    from kuntadigi.audit.models import AuditEvent

    assert not AuditEvent.objects.filter(action="application.read").exists()
    client.force_login(world.decision_maker)
    assert client.get(download).status_code == 200
    read = AuditEvent.objects.get(action="application.read")
    assert (read.actor, read.application_id, read.after["read"], read.object_type) == (world.decision_maker, app.pk, "decision_pdf", "decisions.decision")


def test_a_tampered_document_is_not_served_and_the_log_says_why(client, world, django_capture_on_commit_callbacks, caplog):
    prepare(world, "fi")
    signed = Decision.objects.get(pk=sign(world, "fi", django_capture_on_commit_callbacks).pk)
    path = signed.document.path
    with open(path, "r+b") as handle:
        handle.seek(200)
        handle.write(b"X")
    client.force_login(world.decision_maker)

    with caplog.at_level(logging.ERROR):
        response = client.get(url("decisions:decision_document", world.apps["fi"].pk))

    assert response.status_code == 500
    assert "does not match the document that was signed" in response.content.decode()
    assert f"Decision {signed.pk}: the stored document does not match its SHA-256" in caplog.text
    assert "@" not in caplog.text  # no addresses in the log


def test_a_missing_document_is_reported_the_same_way(client, world, django_capture_on_commit_callbacks, caplog):
    prepare(world, "fi")
    signed = Decision.objects.get(pk=sign(world, "fi", django_capture_on_commit_callbacks).pk)
    signed.document.storage.delete(signed.document.name)
    client.force_login(world.preparer)

    with caplog.at_level(logging.ERROR):
        response = client.get(url("decisions:decision_document", world.apps["fi"].pk))

    assert response.status_code == 500
    assert "missing from storage" in caplog.text


def test_a_grant_drafted_before_the_application_was_screened_ineligible_cannot_be_signed(world, django_capture_on_commit_callbacks):
    prepare(world, "fi")
    support.set_state(world.application("fi"), "mark_ineligible")

    with pytest.raises(Refused, match="screened ineligible"):
        sign(world, "fi", django_capture_on_commit_callbacks)

    assert world.application("fi").state == "ineligible"
    assert Decision.objects.get(application=world.apps["fi"]).state == "draft"


def test_the_applicants_status_shows_the_decisions_date_not_the_submission_time(client, world, django_capture_on_commit_callbacks):
    app = world.apps["fi"]
    prepare(world, "fi")
    sign(world, "fi", django_capture_on_commit_callbacks)
    client.force_login(world.apps["fi"].created_by)
    page = client.get(url("applications:detail", app.pk, lang="fi")).content.decode()
    state = page[page.index("<dt>Tila</dt>") : page.index("</dd>", page.index("<dt>Tila</dt>"))]
    assert "päätetty 11.12.2020" in state
    assert "5.10.2020" not in state  # the submission time is not the status's date


def test_the_officials_decisions_list_says_avaa_on_the_link_that_opens_a_signed_decision(client, world, django_capture_on_commit_callbacks):
    prepare(world, "fi")
    sign(world, "fi", django_capture_on_commit_callbacks)
    reference = world.apps["fi"].reference
    client.force_login(world.preparer)
    for lang, word in (("fi", "Avaa"), ("sv", "Öppna"), ("en", "Open")):
        page = client.get(url("decisions:decision_list", world.call.slug, lang=lang)).content.decode()
        link = f'<a href="{url("decisions:decision_preview", world.apps["fi"].pk, lang=lang)}">{word}<span class="visually-hidden"> {reference}</span></a>'
        assert link in page
    assert ">Avoinna<" not in client.get(url("decisions:decision_list", world.call.slug, lang="fi")).content.decode()
