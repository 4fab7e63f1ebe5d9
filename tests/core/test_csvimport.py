"""The CSV import kernel shared by the client registry, the documents manifest and the portfolio."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from espace.core.csvimport import (
    ImportFileError,
    RowError,
    RowRefused,
    parse_amount,
    parse_bool,
    parse_choice,
    parse_date,
    parse_decimal,
    parse_int,
    parse_percent,
    parse_text,
    read_rows,
    read_uploaded_rows,
    yes_no,
)


def test_read_rows_in_the_columns_order_skipping_blank_rows_with_optional_columns_empty(tmp_path: Path):
    (tmp_path / "a.csv").write_text("\ufeffB;A;extra\n2;1;x\n;;\n4;3;y\n", encoding="utf-8")
    rows = list(read_rows(tmp_path, "a.csv", ("a", "b", "c"), optional={"c"}))
    assert rows == [(2, ["1", "2", ""]), (4, ["3", "4", ""])]


@pytest.mark.parametrize(
    "content, line, reason",
    [
        (b"", 1, "fichier vide (en-tête attendu)"),
        (b"a\n1\n", 1, "colonnes manquantes dans l'en-tête : b"),
    ],
)
def test_read_rows_refuses_the_file(tmp_path: Path, content: bytes, line: int, reason: str):
    (tmp_path / "a.csv").write_bytes(content)
    with pytest.raises(ImportFileError) as error:
        list(read_rows(tmp_path, "a.csv", ("a", "b")))
    assert error.value.as_dict() == {"file": "a.csv", "line": line, "reason": reason}
    assert str(error.value) == f"a.csv, ligne {line} : {reason}"


def test_read_rows_of_a_file_not_in_utf8(tmp_path: Path):
    (tmp_path / "a.csv").write_bytes(b"a;b\n1;2\n\xff;3\n")
    with pytest.raises(ImportFileError) as error:
        list(read_rows(tmp_path, "a.csv", ("a", "b")))
    assert (error.value.file, error.value.reason) == ("a.csv", "le fichier n'est pas en UTF-8")


def test_read_rows_of_a_missing_file(tmp_path: Path):
    with pytest.raises(ImportFileError) as error:
        list(read_rows(tmp_path, "a.csv", ("a",)))
    assert error.value.as_dict() == {"file": "a.csv", "line": 0, "reason": "fichier absent"}


def test_read_uploaded_rows_finds_the_separator_and_names_the_missing_columns():
    assert list(read_uploaded_rows(b"A,B\n 1 ,2\n", required={"a"})) == [(2, {"a": "1", "b": "2"})]
    assert list(read_uploaded_rows(b"a;b\n1;2\n", required={"a"})) == [(2, {"a": "1", "b": "2"})]
    with pytest.raises(ImportFileError, match=r"^colonnes manquantes dans l'en-tête : a, c$"):
        list(read_uploaded_rows(b"B;b\n1;2\n", required={"c", "a", "b"}, lower_header=False))
    with pytest.raises(ImportFileError, match=r"^le manifeste n'est pas en UTF-8 \(octet 2\)$"):
        list(read_uploaded_rows(b"a;\xff\n", required={"a"}, subject="le manifeste"))


def test_a_file_error_without_a_file_is_its_reason_and_a_row_error_a_dict():
    assert str(ImportFileError("dossier introuvable : x")) == "dossier introuvable : x"
    assert RowError("a.csv", 3, "non").as_dict() == {"file": "a.csv", "line": 3, "reason": "non"}


def test_numbers():
    assert parse_decimal("1 234,5", "x") == Decimal("1234.5")
    assert parse_amount("12,30", "x") == Decimal("12.30")
    assert parse_amount("0", "x") == 0
    assert parse_percent("0,60", "x") == Decimal("0.0060")
    assert parse_int("40", "x", minimum=1, maximum=80) == 40


@pytest.mark.parametrize(
    "parse, reason",
    [
        (lambda: parse_decimal("", "x"), "nombre manquant : x"),
        (lambda: parse_decimal("12a", "x"), "nombre invalide pour x : « 12a »"),
        (lambda: parse_amount("", "x"), "montant manquant : x"),
        (lambda: parse_amount("1,234", "x"), "montant au-delà du centime pour x : « 1,234 »"),
        (lambda: parse_amount("0", "x", positive=True), "montant hors limites pour x : « 0 »"),
        (lambda: parse_amount("-5", "x"), "montant hors limites pour x : « -5 »"),
        (lambda: parse_percent("100", "x"), "pourcentage hors limites pour x : « 100 »"),
        (lambda: parse_percent("1,23456", "x"), "pourcentage avec plus de 4 décimales pour x : « 1,23456 »"),
        (lambda: parse_int("1.5", "x", minimum=0, maximum=9), "nombre entier invalide pour x : « 1.5 »"),
        (lambda: parse_int("10", "x", minimum=0, maximum=9), "x hors limites : 10 (de 0 à 9)"),
        (lambda: parse_date("", "x"), "date manquante : x"),
        (
            lambda: parse_date("31/02/2020", "x"),
            "date invalide pour x : « 31/02/2020 » (attendu AAAA-MM-JJ ou JJ/MM/AAAA)",
        ),
        (lambda: parse_bool("peut-être", "x"), "valeur invalide pour x : « peut-être » (attendu oui ou non)"),
        (lambda: parse_choice("z", "x", ["a", "b"]), "valeur inconnue pour x : « z » (attendu a, b)"),
        (lambda: parse_text("", "x", 3), "colonne x vide"),
        (lambda: parse_text("abcd", "x", 3), "x dépasse 3 caractères"),
    ],
)
def test_refused_values_say_why_in_french(parse, reason):
    with pytest.raises(RowRefused) as error:
        parse()
    assert str(error.value) == reason


def test_dates_choices_and_yes_no_words():
    assert (
        parse_date("2026-11-25", "x")
        == parse_date("25/11/2026", "x")
        == parse_date("5/1/2026", "x") - (date(2026, 1, 5) - date(2026, 11, 25))
    )
    assert parse_choice("", "x", ["a"], default="a") == "a"
    assert parse_choice("A", "x", ["a"]) == "a"
    assert [yes_no(word) for word in ("Oui", " x ", "NON", "0", "")] == [True, True, False, False, None]
    assert parse_bool("", "x") is None
    with pytest.raises(ValueError):
        yes_no("peut-être")
