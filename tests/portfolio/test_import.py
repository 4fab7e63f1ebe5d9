from __future__ import annotations

import csv
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from espace.core import clock as service_clock
from espace.core.models import AuditEvent
from espace.demo import portfolio as demo_portfolio
from espace.demo.portfolio import PORTFOLIO_DEMO_DIR
from espace.establishments.enums import EstablishmentKind
from espace.portfolio.engine import line_schedule
from espace.portfolio.enums import (
    AuditAction,
    ChangeRequestStatus,
    DisbursementStatus,
    GuarantorKind,
    ImportStatus,
    LineStatus,
    ScheduleSource,
)
from espace.portfolio.imports import pipeline
from espace.portfolio.imports.format import CONTRACTS, DISBURSEMENTS, FILE_COLUMNS, GUARANTEES, LINES, SCHEDULES
from espace.portfolio.models import (
    Contract,
    DisbursementChangeRequest,
    FinancingLine,
    Guarantee,
    GuarantorSummary,
    ImportRun,
    PlannedDisbursement,
    ScheduleRow,
)
from espace.portfolio.selectors import guaranteed_totals, guaranteed_totals_compute
from espace.portfolio.services import portfolio_import
from espace.portfolio.tasks import import_portfolio_daily
from espace.products.models import IndexRate
from espace.products.selectors import livret_a_history
from tests.accounts.factories import UserFactory
from tests.establishments.factories import EstablishmentFactory
from tests.portfolio.factories import FinancingLineFactory, GuaranteeFactory, PlannedDisbursementFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 25)
PARIS = ZoneInfo("Europe/Paris")

LINE_DEFAULTS = {
    "product": "plus",
    "principal": "1000000.00",
    "periodicity": "annual",
    "duration_years": "40",
    "first_due": "2020-03-01",
    "profile": "echeance_prioritaire",
    "progression_percent": "0",
    "rate_index": "livret_a",
    "margin_percent": "0.60",
    "fixed_rate_percent": "",
    "revision": "simple",
    "rate_convention": "",
    "deferral_years": "",
    "prefinancing_months": "",
    "prefinancing_mode": "",
}


def portfolio() -> dict[str, list[dict[str, str]]]:
    """Four contracts: two of the OPH (three lines), one recent in pre-financing, one of the commune (psp)."""
    return {
        "contracts": [
            {"contract_number": "C-1", "client_number": "287576", "signed_on": "2019-05-10"},
            {"contract_number": "C-2", "client_number": "287576", "signed_on": "2021-01-15"},
            {"contract_number": "C-3", "client_number": "104233", "signed_on": "2018-01-01"},
            {
                "contract_number": "C-4",
                "client_number": "287576",
                "signed_on": "2026-03-02",
                "dossier_number": "DP-2026-000123",
            },
        ],
        "lines": [
            {"line_number": "L-1", "contract_number": "C-1"},
            {
                "line_number": "L-2",
                "contract_number": "C-1",
                "product": "plai",
                "principal": "500000",
                "margin_percent": "-0.20",
                "duration_years": "50",
                "revision": "double",
            },
            {
                "line_number": "L-3",
                "contract_number": "C-2",
                "product": "pls",
                "principal": "800000",
                "margin_percent": "1.11",
                "duration_years": "30",
                "first_due": "2022-03-01",
                "profile": "amortissement_prioritaire",
                "progression_percent": "",
            },
            {
                "line_number": "L-4",
                "contract_number": "C-3",
                "product": "psp",
                "principal": "300000",
                "duration_years": "20",
                "first_due": "2019-01-01",
            },
            {
                "line_number": "L-5",
                "contract_number": "C-4",
                "principal": "600000",
                "first_due": "2028-03-01",
                "prefinancing_months": "12",
                "prefinancing_mode": "paid",
            },
        ],
        "guarantees": [
            {
                "line_number": "L-1",
                "guarantor": "104233",
                "share_percent": "50",
                "deliberation_reference": "DCM-2019-001",
                "deliberation_date": "2019-03-01",
            },
            {"line_number": "L-1", "guarantor": "330145", "share_percent": "50"},
            {"line_number": "L-2", "guarantor": "CGLLS", "share_percent": "100"},
            {"line_number": "L-3", "guarantor": "104233", "share_percent": "100"},
            {"line_number": "L-5", "guarantor": "330145", "share_percent": "100"},
        ],
        "disbursements": [
            {
                "line_number": "L-5",
                "planned_on": "2026-04-01",
                "amount": "300000",
                "status": "drawn",
                "drawn_on": "2026-04-02",
            },
            {"line_number": "L-5", "planned_on": "2027-06-01", "amount": "300000", "status": "planned"},
        ],
        "schedules": [],
    }


