"""The demo portfolio files: `python -m espace.demo.portfolio` writes `portfolio_data/*.csv`.

Deterministic (a seeded generator, fixed dates, never the clock), so the committed files are
exactly what this module writes (a test checks it). Pure Python on the finance engine and the import files' columns
(`espace.portfolio.imports.format`): no Django.

- OPH MONTREUIL HABITAT (287576): about 60 contracts signed from 2009 to 2026, 150 lines of PLUS,
  PLAI, PLS, PAM and PAM Eco-prêt, durations within each product's range (products.json), a few
  land parts of 50 years; mostly annual « échéance prioritaire » on the Livret A, simple or double
  revision, some « amortissement prioritaire ». Guaranteed by the commune (104233) and the
  métropole (330145), often 50/50, or 100 % by the CGLLS.
- Contracts signed in 2026 are in pre-financing (first instalment in 2027–2028) with a
  disbursement plan: tranches drawn before the demo date (25/11/2026), the others planned after
  it and at least 2 months before the first instalment; some carry their loan request's dossier
  number.
- COMMUNE DE SAINT-ANDRE-LES-VERGERS (104233) borrows a handful of local-public-sector loans
  (psp, 20–60 years, no guarantee).
- A few lines come with their schedule in schedules.csv, as the lender sends it (the engine's
  rows on the Livret A history shipped with the engine; rows due up to the end of 2025 say
  « oui » in `paid`, later ones leave it to the import date); the others are computed at import.
"""

from __future__ import annotations

import csv
import io
import json
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TypedDict

from espace.finance import (
    IndexedRate,
    Periodicity,
    Prefinancing,
    PrefinancingMode,
    Profile,
    RateConvention,
    Revision,
    Terms,
    livret_a,
    schedule,
)
from espace.finance.dates import add_months
from espace.portfolio.imports.format import CONTRACTS, DISBURSEMENTS, FILE_COLUMNS, GUARANTEES, LINES, SCHEDULES

PORTFOLIO_DEMO_DIR = Path(__file__).resolve().parent / "portfolio_data"
PRODUCTS_FILE = Path(__file__).resolve().parents[1] / "products" / "data" / "products.json"

SEED = 20261125
DEMO_DATE = date(2026, 11, 25)  # the demo's « today »: what is drawn, what is planned
PAID_CONFIRMED_UNTIL = date(2025, 12, 31)  # lender schedules say « oui » up to their last closing
OPH = "287576"
COMMUNE = "104233"
METROPOLE = "330145"
CGLLS = "CGLLS"


# Amounts (k€) by product: building loans; land parts are smaller.
AMOUNTS = {"plus": (300, 3000), "plai": (100, 1500), "pls": (200, 2500), "pam": (50, 800), "pam_eco": (50, 600)}
LAND_AMOUNTS = (100, 800)
PSP_AMOUNTS = (200, 2000)
# Lines whose schedule is written to schedules.csv (by position in the generated order).
LENDER_SCHEDULE_LINES = (0, 7, 23, 61, 98, 131)


@dataclass
class Line:
    number: str
    product: str
    principal: Decimal
    periodicity: Periodicity
    duration_years: int
    first_due: date
    profile: Profile
    progression_percent: Decimal
    margin_percent: Decimal
    revision: Revision
    deferral_years: int = 0
    prefinancing_months: int | None = None
    prefinancing_mode: PrefinancingMode | None = None
    guarantees: list[tuple[str, Decimal, str, date | None]] = field(default_factory=list)
    disbursements: list[tuple[date, Decimal, str, date | None]] = field(default_factory=list)

    def terms(self) -> Terms:
        return Terms(
            principal=self.principal,
            periodicity=self.periodicity,
            duration_years=self.duration_years,
            first_due=self.first_due,
            profile=self.profile,
            rate=IndexedRate(
                index=livret_a().history,
                margin=self.margin_percent / 100,
                revision=self.revision,
                index_floor=livret_a().floor,
            ),
            progression=self.progression_percent / 100,
            rate_convention=RateConvention.ACTUARIAL,
            deferral_years=self.deferral_years,
            prefinancing=(
                Prefinancing(self.prefinancing_months, self.prefinancing_mode)
                if self.prefinancing_months and self.prefinancing_mode
                else None
            ),
        )


@dataclass
class Contract:
    number: str
    client_number: str
    signed_on: date
    dossier_number: str = ""
    lines: list[Line] = field(default_factory=list)


