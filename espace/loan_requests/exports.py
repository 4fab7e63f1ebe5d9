"""The requests list as CSV (for Excel in French) and XLSX, streamed like the portfolio's."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from django.db.models import QuerySet

from espace.loan_requests.models import LoanRequest
from espace.loan_requests.selectors import with_product_names
from espace.portfolio.exports import DATE, EUROS, csv_stream, xlsx_file

CHUNK = 500  # requests read at a time, with one query for their products' names

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
    chunk: list[LoanRequest] = []
    for item in requests.iterator(chunk_size=CHUNK):
        chunk.append(item)
        if len(chunk) == CHUNK:
            yield from _rows(chunk)
            chunk = []
    yield from _rows(chunk)


def _rows(chunk: list[LoanRequest]) -> Iterator[tuple[Any, ...]]:
    for item, product_names in with_product_names(chunk):
        yield (
            item.dossier_number or "",
            item.name,
            item.get_kind_display(),
            item.get_status_display(),
            product_names,
            getattr(item, "total", None) or item.requested_amount,
            item.created_at.date(),
            item.sent_at.date() if item.sent_at else None,
            item.created_by.get_full_name(),
        )


def requests_csv(requests: QuerySet[LoanRequest]) -> Iterator[str]:
    return csv_stream(COLUMNS, _values(requests))


def requests_xlsx(requests: QuerySet[LoanRequest]) -> IO[bytes]:
    return xlsx_file("Demandes", COLUMNS, _values(requests))
