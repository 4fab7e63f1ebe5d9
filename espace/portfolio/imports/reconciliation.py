"""The reconciliation kept with each import run: contracts, lines and outstanding per borrower."""

from __future__ import annotations

from decimal import Decimal
from typing import TypedDict

from django.db.models import Count, Sum

from espace.portfolio.models import FinancingLine


class ReconciliationRow(TypedDict):
    """One borrower's figures (JSON, amounts as decimal strings); the last row is the total."""

    client_number: str
    name: str
    contracts: int
    lines: int
    outstanding: str


def portfolio_reconciliation() -> list[ReconciliationRow]:
    """Per borrower with lines: contracts, lines and outstanding, summed by the database; then the total."""
    per_borrower = (
        FinancingLine.objects.values("borrower__client_number", "borrower__legal_name")
        .annotate(contracts=Count("contract", distinct=True), lines=Count("pk"), outstanding=Sum("outstanding"))
        .order_by("borrower__client_number")
    )
    report: list[ReconciliationRow] = []
    total_contracts = total_lines = 0
    total = Decimal("0.00")
    for item in per_borrower:
        outstanding = Decimal(item["outstanding"] or 0).quantize(Decimal("0.01"))
        report.append(
            {
                "client_number": item["borrower__client_number"],
                "name": item["borrower__legal_name"],
                "contracts": item["contracts"],
                "lines": item["lines"],
                "outstanding": str(outstanding),
            }
        )
        total_contracts += item["contracts"]
        total_lines += item["lines"]
        total += outstanding
    report.append(
        {
            "client_number": "",
            "name": "Total",
            "contracts": total_contracts,
            "lines": total_lines,
            "outstanding": str(total),
        }
    )
    return report
