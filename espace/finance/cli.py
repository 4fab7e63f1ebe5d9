"""Command line of the engine, without Django: `python -m espace.finance schedule|land-share …`.

Rates and progression are given in percent. Output goes to stdout (CSV or JSON); a bad argument
prints exactly one line on stderr and exits with status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, NoReturn

from .enums import Periodicity, PrefinancingMode, Profile, RateConvention, Revision
from .errors import FinanceInputError
from .export import amount_text, schedule_csv, schedule_dict
from .land_share import Acquisition, LandShare, Zone, land_share_flat, land_share_from_costs
from .rates import FixedRate, IndexedRate, RateHistory, livret_a
from .schedule import schedule
from .terms import Prefinancing, Terms

HUNDRED = Decimal(100)
USAGE_ERROR = 2
# The option to name when the engine refuses a field.
OPTION_OF_FIELD = {
    "principal": "--principal",
    "duration_years": "--years",
    "first_due": "--first-due",
    "progression": "--progression",
    "rate": "--fixed-rate/--index-rate",
    "margin": "--margin",
    "index_floor": "--index-floor",
    "entries": "--index-path",
    "deferral_years": "--deferral-years",
    "prefinancing.months": "--prefinancing-months",
    "cost_price": "--cost-price",
    "land_cost": "--land-cost",
    "subsidies": "--subsidies",
}


class UsageError(Exception):
    """A bad command line; its message is the single line printed on stderr."""


class Parser(argparse.ArgumentParser):
    """argparse, but an error raises UsageError instead of printing the usage and exiting."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: error: {message}")


def decimal_number(text: str) -> Decimal:
    """A finite decimal number written with a dot."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value.is_finite():
        raise argparse.ArgumentTypeError(f"not a finite number: {text!r}")
    return value


def percent(text: str) -> Decimal:
    """A percent, returned as a fraction: '3.1' → 0.031."""
    return decimal_number(text) / HUNDRED


def iso_date(text: str) -> date:
    """A date written YYYY-MM-DD."""
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def index_path(text: str) -> tuple[tuple[date, Decimal], ...]:
    """'2027-08-01:1.8,2028-02-01:2.0' → ((2027-08-01, 0.018), (2028-02-01, 0.020))."""
    entries = []
    for item in text.split(","):
        day, separator, value = item.strip().partition(":")
        if not separator:
            raise argparse.ArgumentTypeError(f"index path entries are DATE:PERCENT, got {item!r}")
        entries.append((iso_date(day), percent(value)))
    return tuple(entries)


def build_parser() -> Parser:
    parser = Parser(prog="espace.finance", description="Exact schedules and land shares of savings-fund loans.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    loan = commands.add_parser("schedule", help="repayment schedule (CSV or JSON on stdout)")
    loan.add_argument("--principal", type=decimal_number, required=True, help="amount lent, in euros")
    loan.add_argument("--years", type=int, required=True, help="duration in years (deferral included)")
    loan.add_argument("--first-due", type=iso_date, required=True, help="first due date, YYYY-MM-DD")
    loan.add_argument("--periodicity", choices=[item.value for item in Periodicity], default="annual")
    loan.add_argument("--profile", choices=[item.value for item in Profile], default="echeance_prioritaire")
    loan.add_argument("--progression", type=percent, default=Decimal(0), help="yearly progression, percent")
    rate = loan.add_mutually_exclusive_group(required=True)
    rate.add_argument("--fixed-rate", type=percent, help="fixed annual rate, percent")
    rate.add_argument("--index-rate", type=percent, help="index value from the start, percent")
    rate.add_argument("--livret-a", action="store_true", help="index on the Livret A history of the data file")
    loan.add_argument("--margin", type=percent, help="margin over the index, percent")
    loan.add_argument("--revision", choices=[item.value for item in Revision], help="default: simple")
    loan.add_argument("--index-path", type=index_path, help="later index values: DATE:PERCENT,DATE:PERCENT…")
    loan.add_argument("--index-floor", type=percent, help="floor of the index, percent (default 0.5)")
    loan.add_argument("--rate-convention", choices=[item.value for item in RateConvention], default="actuarial")
    loan.add_argument("--deferral-years", type=int, default=0, help="capital deferral, years")
    loan.add_argument("--prefinancing-months", type=int, help="pre-financing duration, 1–60 months")
    loan.add_argument("--prefinancing-mode", choices=[item.value for item in PrefinancingMode])
    loan.add_argument("--format", choices=["csv", "json"], default="csv")

    land = commands.add_parser("land-share", help="land loan share (JSON on stdout)")
    land.add_argument("--cost-price", type=decimal_number, required=True, help="cost price of the operation, euros")
    land.add_argument("--land-cost", type=decimal_number, help="land cost, euros")
    land.add_argument("--subsidies", type=decimal_number, help="subsidies, euros (default 0)")
    land.add_argument("--zone", choices=[item.value for item in Zone], help="housing zone, for the flat share")
    land.add_argument("--acquisition", choices=[item.value for item in Acquisition], help="for the flat share")
    return parser


def terms_from_arguments(arguments: argparse.Namespace) -> Terms:
    """Terms from the schedule command's arguments; UsageError for a combination that makes no sense."""
    indexed = arguments.index_rate is not None or arguments.livret_a
    if not indexed:
        for option, value in (
            ("--margin", arguments.margin),
            ("--revision", arguments.revision),
            ("--index-path", arguments.index_path),
            ("--index-floor", arguments.index_floor),
        ):
            if value is not None:
                raise UsageError(f"espace.finance schedule: error: {option} applies to an indexed rate only")
    if indexed and arguments.margin is None:
        raise UsageError("espace.finance schedule: error: an indexed rate needs --margin")
    if arguments.index_path is not None and arguments.index_rate is None:
        raise UsageError("espace.finance schedule: error: --index-path goes with --index-rate")
    if (arguments.prefinancing_months is None) != (arguments.prefinancing_mode is None):
        raise UsageError(
            "espace.finance schedule: error: --prefinancing-months and --prefinancing-mode go together (both or neither)"
        )
    loan_rate: FixedRate | IndexedRate
    if arguments.fixed_rate is not None:
        loan_rate = FixedRate(arguments.fixed_rate)
    else:
        if arguments.livret_a:
            index = livret_a().history
            floor = livret_a().floor
        else:
            index = RateHistory(((date.min, arguments.index_rate), *(arguments.index_path or ())))
            floor = Decimal("0.005")
        loan_rate = IndexedRate(
            index,
            arguments.margin,
            Revision(arguments.revision or Revision.SIMPLE),
            floor if arguments.index_floor is None else arguments.index_floor,
        )
    prefinancing = None
    if arguments.prefinancing_months is not None:
        prefinancing = Prefinancing(arguments.prefinancing_months, PrefinancingMode(arguments.prefinancing_mode))
    return Terms(
        principal=arguments.principal,
        periodicity=Periodicity(arguments.periodicity),
        duration_years=arguments.years,
        first_due=arguments.first_due,
        profile=Profile(arguments.profile),
        rate=loan_rate,
        progression=arguments.progression,
        rate_convention=RateConvention(arguments.rate_convention),
        deferral_years=arguments.deferral_years,
        prefinancing=prefinancing,
    )


