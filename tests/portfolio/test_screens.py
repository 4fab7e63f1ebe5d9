"""« Consultation des Encours »: what each screen shows, to whom, and the bad inputs."""

from __future__ import annotations

import html
import io
from dataclasses import replace
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from espace.accounts.enums import Permission
from espace.core import clock
from espace.core.audit import AuditEvent
from espace.core.formats import euros
from espace.finance.schedule import round_cent
from espace.portfolio.enums import AuditAction, GuarantorKind, StatementStatus
from espace.portfolio.models import Guarantee, GuaranteedDebtStatement, GuarantorSummary, ScheduleRow
from espace.portfolio.selectors import (
    LinesTotals,
    annual_statement_lines,
    dashboard_for,
    guaranteed_totals,
    guaranteed_totals_compute,
)
from espace.portfolio.summaries import guarantor_summary_refresh
from tests.accounts.factories import UserFactory
from tests.establishments.factories import EstablishmentFactory
from tests.portfolio.factories import LineFactory

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return html.unescape(response.content.decode())


def test_dashboard_sums_the_direct_debt_only(client, world):
    client.force_login(world.reader)
    response = client.get(reverse("portfolio:dashboard"))
    assert response.status_code == 200
    expected = world.plus.outstanding + world.plai.outstanding + world.pls.outstanding
    data = response.context["data"]
    assert data.total_outstanding == expected
    assert data.lines == 3 and data.contracts == 2
    assert {item.product_name for item in data.by_product} == {"PLUS", "PLAI", "PLS"}
    assert sum(item.outstanding for item in data.by_product) == expected
    # The next 12 months' instalments are the rows the lines owe in that window, nothing of the other OPH.
    due = ScheduleRow.objects.filter(
        line__contract__borrower=world.oph,
        due_date__gt=data.figures_on,
        due_date__lte=data.figures_on.replace(year=data.figures_on.year + 1),
    )
    assert data.next_12_months == sum(row.instalment for row in due)
    assert data.projection[-1].outstanding == Decimal(0)
    assert "Livret A" in _text(response) and "C1000001" not in _text(response)


def test_the_commune_without_loans_is_sent_to_its_guaranteed_debt(client, world):
    client.force_login(world.mayor_office)
    response = client.get(reverse("portfolio:dashboard"))
    assert "Aucun prêt n'est enregistré" in _text(response)
    assert reverse("portfolio:guaranteed") in _text(response)
    assert dashboard_for(world.commune).total_outstanding == 0


@pytest.mark.parametrize(
    ("query", "numbers"),
    [
        ({}, ["L1000001", "L1000002", "L1000003"]),
        ({"product": "plai"}, ["L1000002"]),
        ({"status": "prefinancing"}, ["L1000002"]),
        ({"guarantor": "cglls"}, ["L1000001"]),
        ({"number": "C1000002"}, ["L1000003"]),
        ({"number": "l1000001"}, ["L1000001"]),
        ({"maturity_year": "2050"}, ["L1000003"]),
        ({"sort": "encours"}, ["L1000001", "L1000002", "L1000003"]),
    ],
)
def test_loans_list_filters(client, world, query, numbers):
    client.force_login(world.reader)
    response = client.get(reverse("portfolio:lines"), query)
    assert response.status_code == 200
    assert [line.number for line in response.context["page"]] == numbers
    totals = response.context["totals"]
    assert totals.count == len(numbers)


def test_loans_list_filter_by_a_guarantor_establishment(client, world):
    client.force_login(world.reader)
    response = client.get(reverse("portfolio:lines"), {"guarantor": str(world.commune.public_id)})
    assert [line.number for line in response.context["page"]] == ["L1000001", "L1000002"]
    assert response.context["totals"].outstanding == world.plus.outstanding + world.plai.outstanding
    labels = dict(response.context["form"].fields["guarantor"].choices)
    assert labels[str(world.commune.public_id)] == "COMMUNE DE VILLEBOIS" and "cglls" in labels
    assert str(world.other_oph.public_id) not in labels


