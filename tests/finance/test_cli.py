"""The command line, as scripts call it: `python -m espace.finance …` in a subprocess."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCHEDULE = [
    "schedule",
    "--principal",
    "1000000",
    "--years",
    "40",
    "--periodicity",
    "annual",
    "--profile",
    "echeance_prioritaire",
    "--progression",
    "0.5",
    "--fixed-rate",
    "3.1",
    "--first-due",
    "2027-03-01",
]
HEADER = "number,due_date,rate,instalment,interest,capital,outstanding_after"


def run(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "espace.finance", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_schedule_csv() -> None:
    result = run(*SCHEDULE)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == HEADER
    assert lines[1] == "1,2027-03-01,3.1000,40624.65,31000.00,9624.65,990375.35"
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 40
    for row in rows:
        for column in ("instalment", "interest", "capital", "outstanding_after"):
            assert len(row[column].split(".")[1]) == 2
        assert len(row["rate"].split(".")[1]) == 4
    assert sum(Decimal(row["capital"]) for row in rows) == Decimal("1000000.00")
    assert rows[-1]["outstanding_after"] == "0.00"


def test_indexed_schedule_with_an_index_path() -> None:
    # Index 1.5 % then 1.8 % from 1 Aug 2027 and 2.0 % from 1 Feb 2028, + 0.6 %: period 3 (from 1 Mar 2028) is at 2.6 %.
    result = run(
        "schedule",
        "--principal",
        "1000000",
        "--years",
        "5",
        "--index-rate",
        "1.5",
        "--margin",
        "0.6",
        "--revision",
        "double",
        "--index-path",
        "2027-08-01:1.8,2028-02-01:2.0",
        "--first-due",
        "2027-03-01",
    )
    assert result.returncode == 0, result.stderr
    rates = [line.split(",")[2] for line in result.stdout.splitlines()[1:]]
    assert rates == ["2.1000", "2.1000", "2.6000", "2.6000", "2.6000"]


def test_deferred_interest_column_only_when_needed() -> None:
    arguments = [*SCHEDULE[:-6], "--progression", "8", "--fixed-rate", "9", "--first-due", "2027-03-01"]
    result = run(*arguments)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == HEADER + ",deferred_interest"


@pytest.mark.parametrize(
    "options",
    [
        ["--periodicity", "monthly", "--rate-convention", "proportional"],
        ["--profile", "amortissement_prioritaire", "--progression", "0"],
        ["--deferral-years", "2", "--periodicity", "quarterly"],
        ["--prefinancing-months", "6", "--prefinancing-mode", "capitalised"],
    ],
)
def test_schedule_options(options: list[str]) -> None:
    result = run(*SCHEDULE, *options)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[-1]["outstanding_after"] == "0.00"


def test_schedule_json() -> None:
    result = run(*SCHEDULE, "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert set(document) == {"terms", "totals", "rows"}
    assert document["terms"]["principal"] == "1000000.00"
    assert document["terms"]["rate"] == {"kind": "fixed", "rate_percent": "3.1"}
    assert document["terms"]["progression_percent"] == "0.5"
    assert set(document["totals"]) == {"instalments", "interest", "capital"}
    assert document["totals"]["capital"] == "1000000.00"
    assert document["rows"][0] == {
        "number": 1,
        "due_date": "2027-03-01",
        "rate": "3.1000",
        "instalment": "40624.65",
        "interest": "31000.00",
        "capital": "9624.65",
        "outstanding_after": "990375.35",
        "deferred_interest": "0.00",
    }


def test_land_share_from_costs() -> None:
    result = run("land-share", "--cost-price", "3000000", "--land-cost", "450000", "--subsidies", "360000")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert (document["land_share_percent"], document["land_loan_base"]) == ("13.20", "396000.00")


def test_land_share_flat() -> None:
    result = run("land-share", "--cost-price", "3000000", "--zone", "B1", "--acquisition", "vefa")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert (document["land_share_percent"], document["land_loan_base"]) == ("30.00", "900000.00")


def replaced(option: str, value: str) -> list[str]:
    arguments = list(SCHEDULE)
    arguments[arguments.index(option) + 1] = value
    return arguments


@pytest.mark.parametrize(
    "arguments",
    [
        replaced("--principal", "-1000"),
        replaced("--principal", "abc"),
        replaced("--profile", "constant"),
        replaced("--years", "0"),
        replaced("--years", "81"),
        replaced("--first-due", "2027-02-30"),
        replaced("--first-due", "01/03/2027"),
        replaced("--progression", "11"),
        [*SCHEDULE, "--index-rate", "1.5", "--margin", "0.6"],
        [argument for argument in SCHEDULE if argument not in {"--fixed-rate", "3.1"}],
        [*replaced("--fixed-rate", "3.1")[:-4], "--index-rate", "1.5", "--first-due", "2027-03-01"],
        [*SCHEDULE[:-4], "--index-rate", "1.5", "--margin", "0.6", "--index-path", "2027-08-01=1.8", *SCHEDULE[-2:]],
        [
            *SCHEDULE[:-4],
            "--index-rate",
            "1.5",
            "--margin",
            "0.6",
            "--index-path",
            "2028-08-01:1,2027-08-01:2",
            *SCHEDULE[-2:],
        ],
        [*SCHEDULE, "--margin", "0.6"],
        [*SCHEDULE, "--deferral-years", "40"],
        [*SCHEDULE, "--prefinancing-months", "0", "--prefinancing-mode", "paid"],
        [*SCHEDULE, "--prefinancing-months", "6"],
        [*SCHEDULE, "--format", "xml"],
        [*SCHEDULE, "--unknown"],
        ["schedule"],
        [],
        ["amortise"],
        ["land-share", "--cost-price", "3000000"],
        ["land-share", "--cost-price", "3000000", "--land-cost", "4000000"],
        ["land-share", "--cost-price", "3000000", "--zone", "D", "--acquisition", "vefa"],
        ["land-share", "--cost-price", "3000000", "--land-cost", "1", "--zone", "A", "--acquisition", "vefa"],
    ],
)
def test_bad_arguments_give_one_line_on_stderr_and_status_2(arguments: list[str]) -> None:
    result = run(*arguments)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.endswith("\n")
    assert "Traceback" not in result.stderr
    assert "error:" in result.stderr


def test_engine_imports_no_django() -> None:
    code = (
        "import sys, espace.finance, espace.finance.schedule, espace.finance.cli, espace.finance.balance; "
        "assert 'django' not in sys.modules, sorted(m for m in sys.modules if m.startswith('django'))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_engine_imports_only_the_standard_library() -> None:
    """Every module the engine pulls in is from the standard library (or the engine itself)."""
    code = (
        "import sys; before = set(sys.modules); import espace.finance.cli, espace.finance.balance; "
        "import espace.finance.land_share, espace.finance.export; "
        "new = {m.split('.')[0] for m in set(sys.modules) - before}; "
        "print(sorted(new - set(sys.stdlib_module_names) - {'espace'}))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
