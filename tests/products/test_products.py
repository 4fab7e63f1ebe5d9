from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from espace.finance import livret_a
from espace.products.models import IndexRate, Product
from espace.products.selectors import livret_a_history, livret_a_today, product_rate_today
from tests.conftest import verified_login

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode().replace("&#x27;", "'").replace("\u00a0", " "))


def test_the_livret_a_history_and_the_products_are_loaded_as_data():
    assert livret_a_history() == livret_a().history  # the migration loaded every dated value
    assert IndexRate.objects.get(effective_from=date(2026, 2, 1)).rate_percent == Decimal("1.500")
    assert set(Product.objects.values_list("name", flat=True)) >= {
        "PLUS",
        "PLAI",
        "PLS",
        "PLI",
        "PAM",
        "PAM Eco-prêt",
        "PHARE",
        "PSPL",
    }
    plus = Product.objects.get(code="plus")
    assert (plus.margin_percent, plus.max_years, plus.land_max_years) == (Decimal("0.600"), 40, 50)


def test_rate_of_the_day_is_livret_a_plus_margin_floored(clock):
    history = livret_a_history()
    assert livret_a_today(history).index_rate == Decimal("0.015")
    assert product_rate_today(Product.objects.get(code="plus"), history) == Decimal("0.021")
    assert product_rate_today(Product.objects.get(code="plai"), history) == Decimal("0.013")


def test_product_pages_show_the_rate_of_the_day_and_the_tools_banner(client, clock):
    listing = text(client.get("/prets/"))
    assert "Tous nos prêts" in listing and "Livret A + 0,60 %" in listing and "2,10 %" in listing
    page = client.get("/prets/plai/")
    assert page.status_code == 200
    body = text(page)
    assert "Livret A − 0,20 %" in body and "1,30 %" in body and "Outils et simulateurs" in body
    assert "Qui peut emprunter ?" in body and "jusqu'à 60 ans" in body
    assert client.get("/prets/inconnu/").status_code == 404


def test_a_data_manager_changes_the_livret_a_and_every_rate_follows(staff_factory, clock):
    manager = Client()
    verified_login(manager, staff_factory("Gestionnaire de données", username="donnees"))
    response = manager.post(
        "/gestion/products/indexrate/add/",
        {"index": "livret_a", "effective_from": "2026-08-01", "rate_percent": "1,70".replace(",", ".")},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    clock.move_to("2026-09-01")
    assert "Livret A à 1,70 %" in text(Client().get("/prets/plus/")) and "2,30 %" in text(Client().get("/prets/plus/"))
    # Another role cannot.
    agent = Client()
    verified_login(agent, staff_factory("Assistance", username="assist"))
    assert agent.get("/gestion/products/indexrate/add/").status_code == 403