def write_portfolio(directory: Path, files: dict[str, list[dict[str, str]]], *, bom: bool = False) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    layout = {
        "contracts": (CONTRACTS, FILE_COLUMNS[CONTRACTS], {}),
        "lines": (LINES, FILE_COLUMNS[LINES], LINE_DEFAULTS),
        "schedules": (SCHEDULES, FILE_COLUMNS[SCHEDULES], {}),
        "guarantees": (GUARANTEES, FILE_COLUMNS[GUARANTEES], {}),
        "disbursements": (DISBURSEMENTS, FILE_COLUMNS[DISBURSEMENTS], {}),
    }
    for key, (name, header, defaults) in layout.items():
        rows = files.get(key)
        if rows is None:
            (directory / name).unlink(missing_ok=True)
            continue
        text = ";".join(header) + "\n"
        for row in rows:
            values = {**defaults, **row}
            text += ";".join(values.get(column, "") for column in header) + "\n"
        (directory / name).write_text(("\ufeff" if bom else "") + text, encoding="utf-8")
    return directory


@pytest.fixture
def establishments():
    return {
        "oph": EstablishmentFactory(client_number="287576", legal_name="OPH MONTREUIL HABITAT"),
        "commune": EstablishmentFactory(
            client_number="104233", commune=True, legal_name="COMMUNE DE SAINT-ANDRE-LES-VERGERS"
        ),
        "metropole": EstablishmentFactory(
            client_number="330145",
            kind=EstablishmentKind.INTERCOMMUNALITY,
            is_guarantor=True,
            legal_name="METROPOLE DU GRAND LYON",
        ),
    }


@pytest.fixture
def files_dir(tmp_path, establishments) -> Path:
    return write_portfolio(tmp_path / "portefeuille", portfolio())


def csv_rows(directory: Path, name: str) -> list[dict[str, str]]:
    with (directory / name).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def contract_snapshot(number: str) -> dict:
    contract = Contract.objects.get(number=number)
    return {
        "contract": (contract.pk, contract.updated_at),
        "lines": sorted(FinancingLine.objects.filter(contract=contract).values_list("pk", "public_id", "updated_at")),
        "rows": sorted(ScheduleRow.objects.filter(line__contract=contract).values_list("pk", flat=True)),
    }


WRITES = ("INSERT", "UPDATE", "DELETE")
PORTFOLIO_DATA_TABLES = (
    "portfolio_contract",
    "portfolio_financingline",
    "portfolio_schedulerow",
    "portfolio_guarantee",
    "portfolio_planneddisbursement",
)


def data_writes(captured: CaptureQueriesContext) -> list[str]:
    return [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].lstrip().upper().startswith(WRITES)
        and any(table in query["sql"] for table in PORTFOLIO_DATA_TABLES)
    ]


# --- The demo files ---------------------------------------------------------------------------


def test_committed_demo_files_are_what_the_generator_writes():
    files = demo_portfolio.demo_files()
    assert sorted(files) == sorted(path.name for path in PORTFOLIO_DEMO_DIR.glob("*.csv"))
    for name, content in files.items():
        assert (PORTFOLIO_DEMO_DIR / name).read_text(encoding="utf-8") == content, (
            f"{name} differs: run python -m espace.demo.portfolio"
        )


def test_demo_files_import_without_errors(establishments):
    contracts = csv_rows(PORTFOLIO_DEMO_DIR, "contracts.csv")
    lines = csv_rows(PORTFOLIO_DEMO_DIR, "lines.csv")
    lender_lines = {row["line_number"] for row in csv_rows(PORTFOLIO_DEMO_DIR, "schedules.csv")}

    run = portfolio_import(directory=PORTFOLIO_DEMO_DIR, today=TODAY)

    assert run.errors == []
    assert run.status == ImportStatus.DONE
    assert run.counts == {
        "contracts": {"created": len(contracts), "updated": 0, "unchanged": 0, "refused": 0},
        "lines": len(lines),
        "rows": ScheduleRow.objects.count(),
        "guarantees": len(csv_rows(PORTFOLIO_DEMO_DIR, "guarantees.csv")),
        "disbursements": len(csv_rows(PORTFOLIO_DEMO_DIR, "disbursements.csv")),
    }
    assert 55 <= len(contracts) <= 70 and 140 <= len(lines) <= 160
    assert FinancingLine.objects.count() == len(lines)
    assert (
        set(FinancingLine.objects.filter(schedule_source=ScheduleSource.LENDER).values_list("number", flat=True))
        == lender_lines
    )
    assert FinancingLine.objects.filter(status=LineStatus.PREFINANCING).exists()
    assert not PlannedDisbursement.objects.filter(status=DisbursementStatus.PLANNED, planned_on__lte=TODAY).exists()
    assert PlannedDisbursement.objects.filter(status=DisbursementStatus.DRAWN).exists()
    # Every line but the commune's own local-public-sector loans is 100 % guaranteed.
    for line in FinancingLine.objects.exclude(product__code="psp"):
        assert sum(g.share_percent for g in line.guarantees.all()) == 100, line.number
    assert not Guarantee.objects.filter(line__product__code="psp").exists()
    borrowers = {row["client_number"] for row in run.reconciliation}
    assert borrowers == {"287576", "104233", ""}
    # Each guarantor's sums were written for its guaranteed-debt page, equal to a fresh computation.
    guarantor_ids = set(Guarantee.objects.exclude(guarantor=None).values_list("guarantor_id", flat=True))
    assert guarantor_ids and set(GuarantorSummary.objects.values_list("establishment_id", flat=True)) == guarantor_ids
    for summary in GuarantorSummary.objects.select_related("establishment"):
        fresh = guaranteed_totals_compute(summary.establishment, year=summary.year)
        assert guaranteed_totals(summary.establishment, year=summary.year) == replace(fresh, positioned=True)
        assert fresh.lines == Guarantee.objects.filter(guarantor=summary.establishment).count() > 0

    later = portfolio_import(directory=PORTFOLIO_DEMO_DIR, today=date(2027, 6, 30))
    assert later.errors == [] and later.counts["contracts"]["unchanged"] == len(contracts)
    assert not FinancingLine.objects.exclude(figures_on=date(2027, 6, 30)).exists()


