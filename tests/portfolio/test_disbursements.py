"""« Pilotage des échéanciers de versement »: requests, their rules, the loan officer's decision."""

from __future__ import annotations

import html
from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from espace.core.audit import AuditEvent
from espace.portfolio.enums import AuditAction, ChangeRequestStatus, DisbursementStatus
from espace.portfolio.models import DisbursementChangeRequest
from tests.conftest import verified_login

pytestmark = pytest.mark.django_db


def _page(response) -> str:
    return html.unescape(response.content.decode()).replace("\u202f", " ").replace("\xa0", " ")


def _form(line, changes: dict[int, tuple[str, str]], reason: str = "Retard du chantier") -> dict[str, str]:
    """The change form with each planned disbursement as it is, except `changes` (index → date, amount)."""
    data = {"reason": reason}
    planned = list(line.disbursements.filter(status=DisbursementStatus.PLANNED).order_by("planned_on", "pk"))
    for index, item in enumerate(planned):
        day, amount = changes.get(index, (item.planned_on.strftime("%d/%m/%Y"), str(item.amount).replace(".", ",")))
        data[f"date_{item.pk}"] = day
        data[f"amount_{item.pk}"] = amount
    return data


def test_the_list_shows_planned_drawn_and_remaining(client, world):
    client.force_login(world.pilot)
    response = client.get(reverse("portfolio:disbursements"))
    lines = list(response.context["lines"])
    assert [line.number for line in lines] == ["L1000002"]
    assert lines[0].drawn == Decimal("150000.00") and lines[0].planned == Decimal("250000.00")


def test_a_request_moves_nothing_until_accepted_and_mails_both_sides(client, world, run_tasks):
    client.force_login(world.pilot)
    url = reverse("portfolio:disbursement_change", args=[world.plai.public_id])
    response = client.post(url, _form(world.plai, {0: ("15/01/2027", "100000,00"), 1: ("01/06/2027", "150000,00")}))
    assert response.status_code == 302
    change = DisbursementChangeRequest.objects.get(line=world.plai)
    assert change.status == ChangeRequestStatus.PENDING
    assert [item.planned_on for item in world.plai.disbursements.filter(status="planned")] == [
        date(2026, 12, 1),
        date(2027, 3, 2),
    ]
    run_tasks()
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted(["pilote@oph.example.org", world.oph.regional_office.email])
    assert "L1000002" in mail.outbox[0].body
    assert AuditEvent.objects.filter(action=AuditAction.DISBURSEMENT_CHANGE_REQUESTED, establishment=world.oph).exists()
    # A second request while one is pending is refused with a message.
    page = client.get(reverse("portfolio:line", args=[world.plai.public_id]))
    assert "attend la décision" in _page(page)
    again = client.post(url, _form(world.plai, {0: ("20/01/2027", "100000,00"), 1: ("01/06/2027", "150000,00")}))
    assert again.status_code == 400 and "attend déjà la décision" in _page(again)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({0: ("01/12/2026", "90000,00")}, "Le total des versements prévus doit rester de 250 000,00"),
        ({0: ("01/01/2020", "150000,00")}, "Un versement ne peut être prévu que dans le futur."),
        (
            {1: ("01/05/2028", "100000,00")},
            "au plus tard 2 mois avant la première échéance : pas après le 23 mars 2028",
        ),
        ({0: ("01/12/2026", "0")}, "La valeur doit être au moins 0,01 €"),
        ({}, "Vous n'avez rien modifié."),
        ({0: ("31/02/2027", "150000,00")}, "Saisissez une date, par exemple 01/03/2027."),
        ({0: ("01/12/2026", "beaucoup")}, "Saisissez un nombre"),
    ],
)
def test_out_of_rule_requests_name_the_rule(client, world, changes, message):
    client.force_login(world.pilot)
    url = reverse("portfolio:disbursement_change", args=[world.plai.public_id])
    response = client.post(url, _form(world.plai, changes))
    assert response.status_code == 400
    assert message in _page(response)
    assert not DisbursementChangeRequest.objects.exists()


