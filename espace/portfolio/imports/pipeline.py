"""Daily import of the portfolio (« encours ») from the lender's five CSV files.

The files and their columns are described in docs/operations.md (« `import_portfolio` files »). How it works,
and why:

- **Pass 1** streams every file once (csv module). It keeps, per contract, the text of its rows
  in contracts.csv, lines.csv, guarantees.csv and disbursements.csv (rows proportional to the
  number of lines), but of schedules.csv — about ten million rows for a national portfolio —
  only where each line's rows lie in the file (byte ranges) and a SHA-256 of them. Memory grows
  with the lines, never with the schedule rows, whatever the order of the file.
- Each contract's **digest** covers everything the files say about it (its row, its lines, their
  schedule rows, guarantees and disbursements) and, when the engine computes one of its indexed
  schedules, the Livret A history of the database: a new Livret A rate recomputes those
  schedules. An unchanged contract (digest equal to `Contract.source_digest`) is not rewritten;
  only its lines' figures move to the import date, in bulk.
- **Pass 2** takes the other contracts in the order of contracts.csv. Everything is checked in
  Python first (values, references, guarantee shares, the engine's terms, lender schedules); a
  contract with any bad row is refused whole and reported `{"file", "line", "reason"}`.
- **Writes**: accepted contracts are written in groups (bulk_create in batches, a few queries per
  group rather than per contract or per row), each group in one transaction. A group the
  database refuses (a race with another writer, a constraint) is rolled back and written again
  one transaction per contract, so a contract is always written whole or not at all, and a bad
  one never holds back the others. (A transaction per contract, a commit each, runs at 0.41 of a
  bare insert's speed on PostgreSQL in bench/portfolio_import.py, below its 0.5 target; in
  groups, 0.72.)
- A changed contract keeps its primary key and the public ids of the lines that are still there
  (URLs stay stable); its other lines, rows, guarantees and disbursements are replaced, except
  the planned disbursements of a line with a pending DisbursementChangeRequest: kept when the
  file has the same ones, else the contract is refused until the request is decided. Contracts
  absent from the files are left as they are (never deleted).
"""

from __future__ import annotations

import csv
import gc
import hashlib
import re
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, NamedTuple, TypedDict

from django.db import DatabaseError

from espace.core.csvimport import (
    HUNDRED,
    ErrorRecord,
    ImportFileError,
    RowError,
    RowRefused,
    canonical,
    column_indexes,
    parse_amount,
    parse_bool,
    parse_choice,
    parse_date,
    parse_decimal,
    parse_int,
    parse_percent,
    parse_text,
    read_rows,
)
from espace.establishments.models import Establishment
from espace.establishments.selectors import normalize_client_number
from espace.finance import (
    FinanceInputError,
    Periodicity,
    PrefinancingMode,
    Profile,
    RateConvention,
    RateHistory,
    Revision,
)
from espace.portfolio.engine import line_figures, line_schedule, line_terms
from espace.portfolio.enums import (
    ChangeRequestStatus,
    DisbursementStatus,
    GuarantorKind,
    LineStatus,
    ScheduleSource,
)
from espace.portfolio.imports.format import (
    CONTRACT_COLUMNS,
    CONTRACTS,
    DISBURSEMENT_COLUMNS,
    DISBURSEMENTS,
    GUARANTEE_COLUMNS,
    GUARANTEES,
    LINE_COLUMNS,
    LINES,
    OPTIONAL_COLUMNS,
    SCHEDULE_COLUMNS,
    SCHEDULES,
)
from espace.portfolio.imports.writing import (
    FIGURE_FIELDS,
    PreparedContract,
    PreparedLine,
    RowValues,
    write_contracts,
)
from espace.portfolio.models import (
    Contract,
    DisbursementChangeRequest,
    FinancingLine,
    Guarantee,
    PlannedDisbursement,
    ScheduleRow,
)
from espace.products.enums import RateIndex, Sector
from espace.products.models import Product

GROUP_ROWS = 20_000  # schedule rows written per transaction (a group of whole contracts)
GROUP_CONTRACTS = 500  # contracts per group, and per chunk of lookups
LOOKUP_SIZE = 5000  # values per `IN (…)` (SQLite takes at most 32,766 parameters a query)
# CPython collects young objects every 700 allocations by default: with hundreds of thousands of
# model instances alive, that was a third of the import's time (bench/portfolio_import.py).
YOUNG_COLLECTION_THRESHOLD = 50_000
MAX_REPORTED_ERRORS = 1000  # errors kept in ImportRun.errors (the count is always exact)
DIGEST_VERSION = b"espace-portfolio-import-1"

SEP = "\x1f"  # joins a row's values: one string per kept row
MAX_SHORT_INT = 32767


class ContractCounts(TypedDict):
    created: int
    updated: int
    unchanged: int
    refused: int


class ImportCounts(TypedDict):
    """What an import run keeps of what it wrote (JSON)."""

    contracts: ContractCounts
    lines: int
    rows: int
    guarantees: int
    disbursements: int


