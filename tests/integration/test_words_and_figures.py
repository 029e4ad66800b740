"""What applicants and officials read: the right words and figures (issue 12, section 4).

Each test asserts what a person sees on the page: the tab bar's checklist and its state, the receipt
number instead of hashes, English sums and dates, Finnish date hints, deleting and printing a draft,
previewing attachments and uploading several files at once."""

import io
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from kuntadigi import clock
from kuntadigi.applications import submission as submission_services
from kuntadigi.applications.models import Application, Attachment, Participant
from kuntadigi.audit.models import AuditEvent
from tests import factories
from tests.integration import submission_data
from tests.integration.drafting_support import MINIMAL_PDF, ODT, Draft, opendocument_bytes

pytestmark = pytest.mark.django_db
NB = "\u00a0"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def url(name, *args, lang="fi"):
    with translation.override(lang):
        return reverse(name, args=args)


def nav_of(page: str) -> str:
    start = page.index('<nav class="application-nav"')
    return page[start : page.index("</nav>", start)]


def text_of(fragment: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).replace(NB, " ").strip()


# ── The tab bar: a checklist that follows the state ─────────────────────────


def test_the_tab_bar_says_in_words_which_sections_are_complete_and_which_miss_something(client, during_call):
    draft = Draft()
    client.force_login(draft.user)
    nav = text_of(nav_of(client.get(url("applications:edit", draft.application.pk)).content.decode()))
    # A new draft: the project page misses its texts, the partners are missing, the budget is empty;
    # attachments are optional.
    assert re.search(r"Hanke ! \d+ kohtaa puuttuu", nav)
    assert re.search(r"Osatoteuttajat ! \d+ kohtaa puuttuu", nav)
    assert re.search(r"Talousarvio ! \d+ kohtaa puuttuu", nav)
    assert "Liitteet ✓ valmis" in nav
    assert "Tarkista ja lähetä" in nav


def test_a_complete_draft_shows_every_section_complete(client, during_call):
    app = submission_data.application(factories.call(), requested=Decimal("12750.00"))
    client.force_login(app.created_by)
    nav = text_of(nav_of(client.get(url("applications:budget", app.pk, lang="sv")).content.decode()))
    for section in ("Projekt", "Delgenomförare", "Budget", "Bilagor"):
        assert f"{section} ✓ klar" in nav
    assert "saknas" not in nav


def test_after_submission_there_is_no_checklist_and_no_review_tab(client, during_call):
    app = submission_data.application(factories.call(), requested=Decimal("12750.00"))
    assert submission_services.submit_application(app.created_by, app.pk).submission is not None
    client.force_login(app.created_by)
    nav = text_of(nav_of(client.get(url("applications:detail", app.pk)).content.decode()))
    assert "Tarkista ja lähetä" not in nav
    assert "valmis" not in nav and "puuttuu" not in nav
    assert "Yleiskuva" in nav or "Hanke" in nav


# ── Receipt number, no hashes, for applicants ───────────────────────────────


def test_applicants_see_a_receipt_number_and_the_time_and_officials_the_fingerprint(client, during_call):
    call = factories.call()
    app = submission_data.application(call, requested=Decimal("12750.00"))
    submission = submission_services.submit_application(app.created_by, app.pk).submission
    client.force_login(app.created_by)
    for page in (client.get(url("applications:detail", app.pk)), client.get(url("applications:receipt", app.pk, 1))):
        html = page.content.decode()
        assert submission.fingerprint not in html and "SHA-256" not in html
        assert "Kuittinumero" in html
        assert "5.10.2020 klo 12.00" in html
    preparer = factories.user("preparer@vm.example.fi", official=True)
    from kuntadigi.calls.models import CallRole

    CallRole.objects.create(call=call, user=preparer, role="preparer")
    client.force_login(preparer)
    assert submission.fingerprint in client.get(url("applications:receipt", app.pk, 1)).content.decode()


# ── English sums and dates; Finnish date hints ──────────────────────────────


def test_english_pages_write_sums_and_dates_in_english_and_finnish_pages_the_finnish_way(client, during_call):
    call = factories.call()
    english = client.get(url("calls:detail", call.slug, lang="en")).content.decode()
    finnish = client.get(url("calls:detail", call.slug, lang="fi")).content.decode()
    swedish = client.get(url("calls:detail", call.slug, lang="sv")).content.decode()
    assert "10,000,000.00\u00a0€" in english and "10 000 000,00 €" not in english.replace(NB, " ")
    assert "10 000 000,00 €" in finnish.replace(NB, " ")
    assert "5 October 2020 at 16:15 Finnish time" in english
    assert "5.10.2020 klo 16.15 Suomen aikaa" in finnish
    assert "5.10.2020 kl. 16.15 finsk tid" in swedish