def test_a_line_in_repayment_has_no_plan_to_change(client, world):
    client.force_login(world.pilot)
    response = client.post(reverse("portfolio:disbursement_change", args=[world.plus.public_id]), {"reason": "x"})
    assert response.status_code == 400
    assert "n'est plus en préfinancement" in _page(response)


def test_another_establishment_cannot_ask(client, world):
    from tests.accounts.factories import UserFactory

    outsider = UserFactory(establishment=world.other_oph, permissions=["view_portfolio", "manage_disbursements"])
    client.force_login(outsider)
    url = reverse("portfolio:disbursement_change", args=[world.plai.public_id])
    assert client.post(url, _form(world.plai, {0: ("15/01/2027", "150000,00")})).status_code == 404
    assert not DisbursementChangeRequest.objects.exists()


def _requested(client, world) -> DisbursementChangeRequest:
    client.force_login(world.pilot)
    url = reverse("portfolio:disbursement_change", args=[world.plai.public_id])
    client.post(url, _form(world.plai, {0: ("15/01/2027", "100000,00"), 1: ("01/06/2027", "150000,00")}))
    client.logout()
    return DisbursementChangeRequest.objects.get()


def test_the_loan_officer_accepts_and_the_plan_moves(client, world, staff_factory, run_tasks):
    change = _requested(client, world)
    run_tasks()
    mail.outbox.clear()
    verified_login(client, staff_factory("Chargé de prêts"))
    queue = client.get(reverse("backoffice:disbursements"))
    assert "L1000002" in _page(queue)
    response = client.post(
        reverse("backoffice:disbursement", args=[change.public_id]), {"decision": "accept", "note": "D'accord."}
    )
    assert response.status_code == 302
    planned = world.plai.disbursements.filter(status="planned").order_by("planned_on")
    assert [(item.planned_on, item.amount) for item in planned] == [
        (date(2027, 1, 15), Decimal("100000.00")),
        (date(2027, 6, 1), Decimal("150000.00")),
    ]
    change.refresh_from_db()
    assert change.status == ChangeRequestStatus.ACCEPTED and change.decision_note == "D'accord."
    run_tasks()
    assert [message.to for message in mail.outbox] == [["pilote@oph.example.org"]]
    assert "acceptée" in mail.outbox[0].subject + mail.outbox[0].body
    assert AuditEvent.objects.filter(action=AuditAction.DISBURSEMENT_CHANGE_ACCEPTED, establishment=world.oph).exists()
    again = client.post(
        reverse("backoffice:disbursement", args=[change.public_id]), {"decision": "refuse", "note": "x"}
    )
    assert again.status_code == 400 and "déjà été traitée" in _page(again)


def test_a_refusal_needs_a_reason_and_leaves_the_plan(client, world, staff_factory):
    change = _requested(client, world)
    verified_login(client, staff_factory("Chargé de prêts"))
    url = reverse("backoffice:disbursement", args=[change.public_id])
    response = client.post(url, {"decision": "refuse", "note": " "})
    assert response.status_code == 400 and "Indiquez la raison du refus." in _page(response)
    client.post(url, {"decision": "refuse", "note": "Le chantier n'a pas démarré."})
    change.refresh_from_db()
    assert change.status == ChangeRequestStatus.REFUSED
    assert world.plai.disbursements.filter(status="planned").first().planned_on == date(2026, 12, 1)


def test_an_accepted_request_is_checked_again_against_the_plan_of_the_day(client, world, staff_factory, clock):
    change = _requested(client, world)
    clock.move_to("2027-01-20 09:00:00+01:00")  # the first proposed date has passed
    verified_login(client, staff_factory("Chargé de prêts"))
    response = client.post(reverse("backoffice:disbursement", args=[change.public_id]), {"decision": "accept"})
    assert response.status_code == 400
    assert "que dans le futur" in _page(response)
    change.refresh_from_db()
    assert change.status == ChangeRequestStatus.PENDING
