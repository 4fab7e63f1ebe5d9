"""Pages an establishment's size must not slow: the same number of queries at 5 and at 500 users.

A count that grows with the users is an N+1 (one query per row) or a Python-side filter over
every user: the page would slow as establishments grow, for every administrator, every day.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from espace.accounts.enums import UserStatus
from espace.accounts.models import User
from espace.core.audit import audit_record
from espace.members.enums import AuditAction
from tests.accounts.factories import UserFactory
from tests.conftest import verified_login
from tests.establishments.factories import EstablishmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _rendered_pages(settings):
    """The pages' own queries, as rendered: a copy from the page cache costs the session only
    (tests/portfolio/test_page_cache.py), whatever the page."""
    settings.PAGE_CACHE_SECONDS = 0


def establishment_with(count: int):
    """An establishment with one administrator and `count - 1` other users (half pending), plus audit rows."""
    establishment = EstablishmentFactory()
    admin = UserFactory(establishment=establishment, admin=True)
    User.objects.bulk_create(
        [
            User(
                username=f"u{establishment.pk}-{n}",
                first_name="Camille",
                last_name=f"Nom{n:04d}",
                email=f"u{n}@example.org",
                establishment=establishment,
                status=UserStatus.AWAITING_ADMIN if n % 2 else UserStatus.ACTIVE,
                perm_view_portfolio=True,
                perm_administer_users=n % 50 == 0,
                password="!",
            )
            for n in range(count - 1)
        ]
    )
    for user in User.objects.filter(establishment=establishment)[:count]:
        audit_record(action=AuditAction.MEMBER_ACTIVATED, actor=admin, target=user)
    return establishment, admin


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


CLIENT_PAGES = ["/espace/", "/administration/utilisateurs/", "/administration/journal/", "/mon-compte/habilitations/"]


@pytest.mark.parametrize("url", CLIENT_PAGES)
def test_client_pages_cost_the_same_at_5_and_500_users(url):
    counts = {}
    for size in (5, 500):
        _establishment, admin = establishment_with(size)
        client = Client()
        client.force_login(admin)
        client.get(url)  # the session and caches warm up once
        counts[size] = queries(client, url)
    assert counts[5] == counts[500], f"{url}: {counts} queries at 5 and 500 users — a query per user somewhere"


def test_backoffice_dashboard_and_establishment_page_cost_the_same_at_5_and_500_users(staff_factory):
    staff = Client()
    verified_login(staff, staff_factory("Assistance"))
    counts: dict[str, dict[int, int]] = {"dashboard": {}, "establishment": {}}
    for size in (5, 500):
        establishment, _admin = establishment_with(size)
        for page, url in (
            ("dashboard", f"/back-office/?q={establishment.client_number}"),
            ("establishment", f"/back-office/etablissements/{establishment.public_id}/"),
        ):
            staff.get(url)  # warm-up: the session's second factor is checked once
            counts[page][size] = queries(staff, url)
    for page, by_size in counts.items():
        assert by_size[5] == by_size[500], f"{page}: {by_size} queries at 5 and 500 users"


def test_home_page_query_count_is_small(django_assert_max_num_queries):
    _establishment, admin = establishment_with(500)
    client = Client()
    client.force_login(admin)
    client.get("/espace/")
    # Session, user with its establishment, the administrators (one query), the pending count, the news.
    with django_assert_max_num_queries(5):
        assert client.get("/espace/").status_code == 200


def portfolio_of(count: int):
    """A borrower with `count` lines (each guaranteed by a commune and the CGLLS) and a reader."""
    from tests.portfolio.factories import LineFactory

    borrower = EstablishmentFactory()
    commune = EstablishmentFactory(commune=True)
    for _ in range(count):
        LineFactory(contract__borrower=borrower, guarantors=[(commune, "60"), (None, "40")])
    reader = UserFactory(establishment=borrower, permissions=["view_portfolio", "manage_disbursements"])
    return borrower, reader, UserFactory(establishment=commune, permissions=["view_portfolio"])


def test_portfolio_pages_cost_the_same_at_3_and_60_lines():
    from espace.portfolio.models import FinancingLine

    counts: dict[str, dict[int, int]] = {}
    for size in (3, 60):
        borrower, reader, commune_reader = portfolio_of(size)
        client = Client()
        client.force_login(reader)
        line = FinancingLine.objects.filter(contract__borrower=borrower).first()
        pages = {
            "dashboard": "/encours/",
            "lines": "/encours/prets/?sort=encours",
            "lines filtered": "/encours/prets/?guarantor=cglls&product=plus",
            "loan": f"/encours/prets/{line.public_id}/",
            "disbursements": "/encours/versements/",
        }
        client.get("/encours/")
        for page, url in pages.items():
            counts.setdefault(page, {})[size] = queries(client, url)
        client.force_login(commune_reader)
        client.get("/encours/")
        counts.setdefault("guaranteed debt", {})[size] = queries(client, "/encours/dette-garantie/")
    for page, by_size in counts.items():
        assert by_size[3] == by_size[60], f"{page}: {by_size} queries at 3 and 60 lines"


def test_document_library_costs_the_same_at_3_and_60_documents():
    """The library, filtered or not, and the deliberations list: a fixed number of queries."""
    from espace.documents.enums import DocumentKind
    from tests.documents.factories import DocumentFactory
    from tests.portfolio.factories import LineFactory

    counts: dict[str, dict[int, int]] = {}
    for size in (3, 60):
        borrower = EstablishmentFactory()
        commune = EstablishmentFactory(commune=True)
        lines = [LineFactory(contract__borrower=borrower, guarantors=[(commune, "100")]) for _ in range(size // 20 + 1)]
        for n in range(size):
            DocumentFactory(
                establishment=borrower,
                line=lines[n % len(lines)],
                kind=DocumentKind.CONTRACT if n % 2 else DocumentKind.INSTALMENT_NOTICE,
                dossier_number=f"D{n}",
            )
        client = Client()
        client.force_login(UserFactory(establishment=borrower, permissions=["view_documents"]))
        client.get("/documents/")
        for page, url in {
            "library": "/documents/",
            "library filtered": "/documents/?kind=contract&year=2026",
            "deliberations": "/documents/deliberations/",
        }.items():
            counts.setdefault(page, {})[size] = queries(client, url)
    for page, by_size in counts.items():
        assert by_size[3] == by_size[60], f"{page}: {by_size} queries at 3 and 60 documents"