def test_the_deadline_value_does_not_repeat_its_label_in_swedish_or_english(client, during_call):
    call = factories.call()
    for lang, value in (("sv", "5.10.2020 kl. 16.15 finsk tid"), ("en", "5 October 2020 at 16:15 Finnish time"), ("fi", "5.10.2020 klo 16.15 Suomen aikaa")):
        with translation.override(lang):
            label = translation.gettext("Deadline")
        page = client.get(url("calls:detail", call.slug, lang=lang)).content.decode()
        values = re.findall(rf"<dt>{label}</dt>\s*<dd>(.*?)</dd>", page, re.S)
        assert value in [text_of(v) for v in values]


def test_date_hints_are_written_the_finnish_and_swedish_way(client, during_call):
    draft = Draft()
    client.force_login(draft.user)
    finnish = client.get(url("applications:edit", draft.application.pk)).content.decode()
    swedish = client.get(url("applications:edit", draft.application.pk, lang="sv")).content.decode()
    assert "Esimerkiksi 31.1.2021." in finnish and "2021-01-31" not in finnish
    assert "Till exempel 31.1.2021." in swedish


# ── Deleting a draft ─────────────────────────────────────────────────────────


def test_a_lead_deletes_a_never_submitted_draft_after_a_confirmation_and_partners_are_told(client, during_call, media, django_capture_on_commit_callbacks):
    partner_org = factories.municipality("Loviisa", name_sv="Lovisa")
    partner_user = factories.member(partner_org, "partner@loviisa.example.fi", language="sv")
    app = submission_data.application(factories.call(), partners=[partner_org], requested=Decimal("12750.00"))
    client.force_login(app.created_by)
    assert client.post(url("applications:attachments", app.pk), {"file": SimpleUploadedFile("plan.pdf", MINIMAL_PDF)}).status_code == 302
    stored = [path for path in media.rglob("*") if path.is_file()]
    assert stored

    detail = client.get(url("applications:detail", app.pk)).content.decode()
    assert url("applications:delete", app.pk) in detail
    confirm = client.get(url("applications:delete", app.pk)).content.decode()
    assert "Poistetaanko hakemusluonnos" in confirm and '<form method="post"' in confirm and "Loviisa" in confirm
    assert Application.objects.filter(pk=app.pk).exists()  # the GET only asks

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("applications:delete", app.pk))
    assert response.status_code == 302 and response["Location"] == url("applications:mine")
    assert not Application.objects.filter(pk=app.pk).exists()
    assert not Participant.objects.filter(application_id=app.pk).exists()
    assert not [path for path in media.rglob("*") if path.is_file()]
    event = AuditEvent.objects.get(action="application.draft_deleted")
    assert (event.actor, event.application_id, event.before["reference"]) == (app.created_by, app.pk, app.reference)
    assert f"Hakemusluonnos {app.reference} poistettiin." in client.get(response["Location"]).content.decode()
    [message] = [m for m in mail.outbox if m.to == [partner_user.email]]
    assert app.reference in message.subject and "raderat ansökningsutkastet" in message.body


def test_a_submitted_application_cannot_be_deleted_nor_by_a_partner(client, during_call):
    partner_org = factories.municipality("Loviisa")
    partner_user = factories.member(partner_org, "partner@loviisa.example.fi")
    app = submission_data.application(factories.call(), partners=[partner_org], requested=Decimal("12750.00"))
    client.force_login(partner_user)
    assert url("applications:delete", app.pk) not in client.get(url("applications:detail", app.pk)).content.decode()
    client.post(url("applications:delete", app.pk))
    assert Application.objects.filter(pk=app.pk).exists()

    assert submission_services.submit_application(app.created_by, app.pk).submission is not None
    submission_services.withdraw_application(app.created_by, app.pk)  # back to draft, but it was received once
    client.force_login(app.created_by)
    assert url("applications:delete", app.pk) not in client.get(url("applications:detail", app.pk)).content.decode()
    response = client.post(url("applications:delete", app.pk))
    assert response.status_code == 302
    assert Application.objects.filter(pk=app.pk).exists()
    assert "Lähetettyä hakemusta ei voi poistaa" in client.get(response["Location"]).content.decode()


def test_a_stranger_gets_404_for_the_delete_page(client, during_call):
    app = submission_data.application(factories.call(), requested=Decimal("12750.00"))
    client.force_login(factories.member(factories.municipality(), "other@example.fi"))
    assert client.get(url("applications:delete", app.pk)).status_code == 404
    assert client.post(url("applications:delete", app.pk)).status_code == 404


