"""The requests list and a dossier page kept as rendered pages (espace.core.page_cache): what the
regional office does, and who it is, shows on the establishment's next page."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from espace.loan_requests.instruction import dossier_assign, status_change
from espace.loan_requests.perms import Officer
from tests.loan_requests.factories import LoanRequestFactory


def page(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def dossier(db, clock):
    return LoanRequestFactory(sent=True)


def test_the_office_actions_and_names_show_on_the_next_page(client, dossier, staff_factory):
    officer = staff_factory("Chargé de prêts", username="charge")
    officer.first_name, officer.last_name = "Odile", "ROCHE"
    officer.regional_office = dossier.regional_office
    officer.save()
    client.force_login(dossier.created_by)
    detail = reverse("loan_requests:detail", args=[dossier.public_id])
    listing = reverse("loan_requests:list")
    assert "en attente de prise en charge" in page(client.get(detail))
    client.get(listing)
    assert client.get(detail).context is None and client.get(listing).context is None  # served
    dossier_assign(loan_request=dossier, officer=Officer(officer))
    assert "Odile ROCHE" in page(client.get(detail))
    officer.last_name = "ROCHE-MARTIN"
    officer.save(update_fields=["last_name"])
    assert "Odile ROCHE-MARTIN" in page(client.get(detail))
    dossier.regional_office.name = "Direction régionale Rhône-Alpes-Auvergne"
    dossier.regional_office.save()
    assert "Direction régionale Rhône-Alpes-Auvergne" in page(client.get(detail))
    dossier.refresh_from_db()
    status_change(loan_request=dossier, officer=Officer(officer), status="refused", note="Opération non éligible.")
    assert "Opération non éligible." in page(client.get(detail))
    assert client.get(listing).context is not None  # its status moved in the list too


def test_a_new_request_of_a_colleague_is_in_the_list_at_once(client, dossier):
    client.force_login(dossier.created_by)
    listing = reverse("loan_requests:list")
    client.get(listing)
    assert client.get(listing).context is None
    LoanRequestFactory(name="Résidence des Tilleuls")  # another establishment's
    assert client.get(listing).context is None
    LoanRequestFactory(establishment=dossier.establishment, name="Résidence des Peupliers")
    assert "Résidence des Peupliers" in page(client.get(listing))
