"""« Tous nos prêts »: one public page per product, in our own words, with today's rate."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from espace.products.enums import PERIODICITY_LABELS, PROFILE_LABELS, REVISION_LABELS, Sector
from espace.products.selectors import (
    livret_a_history,
    livret_a_today,
    product_by_code,
    product_rate_today,
    published_products,
)


def product_list(request: HttpRequest) -> HttpResponse:
    history = livret_a_history()
    products = list(published_products())
    rates = {product.pk: product_rate_today(product, history) for product in products}
    context = {
        "sections": [
            {
                "label": label,
                "rows": [{"product": p, "rate": rates[p.pk]} for p in products if p.sector == value],
            }
            for value, label in Sector.choices
        ],
        "livret_a": livret_a_today(history),
    }
    return render(request, "products/list.html", context)


def product_detail(request: HttpRequest, code: str) -> HttpResponse:
    product = product_by_code(code)
    if product is None:
        raise Http404
    history = livret_a_history()
    context = {
        "product": product,
        "rate": product_rate_today(product, history),
        "livret_a": livret_a_today(history),
        "profiles": [PROFILE_LABELS[value] for value in product.profiles],
        "revisions": [REVISION_LABELS[value] for value in product.revisions],
        "periodicities": [PERIODICITY_LABELS[value] for value in product.periodicities],
    }
    return render(request, "products/detail.html", context)