# --- Idempotence and changes ------------------------------------------------------------------


def test_second_run_changes_nothing(files_dir):
    first = portfolio_import(directory=files_dir, today=TODAY)
    assert first.counts["contracts"]["created"] == 4
    before = {number: contract_snapshot(number) for number in ("C-1", "C-2", "C-3", "C-4")}

    with CaptureQueriesContext(connection) as captured:
        again = portfolio_import(directory=files_dir, today=TODAY)

    assert again.counts == {
        "contracts": {"created": 0, "updated": 0, "unchanged": 4, "refused": 0},
        "lines": 0,
        "rows": 0,
        "guarantees": 0,
        "disbursements": 0,
    }
    assert data_writes(captured) == []
    assert {number: contract_snapshot(number) for number in before} == before
    assert again.reconciliation == first.reconciliation


def test_changed_principal_rewrites_that_contract_only(files_dir):
    portfolio_import(directory=files_dir, today=TODAY)
    c1_before, c2_before = contract_snapshot("C-1"), contract_snapshot("C-2")
    public_ids = dict(FinancingLine.objects.values_list("number", "public_id"))
    files = portfolio()
    files["lines"][0]["principal"] = "1200000,00"
    write_portfolio(files_dir, files)

    run = portfolio_import(directory=files_dir, today=TODAY)

    assert run.counts["contracts"] == {"created": 0, "updated": 1, "unchanged": 3, "refused": 0}
    assert (run.counts["lines"], run.counts["guarantees"]) == (2, 3)
    assert contract_snapshot("C-2") == c2_before
    line = FinancingLine.objects.get(number="L-1")
    assert line.principal == Decimal("1200000.00")
    assert sum(row.capital for row in line.rows.all()) == Decimal("1200000.00")
    assert dict(FinancingLine.objects.values_list("number", "public_id")) == public_ids
    after = contract_snapshot("C-1")
    assert after["contract"][0] == c1_before["contract"][0]
    assert after["contract"][1] > c1_before["contract"][1]
    assert not set(after["rows"]) & set(c1_before["rows"])  # rows replaced


def test_line_dropped_from_the_file_is_deleted_and_new_line_added(files_dir):
    portfolio_import(directory=files_dir, today=TODAY)
    kept = FinancingLine.objects.get(number="L-1").public_id
    files = portfolio()
    files["lines"][1]["line_number"] = "L-2b"
    files["guarantees"][2]["line_number"] = "L-2b"
    write_portfolio(files_dir, files)

    run = portfolio_import(directory=files_dir, today=TODAY)

    assert run.counts["contracts"]["updated"] == 1
    assert set(FinancingLine.objects.filter(contract__number="C-1").values_list("number", flat=True)) == {"L-1", "L-2b"}
    assert FinancingLine.objects.get(number="L-1").public_id == kept


# --- Refusals ---------------------------------------------------------------------------------


def test_bad_row_refuses_its_whole_contract_and_nothing_of_it_is_written(files_dir):
    files = portfolio()
    files["guarantees"][3]["deliberation_date"] = "31/02/2020"  # L-3, contract C-2
    write_portfolio(files_dir, files)

    run = portfolio_import(directory=files_dir, today=TODAY)

    assert run.status == ImportStatus.DONE_WITH_ERRORS
    assert run.errors == [
        {
            "file": "guarantees.csv",
            "line": 5,
            "reason": "date invalide pour deliberation_date : « 31/02/2020 » (attendu AAAA-MM-JJ ou JJ/MM/AAAA)",
        }
    ]
    assert run.counts["contracts"] == {"created": 3, "updated": 0, "unchanged": 0, "refused": 1}
    assert not Contract.objects.filter(number="C-2").exists()
    assert not FinancingLine.objects.filter(number="L-3").exists()
    assert set(Contract.objects.values_list("number", flat=True)) == {"C-1", "C-3", "C-4"}


def test_refused_change_leaves_the_stored_contract_as_it_was(files_dir):
    portfolio_import(directory=files_dir, today=TODAY)
    before = contract_snapshot("C-1")
    files = portfolio()
    files["lines"][0]["principal"] = "1200000"
    files["lines"][1]["periodicity"] = "weekly"
    write_portfolio(files_dir, files)

    run = portfolio_import(directory=files_dir, today=TODAY)

    assert run.counts["contracts"]["refused"] == 1
    assert run.errors[0]["file"] == "lines.csv" and run.errors[0]["line"] == 3
    assert "periodicity" in run.errors[0]["reason"] and "weekly" in run.errors[0]["reason"]
    assert contract_snapshot("C-1") == before
    assert FinancingLine.objects.get(number="L-1").principal == Decimal("1000000.00")