@dataclass
class ImportOutcome:
    """What one import did: the counts of ImportRun.counts and the errors, in file order."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: int = 0
    lines: int = 0
    rows: int = 0
    guarantees: int = 0
    disbursements: int = 0
    errors: list[RowError] = field(default_factory=list)

    def counts(self) -> ImportCounts:
        return {
            "contracts": {
                "created": self.created,
                "updated": self.updated,
                "unchanged": self.unchanged,
                "refused": self.refused,
            },
            "lines": self.lines,
            "rows": self.rows,
            "guarantees": self.guarantees,
            "disbursements": self.disbursements,
        }

    def errors_for_run(self) -> list[ErrorRecord]:
        """The errors as ImportRun keeps them: the first MAX_REPORTED_ERRORS, then how many more."""
        kept = [error.as_dict() for error in self.errors[:MAX_REPORTED_ERRORS]]
        if len(self.errors) > MAX_REPORTED_ERRORS:
            more = len(self.errors) - MAX_REPORTED_ERRORS
            kept.append({"file": "", "line": 0, "reason": f"… et {more} autre(s) erreur(s) non détaillée(s)"})
        return kept


@contextmanager
def fewer_garbage_collections() -> Iterator[None]:
    """Collect young objects every YOUNG_COLLECTION_THRESHOLD allocations instead of 700, for a while.

    The import allocates millions of short-lived objects that make no reference cycles worth
    freeing early; the previous thresholds are restored afterwards, even on error.
    """
    previous = gc.get_threshold()
    gc.set_threshold(max(previous[0], YOUNG_COLLECTION_THRESHOLD), *previous[1:])
    try:
        yield
    finally:
        gc.set_threshold(*previous)


# --- Values ---------------------------------------------------------------------------------


_AMOUNT = r"(\d{1,13}(?:\.\d{1,2})?)"
# A schedule row of the canonical layout, commas already turned into dots (`;` separates the columns).
SCHEDULE_ROW_PATTERN = re.compile(
    rf"[^;\"]*;(\d{{1,4}});(\d{{4}}-\d\d-\d\d);(-?\d{{1,2}}(?:\.\d{{1,4}})?);{_AMOUNT};{_AMOUNT};{_AMOUNT};{_AMOUNT};(oui|non|)",
    re.ASCII,
)
ZERO = Decimal("0.00")
THOUSANDTH = Decimal("0.001")


def percent_label(value: Decimal) -> str:
    """90 → « 90 », 33.333 → « 33,333 » (French, no trailing zeros)."""
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


# --- Reading the files ------------------------------------------------------------------------


def _split_fields(text: str) -> list[str]:
    if '"' in text:
        return next(csv.reader([text], delimiter=";"), [])
    return text.split(";")


@dataclass(slots=True)
class LineRows:
    """Where one line's rows are in schedules.csv, and what they say (pass 1)."""

    runs: list[list[int]] = field(default_factory=list)  # [start offset, end offset, physical lines before]
    digests: list[bytes] = field(default_factory=list)  # one SHA-256 per run
    paid_empty: bool = False  # some row leaves `paid` to the import date
    paid_given: bool = False  # some row says oui/non

    @property
    def first_line(self) -> int:
        return self.runs[0][2] + 1


class ScheduleFile:
    """schedules.csv, indexed in one streaming pass: each row is one physical line of the file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lines: dict[str, LineRows] = {}
        self.indexes: list[int | None] = []
        self.canonical = False  # the columns in SCHEDULE_COLUMNS' order, and no others: the fast path applies
        self._handle: IO[bytes] | None = None

    def index(self) -> None:
        try:
            handle = self.path.open("rb")
        except FileNotFoundError:
            return  # optional file: every schedule is computed
        with handle:
            header = handle.readline()
            try:
                names = next(csv.reader([header.decode("utf-8-sig")], delimiter=";"), None)
            except UnicodeDecodeError:
                raise ImportFileError("le fichier n'est pas en UTF-8", file=SCHEDULES, line=1) from None
            self.indexes = column_indexes(SCHEDULES, names, SCHEDULE_COLUMNS, optional=OPTIONAL_COLUMNS)
            self.canonical = names is not None and [name.strip().lower() for name in names] == list(SCHEDULE_COLUMNS)
            line_index = self.indexes[0]
            paid_index = self.indexes[-1]
            assert line_index is not None
            offset = len(header)
            physical = 1
            current_number: str | None = None
            current: LineRows | None = None
            hasher = hashlib.sha256()
            for raw in handle:
                physical += 1
                start = offset
                offset += len(raw)
                body = raw.rstrip(b"\r\n")
                if not body.strip():
                    continue
                try:
                    text = body.decode("utf-8")
                except UnicodeDecodeError:
                    raise ImportFileError("le fichier n'est pas en UTF-8", file=SCHEDULES, line=physical) from None
                fields = _split_fields(text)
                number = fields[line_index].strip() if line_index < len(fields) else ""
                if number != current_number or current is None:
                    if current is not None:
                        current.digests.append(hasher.digest())
                    current = self.lines.get(number)
                    if current is None:
                        current = self.lines[number] = LineRows()
                    current.runs.append([start, offset, physical - 1])
                    current_number = number
                    hasher = hashlib.sha256()
                else:
                    current.runs[-1][1] = offset
                hasher.update(body)
                hasher.update(b"\n")
                if paid_index is not None and paid_index < len(fields) and fields[paid_index].strip():
                    current.paid_given = True
                else:
                    current.paid_empty = True
            if current is not None:
                current.digests.append(hasher.digest())

    def open(self) -> None:
        if self.lines:
            self._handle = self.path.open("rb")

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def texts(self, entry: LineRows) -> Iterator[tuple[int, str]]:
        """(file line, text) of a line's rows, read back from their byte ranges."""
        assert self._handle is not None
        for start, end, before in entry.runs:
            self._handle.seek(start)
            chunk = self._handle.read(end - start).decode("utf-8")  # checked in pass 1
            for position, text in enumerate(chunk.split("\n"), start=1):
                if text and not text.isspace():
                    yield before + position, text.rstrip("\r")

    def values(self, text: str) -> list[str]:
        """A row's values in the order of SCHEDULE_COLUMNS."""
        return canonical(_split_fields(text), self.indexes)

    def rows(self, entry: LineRows) -> Iterator[tuple[int, list[str]]]:
        for line, text in self.texts(entry):
            yield line, self.values(text)