def test_loans_list_shows_each_lines_guarantors_with_their_shares(client, world):
    client.force_login(world.reader)
    response = client.get(reverse("portfolio:lines"), {"sort": "numero"})
    rows = {line.number: line.guarantor_labels for line in response.context["page"]}
    assert rows["L1000001"] == ["COMMUNE DE VILLEBOIS (50,00\xa0%)", "CGLLS (50,00\xa0%)"]
    assert "COMMUNE DE VILLEBOIS (50,00\xa0%), CGLLS (50,00\xa0%)" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"maturity_year": "deux mille"}, "Saisissez une année."),
        ({"maturity_year": "1900"}, "Année trop ancienne."),
        ({"product": "inconnu"}, "Choisissez une valeur de la liste."),
        ({"guarantor": "n'importe quoi"}, "Choisissez une valeur de la liste."),
    ],
)
def test_bad_filters_get_a_french_message_and_a_400(client, world, query, message):
    client.force_login(world.reader)
    response = client.get(reverse("portfolio:lines"), query)
    assert response.status_code == 400
    assert message in _text(response)


def test_loan_page_marks_paid_rows_and_the_next_instalment(client, world):
    client.force_login(world.reader)
    response = client.get(reverse("portfolio:line", args=[world.plus.public_id]))
    assert response.status_code == 200
    html = _text(response)
    next_row = response.context["next_row"]
    assert next_row == world.plus.rows.filter(due_date__gt=world.plus.figures_on).first()
    assert html.count('aria-current="true"') == 1
    assert world.plus.rows.filter(paid=True).count() == 6  # 2021 to 2026
    assert html.count(">payée<") == 6
    assert "COMMUNE DE VILLEBOIS" in html and "CGLLS" in html and "50" in html
    assert response.context["projection"].lines == 1
    # The rows (Jinja2, espace.core.rows) are markup in the page, not escaped text.
    first, cells = world.plus.rows.order_by("number").first(), response.context["schedule"][0]
    assert (
        f'<tr><td data-label="N°">{first.number}</td><td data-label="Date">{first.due_date:%d/%m/%Y}</td>'
        f'<td class="ep-num" data-label="Taux">{cells.rate}</td>' in html
    )
    assert (
        f'<tr class="table-warning" aria-current="true"><td data-label="N°">{next_row.number}</td>' in html
        and "<strong>prochaine échéance</strong>" in html
    )
    raw = response.content.decode()
    assert "&lt;tr" not in raw and "&lt;td" not in raw
    projection = response.context["projection"]
    year = projection.years[0]
    assert (
        f'<tr><th scope="row" data-label="Année">{year}</th><td class="ep-num" data-label="{projection.labels[0]}">'
        f"{euros(projection.amounts[year][0])}</td>" in html
    )
    assert f'<tfoot><tr><th scope="row">Total</th><td class="ep-num" data-label="{projection.labels[0]}">' in html


def test_guarantor_opens_the_lines_it_guarantees_and_nothing_else(client, world):
    client.force_login(world.mayor_office)
    assert client.get(reverse("portfolio:line", args=[world.plus.public_id])).status_code == 200
    assert client.get(reverse("portfolio:line", args=[world.other.public_id])).status_code == 200
    # The OPH's loan guaranteed by another commune stays hidden, and so do exports of it.
    assert client.get(reverse("portfolio:line", args=[world.pls.public_id])).status_code == 404
    assert client.get(reverse("portfolio:line_pdf", args=[world.pls.public_id])).status_code == 404
    page = client.get(reverse("portfolio:line", args=[world.plai.public_id]))
    assert "Demander une modification" not in _text(page)
    assert client.get(reverse("portfolio:disbursement_change", args=[world.plai.public_id])).status_code == 403