def test_guarantee_shares_not_summing_to_100_refuse_the_contract(files_dir):
    files = portfolio()
    files["guarantees"][1]["share_percent"] = "40"
    write_portfolio(files_dir, files)

    run = portfolio_import(directory=files_dir, today=TODAY)

    assert run.errors == [
        {
            "file": "guarantees.csv",
            "line": 2,
            "reason": "les quotités garanties de la ligne L-1 font 90 % au lieu de 100 %",
        }
    ]
    assert not Contract.objects.filter(number="C-1").exists()
    assert Contract.objects.count() == 3


def test_social_housing_line_without_guarantee_is_refused_local_public_sector_is_not(files_dir):
    files = portfolio()
    files["guarantees"] = [row for row in files["guarantees"] if row["line_number"] != "L-3"]
    write_portfolio(files_dir, files)

    run = portfolio_import(directory=files_dir, today=TODAY)

    assert run.errors == [
        {"file": "lines.csv", "line": 4, "reason": "les quotités garanties de la ligne L-3 font 0 % au lieu de 100 %"}
    ]
    assert FinancingLine.objects.get(number="L-4").guarantees.count() == 0  # psp: no guarantee needed


@pytest.mark.parametrize(
    "file, change, line, reason",
    [
        ("contracts", {"client_number": "999999"}, 3, "numéro client inconnu : « 999999 »"),
        ("lines", {"product": "xyz"}, 4, "produit inconnu : xyz"),
        ("lines", {"principal": "12a"}, 4, "nombre invalide pour principal : « 12a »"),
        (
            "lines",
            {"prefinancing_months": "6"},
            4,
            "préfinancement : prefinancing_months et prefinancing_mode sont tous deux vides ou tous deux remplis",
        ),
        (
            "lines",
            {"prefinancing_mode": "paid"},
            4,
            "préfinancement : prefinancing_months et prefinancing_mode sont tous deux vides ou tous deux remplis",
        ),
        (
            "lines",
            {"prefinancing_months": "0", "prefinancing_mode": "paid"},
            4,
            "prefinancing_months hors limites : 0 (de 1 à 60)",
        ),
        (
            "lines",
            {"rate_index": "fixed"},
            4,
            "taux fixe manquant : fixed_rate_percent est obligatoire quand rate_index = fixed",
        ),
        (
            "lines",
            {"duration_years": "30", "deferral_years": "30"},
            4,
            "conditions refusées par le moteur de calcul (deferral_years : must be a whole number of years from 0 to duration_years − 1, got 30)",
        ),
        ("guarantees", {"guarantor": "777"}, 5, "garant inconnu : « 777 » (numéro client ou CGLLS)"),
    ],
)
def test_each_kind_of_bad_value_refuses_the_contract(files_dir, file, change, line, reason):
    files = portfolio()
    target = {"contracts": 1, "lines": 2, "guarantees": 3}[file]  # C-2, L-3, L-3's guarantee
    files[file][target].update(change)
    write_portfolio(files_dir, files)

    run = portfolio_import(directory=files_dir, today=TODAY)

    assert run.errors == [{"file": f"{file}.csv", "line": line, "reason": reason}]
    assert run.counts["contracts"]["refused"] == 1
    assert not Contract.objects.filter(number="C-2").exists()
    assert Contract.objects.count() == 3


def test_rows_naming_unknown_lines_or_contracts_are_reported(files_dir):
    portfolio_import(directory=files_dir, today=TODAY)
    files = portfolio()
    files["lines"] = [row for row in files["lines"] if row["line_number"] != "L-3"]
    files["lines"].append({"line_number": "L-9", "contract_number": "C-9"})
    files["disbursements"].append(
        {"line_number": "L-404", "planned_on": "2027-01-01", "amount": "1", "status": "planned"}
    )
    write_portfolio(files_dir, files)

    run = portfolio_import(directory=files_dir, today=TODAY)

    # L-3's guarantee names a line missing from lines.csv: C-2, which holds L-3 in the database, is refused.
    assert {
        "file": "guarantees.csv",
        "line": 5,
        "reason": "ligne de prêt inconnue dans lines.csv : « L-3 »",
    } in run.errors
    assert {"file": "lines.csv", "line": 6, "reason": "contrat inconnu dans contracts.csv : « C-9 »"} in run.errors
    assert {
        "file": "disbursements.csv",
        "line": 4,
        "reason": "ligne de prêt inconnue dans lines.csv : « L-404 »",
    } in run.errors
    assert run.counts["contracts"]["refused"] == 1
    assert FinancingLine.objects.filter(number="L-3").exists()  # C-2 kept as it was


def test_duplicate_contract_and_line_numbers_refuse_the_contracts_involved(files_dir):
    files = portfolio()
    files["contracts"].append({"contract_number": "C-3", "client_number": "104233", "signed_on": "2018-02-01"})
    files["lines"].append({"line_number": "L-1", "contract_number": "C-2"})
    write_portfolio(files_dir, files)

    run = portfolio_import(directory=files_dir, today=TODAY)

    assert run.errors == [
        {"file": "lines.csv", "line": 2, "reason": "ligne L-1 en double dans le fichier"},
        {"file": "lines.csv", "line": 7, "reason": "ligne L-1 en double dans le fichier"},
        {"file": "contracts.csv", "line": 6, "reason": "contrat C-3 en double dans le fichier"},
    ]
    assert run.counts["contracts"] == {"created": 1, "updated": 0, "unchanged": 0, "refused": 3}
    assert list(Contract.objects.values_list("number", flat=True)) == ["C-4"]