class StoredLine(NamedTuple):
    pk: int
    number: str
    public_id: Any
    contract_id: int
    contract_number: str


class StoredRow(NamedTuple):
    """A stored schedule row as `line_figures` reads it."""

    number: int
    due_date: date
    instalment: Decimal
    outstanding_after: Decimal


@dataclass
class ChunkState:
    """What the database holds for a chunk of contracts (a few queries per chunk)."""

    contracts: dict[str, tuple[int, str]]  # number → (pk, source_digest)
    lines: dict[str, StoredLine]  # line number → stored line (this chunk's contracts, and conflicts)
    lines_of_contract: dict[int, list[StoredLine]]
    pending: set[int]  # line pks with a pending DisbursementChangeRequest
    stored_disbursements: dict[int, list[tuple[date, Decimal, str, date | None]]]


def _disbursement_key(item: PlannedDisbursement) -> tuple[date, Decimal, str, date | None]:
    return (item.planned_on, item.amount, item.status, item.drawn_on)


# --- The import -----------------------------------------------------------------------------


class PortfolioImport:
    """One run over a directory; `run()` returns the outcome (ImportFileError when a file is unreadable)."""

    def __init__(self, *, directory: Path, today: date, history: RateHistory) -> None:
        self.directory = directory
        self.today = today
        self.history = history
        self.history_digest = hashlib.sha256(repr(tuple(history)).encode()).digest()
        self.outcome = ImportOutcome()
        self.contracts: dict[str, tuple[int, str]] = {}
        self.lines_of: dict[str, list[tuple[int, str]]] = defaultdict(list)
        self.line_contract: dict[str, str] = {}
        self.guarantees_of: dict[str, list[tuple[int, str]]] = defaultdict(list)
        self.disbursements_of: dict[str, list[tuple[int, str]]] = defaultdict(list)
        self.schedules = ScheduleFile(directory / SCHEDULES)
        # Errors found in pass 1, by contract (refused whole), or not attributable to one.
        self.refusals: dict[str, list[RowError]] = defaultdict(list)
        self.refused_rows = 0  # contracts.csv rows without a contract number
        self.establishments: dict[str, int] = {}
        self.products: dict[str, Product] = {}

    # Pass 1 ----------------------------------------------------------------------------------

    def read(self) -> None:
        if not self.directory.is_dir():
            raise ImportFileError(f"dossier introuvable : {self.directory}")
        self._read_contracts()
        self._read_lines()
        unknown: dict[str, list[RowError]] = defaultdict(list)
        self._read_children(GUARANTEES, GUARANTEE_COLUMNS, self.guarantees_of, unknown, optional=False)
        self._read_children(DISBURSEMENTS, DISBURSEMENT_COLUMNS, self.disbursements_of, unknown, optional=True)
        self.schedules.index()
        for number, entry in self.schedules.lines.items():
            if number not in self.line_contract:
                unknown[number].append(RowError(SCHEDULES, entry.first_line, self._unknown_line_reason(number)))
        self._attribute_unknown_lines(unknown)

    def _read_contracts(self) -> None:
        for line, values in read_rows(self.directory, CONTRACTS, CONTRACT_COLUMNS, optional=OPTIONAL_COLUMNS):
            number = values[0]
            if not number:
                self.outcome.errors.append(RowError(CONTRACTS, line, "numéro de contrat vide"))
                self.refused_rows += 1
            elif number in self.contracts:
                self.refusals[number].append(RowError(CONTRACTS, line, f"contrat {number} en double dans le fichier"))
            else:
                self.contracts[number] = (line, SEP.join(values))

    def _read_lines(self) -> None:
        for line, values in read_rows(self.directory, LINES, LINE_COLUMNS, optional=OPTIONAL_COLUMNS):
            number, contract = values[0], values[1]
            if contract not in self.contracts:
                reason = f"contrat inconnu dans {CONTRACTS} : « {contract} »" if contract else "numéro de contrat vide"
                self.outcome.errors.append(RowError(LINES, line, reason))
            elif not number:
                self.refusals[contract].append(RowError(LINES, line, "numéro de ligne vide"))
            elif number in self.line_contract:
                reason = f"ligne {number} en double dans le fichier"
                self.refusals[contract].append(RowError(LINES, line, reason))
                first = self.line_contract[number]
                if first != contract:
                    first_line = next(row for row, text in self.lines_of[first] if text.split(SEP, 1)[0] == number)
                    self.refusals[first].append(RowError(LINES, first_line, reason))
            else:
                self.line_contract[number] = contract
                self.lines_of[contract].append((line, SEP.join(values)))

    def _read_children(
        self,
        file: str,
        columns: tuple[str, ...],
        target: dict[str, list[tuple[int, str]]],
        unknown: dict[str, list[RowError]],
        *,
        optional: bool,
    ) -> None:
        if optional and not (self.directory / file).exists():
            return
        for line, values in read_rows(self.directory, file, columns, optional=OPTIONAL_COLUMNS):
            number = values[0]
            if number in self.line_contract:
                target[number].append((line, SEP.join(values)))
            elif number not in unknown or not unknown[number] or unknown[number][-1].file != file:
                unknown[number].append(RowError(file, line, self._unknown_line_reason(number)))

    @staticmethod
    def _unknown_line_reason(number: str) -> str:
        if not number:
            return "numéro de ligne vide"
        return f"ligne de prêt inconnue dans {LINES} : « {number} »"

    def _attribute_unknown_lines(self, unknown: dict[str, list[RowError]]) -> None:
        """A child row naming a line missing from lines.csv refuses the contract the database has it in."""
        if not unknown:
            return
        numbers = [number for number in unknown if number]
        stored: dict[str, str] = {}
        for start in range(0, len(numbers), LOOKUP_SIZE):
            stored.update(
                FinancingLine.objects.filter(number__in=numbers[start : start + LOOKUP_SIZE]).values_list(
                    "number", "contract__number"
                )
            )
        for number, errors in unknown.items():
            contract = stored.get(number)
            if contract in self.contracts:
                self.refusals[contract].extend(errors)
            else:
                self.outcome.errors.extend(errors)

    # Digest ----------------------------------------------------------------------------------

    def digest(self, number: str) -> str:
        hasher = hashlib.sha256(DIGEST_VERSION)
        hasher.update(b"\x1eC" + self.contracts[number][1].encode())
        uses_index = False
        for _line, text in sorted(self.lines_of.get(number, []), key=lambda item: item[1]):
            line_number = text.split(SEP, 1)[0]
            hasher.update(b"\x1eL" + text.encode())
            entry = self.schedules.lines.get(line_number)
            if entry is None:
                uses_index |= text.split(SEP)[LINE_COLUMNS.index("rate_index")].lower() != RateIndex.FIXED
            else:
                for run_digest in entry.digests:
                    hasher.update(b"\x1eS" + run_digest)
            for _row, child in self.guarantees_of.get(line_number, []):
                hasher.update(b"\x1eG" + child.encode())
            for _row, child in self.disbursements_of.get(line_number, []):
                hasher.update(b"\x1eD" + child.encode())
        if uses_index:
            hasher.update(b"\x1eA" + self.history_digest)
        return hasher.hexdigest()

    # Pass 2 ----------------------------------------------------------------------------------

    def run(self) -> ImportOutcome:
        with fewer_garbage_collections():
            return self._run()

    def _run(self) -> ImportOutcome:
        self.read()
        self.establishments = dict(Establishment.objects.values_list("client_number", "pk"))
        self.products = {product.code: product for product in Product.objects.all()}
        self.outcome.refused += self.refused_rows
        numbers = list(self.contracts)
        self.schedules.open()
        try:
            for start in range(0, len(numbers), GROUP_CONTRACTS):
                self._chunk(numbers[start : start + GROUP_CONTRACTS])
        finally:
            self.schedules.close()
        return self.outcome

    def _chunk(self, numbers: list[str]) -> None:
        outcome = self.outcome
        stored = {
            number: (pk, digest)
            for number, pk, digest in Contract.objects.filter(number__in=numbers).values_list(
                "number", "pk", "source_digest"
            )
        }
        candidates: list[tuple[str, str]] = []
        unchanged: list[int] = []
        for number in numbers:
            digest = self.digest(number)
            existing = stored.get(number)
            # A contract refused in pass 1 (duplicates, a child row of a line missing from lines.csv)
            # is never « unchanged »: those rows are not in its digest.
            if number not in self.refusals and existing is not None and existing[1] == digest:
                outcome.unchanged += 1
                unchanged.append(existing[0])
            else:
                candidates.append((number, digest))
        if unchanged:
            self.refresh_figures(unchanged)
        if not candidates:
            return
        state = self._state([number for number, _digest in candidates], stored)
        group: list[PreparedContract] = []
        for number, digest in candidates:
            errors = list(self.refusals.get(number, []))
            prepared = self._prepare(number, digest, state, errors)
            if prepared is None:
                self._refuse(number, errors)
                continue
            group.append(prepared)
            if sum(item.row_count for item in group) >= GROUP_ROWS:
                self._write(group)
                group = []
        if group:
            self._write(group)

    def _refuse(self, number: str, errors: list[RowError]) -> None:
        self.outcome.refused += 1
        self.outcome.errors.extend(sorted(errors, key=lambda error: (FILE_ORDER[error.file], error.line)))

    def _state(self, numbers: list[str], stored: dict[str, tuple[int, str]]) -> ChunkState:
        line_numbers = [text.split(SEP, 1)[0] for number in numbers for _line, text in self.lines_of.get(number, [])]
        contract_pks = [stored[number][0] for number in numbers if number in stored]
        lines: dict[str, StoredLine] = {}
        lines_of_contract: dict[int, list[StoredLine]] = defaultdict(list)
        found = FinancingLine.objects.filter(number__in=line_numbers) | FinancingLine.objects.filter(
            contract_id__in=contract_pks
        )
        for pk, public_id, number, contract_id, contract_number in found.values_list(
            "pk", "public_id", "number", "contract_id", "contract__number"
        ):
            line = StoredLine(pk, number, public_id, contract_id, contract_number)
            lines[number] = line
            lines_of_contract[contract_id].append(line)
        pending = set(
            DisbursementChangeRequest.objects.filter(
                line_id__in=[line.pk for line in lines.values()], status=ChangeRequestStatus.PENDING
            ).values_list("line_id", flat=True)
        )
        stored_disbursements: dict[int, list[tuple[date, Decimal, str, date | None]]] = defaultdict(list)
        for item in PlannedDisbursement.objects.filter(line_id__in=pending):
            stored_disbursements[item.line_id].append(_disbursement_key(item))
        return ChunkState(
            contracts=stored,
            lines=lines,
            lines_of_contract=lines_of_contract,
            pending=pending,
            stored_disbursements=stored_disbursements,
        )

    def _prepare(self, number: str, digest: str, state: ChunkState, errors: list[RowError]) -> PreparedContract | None:
        """The contract as it will be written, or None with the reasons in `errors`."""
        contract_line, text = self.contracts[number]
        values = text.split(SEP)
        contract = Contract(number=number, source_digest=digest, dossier_number="")
        try:
            parse_text(number, "contract_number", 30)
            client_number = normalize_client_number(values[1])
            borrower = self.establishments.get(client_number)
            if borrower is None:
                raise RowRefused(f"numéro client inconnu : « {values[1]} »")
            contract.borrower_id = borrower
            contract.signed_on = parse_date(values[2], "signed_on")
            contract.dossier_number = parse_text(values[3], "dossier_number", 20, required=False)
        except RowRefused as error:
            errors.append(RowError(CONTRACTS, contract_line, str(error)))
        stored = state.contracts.get(number)
        if stored is not None:
            contract.pk = stored[0]
        lines = self.lines_of.get(number, [])
        if not lines:
            errors.append(RowError(CONTRACTS, contract_line, f"le contrat {number} n'a aucune ligne dans {LINES}"))
        prepared_lines = [self._prepare_line(line, text, number, state, errors) for line, text in lines]
        kept_numbers = {text.split(SEP, 1)[0] for _line, text in lines}
        dropped: list[int] = []
        if stored is not None:
            for stored_line in state.lines_of_contract.get(stored[0], []):
                if stored_line.number in kept_numbers:
                    continue
                dropped.append(stored_line.pk)
                if stored_line.pk in state.pending:
                    errors.append(
                        RowError(
                            CONTRACTS,
                            contract_line,
                            f"la ligne {stored_line.number}, absente de {LINES}, a une demande de modification de "
                            "son échéancier de versement en attente : contrat non mis à jour",
                        )
                    )
        if errors:
            return None
        return PreparedContract(
            number=number,
            contract=contract,
            is_new=stored is None,
            lines=[prepared for prepared in prepared_lines if prepared is not None],
            dropped_line_pks=dropped,
        )

    def _prepare_line(
        self, file_line: int, text: str, contract_number: str, state: ChunkState, errors: list[RowError]
    ) -> PreparedLine | None:
        values = text.split(SEP)
        number = values[0]
        before = len(errors)

        def refuse(error: RowRefused) -> None:
            errors.append(RowError(LINES, file_line, str(error)))

        line = FinancingLine(number=number, status=LineStatus.REPAYMENT)
        product: Product | None = None
        try:
            parse_text(number, "line_number", 30)
            stored = state.lines.get(number)
            if stored is not None and stored.contract_number != contract_number:
                raise RowRefused(f"la ligne {number} appartient déjà au contrat {stored.contract_number}")
        except RowRefused as error:
            refuse(error)
        try:
            product = self._line_product(line, values)
        except RowRefused as error:
            refuse(error)
        for step in (self._line_amounts, self._line_rate, self._line_options):
            try:
                step(line, values)
            except RowRefused as error:
                refuse(error)
        if len(errors) > before:
            return None
        assert product is not None
        try:
            line_terms(line, self.history)
        except FinanceInputError as error:
            refuse(RowRefused(f"conditions refusées par le moteur de calcul ({error.field} : {error.message})"))
            return None
        entry = self.schedules.lines.get(number)
        if entry is not None:
            rows = self._lender_rows(number, entry, errors)
            line.schedule_source = ScheduleSource.LENDER
        else:
            try:
                rows = self._engine_rows(line)
            except FinanceInputError as error:
                refuse(RowRefused(f"échéancier refusé par le moteur de calcul ({error.field} : {error.message})"))
                return None
            line.schedule_source = ScheduleSource.ENGINE
        guarantees = self._guarantees(line, product, file_line, errors)
        disbursements = self._disbursements(number, errors)
        if len(errors) > before or rows is None or guarantees is None or disbursements is None:
            return None
        figures = line_figures(principal=line.principal, rows=rows, on=self.today, first_due=line.first_due)
        line.figures_on = self.today
        line.outstanding = figures.outstanding
        line.maturity_date = figures.maturity_date
        line.next_due_date = figures.next_due_date
        line.next_instalment = figures.next_instalment
        line.status = figures.status
        prepared = PreparedLine(line=line, is_new=True, rows=rows, guarantees=guarantees, disbursements=disbursements)
        stored = state.lines.get(number)
        if stored is not None:
            line.pk = stored.pk
            line.public_id = stored.public_id
            prepared.is_new = False
            if stored.pk in state.pending:
                if sorted(state.stored_disbursements.get(stored.pk, [])) != sorted(
                    _disbursement_key(item) for item in disbursements
                ):
                    rows_of_line = self.disbursements_of.get(number)
                    errors.append(
                        RowError(
                            DISBURSEMENTS if rows_of_line else LINES,
                            rows_of_line[0][0] if rows_of_line else file_line,
                            f"la ligne {number} a une demande de modification de son échéancier de versement en "
                            "attente : versements non remplacés, contrat non mis à jour",
                        )
                    )
                    return None
                prepared.keep_disbursements = True
        return prepared

    def _line_product(self, line: FinancingLine, values: list[str]) -> Product:
        code = values[2].lower()
        product = self.products.get(code)
        if product is None:
            raise RowRefused(f"produit inconnu : {values[2]}" if code else "colonne product vide")
        line.product = product
        return product

    @staticmethod
    def _line_amounts(line: FinancingLine, values: list[str]) -> None:
        line.principal = parse_amount(values[3], "principal", positive=True)
        line.periodicity = parse_choice(values[4], "periodicity", Periodicity)
        line.duration_years = parse_int(values[5], "duration_years", minimum=1, maximum=80)
        line.first_due = parse_date(values[6], "first_due")
        line.profile = parse_choice(values[7], "profile", Profile)
        line.progression = parse_percent(values[8], "progression_percent") if values[8] else Decimal(0)

    @staticmethod
    def _line_rate(line: FinancingLine, values: list[str]) -> None:
        line.rate_index = parse_choice(values[9], "rate_index", RateIndex.values)
        margin, fixed_rate = values[10], values[11]
        if line.rate_index == RateIndex.FIXED:
            if not fixed_rate:
                raise RowRefused("taux fixe manquant : fixed_rate_percent est obligatoire quand rate_index = fixed")
            line.fixed_rate = parse_percent(fixed_rate, "fixed_rate_percent")
            line.margin = parse_percent(margin, "margin_percent") if margin else Decimal(0)
        else:
            if fixed_rate:
                raise RowRefused("fixed_rate_percent donné pour une ligne indexée sur le Livret A")
            if not margin:
                raise RowRefused("marge manquante : margin_percent est obligatoire quand rate_index = livret_a")
            line.fixed_rate = None
            line.margin = parse_percent(margin, "margin_percent")
        line.revision = parse_choice(values[12], "revision", Revision, default=Revision.SIMPLE)
        line.rate_convention = parse_choice(
            values[13], "rate_convention", RateConvention, default=RateConvention.ACTUARIAL
        )

    @staticmethod
    def _line_options(line: FinancingLine, values: list[str]) -> None:
        line.deferral_years = parse_int(values[14], "deferral_years", minimum=0, maximum=79) if values[14] else 0
        months, mode = values[15], values[16]
        if bool(months) != bool(mode):
            raise RowRefused(
                "préfinancement : prefinancing_months et prefinancing_mode sont tous deux vides ou tous deux remplis"
            )
        if months:
            line.prefinancing_months = parse_int(months, "prefinancing_months", minimum=1, maximum=60)
            line.prefinancing_mode = parse_choice(mode, "prefinancing_mode", PrefinancingMode)
        else:
            line.prefinancing_months = None
            line.prefinancing_mode = ""

    def _engine_rows(self, line: FinancingLine) -> list[RowValues]:
        today = self.today
        return [
            RowValues(
                row.number,
                row.due_date,
                row.rate,
                row.instalment,
                row.interest,
                row.capital,
                row.outstanding_after,
                row.deferred_interest,
                row.due_date <= today,
            )
            for row in line_schedule(line, self.history).rows
        ]

    def _lender_rows(self, line_number: str, entry: LineRows, errors: list[RowError]) -> list[RowValues] | None:
        """The rows as the lender sent them; `paid` left empty means « due on or before the import date »."""
        rows: list[RowValues] = []
        seen: set[int] = set()
        valid = True
        fast = self.schedules.canonical
        for file_line, text in self.schedules.texts(entry):
            row = self._lender_row_fast(text) if fast else None
            try:
                if row is None:
                    row = self._lender_row(self.schedules.values(text))
                if row.number in seen:
                    raise RowRefused(f"échéance n° {row.number} en double pour la ligne {line_number}")
            except RowRefused as error:
                errors.append(RowError(SCHEDULES, file_line, str(error)))
                valid = False
                continue
            seen.add(row.number)
            rows.append(row)
        return rows if valid else None

    def _lender_row_fast(self, text: str) -> RowValues | None:
        """A row written the usual way (ISO date, plain numbers), or None: `_lender_row` says what is wrong."""
        match = SCHEDULE_ROW_PATTERN.fullmatch(text.replace(",", ".") if "," in text else text)
        if match is None:
            return None
        number, due, rate, instalment, interest, capital, outstanding_after, paid = match.groups()
        try:
            due_date = date.fromisoformat(due)
        except ValueError:
            return None
        return RowValues(
            int(number),
            due_date,
            Decimal(rate).scaleb(-2),
            Decimal(instalment),
            Decimal(interest),
            Decimal(capital),
            Decimal(outstanding_after),
            ZERO,
            due_date <= self.today if not paid else paid == "oui",
        )

    def _lender_row(self, values: list[str]) -> RowValues:
        due_date = parse_date(values[2], "due_date")
        paid = parse_bool(values[8], "paid")
        return RowValues(
            parse_int(values[1], "number", minimum=0, maximum=MAX_SHORT_INT),
            due_date,
            parse_percent(values[3], "rate_percent"),
            parse_amount(values[4], "instalment"),
            parse_amount(values[5], "interest"),
            parse_amount(values[6], "capital"),
            parse_amount(values[7], "outstanding_after"),
            ZERO,
            due_date <= self.today if paid is None else paid,
        )

    def _guarantees(
        self, line: FinancingLine, product: Product, line_row: int, errors: list[RowError]
    ) -> list[Guarantee] | None:
        found: list[Guarantee] = []
        rows = self.guarantees_of.get(line.number, [])
        valid = True
        for file_line, text in rows:
            values = text.split(SEP)
            try:
                guarantee = Guarantee(
                    share_percent=self._share(values[2]),
                    deliberation_reference=parse_text(values[3], "deliberation_reference", 60, required=False),
                    deliberation_date=parse_date(values[4], "deliberation_date") if values[4] else None,
                )
                if values[1].upper() == "CGLLS":
                    guarantee.kind = GuarantorKind.CGLLS
                    guarantee.guarantor_id = None
                else:
                    guarantor = self.establishments.get(normalize_client_number(values[1]))
                    if guarantor is None:
                        raise RowRefused(f"garant inconnu : « {values[1]} » (numéro client ou CGLLS)")
                    guarantee.kind = GuarantorKind.ESTABLISHMENT
                    guarantee.guarantor_id = guarantor
            except RowRefused as error:
                errors.append(RowError(GUARANTEES, file_line, str(error)))
                valid = False
                continue
            found.append(guarantee)
        if not valid:
            return None
        total = sum((guarantee.share_percent for guarantee in found), Decimal(0))
        if found or product.sector != Sector.LOCAL_PUBLIC_SECTOR:
            if total != HUNDRED:
                errors.append(
                    RowError(
                        GUARANTEES if rows else LINES,
                        rows[0][0] if rows else line_row,
                        f"les quotités garanties de la ligne {line.number} font {percent_label(total)} % "
                        "au lieu de 100 %",
                    )
                )
                return None
        return found

    @staticmethod
    def _share(text: str) -> Decimal:
        share = parse_decimal(text, "share_percent")
        if not THOUSANDTH <= share <= HUNDRED:
            raise RowRefused(f"quotité hors limites : « {text} » (de 0,001 à 100 %)")
        if share != share.quantize(THOUSANDTH):
            raise RowRefused(f"quotité avec plus de 3 décimales : « {text} »")
        return share

    def _disbursements(self, line_number: str, errors: list[RowError]) -> list[PlannedDisbursement] | None:
        found: list[PlannedDisbursement] = []
        valid = True
        for file_line, text in self.disbursements_of.get(line_number, []):
            values = text.split(SEP)
            try:
                status = parse_choice(values[3], "status", DisbursementStatus.values)
                drawn_on = parse_date(values[4], "drawn_on") if values[4] else None
                if status == DisbursementStatus.DRAWN and drawn_on is None:
                    raise RowRefused("versement versé sans date : drawn_on est obligatoire quand status = drawn")
                if status == DisbursementStatus.PLANNED and drawn_on is not None:
                    raise RowRefused("drawn_on donné pour un versement seulement prévu (status = planned)")
                found.append(
                    PlannedDisbursement(
                        planned_on=parse_date(values[1], "planned_on"),
                        amount=parse_amount(values[2], "amount", positive=True),
                        status=status,
                        drawn_on=drawn_on,
                    )
                )
            except RowRefused as error:
                errors.append(RowError(DISBURSEMENTS, file_line, str(error)))
                valid = False
        return found if valid else None

    # Writes ----------------------------------------------------------------------------------

    def _write(self, group: list[PreparedContract]) -> None:
        try:
            write_contracts(group)
        except DatabaseError:
            # Written again one contract per transaction: the database's refusal names one of them.
            for prepared in group:
                try:
                    write_contracts([prepared])
                except DatabaseError as error:
                    line = self.contracts[prepared.number][0]
                    reason = f"la base de données a refusé le contrat {prepared.number} ({error})"
                    self._refuse(prepared.number, [RowError(CONTRACTS, line, reason)])
                else:
                    self._count(prepared)
        else:
            for prepared in group:
                self._count(prepared)

    def _count(self, prepared: PreparedContract) -> None:
        outcome = self.outcome
        if prepared.is_new:
            outcome.created += 1
        else:
            outcome.updated += 1
        for line in prepared.lines:
            outcome.lines += 1
            outcome.rows += len(line.rows)
            outcome.guarantees += len(line.guarantees)
            outcome.disbursements += 0 if line.keep_disbursements else len(line.disbursements)

    # Figures of unchanged contracts -----------------------------------------------------------

    def refresh_figures(self, contract_pks: list[int]) -> None:
        """Move unchanged contracts' lines to the import date.

        Only lines with a row (or their first due date) between their previous date and the new
        one can see their figures change: those are recomputed with `line_figures` (and their
        rows' `paid`, where the lender left it to the date); the others only change `figures_on`.
        """
        today = self.today
        by_date: dict[date, list[tuple[int, str, date, Decimal, str]]] = defaultdict(list)
        for pk, number, figures_on, first_due, principal, source in (
            FinancingLine.objects.filter(contract_id__in=contract_pks)
            .exclude(figures_on=today)
            .values_list("pk", "number", "figures_on", "first_due", "principal", "schedule_source")
        ):
            by_date[figures_on].append((pk, number, first_due, principal, source))
        for figures_on, lines in by_date.items():
            low, high = min(figures_on, today), max(figures_on, today)
            moved = set(
                ScheduleRow.objects.filter(
                    line_id__in=[line[0] for line in lines], due_date__gt=low, due_date__lte=high
                )
                .values_list("line_id", flat=True)
                .distinct()
            )
            moved |= {line[0] for line in lines if low < line[2] <= high}
            changed = [line for line in lines if line[0] in moved]
            FinancingLine.objects.filter(pk__in=[line[0] for line in lines if line[0] not in moved]).update(
                figures_on=today
            )
            if changed:
                self._refresh_paid(changed, low, high)
                self._refresh_changed(changed)

    def _refresh_paid(self, lines: list[tuple[int, str, date, Decimal, str]], low: date, high: date) -> None:
        today = self.today
        by_date: list[int] = []
        for pk, number, _first_due, _principal, source in lines:
            entry = self.schedules.lines.get(number) if source == ScheduleSource.LENDER else None
            if entry is None or not entry.paid_given:
                by_date.append(pk)
            elif entry.paid_empty:
                # Some rows say whether they are paid, others leave it to the date: read which again.
                implicit = [
                    int(values[1])
                    for _line, values in self.schedules.rows(entry)
                    if not values[8] and low < parse_date(values[2], "due_date") <= high
                ]
                ScheduleRow.objects.filter(line_id=pk, number__in=implicit).update(paid=high == today)
        if by_date:
            ScheduleRow.objects.filter(line_id__in=by_date, due_date__gt=low, due_date__lte=high).update(
                paid=high == today
            )

    def _refresh_changed(self, lines: list[tuple[int, str, date, Decimal, str]]) -> None:
        rows: dict[int, list[StoredRow]] = defaultdict(list)
        for line_id, number, due_date, instalment, outstanding_after in ScheduleRow.objects.filter(
            line_id__in=[line[0] for line in lines]
        ).values_list("line_id", "number", "due_date", "instalment", "outstanding_after"):
            rows[line_id].append(StoredRow(number, due_date, instalment, outstanding_after))
        updated = []
        for pk, _number, first_due, principal, _source in lines:
            figures = line_figures(principal=principal, rows=rows[pk], on=self.today, first_due=first_due)
            updated.append(
                FinancingLine(
                    pk=pk,
                    figures_on=self.today,
                    outstanding=figures.outstanding,
                    maturity_date=figures.maturity_date,
                    next_due_date=figures.next_due_date,
                    next_instalment=figures.next_instalment,
                    status=figures.status,
                )
            )
        FinancingLine.objects.bulk_update(updated, FIGURE_FIELDS, batch_size=500)


FILE_ORDER = {CONTRACTS: 0, LINES: 1, SCHEDULES: 2, GUARANTEES: 3, DISBURSEMENTS: 4, "": 5}
