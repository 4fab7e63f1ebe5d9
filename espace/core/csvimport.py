"""The CSV import kernel: row and file errors, reading `;`/`,` files, the value parsers, the yes/no words.

Used by the client registry, the documents manifest and the portfolio files. Every message is the
French reason a data manager reads in the report (`{"file", "line", "reason"}` or « ligne N : … »).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TypedDict

TRUE_WORDS = frozenset({"oui", "o", "1", "true", "vrai", "yes", "y", "x"})
FALSE_WORDS = frozenset({"non", "n", "0", "false", "faux", "no"})

HUNDRED = Decimal(100)
MAX_AMOUNT = Decimal(10) ** 13  # max_digits=15, decimal_places=2
CENT = Decimal("0.01")
MICRO = Decimal("0.000001")
# Fast paths: what the lenders' files hold nearly always (the slow paths say what is wrong).
AMOUNT_PATTERN = re.compile(r"\d{1,13}(?:[.,]\d{1,2})?", re.ASCII)
PERCENT_PATTERN = re.compile(r"-?\d{1,2}(?:[.,]\d{1,4})?", re.ASCII)
INT_PATTERN = re.compile(r"-?\d{1,9}", re.ASCII)
NUMBER_PATTERN = re.compile(r"[-+]?\d+(?:[.,]\d+)?", re.ASCII)


class RowRefused(ValueError):
    """A value the import refuses; the message is the reason, in French."""


class ErrorRecord(TypedDict):
    """A row or file error as an import run keeps it (JSON)."""

    file: str
    line: int
    reason: str


@dataclass(frozen=True, slots=True)
class RowError:
    """A refused row: its file (empty when the import reads one file), its line, the reason."""

    file: str
    line: int
    reason: str

    def as_dict(self) -> ErrorRecord:
        return {"file": self.file, "line": self.line, "reason": self.reason}


class ImportFileError(Exception):
    """A file as a whole cannot be read (missing, not UTF-8, header without a required column)."""

    def __init__(self, reason: str, *, file: str = "", line: int = 0) -> None:
        super().__init__(f"{file}, ligne {line} : {reason}" if file else reason)
        self.file = file
        self.line = line
        self.reason = reason

    def as_dict(self) -> ErrorRecord:
        return {"file": self.file, "line": self.line, "reason": self.reason}


# --- Reading ----------------------------------------------------------------------------------


def column_indexes(
    file: str, header: list[str] | None, columns: tuple[str, ...], *, optional: Collection[str]
) -> list[int | None]:
    """Where each of `columns` is in the header (None for a missing optional one); the header is line 1."""
    if not header:
        raise ImportFileError("fichier vide (en-tête attendu)", file=file, line=1)
    names = [name.strip().lower() for name in header]
    missing = [column for column in columns if column not in names and column not in optional]
    if missing:
        raise ImportFileError(f"colonnes manquantes dans l'en-tête : {', '.join(missing)}", file=file, line=1)
    return [names.index(column) if column in names else None for column in columns]


def canonical(row: list[str], indexes: list[int | None]) -> list[str]:
    """A row's values in the order of the columns asked for (empty for a missing optional column)."""
    size = len(row)
    if size >= len(indexes) and indexes == list(range(len(indexes))):  # the columns in their usual order
        return [value.strip() for value in row[: len(indexes)]]
    return [row[i].strip() if i is not None and i < size else "" for i in indexes]


def read_rows(
    directory: Path, file: str, columns: tuple[str, ...], *, optional: Collection[str] = ()
) -> Iterator[tuple[int, list[str]]]:
    """(file line, values in the order of `columns`) of each non-blank row of a `;` file, streamed."""
    path = directory / file
    line = 1
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, delimiter=";")
            indexes = column_indexes(file, next(reader, None), columns, optional=optional)
            for row in reader:
                line = reader.line_num
                if any(cell.strip() for cell in row):
                    yield line, canonical(row, indexes)
    except FileNotFoundError:
        raise ImportFileError("fichier absent", file=file, line=0) from None
    except UnicodeDecodeError:
        raise ImportFileError("le fichier n'est pas en UTF-8", file=file, line=line + 1) from None
    except csv.Error as error:
        raise ImportFileError(f"CSV illisible ({error})", file=file, line=line + 1) from None