def test_a_running_import_blocks_another_until_it_is_stale(files_dir, clock):
    ImportRun.objects.create(
        started_at=service_clock.now() - timedelta(hours=1), source="ailleurs", status=ImportStatus.RUNNING
    )

    blocked = portfolio_import(directory=files_dir, today=TODAY)

    assert blocked.status == ImportStatus.FAILED
    assert blocked.errors == [
        {"file": "", "line": 0, "reason": "un autre import est en cours depuis le 23/11/2026 08:00"}
    ]
    assert not Contract.objects.exists()

    clock.shift(timedelta(hours=12))
    assert portfolio_import(directory=files_dir, today=TODAY).status == ImportStatus.DONE


def test_missing_required_file_fails_the_run(files_dir):
    (files_dir / "lines.csv").unlink()

    run = portfolio_import(directory=files_dir, today=TODAY)

    assert run.status == ImportStatus.FAILED
    assert run.errors == [{"file": "lines.csv", "line": 0, "reason": "fichier absent"}]
    assert not Contract.objects.exists()


def test_a_group_the_database_refuses_is_written_again_one_contract_at_a_time(files_dir, monkeypatch):
    real_write = pipeline.write_contracts

    def refusing_c2(group):
        if any(prepared.number == "C-2" for prepared in group):
            with transaction.atomic():
                real_write(group)
                raise IntegrityError("contrainte simulée")
        real_write(group)

    monkeypatch.setattr(pipeline, "write_contracts", refusing_c2)

    run = portfolio_import(directory=files_dir, today=TODAY)

    assert run.counts["contracts"] == {"created": 3, "updated": 0, "unchanged": 0, "refused": 1}
    assert run.errors == [
        {
            "file": "contracts.csv",
            "line": 3,
            "reason": "la base de données a refusé le contrat C-2 (contrainte simulée)",
        }
    ]
    assert set(Contract.objects.values_list("number", flat=True)) == {"C-1", "C-3", "C-4"}
    assert not FinancingLine.objects.filter(number="L-3").exists()
    assert ScheduleRow.objects.count() == sum(
        len(line_schedule(line, livret_a_history()).rows) for line in FinancingLine.objects.all()
    )


def test_planned_disbursements_with_a_pending_change_request_are_not_replaced(files_dir):
    portfolio_import(directory=files_dir, today=TODAY)
    line = FinancingLine.objects.get(number="L-5")
    planned = line.disbursements.get(status=DisbursementStatus.PLANNED)
    DisbursementChangeRequest.objects.create(
        line=line,
        requested_by=UserFactory(),
        proposal=[{"id": planned.pk, "planned_on": "2027-09-01", "amount": "300000.00"}],
        previous=[{"id": planned.pk, "planned_on": "2027-06-01", "amount": "300000.00"}],
    )
    files = portfolio()
    files["lines"][4]["principal"] = "650000"
    write_portfolio(files_dir, files)  # same plan, other terms: the plan is kept as it is

    run = portfolio_import(directory=files_dir, today=TODAY)

    assert run.counts["contracts"]["updated"] == 1
    assert FinancingLine.objects.get(number="L-5").principal == Decimal("650000")
    assert PlannedDisbursement.objects.filter(pk=planned.pk).exists()

    files["disbursements"][1]["planned_on"] = "2027-07-01"
    files["lines"][4]["principal"] = "700000"
    write_portfolio(files_dir, files)
    run = portfolio_import(directory=files_dir, today=TODAY)

    assert run.counts["contracts"]["refused"] == 1
    assert run.errors == [
        {
            "file": "disbursements.csv",
            "line": 2,
            "reason": "la ligne L-5 a une demande de modification de son échéancier de versement en attente : "
            "versements non remplacés, contrat non mis à jour",
        }
    ]
    assert FinancingLine.objects.get(number="L-5").principal == Decimal("650000")
    assert PlannedDisbursement.objects.get(pk=planned.pk).planned_on == date(2027, 6, 1)
    assert DisbursementChangeRequest.objects.get().status == ChangeRequestStatus.PENDING


# --- Schedules --------------------------------------------------------------------------------


def test_engine_schedules_are_line_schedule(files_dir):
    portfolio_import(directory=files_dir, today=TODAY)
    history = livret_a_history()
    for line in FinancingLine.objects.all():
        assert line.schedule_source == ScheduleSource.ENGINE
        expected = [
            (
                r.number,
                r.due_date,
                r.rate,
                r.instalment,
                r.interest,
                r.capital,
                r.outstanding_after,
                r.deferred_interest,
            )
            for r in line_schedule(line, history).rows
        ]
        stored = list(
            line.rows.order_by("number").values_list(
                "number",
                "due_date",
                "rate",
                "instalment",
                "interest",
                "capital",
                "outstanding_after",
                "deferred_interest",
            )
        )
        assert stored == expected, line.number
        assert [row.paid for row in line.rows.order_by("number")] == [r[1] <= TODAY for r in expected]


