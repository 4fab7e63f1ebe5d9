"""A national portfolio for the load bench, generated from a seed and written with COPY.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/espace_load .venv/bin/python bench/national.py [--scale small]

Drops and recreates the database named by DATABASE_URL (PostgreSQL only), migrates it, then writes:

- 20,000 establishments (12 regional offices; one in three a guarantor), the first of them
  « OPH BENCH NATIONAL » (client number 900000), the large one;
- 100,000 users: 500 in the large establishment (`grand-0001` … `grand-0500`, every service's
  permission; the first 5 also administer its users, so they open the users list of 500 users),
  the rest spread over the other establishments (`u0000001` …, at least one each, the first of
  each its administrator); all with the password `BENCH_PASSWORD` below, hashed once with
  the production hasher (Argon2id) and the hash reused for every row;
- 300,000 financing lines in 100,000 contracts (3 lines each): 20,000 lines for the large
  establishment, the rest spread over the others; each line guaranteed by the CGLLS (100 %) or by
  two guarantor establishments (50 % each) among 60 of its area; one in four of the large
  establishment's lines is half-guaranteed by « ETABLISSEMENT BENCH 1 » (client number 900001, a
  commune): 5,000 lines, its guaranteed-debt page at its largest;
- stored schedule rows for every line (9.75 million rows: 25 to 40 annual rows a line;
  `--rows-every N` keeps one line in N outside the large establishment, for a smaller database).
  Lines come from 48 templates whose schedule the finance engine computes once
  (`espace.portfolio.engine.line_schedule`), so a line's stored figures (outstanding, next
  instalment, maturity) match its rows. Every line here is `schedule_source = engine` (the
  model's « computed from the terms »: the engine computed the rows and they are stored, as
  `contract_create` and the import do); the pages read stored rows only, so a line without rows
  (with `--rows-every` > 1) shows an empty schedule — the load bench opens loan pages of the
  large establishment only, whose lines always have rows;
- 40,998 dossiers (sent loan requests with one line each): 1,000 for the large establishment,
  2 for each other establishment;
- the large establishment's library of 2,000 documents (metadata only, no file) and 200 of its
  lines in pre-financing with two planned disbursements each (the « Versements » page);
- the large establishment's portfolio summary (the dashboard's figures); the others' are computed
  on their first visit.

Prints the duration of each step and the total (target: under 10 minutes for the whole run).
Idempotent: every run starts from a new database. `--scale small` (or BENCH_SCALE=small) writes
a fiftieth of everything (400 establishments, 2,000 users, 6,000 lines, the large establishment
2,000 lines) for a quick try.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SEED = 2026
BENCH_PASSWORD = "Bench-Prets-2026"  # the load bench logs in with it; never used outside bench databases
LARGE_CLIENT_NUMBER = "900000"
# The large guarantor: « ETABLISSEMENT BENCH 1 », a commune, half-guarantor of one line in four of
# the large establishment (5,000 lines at full scale): the guaranteed-debt page at its largest.
LARGE_GUARANTOR_CLIENT_NUMBER = "900001"
GUARANTOR_POOL = 60  # guarantors of one borrower's lines (communes, département, intercommunality)
LARGE_ADMINS = 5  # grand-0001 … grand-0005 administer the large establishment's users
TODAY = date(2026, 11, 25)


@dataclass(frozen=True)
class Sizes:
    establishments: int
    users: int
    large_users: int
    lines: int
    large_lines: int
    dossiers_large: int
    dossiers_each: int
    documents_large: int
    disbursed_large: int


FULL = Sizes(
    establishments=20_000,
    users=100_000,
    large_users=500,
    lines=300_000,
    large_lines=20_000,
    dossiers_large=1_000,
    dossiers_each=2,
    documents_large=2_000,
    disbursed_large=200,
)
SMALL = Sizes(
    establishments=400,
    users=2_000,
    large_users=500,
    lines=6_000,
    large_lines=2_000,
    dossiers_large=100,
    dossiers_each=1,
    documents_large=200,
    disbursed_large=20,
)
LINES_PER_CONTRACT = 3
FIRST_NAMES = ["Camille", "Dominique", "Claude", "Alix", "Sacha", "Maxime", "Morgan", "Charlie", "Lou", "Noa"]
LAST_NAMES = ["Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau", "Laurent"]


def environment() -> None:
    """Production settings as the load bench serves them (DEBUG off, Argon2)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "bench-national-generator-" + "x" * 40)
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
    os.environ.setdefault("EMAIL_HOST", "127.0.0.1")
    os.environ.setdefault("CLAMD_HOST", "127.0.0.1")
    os.environ.setdefault("ESPACE_RUN_ENV", "/nonexistent")


