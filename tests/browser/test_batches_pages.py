"""Payment batches in a real browser, without JavaScript: the call's preparer makes a batch, adds the
approved payments, exports it, downloads the pain.001 file (validated here against the official XSD with
lxml) and the CSV for the State's accounting, and marks the batch paid; the lead's project page shows the
payment. axe-core (WCAG 2.1 A/AA) finds nothing on each page, in Finnish and in Swedish."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
import sepaxml
from lxml import etree
from playwright.sync_api import expect

from kuntadigi import clock
from kuntadigi.payments.models import PaymentBatch
from tests.browser.helpers import assert_no_axe_violations, check_page, sign_in_as
from tests.integration import batches_support as support
from tests.integration import decisions_support

pytestmark = pytest.mark.browser

XSD = Path(sepaxml.__file__).parent / "schemas" / "pain.001.001.09.xsd"


@pytest.fixture
def built(site):
    world = decisions_support.build_world()
    projects, _approver, payments = support.build(world)
    return world, projects, payments


def download(page, link_name: str) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    return Path(info.value.path()).read_bytes()


def test_the_preparer_makes_exports_and_marks_a_batch_paid(nojs_page, site, built):
    world, projects, payments = built
    page = nojs_page
    sign_in_as(page, site, world.preparer)

    check_page(page, site.reverse("payments_batches:list", world.call.slug, lang="fi"))
    expect(page.locator("main")).to_contain_text("2 hyväksyttyä maksua odottaa maksuerää.")
    page.get_by_label("Eräpäivä").fill(support.due_day().isoformat())
    page.get_by_role("button", name="Muodosta maksuerä").click()
    expect(page.locator(".notice-success")).to_contain_text("Maksuerä 1 muodostettiin.")
    batch = PaymentBatch.objects.get(call=world.call)
    assert_no_axe_violations(page)

    for payment in payments.values():
        page.locator(f"#payment-{payment.pk}").check()
    page.get_by_role("button", name="Lisää maksuerään").click()
    expect(page.locator(".notice-success")).to_contain_text("2 maksua lisättiin maksuerään.")
    expect(page.locator("table")).to_contain_text("10 237,50 €")
    expect(page.locator("table")).to_contain_text("FI21 1234 5600 0007 85")
    assert_no_axe_violations(page)
    check_page(page, site.reverse("payments_batches:detail", batch.pk, lang="sv"))
    expect(page.locator("h1")).to_have_text("Betalningsparti 1")

    page.goto(site.reverse("payments_batches:detail", batch.pk, lang="fi"))
    page.get_by_role("button", name="Muodosta maksuerän aineistot").click()
    expect(page.locator(".notice-success")).to_contain_text("Maksuerän aineistot muodostettiin.")
    assert_no_axe_violations(page)

    xml = download(page, "Maksuaineisto pankille (pain.001, XML)")
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    assert schema.validate(etree.fromstring(xml)), [str(error) for error in schema.error_log]
    assert b"<EndToEndId>" + payments["sv"].end_to_end_id.encode() + b"</EndToEndId>" in xml
    rows = list(csv.DictReader(io.StringIO(download(page, "CSV-tiedosto valtion kirjanpitoon").decode())))
    assert sorted(row["amount"] for row in rows) == ["4500.00", "5737.50"] and {row["budget_item"] for row in rows} == {"28.90.32"}

    clock.set_now(support.BATCH_DAY + timedelta(days=8))
    page.goto(site.reverse("payments_batches:detail", batch.pk, lang="fi"))
    page.get_by_label("Arvopäivä").fill((support.BATCH_DAY.date() + timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Merkitse maksetuksi").click()
    expect(page.locator(".notice-success")).to_contain_text("Maksuerä merkittiin maksetuksi.")
    expect(page.locator(".facts")).to_contain_text("Arvopäivä")
    assert_no_axe_violations(page)
    check_page(page, site.reverse("payments_batches:list", world.call.slug, lang="sv"))

    sign_in_as(page, site, world.lead_user, clear=True)
    check_page(page, site.reverse("projects:detail", projects["sv"].pk, lang="sv"))
    expect(page.locator("#paid + .facts")).to_contain_text("5 737,50 €")
    expect(page.locator("#paid ~ .table-wrap")).to_contain_text("Utbetalningsansökan 1")
    assert clock.now() > support.BATCH_DAY