def test_lender_schedules_are_kept_as_sent(files_dir):
    files = portfolio()
    files["schedules"] = [
        {
            "line_number": "L-3",
            "number": "1",
            "due_date": "2022-03-01",
            "rate_percent": "1,61",
            "instalment": "39546.67",
            "interest": "12880.00",
            "capital": "26666.67",
            "outstanding_after": "773333.33",
            "paid": "oui",
        },
        {
            "line_number": "L-3",
            "number": "2",
            "due_date": "2023-03-01",
            "rate_percent": "4.11",
            "instalment": "58451.00",
            "interest": "31784.00",
            "capital": "26667.00",
            "outstanding_after": "746666.33",
            "paid": "non",
        },
        {
            "line_number": "L-3",
            "number": "3",
            "due_date": "2024-03-01",
            "rate_percent": "4.11",
            "instalment": "57355.00",
            "interest": "30688.00",
            "capital": "26667.00",
            "outstanding_after": "719999.33",
            "paid": "",
        },
        {
            "line_number": "L-3",
            "number": "4",
            "due_date": "2051-03-01",
            "rate_percent": "2.61",
            "instalment": "738791.33",
            "interest": "18792.00",
            "capital": "719999.33",
            "outstanding_after": "0.00",
            "paid": "",
        },
    ]
    write_portfolio(files_dir, files)

    run = portfolio_import(directory=files_dir, today=TODAY)

    assert run.errors == []
    line = FinancingLine.objects.get(number="L-3")
    assert line.schedule_source == ScheduleSource.LENDER
    assert list(
        line.rows.order_by("number").values_list(
            "number", "due_date", "rate", "instalment", "outstanding_after", "paid"
        )
    ) == [
        (1, date(2022, 3, 1), Decimal("0.016100"), Decimal("39546.67"), Decimal("773333.33"), True),
        (2, date(2023, 3, 1), Decimal("0.041100"), Decimal("58451.00"), Decimal("746666.33"), False),  # « non » kept
        (3, date(2024, 3, 1), Decimal("0.041100"), Decimal("57355.00"), Decimal("719999.33"), True),  # empty: due
        (4, date(2051, 3, 1), Decimal("0.026100"), Decimal("738791.33"), Decimal("0.00"), False),
    ]
    assert (line.outstanding, line.next_due_date, line.next_instalment, line.maturity_date) == (
        Decimal("719999.33"),
        date(2051, 3, 1),
        Decimal("738791.33"),
        date(2051, 3, 1),
    )
    assert FinancingLine.objects.exclude(number="L-3").filter(schedule_source=ScheduleSource.LENDER).count() == 0


def test_paid_said_by_the_lender_stays_paid_left_empty_follows_the_date(files_dir):
    files = portfolio()
    row = {"line_number": "L-3", "rate_percent": "1.61", "interest": "0", "outstanding_after": "0"}
    files["schedules"] = [
        {**row, "number": "1", "due_date": "2026-03-01", "instalment": "100", "capital": "100", "paid": "non"},
        {**row, "number": "2", "due_date": "2027-03-01", "instalment": "200", "capital": "200", "paid": ""},
        {**row, "number": "3", "due_date": "2028-03-01", "instalment": "300", "capital": "300", "paid": "oui"},
    ]
    write_portfolio(files_dir, files)
    portfolio_import(directory=files_dir, today=TODAY)
    line = FinancingLine.objects.get(number="L-3")
    assert list(line.rows.order_by("number").values_list("paid", flat=True)) == [False, False, True]

    run = portfolio_import(directory=files_dir, today=date(2027, 3, 1))

    assert run.counts["contracts"]["unchanged"] == 4
    assert list(line.rows.order_by("number").values_list("paid", flat=True)) == [False, True, True]
    line.refresh_from_db()
    assert (line.figures_on, line.next_due_date, line.next_instalment) == (
        date(2027, 3, 1),
        date(2028, 3, 1),
        Decimal("300.00"),
    )


def test_bad_lender_schedule_row_refuses_the_contract(files_dir):
    files = portfolio()
    row = {
        "line_number": "L-3",
        "due_date": "2022-03-01",
        "rate_percent": "1.61",
        "instalment": "1",
        "interest": "0",
        "capital": "1",
        "outstanding_after": "0",
    }
    files["schedules"] = [{**row, "number": "1"}, {**row, "number": "1"}, {**row, "number": "2", "instalment": "1.234"}]
    write_portfolio(files_dir, files)

    run = portfolio_import(directory=files_dir, today=TODAY)

    assert run.errors == [
        {"file": "schedules.csv", "line": 3, "reason": "échéance n° 1 en double pour la ligne L-3"},
        {"file": "schedules.csv", "line": 4, "reason": "montant au-delà du centime pour instalment : « 1.234 »"},
    ]
    assert not Contract.objects.filter(number="C-2").exists()


