"""« Outils et simulateurs »: public tools; in the client space, simulations can be saved.

The tools' forms are GET forms: a result has its own address (bookmark, share, download), and
computing changes nothing. Saving is a POST in the client space.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from espace.accounts.http import AppRequest, ClientRequest
from espace.accounts.models import User
from espace.accounts.perms import client_required
from espace.core.exceptions import ApplicationError
from espace.core.pdf import render_pdf
from espace.products.enums import PERIODICITY_LABELS, PROFILE_LABELS, REVISION_LABELS
from espace.products.models import Product
from espace.products.selectors import livret_a_history, livret_a_next_revision, published_products
from espace.simulators import exports
from espace.simulators.enums import SimulationKind
from espace.simulators.forms import (
    DWELLING_TYPES,
    BalanceForm,
    LandShareForm,
    LoanSimulationForm,
    SaveForm,
    default_first_due,
)
from espace.simulators.selectors import simulations_of
from espace.simulators.services import (
    balance_simulate,
    land_share_simulate,
    loan_simulate,
    simulation_delete,
    simulation_save,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TOOL_URLS = {
    SimulationKind.LOAN: "simulators:loan",
    SimulationKind.LAND_SHARE: "simulators:land_share",
    SimulationKind.BALANCE: "simulators:balance",
}


def _client(request: AppRequest) -> bool:
    return isinstance(request.user, User) and request.establishment is not None


def index(request: AppRequest) -> HttpResponse:
    saved = simulations_of(request.establishment)[:10] if _client(request) and request.establishment is not None else []
    return render(request, "simulators/index.html", {"saved": saved})


def _submitted(request: HttpRequest, form_class: type[forms.Form]) -> bool:
    """Whether the form was sent; « ?product=plus » alone (from a product page) only pre-selects."""
    return any(name in request.GET for name in form_class.base_fields if name != "product")


PARAM_NAME = re.compile(r"^[a-z0-9_]{1,40}$")


def _params(request: HttpRequest) -> dict[str, str]:
    """The submitted inputs: what a saved simulation keeps and a download repeats."""
    return {key: str(value)[:500] for key, value in request.GET.items() if PARAM_NAME.match(key)}


def _loan_form(request: HttpRequest, products: list[Product]) -> LoanSimulationForm:
    if _submitted(request, LoanSimulationForm):
        return LoanSimulationForm(request.GET, products=products)
    chosen = next((p for p in products if p.code == request.GET.get("product")), products[0] if products else None)
    initial: dict[str, Any] = {"first_due": default_first_due(), "shift_from": livret_a_next_revision()}
    if chosen is not None:
        initial.update(
            product=chosen.code,
            duration_years=chosen.max_years,
            profile=chosen.profiles[0],
            periodicity=chosen.periodicities[0],
            revision=chosen.revisions[0] if chosen.revisions else "",
        )
    return LoanSimulationForm(initial=initial, products=products)


def _loan_result(request: HttpRequest) -> tuple[LoanSimulationForm, Any]:
    products = list(published_products())
    form = _loan_form(request, products)
    result = None
    if form.is_bound and form.is_valid():
        try:
            result = loan_simulate(form.cleaned_data, livret_a_history())
        except ApplicationError as error:
            error.add_to(form)
    return form, result


def loan(request: AppRequest) -> HttpResponse:
    form, result = _loan_result(request)
    context = {
        "form": form,
        "result": result,
        "chart": result.chart_data() if result else None,
        "query": urlencode(_params(request)),
        "can_save": _client(request),
        "save_form": SaveForm(initial={"name": _loan_name(form, result)}) if result else None,
        "kind": SimulationKind.LOAN,
    }
    return render(request, "simulators/loan.html", context, status=400 if form.errors else 200)


def _loan_name(form: LoanSimulationForm, result: Any) -> str:
    if result is None:
        return ""
    data = form.cleaned_data
    return f"{result.product.name} {data['amount']:,.0f} € sur {data['duration_years']} ans".replace(",", " ")


def _loan_inputs(data: dict[str, Any]) -> list[tuple[str, Any, str | None]]:
    product: Product = data["product_obj"]
    return [
        ("Prêt", f"{product.name} — {product.full_name}", None),
        ("Montant", data["amount"], exports.EUROS),
        ("Durée (années)", data["duration_years"], None),
        ("Profil", str(PROFILE_LABELS[data["profile"]]), None),
        ("Progressivité annuelle", exports.percent_cell(data.get("progression") or Decimal(0)), exports.PERCENT),
        ("Périodicité", str(PERIODICITY_LABELS[data["periodicity"]]), None),
        ("Révision", str(REVISION_LABELS[data["revision"]]) if data.get("revision") else "—", None),
        ("Première échéance", data["first_due"], exports.DATE),
    ]


def loan_export(request: AppRequest, fmt: str) -> HttpResponse:
    form, result = _loan_result(request)
    if result is None:
        messages.error(request, "Complétez la simulation avant de la télécharger.")
        return redirect(f"{reverse('simulators:loan')}?{urlencode(_params(request))}")
    data = form.cleaned_data
    filename = f"simulation-{result.product.code}-{date.today():%Y%m%d}"
    if fmt == "xlsx":
        response = HttpResponse(exports.loan_xlsx(result, _loan_inputs(data)), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    if fmt == "pdf":
        pdf = render_pdf(
            template="simulators/loan_pdf.html",
            context={"result": result, "inputs": _loan_inputs(data), "labels": _labels(data)},
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
        return response
    raise Http404


def _labels(data: dict[str, Any]) -> dict[str, str]:
    return {
        "profile": str(PROFILE_LABELS.get(data.get("profile", ""), "")),
        "periodicity": str(PERIODICITY_LABELS.get(data.get("periodicity", ""), "")),
        "revision": str(REVISION_LABELS.get(data.get("revision", ""), "")),
    }


def _land_share_form(request: HttpRequest, products: list[Product]) -> LandShareForm:
    if _submitted(request, LandShareForm):
        return LandShareForm(request.GET, products=products)
    chosen = next((p for p in products if p.code == request.GET.get("product")), products[0] if products else None)
    initial: dict[str, Any] = {"first_due": default_first_due(), "mode": "costs"}
    if chosen is not None:
        initial.update(product=chosen.code, building_years=chosen.max_years, land_years=chosen.land_max_years)
    return LandShareForm(initial=initial, products=products)


def _land_share_result(request: HttpRequest) -> tuple[LandShareForm, Any]:
    products = [p for p in published_products() if p.has_land_part]
    form = _land_share_form(request, products)
    result = None
    if form.is_bound and form.is_valid():
        try:
            result = land_share_simulate(form.cleaned_data, livret_a_history())
        except ApplicationError as error:
            error.add_to(form)
    return form, result


def land_share(request: AppRequest) -> HttpResponse:
    form, result = _land_share_result(request)
    context = {
        "form": form,
        "result": result,
        "chart": result.chart_data() if result else None,
        "query": urlencode(_params(request)),
        "can_save": _client(request),
        "save_form": SaveForm(initial={"name": f"Part foncière {result.product.name}"}) if result else None,
        "kind": SimulationKind.LAND_SHARE,
    }
    return render(request, "simulators/land_share.html", context, status=400 if form.errors else 200)


def _land_share_inputs(data: dict[str, Any]) -> list[tuple[str, Any, str | None]]:
    product: Product = data["product_obj"]
    rows: list[tuple[str, Any, str | None]] = [
        ("Prêt", product.name, None),
        ("Prix de revient", data["cost_price"], exports.EUROS),
    ]
    if data["mode"] == "costs":
        rows += [
            ("Charge foncière", data["land_cost"], exports.EUROS),
            ("Subventions", data.get("subsidies") or Decimal(0), exports.EUROS),
        ]
    else:
        rows += [("Zone", data["zone"], None), ("Type d'opération", data["acquisition"], None)]
    rows += [
        ("Montant total du prêt", data["loan_amount"], exports.EUROS),
        ("Durée construction (années)", data["building_years"], None),
        ("Durée foncier (années)", data["land_years"], None),
        ("Première échéance", data["first_due"], exports.DATE),
    ]
    return rows


def land_share_export(request: AppRequest, fmt: str) -> HttpResponse:
    form, result = _land_share_result(request)
    if result is None:
        messages.error(request, "Complétez le calcul avant de le télécharger.")
        return redirect(f"{reverse('simulators:land_share')}?{urlencode(_params(request))}")
    filename = f"part-fonciere-{result.product.code}-{date.today():%Y%m%d}"
    if fmt == "xlsx":
        response = HttpResponse(
            exports.land_share_xlsx(result, _land_share_inputs(form.cleaned_data)), content_type=XLSX
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    if fmt == "pdf":
        pdf = render_pdf(
            template="simulators/land_share_pdf.html",
            context={"result": result, "inputs": _land_share_inputs(form.cleaned_data)},
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
        return response
    raise Http404


BALANCE_EXAMPLE = {
    "dw2_count": 10,
    "dw2_surface": Decimal(48),
    "dw2_rent": Decimal("6.50"),
    "dw3_count": 12,
    "dw3_surface": Decimal(66),
    "dw3_rent": Decimal("6.20"),
    "dw4_count": 6,
    "dw4_surface": Decimal(82),
    "dw4_rent": Decimal("6.00"),
}


def _balance_form(request: HttpRequest, products: list[Product]) -> BalanceForm:
    if _submitted(request, BalanceForm) or any(key.startswith(("dw", "loan")) for key in request.GET):
        return BalanceForm(request.GET, products=products)
    initial: dict[str, Any] = {
        "first_year": date.today().year + 2,
        "analysis_years": 40,
        "vacancy": Decimal(2),
        "unpaid": Decimal(1),
        "management": Decimal(450),
        "maintenance": Decimal(150),
        "major_maintenance": Decimal(250),
        "property_tax_exemption_years": 25,
        "rent_indexation": Decimal("1.5"),
        "cost_indexation": Decimal(2),
        **BALANCE_EXAMPLE,
    }
    return BalanceForm(initial=initial, products=products)


def _balance_result(request: HttpRequest) -> tuple[BalanceForm, Any]:
    products = list(published_products())
    form = _balance_form(request, products)
    result = None
    if form.is_bound and form.is_valid():
        try:
            result = balance_simulate(form.cleaned_data, livret_a_history())
        except ApplicationError as error:
            error.add_to(form)
    return form, result


def balance(request: AppRequest) -> HttpResponse:
    form, result = _balance_result(request)
    context = {
        "form": form,
        "result": result,
        "chart": result.chart_data() if result else None,
        "query": urlencode(_params(request)),
        "can_save": _client(request),
        "save_form": SaveForm(initial={"name": "Équilibre d'opération"}) if result else None,
        "kind": SimulationKind.BALANCE,
        "dwelling_types": DWELLING_TYPES,
    }
    return render(request, "simulators/balance.html", context, status=400 if form.errors else 200)


def _balance_inputs(data: dict[str, Any]) -> list[tuple[str, Any, str | None]]:
    rows: list[tuple[str, Any, str | None]] = [
        ("Première année", data["first_year"], None),
        ("Durée d'analyse (années)", data["analysis_years"], None),
        ("Prix de revient", data["cost_price"], exports.EUROS),
    ]
    for index, (count, surface, rent) in enumerate(data["dwellings"], start=1):
        rows += [
            (f"Logements {index} : nombre", count, None),
            (f"Logements {index} : surface (m²)", surface, "0.00"),
            (f"Logements {index} : loyer (€/m²/mois)", rent, '#,##0.00 "€"'),
        ]
    for index, (product, amount, years) in enumerate(data["loans"], start=1):
        rows += [
            (f"Prêt {index}", product.name, None),
            (f"Prêt {index} : montant", amount, exports.EUROS),
            (f"Prêt {index} : durée", years, None),
        ]
    for name, label in (
        ("subsidies", "Subventions"),
        ("own_funds", "Fonds propres"),
        ("other_income", "Autres produits par an"),
        ("management", "Gestion par logement"),
        ("maintenance", "Entretien courant par logement"),
        ("major_maintenance", "Gros entretien par logement"),
        ("property_tax", "Taxe foncière par an"),
    ):
        rows.append((label, data.get(name) or Decimal(0), exports.EUROS))
    for name, label in (
        ("own_funds_return", "Rémunération des fonds propres"),
        ("vacancy", "Vacance"),
        ("unpaid", "Impayés"),
        ("rent_indexation", "Indexation des loyers"),
        ("cost_indexation", "Indexation des charges"),
    ):
        rows.append((label, exports.percent_cell(data.get(name) or Decimal(0)), exports.PERCENT))
    rows.append(("Exonération de taxe foncière (années)", data.get("property_tax_exemption_years") or 0, None))
    return rows


def balance_export(request: AppRequest, fmt: str) -> HttpResponse:
    form, result = _balance_result(request)
    if result is None:
        messages.error(request, "Complétez la simulation avant de la télécharger.")
        return redirect(f"{reverse('simulators:balance')}?{urlencode(_params(request))}")
    filename = f"equilibre-operation-{date.today():%Y%m%d}"
    if fmt == "xlsx":
        response = HttpResponse(exports.balance_xlsx(result, _balance_inputs(form.cleaned_data)), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    if fmt == "pdf":
        pdf = render_pdf(
            template="simulators/balance_pdf.html",
            context={"result": result, "inputs": _balance_inputs(form.cleaned_data)},
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
        return response
    raise Http404


@require_POST
@client_required
def save(request: ClientRequest, kind: str) -> HttpResponse:
    """Save the inputs of the simulation shown (they come back as hidden fields)."""
    try:
        simulation_kind = SimulationKind(kind)
    except ValueError:
        raise Http404 from None
    if simulation_kind not in TOOL_URLS:
        raise Http404
    params = {key: value for key, value in request.POST.items() if key.startswith("p_")}
    params = {key[2:]: value for key, value in params.items()}
    form = SaveForm(request.POST)
    tool_url = f"{reverse(TOOL_URLS[simulation_kind])}?{urlencode(params)}"
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors.get("name", ["Donnez un nom à la simulation."])))
        return redirect(tool_url)
    simulation = simulation_save(
        establishment=request.establishment,
        author=request.user,
        kind=simulation_kind,
        name=form.cleaned_data["name"],
        params=params,
    )
    messages.success(request, f"Simulation « {simulation.name} » enregistrée pour votre établissement.")
    return redirect(tool_url)


@client_required
def saved(request: ClientRequest) -> HttpResponse:
    simulations = simulations_of(request.establishment)
    return render(request, "simulators/saved.html", {"simulations": simulations})


@client_required
def reopen(request: ClientRequest, public_id: UUID) -> HttpResponse:
    simulation = get_object_or_404(simulations_of(request.establishment), public_id=public_id)
    return redirect(f"{reverse(TOOL_URLS[SimulationKind(simulation.kind)])}?{urlencode(simulation.params)}")


@require_POST
@client_required
def delete(request: ClientRequest, public_id: UUID) -> HttpResponse:
    simulation = get_object_or_404(simulations_of(request.establishment), public_id=public_id)
    simulation_delete(simulation=simulation, by=request.user)
    messages.success(request, f"Simulation « {simulation.name} » supprimée.")
    return redirect("simulators:saved")
