"""PDF rendering with WeasyPrint from a Django template."""

from __future__ import annotations

from collections.abc import Mapping
from io import BytesIO

from django.conf import settings
from django.template.loader import render_to_string
from pypdf import PdfReader
from weasyprint import HTML


def render_pdf(*, template: str, context: Mapping[str, object]) -> bytes:
    html = render_to_string(template, {"lender_name": settings.LENDER_NAME, **context})
    document = HTML(string=html, base_url=str(settings.BASE_DIR / "static"))
    pdf: bytes = document.write_pdf()  # WeasyPrint is untyped: without a target, it returns the bytes
    return pdf


def pdf_page_count(data: bytes) -> int:
    return len(PdfReader(BytesIO(data)).pages)
