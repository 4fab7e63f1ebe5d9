"""« Consultation des Encours »: direct debt, guaranteed debt, schedules, projections, exports;
« Pilotage des échéanciers de versement »: disbursement plans. Every object is reached through
the user's establishment (its own lines, or the lines it guarantees)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from espace.accounts.enums import Permission
from espace.accounts.http import ClientRequest
from espace.accounts.perms import permission_required
from espace.core import clock
from espace.core.downloads import PDF, stored_file_response
from espace.core.exceptions import ApplicationError
from espace.core.page_cache import page_cached
from espace.core.panels import panels_render
from espace.core.pdf import render_pdf
from espace.core.readmodels import template_fields
from espace.core.replica import reads_from_replica
from espace.portfolio import exports
from espace.portfolio.disbursements import disbursement_change_request, latest_draw_date
from espace.portfolio.enums import DisbursementStatus, LineStatus, StatementStatus
from espace.portfolio.forms import (
    DisbursementChangeForm,
    GuaranteedFilterForm,
    LinesFilterForm,
    ScenarioForm,
    StatementForm,
)
from espace.portfolio.models import FinancingLine
from espace.portfolio.page_versions import PORTFOLIO, SHARED_SCOPES
from espace.portfolio.perms import may_pilot
from espace.portfolio.projections import Projection, project
from espace.portfolio.selectors import (
    LinePage,
    dashboard_for,
    direct_lines,
    disbursement_rows,
    guaranteed_page,
    guaranteed_totals,
    guarantor_choices,
    line_page,
    lines_filtered,
    loans_page,
    statements_of,
)
from espace.portfolio.services import portfolio_export_record
from espace.portfolio.statements import statement_request
from espace.products.scenarios import livret_a_scenarios
from espace.products.selectors import livret_a_history, livret_a_next_revision, livret_a_today

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@permission_required(Permission.VIEW_PORTFOLIO)
@page_cached(PORTFOLIO, shared=SHARED_SCOPES, colleagues=True)
def dashboard(request: ClientRequest) -> HttpResponse:
    data = dashboard_for(request.establishment)
    context = {
        "data": data,
        "livret_a": livret_a_today(),
        "is_guarantor": request.establishment.is_guarantor,
        "chart": data.chart(),
    }
    return render(request, "portfolio/dashboard.html", context)


@reads_from_replica
@permission_required(Permission.VIEW_PORTFOLIO)
@page_cached(PORTFOLIO, shared=SHARED_SCOPES, params=(*LinesFilterForm.base_fields, "page"), colleagues=True)
def lines(request: ClientRequest) -> HttpResponse:
    # The guarantors and the whole list's count and sums come from the import's summary.
    summary = dashboard_for(request.establishment)
    form = LinesFilterForm(request.GET or None, guarantors=summary.guarantors)
    loans = loans_page(
        request.establishment, filters=form.filters(), summary=summary, page_number=request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": loans.page, "totals": loans.totals, "query": query.urlencode()}
    return render(request, "portfolio/lines.html", context, status=400 if form.errors else 200)


@reads_from_replica
@permission_required(Permission.VIEW_PORTFOLIO)
def lines_export(request: ClientRequest, fmt: str) -> HttpResponse | StreamingHttpResponse | FileResponse:
    """The filtered loans (`?contenu=prets`) or their schedules (`?contenu=echeanciers`), streamed."""
    form = LinesFilterForm(request.GET or None, guarantors=guarantor_choices(request.establishment))
    what = request.GET.get("contenu", "prets")
    if form.errors or what not in {"prets", "echeanciers"} or fmt not in {"csv", "xlsx"}:
        raise Http404
    lines_qs = lines_filtered(request.establishment, form.filters())
    portfolio_export_record(user=request.user, establishment=request.establishment, fmt=fmt, content=what)
    name = f"{what}-{request.establishment.client_number}-{clock.today():%Y%m%d}"
    if fmt == "csv":
        stream = exports.lines_csv(lines_qs) if what == "prets" else exports.schedules_csv(lines_qs)
        response = StreamingHttpResponse(stream, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    handle = exports.lines_xlsx(lines_qs) if what == "prets" else exports.schedules_xlsx(lines_qs)
    return FileResponse(handle, as_attachment=True, filename=f"{name}.xlsx", content_type=XLSX)


def _line_page(request: ClientRequest, public_id: UUID) -> LinePage:
    page = line_page(request.establishment, public_id, today=clock.today())
    if page is None:
        raise Http404
    return page


@permission_required(Permission.VIEW_PORTFOLIO)
@page_cached(
    PORTFOLIO, shared=SHARED_SCOPES, panels=("portfolio.line",), params=tuple(ScenarioForm.base_fields), colleagues=True
)
def line(request: ClientRequest, public_id: UUID) -> HttpResponse:
    page = _line_page(request, public_id)
    form = _scenario_form(request)
    projection = _projection(form, [page.line]) if page.indexed else None
    context = {
        **template_fields(page),
        "form": form,
        "projection": projection,
        "chart": page.chart(projection),
        "can_pilot": may_pilot(request.user, page.line),
        "panels": panels_render("portfolio.line", request, page.line, own=page.own, guarantees=page.guarantees),
    }
    return render(request, "portfolio/line.html", context, status=400 if form.errors else 200)


@permission_required(Permission.VIEW_PORTFOLIO)
def line_pdf(request: ClientRequest, public_id: UUID) -> HttpResponse:
    page = _line_page(request, public_id)
    pdf = render_pdf(
        template="portfolio/line_pdf.html",
        context={"line": page.line, "rows": page.rows, "today": clock.today()},
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="echeancier-{page.line.number}.pdf"'
    return response


def _scenario_form(request: ClientRequest) -> ScenarioForm:
    return ScenarioForm(request.GET or None, initial={"shift_from": _next_revision()})


def _projection(form: ScenarioForm, lines: list[FinancingLine]) -> Projection | None:
    """The projection under the form's scenarios (the defaults when it was not sent), or None when
    the form has errors (they are then shown on its fields)."""
    if form.is_bound and not form.is_valid():
        return None
    data = form.cleaned_data if form.is_bound else {"shift_from": _next_revision(), "index_path": []}
    history = livret_a_history()
    try:
        scenarios = livret_a_scenarios(
            history,
            today_rate=livret_a_today(history).index_rate,
            shift_from=data.get("shift_from"),
            path_percent=data.get("index_path"),
        )
    except ApplicationError as error:
        error.add_to(form)
        return None
    return project(lines, scenarios, after=clock.today())


@permission_required(Permission.VIEW_PORTFOLIO)
@page_cached(PORTFOLIO, shared=SHARED_SCOPES, params=tuple(ScenarioForm.base_fields), colleagues=True)
def projections(request: ClientRequest) -> HttpResponse:
    """Coming instalments of the whole direct debt under Livret A scenarios."""
    form = _scenario_form(request)
    projection = _projection(form, list(direct_lines(request.establishment).exclude(status=LineStatus.REPAID)))
    context = {"form": form, "projection": projection, "chart": projection.chart_data() if projection else None}
    return render(request, "portfolio/projections.html", context, status=400 if form.errors else 200)


def _next_revision() -> date:
    return livret_a_next_revision()


@reads_from_replica
@permission_required(Permission.VIEW_PORTFOLIO)
@page_cached(PORTFOLIO, shared=SHARED_SCOPES, params=(*GuaranteedFilterForm.base_fields, "page"), colleagues=True)
def guaranteed(request: ClientRequest) -> HttpResponse:
    """« Dette garantie »: the lines the establishment guarantees, by borrower, a page at a time,
    under the sums the last import stored."""
    year = clock.today().year
    totals = guaranteed_totals(request.establishment, year=year)
    form = GuaranteedFilterForm(
        request.GET or None, borrowers=[(item.public_id, item.name) for item in totals.borrowers]
    )
    data = guaranteed_page(
        request.establishment, totals=totals, borrower=form.chosen(), page_number=request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "data": data,
        "year": year,
        "form": form,
        "query": query.urlencode(),
        "statement_form": StatementForm(initial={"year": year - 1}),
        "statements": statements_of(request.establishment)[:10],
    }
    return render(request, "portfolio/guaranteed.html", context, status=400 if form.errors else 200)


@require_POST
@permission_required(Permission.VIEW_PORTFOLIO)
def statement_create(request: ClientRequest) -> HttpResponse:
    form = StatementForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors.get("year", [])))
        return redirect("portfolio:guaranteed")
    try:
        statement_request(guarantor=request.establishment, year=form.cleaned_data["year"], requested_by=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"L'état annuel {form.cleaned_data['year']} est en préparation : il apparaîtra ci-dessous dans quelques instants.",
        )
    return redirect("portfolio:guaranteed")


@permission_required(Permission.VIEW_PORTFOLIO)
def statement_download(request: ClientRequest, public_id: UUID) -> FileResponse:
    statement = get_object_or_404(
        statements_of(request.establishment), public_id=public_id, status=StatementStatus.READY
    )
    return stored_file_response(statement.pdf, filename=f"etat-dette-garantie-{statement.year}.pdf", content_type=PDF)


@permission_required(Permission.MANAGE_DISBURSEMENTS)
@page_cached(PORTFOLIO, shared=SHARED_SCOPES, colleagues=True)
def disbursements(request: ClientRequest) -> HttpResponse:
    return render(request, "portfolio/disbursements.html", {"lines": disbursement_rows(request.establishment)})


@require_http_methods(["GET", "POST"])
@permission_required(Permission.MANAGE_DISBURSEMENTS)
def disbursement_change(request: ClientRequest, public_id: UUID) -> HttpResponse:
    line_obj = get_object_or_404(
        direct_lines(request.establishment).select_related("contract", "product"), public_id=public_id
    )
    planned = list(line_obj.disbursements.filter(status=DisbursementStatus.PLANNED).order_by("planned_on", "pk"))
    drawn = list(line_obj.disbursements.filter(status=DisbursementStatus.DRAWN).order_by("planned_on", "pk"))
    pending = line_obj.change_requests.filter(status="pending").first()
    form = DisbursementChangeForm(request.POST or None, planned=planned)
    if request.method == "POST" and form.is_valid():
        try:
            disbursement_change_request(
                line=line_obj,
                requested_by=request.user,
                proposal=form.proposal(),
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                "Votre demande est transmise à votre direction régionale : vous recevrez sa décision par courriel.",
            )
            return redirect("portfolio:line", public_id=line_obj.public_id)
    context = {
        "line": line_obj,
        "form": form,
        "drawn": drawn,
        "pending": pending,
        "latest": latest_draw_date(line_obj),
        "total_planned": sum((item.amount for item in planned), start=line_obj.principal * 0),
    }
    return render(request, "portfolio/disbursement_change.html", context, status=400 if form.errors else 200)