def test_guaranteed_debt_groups_lines_by_borrower_with_the_shares(client, world):
    client.force_login(world.mayor_office)
    response = client.get(reverse("portfolio:guaranteed"))
    assert response.status_code == 200
    data = response.context["data"]
    assert [group.borrower.name for group in data.groups] == ["OPH DU RHÔNE", "SA HLM VOISINE"]
    oph_rows = {row.number: row for row in data.groups[0].rows}
    assert set(oph_rows) == {"L1000001", "L1000002"}
    half_outstanding = round_cent(world.plus.outstanding / 2)
    assert oph_rows["L1000001"].share == "50,00\xa0%"
    assert oph_rows["L1000001"].guaranteed_outstanding == euros(half_outstanding)
    year_rows = world.plus.rows.filter(due_date__year=response.context["year"])
    half_annuity = round_cent(sum(r.instalment for r in year_rows) / 2)
    assert oph_rows["L1000001"].guaranteed_annuity == euros(half_annuity)
    # The sums: the borrower's and the whole page's, each line's share rounded to the cent first.
    oph = data.totals.borrower(str(world.oph.public_id))
    assert oph.lines == 2
    assert oph.outstanding == half_outstanding + world.plai.outstanding
    assert data.totals.lines == 3
    assert data.totals.outstanding == half_outstanding + world.plai.outstanding + world.other.outstanding
    text = _text(response)
    assert "L1000003" not in text  # guaranteed by the other commune
    assert euros(data.totals.outstanding) in text
    assert guaranteed_totals(world.oph, year=2026).lines == 0  # the OPH guarantees nothing


def test_guaranteed_debt_pages_read_the_import_summary_in_a_constant_number_of_queries(
    client, world, django_assert_num_queries, settings
):
    """50 lines a page, by borrower then line; the sums come from the summary the import wrote,
    so a commune guaranteeing thousands of lines costs the same queries as one guaranteeing three."""
    settings.PAGE_CACHE_SECONDS = 0  # the render's own queries (tests/core/test_page_cache.py: its copies)
    for index in range(60):
        LineFactory(contract__borrower=world.other_oph, number=f"L95{index:05d}", guarantors=[(world.commune, "25")])
    year = clock.today().year
    guarantor_summary_refresh(world.commune)
    summary = GuarantorSummary.objects.get(establishment=world.commune)
    assert summary.lines == 63 and summary.year == year
    assert guaranteed_totals(world.commune, year=year) == replace(
        guaranteed_totals_compute(world.commune, year=year), positioned=True
    )
    client.force_login(world.mayor_office)
    client.get(reverse("portfolio:guaranteed"))  # the session and the menu's caches warm
    # the session (the user is cached), the summary, the page of lines, its annuities, the statements
    with django_assert_num_queries(5):
        first = client.get(reverse("portfolio:guaranteed"))
    assert [len(group.rows) for group in first.context["data"].groups] == [2, 48]
    second = client.get(reverse("portfolio:guaranteed"), {"page": 2})
    groups = second.context["data"].groups
    assert [(group.borrower.name, len(group.rows), group.continued) for group in groups] == [
        ("SA HLM VOISINE", 13, True)
    ]
    assert "(suite)" in _text(second)
    with django_assert_num_queries(5):
        client.get(reverse("portfolio:guaranteed"), {"page": 2})
    # Before the summary of the year exists, the same page, sorted in the database.
    GuarantorSummary.objects.all().delete()
    unstored = client.get(reverse("portfolio:guaranteed"), {"page": 2}).context["data"]
    assert unstored.groups == groups and not unstored.totals.positioned


def test_guaranteed_debt_narrowed_to_a_borrower_and_bad_choices(client, world):
    client.force_login(world.mayor_office)
    response = client.get(reverse("portfolio:guaranteed"), {"borrower": str(world.other_oph.public_id)})
    assert response.status_code == 200
    assert [group.borrower.name for group in response.context["data"].groups] == ["SA HLM VOISINE"]
    assert "L1000001" not in _text(response)
    # A borrower the commune does not guarantee (another establishment's): a French message, a 400.
    for bad in (str(world.other_commune.public_id), "pas-un-identifiant"):
        refused = client.get(reverse("portfolio:guaranteed"), {"borrower": bad})
        assert refused.status_code == 400
        assert "Choisissez une valeur de la liste." in _text(refused)
    page = client.get(reverse("portfolio:guaranteed"), {"page": "999"})
    assert page.status_code == 200 and page.context["data"].page.number == 1


