"""Client registry import (« numéro client », établissements)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.text import slugify

from espace.core.audit import audit_record
from espace.core.csvimport import RowError, read_uploaded_rows, yes_no
from espace.establishments.enums import AuditAction, EstablishmentKind
from espace.establishments.models import Establishment, RegionalOffice
from espace.establishments.selectors import normalize_client_number
from espace.establishments.signals import establishments_changed

IMPORT_COLUMNS = [
    "client_number",
    "legal_name",
    "kind",
    "borrower",
    "guarantor",
    "legal_representative_title",
    "address_line1",
    "address_line2",
    "postal_code",
    "city",
    "regional_office",
    "active",
]
REQUIRED_COLUMNS = {
    "client_number",
    "legal_name",
    "kind",
    "legal_representative_title",
    "address_line1",
    "postal_code",
    "city",
}
UPDATABLE_FIELDS = [
    "legal_name",
    "kind",
    "is_borrower",
    "is_guarantor",
    "legal_representative_title",
    "address_line1",
    "address_line2",
    "postal_code",
    "city",
    "regional_office_id",
    "is_active",
]
KIND_LOOKUP = {
    **{k.value: k.value for k in EstablishmentKind},
    **{str(k.label).lower(): k.value for k in EstablishmentKind},
}
MAX_LENGTHS = {
    "legal_name": 200,
    "legal_representative_title": 120,
    "address_line1": 120,
    "address_line2": 120,
    "postal_code": 10,
    "city": 80,
    "regional_office": 120,
}


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _parse_bool(value: str, column: str) -> bool:
    """A yes/no word of the kernel; empty means no."""
    try:
        return bool(yes_no(value))
    except ValueError:
        raise ValueError(f"valeur « {value} » invalide pour {column} (attendu : oui ou non)") from None


@dataclass(frozen=True, slots=True)
class RegistryRow:
    """One valid row of the client registry file."""

    client_number: str
    legal_name: str
    kind: str
    is_borrower: bool
    is_guarantor: bool
    legal_representative_title: str
    address_line1: str
    address_line2: str
    postal_code: str
    city: str
    regional_office: str  # the office's name; empty: none
    is_active: bool

    def model_fields(self, *, regional_office_id: int | None) -> dict[str, object]:
        """The values of UPDATABLE_FIELDS this row gives an establishment."""
        return {
            "legal_name": self.legal_name,
            "kind": self.kind,
            "is_borrower": self.is_borrower,
            "is_guarantor": self.is_guarantor,
            "legal_representative_title": self.legal_representative_title,
            "address_line1": self.address_line1,
            "address_line2": self.address_line2,
            "postal_code": self.postal_code,
            "city": self.city,
            "regional_office_id": regional_office_id,
            "is_active": self.is_active,
        }


def _clean_row(row: dict[str, str]) -> RegistryRow:
    values = {key: (row.get(key) or "").strip() for key in IMPORT_COLUMNS}
    for column in REQUIRED_COLUMNS:
        if not values[column]:
            raise ValueError(f"colonne {column} vide")
    for column, limit in MAX_LENGTHS.items():
        if len(values[column]) > limit:
            raise ValueError(f"{column} dépasse {limit} caractères")
    client_number = normalize_client_number(values["client_number"])
    if not client_number or len(client_number) > 9:
        raise ValueError(f"numéro client « {values['client_number']} » invalide")
    kind = KIND_LOOKUP.get(values["kind"].lower())
    if kind is None:
        raise ValueError(f"catégorie « {values['kind']} » inconnue")
    is_borrower = _parse_bool(values["borrower"] or "oui", "borrower")
    is_guarantor = _parse_bool(values["guarantor"], "guarantor")
    if not (is_borrower or is_guarantor):
        raise ValueError("un établissement est emprunteur, garant ou les deux")
    return RegistryRow(
        client_number=client_number,
        legal_name=values["legal_name"],
        kind=kind,
        is_borrower=is_borrower,
        is_guarantor=is_guarantor,
        legal_representative_title=values["legal_representative_title"],
        address_line1=values["address_line1"],
        address_line2=values["address_line2"],
        postal_code=values["postal_code"],
        city=values["city"],
        regional_office=values["regional_office"],
        is_active=_parse_bool(values["active"] or "oui", "active"),
    )


@transaction.atomic
def establishments_import(*, raw: bytes, dry_run: bool = False, batch_size: int = 2000) -> ImportReport:
    """Upsert establishments by client number. Bad rows are reported; good rows are imported.

    A re-run of the same file changes nothing (rows equal to the database are left alone).
    """
    report = ImportReport()
    cleaned: dict[str, RegistryRow] = {}
    for line, row in read_uploaded_rows(raw, required=REQUIRED_COLUMNS, lower_header=False):
        try:
            entry = _clean_row(row)
        except ValueError as error:
            report.errors.append(RowError(file="", line=line, reason=str(error)))
            continue
        if entry.client_number in cleaned:
            report.errors.append(
                RowError(file="", line=line, reason=f"numéro client {entry.client_number} en double dans le fichier")
            )
            continue
        cleaned[entry.client_number] = entry

    offices = {office.name: office for office in RegionalOffice.objects.all()}
    for name in {entry.regional_office for entry in cleaned.values()} - set(offices) - {""}:
        if not dry_run:
            offices[name] = RegionalOffice.objects.create(code=slugify(name)[:40] or "dr", name=name)
        else:
            offices[name] = RegionalOffice(code=slugify(name)[:40], name=name)

    existing = Establishment.objects.in_bulk(list(cleaned), field_name="client_number") if cleaned else {}
    to_create: list[Establishment] = []
    to_update: list[Establishment] = []
    for client_number, entry in cleaned.items():
        office = entry.regional_office
        wanted = entry.model_fields(regional_office_id=offices[office].pk if office else None)
        current = existing.get(client_number)
        if current is None:
            current = Establishment(client_number=client_number)
            to_create.append(current)
        elif all(getattr(current, name) == value for name, value in wanted.items()):
            report.unchanged += 1
            continue
        else:
            to_update.append(current)
        for name, value in wanted.items():
            setattr(current, name, value)

    report.created = len(to_create)
    report.updated = len(to_update)
    if dry_run:
        transaction.set_rollback(True)
        return report
    Establishment.objects.bulk_create(to_create, batch_size=batch_size)
    Establishment.objects.bulk_update(to_update, UPDATABLE_FIELDS, batch_size=batch_size)
    if to_update:
        establishments_changed.send(sender=Establishment, pks=[establishment.pk for establishment in to_update])
    audit_record(
        action=AuditAction.ESTABLISHMENTS_IMPORTED,
        details={"created": report.created, "updated": report.updated, "errors": len(report.errors)},
    )
    return report