def database_recreate(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1].split("?")[0]
    if not name.startswith("espace_"):
        raise SystemExit(f"refusing to drop database {name!r}: the bench only recreates espace_* databases")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


class Copier:
    """COPY rows of a model's table, filling each column the row does not give with the field's
    default (computed once; `public_id` drawn from the seeded generator, timestamps set to now)."""

    def __init__(self, draw: random.Random) -> None:
        self.draw = draw
        self.now = datetime(2026, 11, 25, 8, 0, tzinfo=_paris())

    def copy(self, model: Any, rows: Iterable[dict[str, Any]]) -> int:
        from django.db import connection, models
        from psycopg.types.json import Jsonb

        fields = [field for field in model._meta.concrete_fields if not field.primary_key]
        defaults: list[Any] = []
        for field in fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False) or field.name == "created_at":
                defaults.append(self.now)
            elif field.name == "public_id":
                defaults.append(None)
            else:
                defaults.append(field.get_default())  # "" for a text field without default, else None
        json = [isinstance(field, models.JSONField) for field in fields]
        names = [field.attname for field in fields]
        columns = ", ".join(f'"{field.column}"' for field in fields)
        count = 0
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as out,
        ):
            for row in rows:
                values = []
                for index, name in enumerate(names):
                    if name == "public_id":
                        value = row.get(name) or uuid.UUID(int=self.draw.getrandbits(128), version=4)
                    else:
                        value = row.get(name, defaults[index])
                    values.append(Jsonb(value) if json[index] else value)
                out.write_row(values)
                count += 1
        return count


def _paris():  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/Paris")


@dataclass(frozen=True)
class Template:
    principal: Decimal
    duration_years: int
    first_due: date
    rows_text: list[str]  # each row's columns after line_id, tab-separated, COPY text format
    status: str
    outstanding: Decimal
    maturity_date: date
    next_due_date: date | None
    next_instalment: Decimal | None


def templates(count: int, draw: random.Random) -> list[Template]:
    from espace.portfolio.engine import line_figures, line_schedule
    from espace.portfolio.models import FinancingLine
    from espace.products.selectors import livret_a_history

    history = livret_a_history()
    made = []
    for index in range(count):
        line = FinancingLine(
            principal=Decimal(draw.randrange(2_000, 40_000) * 100),
            periodicity="annual",
            duration_years=25 + index % 4 * 5,
            first_due=date(2010 + index % 22, 1 + index % 12, 1),
            profile="echeance_prioritaire",
            margin=Decimal("0.006"),
        )
        rows = line_schedule(line, history).rows
        figures = line_figures(principal=line.principal, rows=rows, on=TODAY, first_due=line.first_due)
        made.append(
            Template(
                principal=line.principal,
                duration_years=line.duration_years,
                first_due=line.first_due,
                rows_text=[
                    f"{row.number}\t{row.due_date.isoformat()}\t{row.rate}\t{row.instalment}\t{row.interest}\t"
                    f"{row.capital}\t{row.outstanding_after}\t{row.deferred_interest}\t{'t' if row.due_date <= TODAY else 'f'}"
                    for row in rows
                ],
                status=figures.status,
                outstanding=figures.outstanding,
                maturity_date=figures.maturity_date,
                next_due_date=figures.next_due_date,
                next_instalment=figures.next_instalment,
            )
        )
    return made