class _ProductData(TypedDict):
    """What the demo reads of a product in products.json (percents as decimal strings)."""

    code: str
    revisions: list[str]
    progression_min_percent: str
    progression_max_percent: str
    margin_percent: str
    min_years: int
    max_years: int


def _products() -> dict[str, _ProductData]:
    data = json.loads(PRODUCTS_FILE.read_text(encoding="utf-8"))
    return {item["code"]: item for item in data["products"]}


def _percent(text: object) -> Decimal:
    return Decimal(str(text))


def _number(value: Decimal) -> str:
    """Decimals as the lender writes them: a dot, no exponent, no trailing zeros beyond the cent."""
    return format(value.normalize(), "f") if value != value.to_integral_value() else str(int(value))


def _amount(value: Decimal) -> str:
    return f"{value:.2f}"


class DemoPortfolio:
    def __init__(self) -> None:
        self.random = random.Random(SEED)
        self.products = _products()
        self.contracts: list[Contract] = []
        self.sequence = 0

    # Building blocks -------------------------------------------------------------------------

    def _amount_k(self, bounds: tuple[int, int]) -> Decimal:
        low, high = bounds
        return Decimal(self.random.randrange(low * 10, high * 10 + 1) * 100)

    def _contract(self, client_number: str, signed_on: date) -> Contract:
        self.sequence += 1
        contract = Contract(
            number=f"CT-{signed_on.year}-{self.sequence:04d}", client_number=client_number, signed_on=signed_on
        )
        self.contracts.append(contract)
        return contract

    def _line(
        self,
        contract: Contract,
        product: str,
        principal: Decimal,
        *,
        years: int,
        first_due: date,
        profile: Profile = Profile.ECHEANCE_PRIORITAIRE,
        periodicity: Periodicity = Periodicity.ANNUAL,
    ) -> Line:
        data = self.products[product]
        revisions = [Revision(value) for value in data["revisions"]]
        revision = Revision.DOUBLE if Revision.DOUBLE in revisions and self.random.random() < 0.4 else Revision.SIMPLE
        progression = Decimal(0)
        if profile is Profile.ECHEANCE_PRIORITAIRE:
            low, high = _percent(data["progression_min_percent"]), _percent(data["progression_max_percent"])
            choices = [
                p for p in (Decimal(0), Decimal(0), Decimal("0.5"), Decimal("-0.5"), Decimal("-1")) if low <= p <= high
            ]
            progression = self.random.choice(choices)
        line = Line(
            number=f"{contract.number}-{len(contract.lines) + 1}",
            product=product,
            principal=principal,
            periodicity=periodicity,
            duration_years=years,
            first_due=first_due,
            profile=profile,
            progression_percent=progression,
            margin_percent=_percent(data["margin_percent"]),
            revision=revision,
        )
        contract.lines.append(line)
        return line

    def _years(self, product: str, *, low: int | None = None) -> int:
        data = self.products[product]
        minimum = max(data["min_years"], low or 0)
        return self.random.randint(minimum, data["max_years"])

    def _guarantee(self, contract: Contract) -> None:
        """The same guarantors for every line of a contract: one deliberation each, before signing."""
        draw = self.random.random()
        if draw < 0.5:
            guarantors = [(COMMUNE, Decimal(50)), (METROPOLE, Decimal(50))]
        elif draw < 0.7:
            guarantors = [(CGLLS, Decimal(100))]
        elif draw < 0.85:
            guarantors = [(COMMUNE, Decimal(100))]
        else:
            guarantors = [(METROPOLE, Decimal(100))]
        for guarantor, share in guarantors:
            if guarantor == CGLLS:
                reference, deliberated_on = "", None
            else:
                deliberated_on = contract.signed_on - timedelta(days=self.random.randint(20, 90))
                prefix = "DCM" if guarantor == COMMUNE else "CP"
                reference = f"{prefix}-{deliberated_on.year}-{self.random.randint(1, 250):03d}"
            for line in contract.lines:
                line.guarantees.append((guarantor, share, reference, deliberated_on))

    def _prefinancing(self, line: Line, signed_on: date) -> None:
        """Drawn from the month after signing until the first period starts (3–24 months)."""
        start = add_months(line.first_due, -line.periodicity.months)
        months = (start.year - signed_on.year) * 12 + start.month - signed_on.month - 1
        line.prefinancing_months = max(3, min(24, months))
        line.prefinancing_mode = self.random.choice([PrefinancingMode.PAID, PrefinancingMode.CAPITALISED])

    def _disbursement_plan(self, line: Line, signed_on: date) -> None:
        """Tranches from after signing to 2 months before the first instalment; drawn before the demo date."""
        latest = add_months(line.first_due, -2)
        first = signed_on + timedelta(days=self.random.randint(15, 45))
        tranches = self.random.randint(2, 4)
        span = (latest - first).days
        dates = [first + timedelta(days=span * k // tranches) for k in range(tranches)]
        if all(day <= DEMO_DATE for day in dates):
            dates[-1] = latest  # at least one tranche still to come
        shares = [Decimal(self.random.randint(20, 40)) for _ in dates]
        total = sum(shares)
        amounts = [(line.principal * share / total).quantize(Decimal(100)) for share in shares[:-1]]
        amounts.append(line.principal - sum(amounts))
        for day, amount in zip(dates, amounts, strict=True):
            if day <= DEMO_DATE:
                line.disbursements.append((day, amount, "drawn", day + timedelta(days=self.random.randint(0, 5))))
            else:
                line.disbursements.append((day, amount, "planned", None))

    # The portfolio ---------------------------------------------------------------------------

    def build(self) -> None:
        signing_years = [2009 + (k * 17) // 52 for k in range(52)] + [2026] * 8
        signing_dates = sorted(
            date(year, self.random.randint(1, 10 if year == 2026 else 12), self.random.randint(1, 28))
            for year in signing_years
        )
        for signed_on in signing_dates:
            recent = signed_on.year == 2026
            contract = self._contract(OPH, signed_on)
            # Recent contracts: the first period starts at least 3 months after signing (2027–2028).
            delay = self.random.randint(15, 26) if recent else self.random.randint(12, 30)
            first_due = add_months(date(signed_on.year, signed_on.month, 1), delay)
            self._operation(contract, first_due)
            with_prefinancing = recent or self.random.random() < 0.25
            for line in contract.lines:
                if with_prefinancing:
                    self._prefinancing(line, signed_on)
                if recent:
                    self._disbursement_plan(line, signed_on)
            if recent and self.random.random() < 0.5:
                contract.dossier_number = f"DP-2026-{self.random.randint(100, 999999):06d}"
            self._guarantee(contract)
        self._local_public_sector()

    def _operation(self, contract: Contract, first_due: date) -> None:
        """One operation's lines: new build (PLUS/PLAI, maybe land parts), PLS, or improvement (PAM)."""
        draw = self.random.random()
        if draw < 0.55:
            self._line(
                contract,
                "plus",
                self._amount_k(AMOUNTS["plus"]),
                years=self._years("plus", low=25),
                first_due=first_due,
            )
            if self.random.random() < 0.9:
                self._line(
                    contract,
                    "plai",
                    self._amount_k(AMOUNTS["plai"]),
                    years=self._years("plai", low=25),
                    first_due=first_due,
                )
            if self.random.random() < 0.2:
                self._line(contract, "plus", self._amount_k(LAND_AMOUNTS), years=50, first_due=first_due)
            if self.random.random() < 0.4:
                self._line(
                    contract,
                    "plai",
                    self._amount_k(LAND_AMOUNTS),
                    years=self._years("plai", low=30),
                    first_due=first_due,
                )
        elif draw < 0.75:
            profile = self.random.choice([Profile.ECHEANCE_PRIORITAIRE, Profile.AMORTISSEMENT_PRIORITAIRE])
            self._line(
                contract,
                "pls",
                self._amount_k(AMOUNTS["pls"]),
                years=self._years("pls"),
                first_due=first_due,
                profile=profile,
            )
            if self.random.random() < 0.5:
                self._line(
                    contract,
                    "plai",
                    self._amount_k(AMOUNTS["plai"]),
                    years=self._years("plai", low=25),
                    first_due=first_due,
                )
            if self.random.random() < 0.3:
                self._line(contract, "pls", self._amount_k(LAND_AMOUNTS), years=50, first_due=first_due)
        else:
            for product in ("pam", "pam_eco"):
                profile = (
                    Profile.AMORTISSEMENT_PRIORITAIRE if self.random.random() < 0.3 else Profile.ECHEANCE_PRIORITAIRE
                )
                periodicity = Periodicity.QUARTERLY if self.random.random() < 0.15 else Periodicity.ANNUAL
                line = self._line(
                    contract,
                    product,
                    self._amount_k(AMOUNTS[product]),
                    years=self._years(product, low=10),
                    first_due=first_due,
                    profile=profile,
                    periodicity=periodicity,
                )
                if self.random.random() < 0.1:
                    line.deferral_years = 2
            if self.random.random() < 0.6:
                self._line(
                    contract,
                    "pam",
                    self._amount_k(AMOUNTS["pam"]),
                    years=self._years("pam", low=10),
                    first_due=first_due,
                )

    def _local_public_sector(self) -> None:
        for year, lines in ((2012, 2), (2018, 1), (2023, 2)):
            signed_on = date(year, self.random.randint(1, 12), self.random.randint(1, 28))
            contract = self._contract(COMMUNE, signed_on)
            first_due = add_months(date(year, signed_on.month, 1), 12)
            for _ in range(lines):
                profile = self.random.choice([Profile.ECHEANCE_PRIORITAIRE, Profile.AMORTISSEMENT_PRIORITAIRE])
                self._line(
                    contract,
                    "psp",
                    self._amount_k(PSP_AMOUNTS),
                    years=self.random.choice([20, 25, 30, 40, 60]),
                    first_due=first_due,
                    profile=profile,
                )

    # Files -----------------------------------------------------------------------------------

    def files(self) -> dict[str, str]:
        lines = [line for contract in self.contracts for line in contract.lines]
        lender = {lines[k].number for k in LENDER_SCHEDULE_LINES if k < len(lines)}
        contracts_rows = [
            [c.number, c.client_number, c.signed_on.isoformat(), c.dossier_number] for c in self.contracts
        ]
        line_rows, schedule_rows, guarantee_rows, disbursement_rows = [], [], [], []
        for contract in self.contracts:
            for line in contract.lines:
                rows = schedule(line.terms()).rows  # every demo line is checked by the engine
                line_rows.append(
                    [
                        line.number,
                        contract.number,
                        line.product,
                        _amount(line.principal),
                        line.periodicity.value,
                        str(line.duration_years),
                        line.first_due.isoformat(),
                        line.profile.value,
                        _number(line.progression_percent) if line.profile is Profile.ECHEANCE_PRIORITAIRE else "",
                        "livret_a",
                        _number(line.margin_percent),
                        "",
                        line.revision.value,
                        "",
                        str(line.deferral_years) if line.deferral_years else "",
                        str(line.prefinancing_months or ""),
                        line.prefinancing_mode.value if line.prefinancing_mode else "",
                    ]
                )
                if line.number in lender:
                    for row in rows:
                        schedule_rows.append(
                            [
                                line.number,
                                str(row.number),
                                row.due_date.isoformat(),
                                _number(row.rate * 100),
                                _amount(row.instalment),
                                _amount(row.interest),
                                _amount(row.capital),
                                _amount(row.outstanding_after),
                                "oui" if row.due_date <= PAID_CONFIRMED_UNTIL else "",
                            ]
                        )
                for guarantor, share, reference, deliberated_on in line.guarantees:
                    guarantee_rows.append(
                        [
                            line.number,
                            guarantor,
                            _number(share),
                            reference,
                            deliberated_on.isoformat() if deliberated_on else "",
                        ]
                    )
                for planned_on, amount, status, drawn_on in line.disbursements:
                    disbursement_rows.append(
                        [
                            line.number,
                            planned_on.isoformat(),
                            _amount(amount),
                            status,
                            drawn_on.isoformat() if drawn_on else "",
                        ]
                    )
        return {
            CONTRACTS: _csv(FILE_COLUMNS[CONTRACTS], contracts_rows),
            LINES: _csv(FILE_COLUMNS[LINES], line_rows),
            SCHEDULES: _csv(FILE_COLUMNS[SCHEDULES], schedule_rows),
            GUARANTEES: _csv(FILE_COLUMNS[GUARANTEES], guarantee_rows),
            DISBURSEMENTS: _csv(FILE_COLUMNS[DISBURSEMENTS], disbursement_rows),
        }


def _csv(header: tuple[str, ...], rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def demo_files() -> dict[str, str]:
    """File name → content of the demo portfolio files (always the same)."""
    portfolio = DemoPortfolio()
    portfolio.build()
    return portfolio.files()


def main() -> None:
    PORTFOLIO_DEMO_DIR.mkdir(exist_ok=True)
    for name, content in demo_files().items():
        (PORTFOLIO_DEMO_DIR / name).write_text(content, encoding="utf-8", newline="")
        print(f"{PORTFOLIO_DEMO_DIR / name}: {content.count(chr(10)) - 1} rows")


if __name__ == "__main__":
    main()
