"""Shared helpers of the drafting tests: a started draft, and small files of each attachment type."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

from django.urls import reverse

from kuntadigi.applications import drafting
from tests import factories

MINIMAL_PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n0000000101 00000 n \n"
    b"trailer<</Size 4/Root 1 0 R>>\nstartxref\n164\n%%EOF\n"
)


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>')
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        archive.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook/>')
    return buffer.getvalue()


def opendocument_bytes(mimetype: str) -> bytes:
    """ODT/ODS: a zip whose first member is an uncompressed 'mimetype' file."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", '<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>')
    return buffer.getvalue()


ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"


class Draft:
    """A started draft in the 2020 call: the lead municipality, a member acting for it, and the call."""

    def __init__(self, call=None, lead=None, user=None):
        self.call = call or factories.call()
        self.lead = lead or factories.municipality("Porvoo", code="638", name_sv="Borgå")
        self.user = user or factories.member(self.lead, full_name="Liisa Lead", phone="040 123 4567")
        self.application = drafting.start_application(self.user, self.call, self.lead, "fi")

    def refresh(self):
        self.application.refresh_from_db()
        return self.application

    def url(self, name: str, **kwargs) -> str:
        return reverse(f"applications:{name}", kwargs={"pk": self.application.pk, **kwargs})

    def add_partner(self, organisation):
        return drafting.add_partner(self.user, self.application, organisation)

    def lines(self, *items) -> list[dict]:
        """Budget lines from (participant, category code, amount) triples."""
        categories = {c.code: c.pk for c in self.call.cost_categories.all()}
        return [
            {"id": None, "participant_id": participant.pk, "category_id": categories[code], "description": f"{code} {index}", "amount": Decimal(amount)}
            for index, (participant, code, amount) in enumerate(items)
        ]

    def lead_participant(self):
        return self.application.participants.get(role="lead")