def read_uploaded_rows(
    raw: bytes, *, required: Collection[str], lower_header: bool = True, subject: str = "le fichier"
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, row by column name) of UTF-8 CSV bytes, `;` or `,` separated (the header's first line says which)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(f"{subject} n'est pas en UTF-8 (octet {error.start})") from error
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [name.strip().lower() if lower_header else name.strip() for name in (reader.fieldnames or [])]
    missing = set(required) - set(header)
    if missing:
        raise ImportFileError(f"colonnes manquantes dans l'en-tête : {', '.join(sorted(missing))}")
    reader.fieldnames = header
    for row in reader:
        yield reader.line_num, {key: (value or "").strip() for key, value in row.items() if isinstance(key, str)}


# --- Values -----------------------------------------------------------------------------------


def parse_decimal(text: str, column: str) -> Decimal:
    """A number with a comma or a dot for decimals; spaces between thousands are accepted."""
    cleaned = text.replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
    if not NUMBER_PATTERN.fullmatch(cleaned):
        if not text:
            raise RowRefused(f"nombre manquant : {column}")
        raise RowRefused(f"nombre invalide pour {column} : « {text} »")
    return Decimal(cleaned.replace(",", "."))


def parse_amount(text: str, column: str, *, positive: bool = False) -> Decimal:
    """An amount in euros, to the cent, ≥ 0 (> 0 when `positive`)."""
    if AMOUNT_PATTERN.fullmatch(text):
        value = Decimal(text.replace(",", ".") if "," in text else text)
    else:
        if not text:
            raise RowRefused(f"montant manquant : {column}")
        value = parse_decimal(text, column)
        if abs(value) >= MAX_AMOUNT:
            raise RowRefused(f"montant hors limites pour {column} : « {text} »")
        if value != value.quantize(CENT):
            raise RowRefused(f"montant au-delà du centime pour {column} : « {text} »")
    if value < 0 or (positive and not value):
        raise RowRefused(f"montant hors limites pour {column} : « {text} »")
    return value


def parse_percent(text: str, column: str) -> Decimal:
    """A percentage given in percent (0,60), returned as a fraction (0.006), to 6 decimal places."""
    if PERCENT_PATTERN.fullmatch(text):
        return Decimal(text.replace(",", ".") if "," in text else text).scaleb(-2)
    value = parse_decimal(text, column)
    if abs(value) >= HUNDRED:
        raise RowRefused(f"pourcentage hors limites pour {column} : « {text} »")
    fraction = value.scaleb(-2)
    if fraction != fraction.quantize(MICRO):
        raise RowRefused(f"pourcentage avec plus de 4 décimales pour {column} : « {text} »")
    return fraction


def parse_date(text: str, column: str) -> date:
    """YYYY-MM-DD or DD/MM/YYYY."""
    try:
        if len(text) == 10 and text[4] == "-" and text[7] == "-":
            return date.fromisoformat(text)
        parts = text.split("/")
        if len(parts) == 3 and len(parts[2]) == 4 and 1 <= len(parts[0]) <= 2 and 1 <= len(parts[1]) <= 2:
            return date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        pass
    if not text:
        raise RowRefused(f"date manquante : {column}")
    raise RowRefused(f"date invalide pour {column} : « {text} » (attendu AAAA-MM-JJ ou JJ/MM/AAAA)")


def parse_int(text: str, column: str, *, minimum: int, maximum: int) -> int:
    if not INT_PATTERN.fullmatch(text):
        raise RowRefused(f"nombre entier invalide pour {column} : « {text} »")
    value = int(text)
    if not minimum <= value <= maximum:
        raise RowRefused(f"{column} hors limites : {value} (de {minimum} à {maximum})")
    return value


def yes_no(text: str) -> bool | None:
    """True or False for the yes/no words (any case, spaces around), None when empty; ValueError otherwise."""
    word = text.strip().lower()
    if not word:
        return None
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(word)


def parse_bool(text: str, column: str) -> bool | None:
    """oui/non (and the usual synonyms); None when empty."""
    try:
        return yes_no(text)
    except ValueError:
        raise RowRefused(f"valeur invalide pour {column} : « {text} » (attendu oui ou non)") from None


def parse_choice(text: str, column: str, allowed: Iterable[str], *, default: str | None = None) -> str:
    value = text.lower()
    if not value and default is not None:
        return default
    allowed = list(allowed)
    if value not in allowed:
        raise RowRefused(f"valeur inconnue pour {column} : « {text} » (attendu {', '.join(allowed)})")
    return value


def parse_text(text: str, column: str, max_length: int, *, required: bool = True) -> str:
    if required and not text:
        raise RowRefused(f"colonne {column} vide")
    if len(text) > max_length:
        raise RowRefused(f"{column} dépasse {max_length} caractères")
    return text