def test_bom_comma_decimals_and_french_dates_are_read(tmp_path, establishments):
    files = portfolio()
    files["contracts"][0]["signed_on"] = "10/05/2019"
    files["contracts"][0]["client_number"] = "000287576"
    files["lines"][0].update({"principal": "1 000 000,00", "margin_percent": "0,60", "first_due": "01/03/2020"})
    files["guarantees"][0].update({"share_percent": "50,0", "deliberation_date": "01/03/2019"})
    directory = write_portfolio(tmp_path / "bom", files, bom=True)

    run = portfolio_import(directory=directory, today=TODAY)

    assert run.errors == []
    line = FinancingLine.objects.get(number="L-1")
    assert (line.principal, line.margin, line.first_due) == (
        Decimal("1000000.00"),
        Decimal("0.006000"),
        date(2020, 3, 1),
    )
    assert line.contract.signed_on == date(2019, 5, 10)
    assert line.contract.borrower.client_number == "287576"
    assert line.guarantees.get(guarantor__client_number="104233").deliberation_date == date(2019, 3, 1)
    assert Guarantee.objects.filter(kind=GuarantorKind.CGLLS, line__number="L-2").exists()


# --- Figures ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "today, status",
    [
        (date(2026, 11, 25), LineStatus.REPAYMENT),
        (date(2019, 6, 1), LineStatus.PREFINANCING),
        (date(2062, 1, 1), LineStatus.REPAID),
    ],
)
def test_figures_as_of_the_import_date(files_dir, today, status):
    portfolio_import(directory=files_dir, today=today)

    line = FinancingLine.objects.get(number="L-1")
    rows = list(line.rows.order_by("number"))
    past = [row for row in rows if row.due_date <= today]
    future = [row for row in rows if row.due_date > today]
    assert line.figures_on == today
    assert line.status == status
    expected_outstanding = {
        LineStatus.REPAYMENT: past[-1].outstanding_after if past else None,
        LineStatus.PREFINANCING: line.principal,
        LineStatus.REPAID: Decimal("0.00"),
    }[status]
    assert line.outstanding == expected_outstanding
    assert line.next_due_date == (future[0].due_date if future else None)
    assert line.next_instalment == (future[0].instalment if future else None)
    assert line.maturity_date == rows[-1].due_date
    assert all(row.paid == (row.due_date <= today) for row in rows)


def test_command_today_option_and_recent_contract_in_prefinancing(files_dir, capsys):
    call_command("import_portfolio", str(files_dir), "--today", "2026-11-25")
    line = FinancingLine.objects.get(number="L-5")
    assert line.status == LineStatus.PREFINANCING
    assert line.outstanding == Decimal("600000.00")
    assert line.figures_on == date(2026, 11, 25)
    assert line.contract.dossier_number == "DP-2026-000123"
    assert list(line.disbursements.values_list("status", flat=True)) == ["drawn", "planned"]


def test_unchanged_contracts_have_their_figures_moved_to_the_new_date(files_dir):
    portfolio_import(directory=files_dir, today=date(2026, 2, 15))
    before = contract_snapshot("C-1")
    line = FinancingLine.objects.get(number="L-1")
    march_row = line.rows.get(due_date=date(2026, 3, 1))
    assert not march_row.paid and line.next_due_date == date(2026, 3, 1)

    run = portfolio_import(directory=files_dir, today=date(2026, 3, 10))

    assert run.counts["contracts"]["unchanged"] == 4
    line.refresh_from_db()
    assert line.figures_on == date(2026, 3, 10)
    assert line.outstanding == line.rows.get(due_date=date(2026, 3, 1)).outstanding_after
    assert line.next_due_date == date(2027, 3, 1)
    assert line.rows.get(pk=march_row.pk).paid
    assert FinancingLine.objects.get(number="L-5").figures_on == date(2026, 3, 10)  # nothing due: date only
    assert contract_snapshot("C-1") == before  # same rows, same updated_at: figures only

    portfolio_import(directory=files_dir, today=date(2026, 2, 15))  # back in time: not paid again
    line.refresh_from_db()
    assert line.next_due_date == date(2026, 3, 1)
    assert not line.rows.get(pk=march_row.pk).paid


def test_a_new_livret_a_rate_recomputes_engine_schedules(files_dir):
    portfolio_import(directory=files_dir, today=TODAY)
    IndexRate.objects.create(index="livret_a", effective_from=date(2027, 2, 1), rate_percent=Decimal("2.000"))

    run = portfolio_import(directory=files_dir, today=TODAY)

    assert run.counts["contracts"]["updated"] == 4
    line = FinancingLine.objects.get(number="L-1")
    assert line.rows.get(due_date=date(2028, 3, 1)).rate == Decimal("0.026")


# --- Reconciliation, audit, command -------------------------------------------------------------


def test_reconciliation_sums_the_lines_per_borrower(files_dir, establishments):
    run = portfolio_import(directory=files_dir, today=TODAY)

    by_number = {item["client_number"]: item for item in run.reconciliation}
    oph_lines = FinancingLine.objects.filter(contract__borrower=establishments["oph"])
    assert by_number["287576"] == {
        "client_number": "287576",
        "name": "OPH MONTREUIL HABITAT",
        "contracts": 3,
        "lines": 4,
        "outstanding": str(sum(line.outstanding for line in oph_lines)),
    }
    assert by_number["104233"]["outstanding"] == str(FinancingLine.objects.get(number="L-4").outstanding)
    assert "330145" not in by_number  # a guarantor only: no lines
    total = by_number[""]
    assert total["name"] == "Total" and (total["contracts"], total["lines"]) == (4, 5)
    assert Decimal(total["outstanding"]) == sum(line.outstanding for line in FinancingLine.objects.all())