def test_annual_statement_is_made_by_the_worker_and_downloaded(client, world, run_tasks):
    client.force_login(world.mayor_office)
    response = client.post(reverse("portfolio:statement_create"), {"year": "2026"}, follow=True)
    assert "en préparation" in _text(response)
    statement = GuaranteedDebtStatement.objects.get(guarantor=world.commune)
    assert statement.status == StatementStatus.PENDING
    run_tasks()
    statement.refresh_from_db()
    assert statement.status == StatementStatus.READY
    assert AuditEvent.objects.filter(action=AuditAction.STATEMENT_REQUESTED, establishment=world.commune).exists()
    download = client.get(reverse("portfolio:statement_download", args=[statement.public_id]))
    assert download.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(b"".join(download.streaming_content))).pages)
    assert "dette garantie" in text.lower() and "2026" in text and "COMMUNE DE VILLEBOIS" in text
    assert "L1000001" in text and "L9000001" in text and "L1000003" not in text
    lines = annual_statement_lines(world.commune, 2026)
    plus = next(line for line in lines if line.line_number == "L1000001")
    start = world.plus.rows.filter(due_date__lt="2026-01-01").last().outstanding_after
    assert plus.outstanding_start == (start / 2).quantize(Decimal("0.01"))
    capital_2026 = sum(row.capital for row in world.plus.rows.filter(due_date__year=2026))
    assert plus.capital == (capital_2026 / 2).quantize(Decimal("0.01"))
    # Another commune cannot fetch it.
    client.force_login(world.reader)
    assert client.get(reverse("portfolio:statement_download", args=[statement.public_id])).status_code == 404


@pytest.mark.parametrize("year", ["1999", "2999", "abc", ""])
def test_statement_for_a_year_out_of_the_list_is_refused(client, world, year):
    client.force_login(world.mayor_office)
    response = client.post(reverse("portfolio:statement_create"), {"year": year}, follow=True)
    assert "Choisissez une année" in _text(response)
    assert not GuaranteedDebtStatement.objects.exists()