# ── Printing a draft ─────────────────────────────────────────────────────────


def test_a_draft_has_a_printable_view_marked_as_a_draft(client, during_call):
    app = submission_data.application(factories.call(), requested=Decimal("12750.00"))
    client.force_login(app.created_by)
    assert url("applications:print", app.pk) in client.get(url("applications:detail", app.pk)).content.decode()
    page = client.get(url("applications:print", app.pk)).content.decode()
    assert page.count("LUONNOS – ei lähetetty") == 2
    assert "Avoin kunta" in page and "Sähköiset kokoukset kaikissa kunnissa." in page
    assert "10 000,00 €" in page.replace(NB, " ")
    pdf_url = url("applications:draft_pdf", app.pk)
    assert pdf_url in page
    response = client.get(pdf_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages).replace(NB, " ")
    assert "LUONNOS – ei lähetetty" in text and "Avoin kunta" in text and "SHA-256" not in text


def test_a_submitted_application_has_no_draft_print(client, during_call):
    app = submission_data.application(factories.call(), requested=Decimal("12750.00"))
    assert submission_services.submit_application(app.created_by, app.pk).submission is not None
    client.force_login(app.created_by)
    assert client.get(url("applications:draft_pdf", app.pk))["Location"] == url("applications:detail", app.pk)
    assert client.get(url("applications:print", app.pk))["Location"] == url("applications:detail", app.pk)


# ── Previewing and uploading several attachments ────────────────────────────


def test_a_pdf_attachment_opens_inline_and_an_odt_only_downloads(client, during_call):
    draft = Draft()
    client.force_login(draft.user)
    odt = opendocument_bytes(ODT)
    response = client.post(
        url("applications:attachments", draft.application.pk),
        {"file": [SimpleUploadedFile("plan.pdf", MINIMAL_PDF), SimpleUploadedFile("sopimus.odt", odt)]},
    )
    assert response.status_code == 302
    pdf, odt_file = Attachment.objects.order_by("id")
    page = client.get(response["Location"]).content.decode()
    assert "plan.pdf ladattiin." in page or "plan.pdf" in page
    preview = url("applications:attachment_preview", draft.application.pk, pdf.pk)
    assert preview in page
    assert url("applications:attachment_preview", draft.application.pk, odt_file.pk) not in page

    shown = client.get(preview)
    assert shown.status_code == 200
    assert shown["Content-Type"] == "application/pdf"
    assert shown["Content-Disposition"].startswith("inline")
    assert shown["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in shown["Content-Security-Policy"] and "script-src" not in shown["Content-Security-Policy"]
    assert b"".join(shown.streaming_content) == MINIMAL_PDF
    assert client.get(url("applications:attachment_preview", draft.application.pk, odt_file.pk)).status_code == 404
    client.force_login(factories.member(factories.municipality(), "other@example.fi"))
    assert client.get(preview).status_code == 404


def test_several_files_upload_at_once_and_a_refused_one_is_named_with_its_reason(client, during_call):
    draft = Draft()
    client.force_login(draft.user)
    page = client.get(url("applications:attachments", draft.application.pk)).content.decode()
    assert re.search(r'<input type="file" name="file"[^>]* multiple', page)
    response = client.post(
        url("applications:attachments", draft.application.pk),
        {"file": [SimpleUploadedFile("yksi.pdf", MINIMAL_PDF), SimpleUploadedFile("virus.exe", b"MZ\x90\x00 not a document")]},
    )
    assert response.status_code == 200  # the refused file is shown with its reason; the other is kept
    html = response.content.decode()
    assert "virus.exe:" in html
    assert [a.original_name for a in Attachment.objects.all()] == ["yksi.pdf"]
    assert "yksi.pdf" in html


def test_the_official_decisions_list_says_avaa_for_a_signed_decision():
    with translation.override("fi"):
        assert translation.pgettext("verb: open a document", "Open") == "Avaa"
    with translation.override("sv"):
        assert translation.pgettext("verb: open a document", "Open") == "Öppna"
    with translation.override("en"):
        assert translation.pgettext("verb: open a document", "Open") == "Open"


def test_requested_grant_sums_read_in_english_on_the_budget_page(client, during_call):
    app = submission_data.application(factories.call(), requested=Decimal("12750.00"))
    client.force_login(app.created_by)
    english = client.get(url("applications:detail", app.pk, lang="en")).content.decode()
    assert "12,750.00\u00a0€" in english
    clock.set_now(factories.DURING_2020)
