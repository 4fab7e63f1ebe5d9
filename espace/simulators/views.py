"""« Outils et simulateurs »: public tools; in the client space, simulations can be saved.

The tools' forms are GET forms: a result has its own address (bookmark, share, download), and
computing changes nothing. Saving is a POST in the client space.
"""

from __future__ import annotations

import re
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
from espace.products.models import Product
from espace.products.selectors import livret_a_history
from espace.simulators.enums import SimulationKind
from espace.simulators.forms import SaveForm
from espace.simulators.selectors import simulations_of
from espace.simulators.services import simulation_delete, simulation_save
from espace.simulators.tools import TOOLS, Tool

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _client(request: AppRequest) -> bool:
    return isinstance(request.user, User) and request.establishment is not None


def index(request: AppRequest) -> HttpResponse:
    saved = simulations_of(request.establishment)[:10] if _client(request) and request.establishment is not None else []
    return render(request, "simulators/index.html", {"saved": saved})


def _submitted(request: HttpRequest, tool: Tool) -> bool:
    """Whether the form was sent; « ?product=plus » alone (from a product page) only pre-selects."""
    return any(
        (name in tool.form_class.base_fields and name != "product") or name.startswith(tool.sent_prefixes)
        for name in request.GET
    )


def _chosen(products: list[Product], code: str | None) -> Product | None:
    """The product asked for (« ?product=plus » from a product page), else the first one offered."""
    return next((p for p in products if p.code == code), products[0] if products else None)


PARAM_NAME = re.compile(r"^[a-z0-9_]{1,40}$")


def _params(request: HttpRequest) -> dict[str, str]:
    """The submitted inputs: what a saved simulation keeps and a download repeats."""
    return {key: str(value)[:500] for key, value in request.GET.items() if PARAM_NAME.match(key)}


def _form(request: HttpRequest, tool: Tool, products: list[Product]) -> forms.Form:
    """The form bound to the query string once sent, else with the tool's defaults."""
    if _submitted(request, tool):
        return tool.form_class(request.GET, products=products)
    return tool.form_class(initial=tool.initial(_chosen(products, request.GET.get("product"))), products=products)


def _result(request: HttpRequest, tool: Tool) -> tuple[forms.Form, Any]:
    """The form and, when its inputs are valid, the tool's result at today's Livret A."""
    form = _form(request, tool, tool.products())
    result = None
    if form.is_bound and form.is_valid():
        try:
            result = tool.compute(form.cleaned_data, livret_a_history())
        except ApplicationError as error:
            error.add_to(form)
    return form, result


def tool_page(request: AppRequest, kind: SimulationKind) -> HttpResponse:
    """A tool's page: its form, and the result with its charts, downloads and « Enregistrer »."""
    tool = TOOLS[kind]
    form, result = _result(request, tool)
    context = {
        "form": form,
        "result": result,
        "chart": result.chart_data() if result else None,
        "query": urlencode(_params(request)),
        "can_save": _client(request),
        "save_form": SaveForm(initial={"name": tool.save_name(form.cleaned_data, result)}) if result else None,
        "kind": tool.kind,
        **tool.extra_context(),
    }
    return render(request, tool.template, context, status=400 if form.errors else 200)


def tool_export(request: AppRequest, kind: SimulationKind, fmt: str) -> HttpResponse:
    """The result as a workbook (numbers as numbers) or a PDF; back to the form while it is incomplete."""
    tool = TOOLS[kind]
    form, result = _result(request, tool)
    if result is None:
        messages.error(request, tool.incomplete_message)
        return redirect(f"{reverse(tool.page_url_name)}?{urlencode(_params(request))}")
    inputs = tool.inputs(form.cleaned_data)
    filename = tool.filename(result)
    if fmt == "xlsx":
        response = HttpResponse(tool.xlsx(result, inputs), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    if fmt == "pdf":
        pdf = render_pdf(template=tool.pdf_template, context={"result": result, "inputs": inputs})
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
    if simulation_kind not in TOOLS:
        raise Http404
    params = {key: value for key, value in request.POST.items() if key.startswith("p_")}
    params = {key[2:]: value for key, value in params.items()}
    form = SaveForm(request.POST)
    tool_url = f"{reverse(TOOLS[simulation_kind].page_url_name)}?{urlencode(params)}"
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
    return redirect(f"{reverse(TOOLS[SimulationKind(simulation.kind)].page_url_name)}?{urlencode(simulation.params)}")


@require_POST
@client_required
def delete(request: ClientRequest, public_id: UUID) -> HttpResponse:
    simulation = get_object_or_404(simulations_of(request.establishment), public_id=public_id)
    simulation_delete(simulation=simulation, by=request.user)
    messages.success(request, f"Simulation « {simulation.name} » supprimée.")
    return redirect("simulators:saved")
