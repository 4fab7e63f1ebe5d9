"""The requests list as CSV (for Excel in French) and XLSX, streamed like the portfolio's."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from django.db.models import QuerySet

from espace.loan_requests.models import LoanRequest
from espace.portfolio.exports import DATE, EUROS, csv_stream, xlsx_file

COLUMNS = [
    ("Dossier", None),
    ("Nom", None),
    ("Type", None),
    ("Statut", None),
    ("Produits", None),
    ("Montant", EUROS),
    ("Créée le", DATE),
    ("Transmise le", DATE),
    ("Auteur", None),
]


def _values(requests: QuerySet[LoanRequest]) -> Iterator[tuple[Any, ...]]:
    for item in requests:
        yield (
            item.dossier_number or "",
            item.name,
            item.get_kind_display(),
            item.get_status_display(),
            ", ".join(line.product.name for line in item.lines.all()),
            getattr(item, "total", None) or item.requested_amount,
            item.created_at.date(),
            item.sent_at.date() if item.sent_at else None,
            item.created_by.get_full_name(),
        )


def requests_csv(requests: QuerySet[LoanRequest]) -> Iterator[str]:
    return csv_stream(COLUMNS, _values(requests))


def requests_xlsx(requests: QuerySet[LoanRequest]) -> IO[bytes]:
    return xlsx_file("Demandes", COLUMNS, _values(requests))
