"""/api/v1/exports/schedules.csv: the schedules of all the establishment's loans in one streamed CSV,
for a nightly synchronisation (scope `portfolio`)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.http import HttpRequest, StreamingHttpResponse
from ninja import Router

from espace.api.auth import TokenAuth
from espace.api.enums import ApiScope
from espace.api.http import amount, only_known, percent, token_of
from espace.api.schemas import ERRORS
from espace.api.selectors import schedules_for_sync
from espace.core import clock

router = Router(tags=["Exports"])


SYNC_HEADER = [
    "loan_id",
    "loan_number",
    "contract_number",
    "number",
    "due_date",
    "rate_percent",
    "instalment",
    "interest",
    "capital",
    "outstanding_after",
    "deferred_interest",
    "paid",
]


class _Echo:
    def write(self, value: str) -> str:
        return value


def _sync_csv(rows: Iterator[tuple[Any, ...]]) -> Iterator[str]:
    writer = csv.writer(_Echo(), lineterminator="\n")
    yield writer.writerow(SYNC_HEADER)
    for loan_id, loan_number, contract_number, number, due, rate, *amounts, paid in rows:
        yield writer.writerow(
            [
                loan_id,
                loan_number,
                contract_number,
                number,
                due.isoformat(),
                percent(rate),
                *(amount(value) for value in amounts),
                "true" if paid else "false",
            ]
        )


@router.get(
    "/exports/schedules.csv",
    operation_id="espace_api_endpoints_schedules_export",
    summary="Échéanciers de tous les prêts (CSV)",
    response={200: None, **ERRORS},
    auth=TokenAuth(ApiScope.PORTFOLIO),
    openapi_extra={
        "responses": {
            200: {
                "description": "CSV (UTF-8, virgule, point décimal, dates ISO), une ligne par échéance.",
                "content": {"text/csv": {"schema": {"type": "string"}}},
            }
        }
    },
)
def schedules_export(request: HttpRequest) -> StreamingHttpResponse:
    """Les échéanciers de tous vos prêts en un CSV transmis au fil de l'eau (synchronisation nocturne)."""
    only_known(request)
    est = token_of(request).establishment
    response = StreamingHttpResponse(_sync_csv(schedules_for_sync(est)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="echeanciers-{est.client_number}-{clock.today():%Y%m%d}.csv"'
    )
    response["Cache-Control"] = "no-store"
    return response
