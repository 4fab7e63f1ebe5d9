"""/api/v1/rates/livret-a: the Livret A rate, index of most loans (any scope)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from espace.api.auth import TokenAuth
from espace.api.http import only_known, percent
from espace.api.schemas import ERRORS, LivretAOut, RateOut
from espace.products.selectors import livret_a_floor, livret_a_history, livret_a_today

router = Router()


@router.get(
    "/rates/livret-a",
    summary="Livret A",
    response={200: LivretAOut, **ERRORS},
    auth=TokenAuth(),
    tags=["Taux"],
    operation_id="espace_api_endpoints_livret_a",
)
def livret_a(request: HttpRequest) -> LivretAOut:
    """Le taux du Livret A en vigueur, son plancher et son historique (index de la plupart des prêts)."""
    only_known(request)
    history = livret_a_history()
    today = livret_a_today(history)
    return LivretAOut(
        rate_percent=percent(today.index_rate),
        since=today.since,
        floor_percent=percent(livret_a_floor()),
        history=[RateOut(effective_from=day, rate_percent=percent(rate)) for day, rate in history],
    )