def test_csv_export_is_for_excel_in_french(client, world):
    client.force_login(world.reader)
    response = client.get(reverse("portfolio:lines_export", args=["csv"]), {"product": "plus"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeffContrat;Ligne;Produit;Montant;")
    lines = body.strip().splitlines()
    assert len(lines) == 2
    fields = lines[1].split(";")
    assert fields[:4] == ["C1000001", "L1000001", "PLUS", "1000000,00"]
    assert fields[4] == str(world.plus.outstanding).replace(".", ",")
    assert AuditEvent.objects.filter(action=AuditAction.PORTFOLIO_EXPORTED, establishment=world.oph).exists()


def test_schedules_xlsx_holds_every_row_of_the_filtered_loans(client, world):
    client.force_login(world.reader)
    response = client.get(
        reverse("portfolio:lines_export", args=["xlsx"]), {"contenu": "echeanciers", "status": "repayment"}
    )
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    expected = world.plus.rows.count() + world.pls.rows.count()
    assert len(rows) == expected
    first = world.plus.rows.first()
    assert rows[0][:3] == ("C1000001", "L1000001", first.number)
    assert Decimal(str(rows[0][5])).quantize(Decimal("0.01")) == first.instalment
    assert {row[1] for row in rows} == {"L1000001", "L1000003"}


@pytest.mark.parametrize(("fmt", "query"), [("pdf", {}), ("csv", {"contenu": "tout"}), ("xlsx", {"status": "x"})])
def test_unknown_exports_are_404(client, world, fmt, query):
    client.force_login(world.reader)
    assert client.get(reverse("portfolio:lines_export", args=[fmt]), query).status_code == 404


def test_loan_schedule_pdf(client, world):
    client.force_login(world.reader)
    response = client.get(reverse("portfolio:line_pdf", args=[world.pls.public_id]))
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "L1000003" in text and "PLS" in text
    assert text.count("/20") >= 30  # one dated row per instalment


def test_projections_follow_the_livret_a(client, world):
    client.force_login(world.reader)
    response = client.get(reverse("portfolio:projections"))
    projection = response.context["projection"]
    assert projection.lines == 3
    stable, up, down = projection.totals[:3]
    assert up > stable > down
    path = client.get(reverse("portfolio:projections"), {"index_path": "01/08/2027 : 5"})
    assert path.status_code == 200
    assert path.context["projection"].totals[-1] > stable


@pytest.mark.parametrize(
    "query",
    [{"index_path": "demain : beaucoup"}, {"shift_from": "32/13/2027"}, {"index_path": "01/08/2027 : 45"}],
)
def test_bad_scenarios_get_a_message(client, world, query):
    client.force_login(world.reader)
    response = client.get(reverse("portfolio:projections"), query)
    assert response.status_code == 400
    assert response.context["projection"] is None
    assert 'class="invalid-feedback' in _text(response) or "is-invalid" in _text(response)


def test_the_stored_summary_says_what_the_lines_say(client, world):
    from espace.portfolio.selectors import dashboard_compute
    from espace.portfolio.summaries import summaries_refresh

    assert summaries_refresh([world.oph.pk, world.other_oph.pk]) == 2
    stored = dashboard_for(world.oph)
    live = dashboard_compute(world.oph, today=stored.figures_on)
    assert stored == live
    client.force_login(world.reader)
    response = client.get(reverse("portfolio:lines"))
    assert response.context["totals"] == LinesTotals(
        count=3,
        principal=Decimal("1650000.00"),
        outstanding=world.plus.outstanding + world.plai.outstanding + world.pls.outstanding,
    )
    assert response.context["page"].paginator.num_pages == 1


def test_the_loan_page_reads_its_guarantees_once_for_itself_and_its_documents_panel(client, world, settings):
    """The documents panel prints the deliberation templates of the guarantees the page read (with
    their guarantors, in one join): no query of its own for them, whatever the number of guarantors."""
    settings.PAGE_CACHE_SECONDS = 0  # the render's own queries
    extra = UserFactory(establishment=world.oph, permissions=[Permission.VIEW_PORTFOLIO, Permission.VIEW_DOCUMENTS])
    client.force_login(extra)
    url = reverse("portfolio:line", args=[world.plus.public_id])
    client.get(url)  # the session and the menu's caches warm

    def guarantee_queries() -> tuple[list[str], str]:
        with CaptureQueriesContext(connection) as captured:
            page = client.get(url)
        assert page.status_code == 200
        sql = [query["sql"] for query in captured.captured_queries]
        return [q for q in sql if "portfolio_guarantee" in q], page.content.decode()

    reads, page = guarantee_queries()
    assert len(reads) == 1 and "establishments_establishment" in reads[0]
    assert page.count("Word (DOCX)") == 1  # the commune's template (the CGLLS has none)
    # Two more guarantors: still one read; their templates by share, then by name.
    world.plus.guarantees.filter(kind=GuarantorKind.CGLLS).update(share_percent=Decimal("20"))
    for guarantor in (world.other_commune, EstablishmentFactory(commune=True, legal_name="COMMUNE D'AVAL")):
        Guarantee.objects.create(
            line=world.plus, kind=GuarantorKind.ESTABLISHMENT, guarantor=guarantor, share_percent=Decimal("15")
        )
    reads, page = guarantee_queries()
    assert len(reads) == 1
    names = ["COMMUNE DE VILLEBOIS", "COMMUNE D'AILLEURS", "COMMUNE D'AVAL"]  # 50 %, then 15 % by name
    positions = [page.index(f"délibération {html.escape(name)}, ligne") for name in names]
    assert page.count("Word (DOCX)") == 3 and positions == sorted(positions)