def run_schedule(arguments: argparse.Namespace) -> str:
    result = schedule(terms_from_arguments(arguments))
    if arguments.format == "json":
        return json.dumps(schedule_dict(result), indent=2) + "\n"
    return schedule_csv(result)


def run_land_share(arguments: argparse.Namespace) -> str:
    by_costs = arguments.land_cost is not None or arguments.subsidies is not None
    flat = arguments.zone is not None or arguments.acquisition is not None
    if by_costs == flat or (flat and (arguments.zone is None or arguments.acquisition is None)):
        raise UsageError(
            "espace.finance land-share: error: give either --land-cost [--subsidies] or --zone and --acquisition"
        )
    if by_costs and arguments.land_cost is None:
        raise UsageError("espace.finance land-share: error: --subsidies goes with --land-cost")
    output: dict[str, Any] = {"cost_price": amount_text(arguments.cost_price)}
    share: LandShare
    if by_costs:
        subsidies = arguments.subsidies if arguments.subsidies is not None else Decimal(0)
        share = land_share_from_costs(arguments.cost_price, arguments.land_cost, subsidies)
        output |= {
            "method": "costs",
            "land_cost": amount_text(arguments.land_cost),
            "subsidies": amount_text(subsidies),
        }
    else:
        share = land_share_flat(arguments.cost_price, arguments.zone, arguments.acquisition)
        output |= {"method": "flat", "zone": arguments.zone, "acquisition": arguments.acquisition}
    output |= {"land_share_percent": f"{share.percent:.2f}", "land_loan_base": amount_text(share.land_loan_base)}
    return json.dumps(output, indent=2) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command; print its output on stdout and return 0, or one line on stderr and return 2."""
    try:
        arguments = build_parser().parse_args(argv)
        output = run_schedule(arguments) if arguments.command == "schedule" else run_land_share(arguments)
    except UsageError as error:
        return _usage_error(str(error))
    except FinanceInputError as error:
        option = OPTION_OF_FIELD.get(error.field, error.field)
        return _usage_error(f"espace.finance {arguments.command}: error: {option}: {error.message}")
    sys.stdout.write(output)
    return 0


def _usage_error(message: str) -> int:
    sys.stderr.write(" ".join(message.split()) + "\n")
    return USAGE_ERROR