def test_run_is_recorded_and_audited(files_dir):
    run = portfolio_import(directory=files_dir, today=TODAY)

    stored = ImportRun.objects.get()
    assert stored.pk == run.pk and stored.status == ImportStatus.DONE
    assert stored.started_at <= stored.finished_at
    assert stored.source == str(files_dir)
    event = AuditEvent.objects.get(action=AuditAction.PORTFOLIO_IMPORTED)
    assert event.details["counts"]["contracts"]["created"] == 4
    assert event.target_id == str(run.public_id)


def test_command_prints_counts_and_errors_and_exits_1_on_refusals(files_dir, capsys):
    call_command("import_portfolio", str(files_dir), "--today", "2026-11-25")
    out = capsys.readouterr().out
    assert "Contrats : 4 créé(s), 0 mis à jour, 0 inchangé(s), 0 refusé(s)." in out
    assert "287576 OPH MONTREUIL HABITAT : 3 contrat(s), 4 ligne(s)" in out
    assert "Total : 4 contrat(s), 5 ligne(s)" in out

    files = portfolio()
    files["lines"][2]["product"] = "xyz"
    files["lines"][0]["principal"] = "900000"
    write_portfolio(files_dir, files)
    with pytest.raises(CommandError) as error:
        call_command("import_portfolio", str(files_dir), "--today", "2026-11-25")
    assert error.value.returncode == 1
    captured = capsys.readouterr()
    assert "lines.csv, ligne 4 : produit inconnu : xyz" in captured.err
    assert "Contrats : 0 créé(s), 1 mis à jour, 2 inchangé(s), 1 refusé(s)." in captured.out


def test_command_fails_on_a_missing_directory(tmp_path, capsys):
    with pytest.raises(CommandError) as error:
        call_command("import_portfolio", str(tmp_path / "absent"))
    assert error.value.returncode == 1
    assert "dossier introuvable" in capsys.readouterr().err


# --- The daily task -------------------------------------------------------------------------------


def queued_imports():
    return DBTaskResult.objects.filter(task_path=import_portfolio_daily.module_path, status=TaskResultStatus.READY)


def test_daily_task_imports_then_queues_itself_for_the_next_day(files_dir, clock, run_tasks, settings):
    settings.PORTFOLIO_IMPORT_HOUR = 5
    import_portfolio_daily.enqueue(directory=str(files_dir))

    run_tasks()

    assert ImportRun.objects.get().counts["contracts"]["created"] == 4
    assert FinancingLine.objects.get(number="L-1").figures_on == date(2026, 11, 23)
    queued = queued_imports().get()
    assert queued.run_after == datetime(2026, 11, 24, 5, 0, tzinfo=PARIS)
    assert queued.args_kwargs["kwargs"] == {"directory": str(files_dir)}

    run_tasks()  # not due yet
    assert ImportRun.objects.count() == 1

    clock.move_to(datetime(2026, 11, 24, 5, 1, tzinfo=PARIS))
    run_tasks()

    assert ImportRun.objects.count() == 2
    assert FinancingLine.objects.get(number="L-1").figures_on == date(2026, 11, 24)
    assert queued_imports().get().run_after == datetime(2026, 11, 25, 5, 0, tzinfo=PARIS)


def test_schedule_command_starts_one_chain(files_dir, clock, settings, capsys):
    settings.PORTFOLIO_IMPORT_DIR = ""
    with pytest.raises(CommandError):
        call_command("schedule_portfolio_import")

    settings.PORTFOLIO_IMPORT_DIR = str(files_dir)
    call_command("schedule_portfolio_import")
    call_command("schedule_portfolio_import", str(files_dir))

    queued = queued_imports().get()
    assert queued.run_after == datetime(2026, 11, 24, 5, 0, tzinfo=PARIS)  # 09:00 now: tomorrow 05:00
    assert "Déjà planifié" in capsys.readouterr().out


# --- Factories --------------------------------------------------------------------------------


def test_line_factory_builds_the_engine_schedule_and_figures():
    line = FinancingLineFactory(with_schedule=True)
    GuaranteeFactory(line=line, share_percent=Decimal(50))
    GuaranteeFactory(line=line, cglls=True, share_percent=Decimal(50))
    planned = PlannedDisbursementFactory()

    rows = line_schedule(line, livret_a_history()).rows
    assert line.rows.count() == len(rows) == 40
    assert line.outstanding == rows[1].outstanding_after  # two instalments due by 23/11/2026
    assert line.next_due_date == date(2027, 3, 1) and line.status == LineStatus.REPAYMENT
    assert sum(g.share_percent for g in line.guarantees.all()) == 100
    assert planned.line.status == LineStatus.PREFINANCING
    prefinancing = FinancingLineFactory(in_prefinancing=True, with_schedule=True, figures_on=date(2026, 11, 23))
    assert prefinancing.status == LineStatus.PREFINANCING and prefinancing.rows.filter(number=0).exists()
    assert timedelta(0) < prefinancing.maturity_date - prefinancing.first_due