def generate(sizes: Sizes, rows_every: int) -> dict[str, int]:
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from espace.accounts.models import PERMISSION_FIELD_NAMES, User
    from espace.core.uploads import ScanStatus
    from espace.documents.enums import DocumentKind, Origin
    from espace.documents.models import Document
    from espace.establishments.enums import EstablishmentKind
    from espace.establishments.models import Establishment, RegionalOffice
    from espace.loan_requests.enums import RequestKind, RequestStatus
    from espace.loan_requests.models import LoanRequest, RequestLine
    from espace.portfolio.enums import DisbursementStatus, GuarantorKind
    from espace.portfolio.models import Contract, FinancingLine, Guarantee, PlannedDisbursement
    from espace.portfolio.summaries import guarantor_summary_refresh, summary_refresh
    from espace.products.models import Product

    draw = random.Random(SEED)
    copier = Copier(draw)
    counts: dict[str, int] = {}
    steps: list[tuple[str, float]] = []
    clock = time.perf_counter()

    def step(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        steps.append((name, now - clock))
        print(f"[national] {name}: {now - clock:.1f} s", flush=True)
        clock = now

    with transaction.atomic():
        offices = [
            RegionalOffice.objects.create(code=f"dr-bench-{index:02d}", name=f"DR BENCH {index:02d}")
            for index in range(12)
        ]
        kinds = [
            EstablishmentKind.SOCIAL_LANDLORD,
            EstablishmentKind.COMMUNE,
            EstablishmentKind.SOCIAL_LANDLORD,
            EstablishmentKind.DEPARTEMENT,
            EstablishmentKind.INTERCOMMUNALITY,
            EstablishmentKind.ASSOCIATION,
        ]

        def establishments() -> Iterator[dict[str, Any]]:
            for index in range(sizes.establishments):
                kind = kinds[index % len(kinds)] if index else EstablishmentKind.SOCIAL_LANDLORD
                yield {
                    "client_number": str(900000 + index),
                    "legal_name": "OPH BENCH NATIONAL" if index == 0 else f"ETABLISSEMENT BENCH {index}",
                    "kind": kind,
                    "is_borrower": True,
                    "is_guarantor": index % 3 == 1,
                    "legal_representative_title": "Monsieur le Président",
                    "address_line1": f"{index % 200 + 1} rue de la République",
                    "postal_code": f"{10000 + index % 85000:05d}",
                    "city": f"VILLE {index % 900}",
                    "regional_office_id": offices[index % len(offices)].pk,
                }

        counts["establishments"] = copier.copy(Establishment, establishments())
        ids = dict(Establishment.objects.values_list("client_number", "pk"))
        large = ids[LARGE_CLIENT_NUMBER]
        others = [pk for number, pk in sorted(ids.items()) if number != LARGE_CLIENT_NUMBER]
        large_guarantor = ids[LARGE_GUARANTOR_CLIENT_NUMBER]
        guarantors = list(
            Establishment.objects.filter(is_guarantor=True).exclude(pk=large_guarantor).values_list("pk", flat=True)
        )
        step(f"{counts['establishments']:,} establishments")

        password = make_password(BENCH_PASSWORD)  # once: the production hasher (Argon2id)
        all_permissions = dict.fromkeys(PERMISSION_FIELD_NAMES, True)

        def users() -> Iterator[dict[str, Any]]:
            common = {
                "password": password,
                "status": "active",
                "terms_version": "2026-1",
                "terms_accepted_at": copier.now,
                "activated_at": copier.now,
                "date_joined": copier.now,
            }
            for index in range(sizes.large_users):
                yield {
                    **common,
                    **all_permissions,
                    "perm_administer_users": index < LARGE_ADMINS,
                    "username": f"grand-{index + 1:04d}",
                    "first_name": FIRST_NAMES[index % 10],
                    "last_name": f"{LAST_NAMES[index // 10 % 10]} {index + 1:04d}",
                    "email": f"grand-{index + 1:04d}@bench.example.org",
                    "establishment_id": large,
                }
            for index in range(sizes.users - sizes.large_users):
                yield {
                    **common,
                    **all_permissions,
                    "perm_administer_users": index < len(others),  # the first user of each is its administrator
                    "username": f"u{index + 1:07d}",
                    "first_name": FIRST_NAMES[index % 10],
                    "last_name": LAST_NAMES[index // 10 % 10],
                    "email": f"u{index + 1:07d}@bench.example.org",
                    "establishment_id": others[index % len(others)],
                }

        counts["users"] = copier.copy(User, users())
        first_user = dict(
            User.objects.filter(
                username__in=["grand-0001"] + [f"u{index + 1:07d}" for index in range(len(others))]
            ).values_list("establishment_id", "pk")
        )
        step(f"{counts['users']:,} users (one Argon2id hash, reused)")

        shapes = templates(48, draw)
        products = list(Product.objects.filter(code__in=["plus", "plai", "pls", "pam"]).values_list("pk", flat=True))
        step(f"{len(shapes)} schedule templates computed by the finance engine")

        # Borrower of each line: the large establishment's 20,000 first, then the others in turn.
        borrowers = [large] * sizes.large_lines + [
            others[index % len(others)] for index in range(sizes.lines - sizes.large_lines)
        ]
        contract_count = (len(borrowers) + LINES_PER_CONTRACT - 1) // LINES_PER_CONTRACT

        def contracts() -> Iterator[dict[str, Any]]:
            for index in range(contract_count):
                shape = shapes[index % len(shapes)]
                yield {
                    "number": f"C{index + 1:07d}",
                    "borrower_id": borrowers[index * LINES_PER_CONTRACT],
                    "signed_on": shape.first_due - timedelta(days=400),
                    "dossier_number": "",
                    "source_digest": "",
                }

        counts["contracts"] = copier.copy(Contract, contracts())
        contract_ids = dict(Contract.objects.values_list("number", "pk"))
        step(f"{counts['contracts']:,} contracts")

        def lines() -> Iterator[dict[str, Any]]:
            for index, borrower in enumerate(borrowers):
                contract = index // LINES_PER_CONTRACT
                shape = shapes[contract % len(shapes)]
                yield {
                    "contract_id": contract_ids[f"C{contract + 1:07d}"],
                    "borrower_id": borrower,
                    "number": f"C{contract + 1:07d}-{index % LINES_PER_CONTRACT + 1:02d}",
                    "product_id": products[index % len(products)],
                    "principal": shape.principal,
                    "periodicity": "annual",
                    "duration_years": shape.duration_years,
                    "first_due": shape.first_due,
                    "profile": "echeance_prioritaire",
                    "margin": Decimal("0.006"),
                    "status": shape.status,
                    "schedule_source": "engine",
                    "figures_on": TODAY,
                    "outstanding": shape.outstanding,
                    "maturity_date": shape.maturity_date,
                    "next_due_date": shape.next_due_date,
                    "next_instalment": shape.next_instalment,
                }

        counts["lines"] = copier.copy(FinancingLine, lines())
        line_ids = list(FinancingLine.objects.order_by("pk").values_list("pk", flat=True))
        step(f"{counts['lines']:,} financing lines")

        def guarantees() -> Iterator[dict[str, Any]]:
            # Each borrower's lines are guaranteed by the CGLLS or by local authorities of its own
            # area: a pool of GUARANTOR_POOL guarantors a borrower (the filter of its loans list).
            pool = min(GUARANTOR_POOL, len(guarantors) - 1)
            for index, line in enumerate(line_ids):
                if index % 2:
                    yield {"line_id": line, "kind": GuarantorKind.CGLLS, "share_percent": Decimal(100)}
                else:
                    first = borrowers[index] * 31 + index // 2 % pool
                    for half in (0, 1):
                        guarantor = guarantors[(first + half) % len(guarantors)]
                        if index < sizes.large_lines and index % 4 == 0 and half == 0:
                            guarantor = large_guarantor
                        yield {
                            "line_id": line,
                            "kind": GuarantorKind.ESTABLISHMENT,
                            "guarantor_id": guarantor,
                            "share_percent": Decimal(50),
                            "deliberation_reference": f"DEL-{index}",
                        }

        counts["guarantees"] = copier.copy(Guarantee, guarantees())
        step(f"{counts['guarantees']:,} guarantees")

        # Schedule rows: the template's rows behind each line id, as COPY text, in 8 MB chunks.
        rows = 0
        with connection.cursor() as cursor:
            columns = (
                "line_id, number, due_date, rate, instalment, interest, capital, outstanding_after, "
                "deferred_interest, paid"
            )
            with cursor.cursor.copy(f"COPY portfolio_schedulerow ({columns}) FROM STDIN") as out:
                buffer = io.StringIO()
                for index, line in enumerate(line_ids):
                    if index >= sizes.large_lines and index % rows_every:
                        continue
                    prefix = f"{line}\t"
                    shape = shapes[index // LINES_PER_CONTRACT % len(shapes)]
                    buffer.write("".join(prefix + text + "\n" for text in shape.rows_text))
                    rows += len(shape.rows_text)
                    if buffer.tell() > 8_000_000:
                        out.write(buffer.getvalue())
                        buffer = io.StringIO()
                out.write(buffer.getvalue())
        counts["schedule rows"] = rows
        step(f"{rows:,} schedule rows")

        sent = [
            RequestStatus.SENT,
            RequestStatus.UNDER_REVIEW,
            RequestStatus.DOCUMENTS_REQUESTED,
            RequestStatus.OFFER_ISSUED,
            RequestStatus.CONTRACTED,
            RequestStatus.REFUSED,
        ]
        owners = [large] * sizes.dossiers_large + [pk for pk in others for _ in range(sizes.dossiers_each)]

        def dossiers() -> Iterator[dict[str, Any]]:
            for index, owner in enumerate(owners):
                user = first_user[owner]
                at = copier.now - timedelta(hours=index % 5000)
                yield {
                    "establishment_id": owner,
                    "kind": RequestKind.HOUSING,
                    "status": sent[index % len(sent)],
                    "name": f"Opération bench {index + 1}",
                    "created_by_id": user,
                    "updated_by_id": user,
                    "requested_amount": Decimal(draw.randrange(100, 5_000) * 1000),
                    "requested_years": 40,
                    "dossier_number": f"DP-2026-{index + 1:06d}",
                    "sent_at": at,
                    "sent_by_id": user,
                    "regional_office_id": offices[owner % len(offices)].pk,
                    "created_at": at,
                    "updated_at": at,
                }

        counts["dossiers"] = copier.copy(LoanRequest, dossiers())
        request_ids = list(LoanRequest.objects.order_by("pk").values_list("pk", flat=True))
        counts["dossier lines"] = copier.copy(
            RequestLine,
            (
                {
                    "request_id": request,
                    "product_id": products[index % len(products)],
                    "amount": Decimal(1_000_000),
                    "duration_years": 40,
                    "profile": "echeance_prioritaire",
                    "periodicity": "annual",
                }
                for index, request in enumerate(request_ids)
            ),
        )
        step(f"{counts['dossiers']:,} dossiers with one line each")

        # The large establishment's library: documents the lender sent, on its lines (metadata
        # only: the pages list them, the bench downloads none).
        kinds_sent = [DocumentKind.INSTALMENT_NOTICE, DocumentKind.CONTRACT, DocumentKind.OFFER]
        counts["documents"] = copier.copy(
            Document,
            (
                {
                    "establishment_id": large,
                    "kind": kinds_sent[index % len(kinds_sent)],
                    "title": f"Document bench {index + 1}",
                    "issued_on": TODAY - timedelta(days=index % 1500),
                    "line_id": line_ids[index % sizes.large_lines],
                    "loan_reference": "",
                    "origin": Origin.IMPORTED,
                    "file": f"bench/document-{index + 1}.pdf",
                    "file_name": f"document-{index + 1}.pdf",
                    "mime_type": "application/pdf",
                    "size": 120_000,
                    "sha256": "0" * 64,
                    "scan_status": ScanStatus.CLEAN,
                }
                for index in range(sizes.documents_large)
            ),
        )
        # Planned disbursements of the large establishment's first lines (the « Versements » page).
        counts["planned disbursements"] = copier.copy(
            PlannedDisbursement,
            (
                {
                    "line_id": line_ids[index // 2],
                    "planned_on": TODAY + timedelta(days=30 + 60 * (index % 2) + index % 300),
                    "amount": Decimal(250_000),
                    "status": DisbursementStatus.PLANNED,
                }
                for index in range(2 * sizes.disbursed_large)
            ),
        )
        step(f"{counts['documents']:,} documents and {counts['planned disbursements']:,} planned disbursements")

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    summary_refresh(Establishment.objects.get(pk=large))
    guarantor_summary_refresh(Establishment.objects.get(pk=large_guarantor))
    step("ANALYZE and the large establishment's and large guarantor's summaries")
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--scale", choices=["full", "small"], default=os.environ.get("BENCH_SCALE") or "full")
    parser.add_argument("--rows-every", type=int, default=1, help="store the schedule rows of one line in N")
    parser.add_argument("--no-recreate", action="store_true", help="use the (empty, migrated) database as it is")
    args = parser.parse_args()
    environment()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("DATABASE_URL must name a PostgreSQL database (espace_…)")
    started = time.perf_counter()
    if not args.no_recreate:
        database_recreate(url)
    import django

    django.setup()
    from django.core.management import call_command

    if not args.no_recreate:
        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)
        print(f"[national] new database, migrated: {time.perf_counter() - started:.1f} s", flush=True)
    generating = time.perf_counter()
    counts = generate(SMALL if args.scale == "small" else FULL, args.rows_every)
    done = time.perf_counter()
    print(
        f"[national] {args.scale} portfolio written in {done - generating:.0f} s "
        f"({done - started:.0f} s with the database's creation): "
        + ", ".join(f"{value:,} {name}" for name, value in counts.items()),
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
