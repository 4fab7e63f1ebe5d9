"""What changes the portfolio pages' cached copies (espace.core.page_cache).

A borrower's pages (dashboard, loans, a loan, disbursements) and a guarantor's (guaranteed debt)
show its lines, their schedules, guarantees and disbursements, and the summaries of the last
import. Lines, schedules, guarantees and planned disbursements are written in bulk (no signal, and
a receiver would make Django load every deleted row): their writers end by refreshing the
summaries of every borrower and guarantor they touched (an import: `summaries_refresh_all`; a new
contract: `contracts.py`), and each summary's save bumps its establishment's `PORTFOLIO` scope. A
line saved on its own (a new contract's, a correction) renews its borrower's and guarantors' pages
at once: the API's lists (espace.api.pages) answer from the same versions, ETags included.
The disbursement services, which change a plan without an import, bump the line's establishments
themselves (`portfolio_bump_line`). An import that fails half-way may have written some contracts
and no summary: every import's end, whatever its outcome, renews `IMPORTS`, shared by every
establishment's portfolio pages (`SHARED_SCOPES`, with the rates and the other establishments'
names they show).
"""

from __future__ import annotations

from espace.core.page_cache import SHARED, page_cache_bump, page_cache_depends
from espace.establishments.page_versions import REGISTRY
from espace.portfolio.models import (
    FinancingLine,
    Guarantee,
    GuaranteedDebtStatement,
    GuarantorSummary,
    PortfolioSummary,
)
from espace.products.page_versions import RATES

PORTFOLIO = "portfolio"
IMPORTS = "portfolio-imports"
# The shared scopes of every portfolio page: the rates and products, the other establishments'
# names (guarantors, borrowers), the imports.
SHARED_SCOPES = (RATES, REGISTRY, IMPORTS)


def portfolio_imported() -> None:
    """An import ended (done or failed): every portfolio page is rendered again."""
    page_cache_bump(IMPORTS, [SHARED])


def _line_establishments(line: FinancingLine) -> list[int | None]:
    guarantors = Guarantee.objects.filter(line_id=line.pk).values_list("guarantor_id", flat=True)
    return [line.borrower_id, *guarantors]


def portfolio_bump_line(line: FinancingLine) -> None:
    """The line changed: new versions for its borrower's pages and its guarantors'."""
    page_cache_bump(PORTFOLIO, _line_establishments(line))


def portfolio_page_versions_connect() -> None:
    """Called by the portfolio app's `ready()`."""
    page_cache_depends(FinancingLine, PORTFOLIO, _line_establishments)
    page_cache_depends(PortfolioSummary, PORTFOLIO, lambda summary: [summary.establishment_id])
    page_cache_depends(GuarantorSummary, PORTFOLIO, lambda summary: [summary.establishment_id])
    page_cache_depends(GuaranteedDebtStatement, PORTFOLIO, lambda statement: [statement.guarantor_id])
