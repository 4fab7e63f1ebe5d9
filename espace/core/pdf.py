"""PDF rendering with WeasyPrint from a Django template."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from pypdf import PdfReader
from weasyprint import HTML


def render_pdf(*, template: str, context: dict[str, Any]) -> bytes:
    html = render_to_string(template, {"lender_name": settings.LENDER_NAME, **context})
    document = HTML(string=html, base_url=str(settings.BASE_DIR / "static"))
    return document.write_pdf()  # type: ignore[no-any-return]


def pdf_page_count(data: bytes) -> int:
    return len(PdfReader(BytesIO(data)).pages)
