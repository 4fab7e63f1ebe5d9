"""A dossier's life: the regional office asks for documents, the establishment answers, messages
both ways, status, offer, contract into the portfolio; offices see only their own dossiers."""

from __future__ import annotations

import html
import io
import threading
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission as AuthPermission
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.urls import reverse
from pypdf import PdfReader

from espace.accounts.enums import Permission
from espace.core.exceptions import ApplicationError
from espace.loan_requests.entry import request_send
from espace.loan_requests.enums import RequestStatus
from espace.loan_requests.models import DossierEvent, LoanRequest
from espace.portfolio.models import Contract, FinancingLine, GuarantorSummary
from espace.portfolio.selectors import dashboard_for, guaranteed_totals
from tests.accounts.factories import UserFactory
from tests.conftest import verified_login
from tests.establishments.factories import RegionalOfficeFactory
from tests.loan_requests.factories import PDF, LoanRequestFactory

VALIDATOR = [Permission.CREATE_LOAN_REQUESTS, Permission.VALIDATE_LOAN_REQUESTS, Permission.VIEW_DOSSIERS]


def page(response) -> str:
    return html.unescape(response.content.decode()).replace("\u202f", " ").replace("\xa0", " ")


@pytest.fixture
def dossier(db, clock):
    return LoanRequestFactory(sent=True)


@pytest.fixture
def officer(staff_factory, dossier):
    staff = staff_factory("Chargé de prêts", username="charge")
    staff.regional_office = dossier.regional_office
    staff.save()
    return staff


def act(client, dossier, action: str, data: dict | None = None, **kwargs):
    return client.post(reverse(f"backoffice:dossier_{action}", args=[dossier.public_id]), data or {}, **kwargs)


@pytest.mark.django_db
def test_another_office_does_not_see_the_dossier_unless_given_all_offices(client, staff_factory, dossier):
    stranger = staff_factory("Chargé de prêts", username="ailleurs")
    stranger.regional_office = RegionalOfficeFactory()
    stranger.save()
    verified_login(client, stranger)
    assert dossier.dossier_number not in page(client.get(reverse("backoffice:dossiers")))
    assert client.get(reverse("backoffice:dossier", args=[dossier.public_id])).status_code == 404
    assert act(client, dossier, "take").status_code == 404
    stranger.user_permissions.add(AuthPermission.objects.get(codename="review_all_offices"))
    stranger = type(stranger).objects.get(pk=stranger.pk)  # permissions are cached on the instance
    verified_login(client, stranger)
    assert client.get(reverse("backoffice:dossier", args=[dossier.public_id])).status_code == 200
    # A draft is never visible in the back office, whatever the permission.
    draft = LoanRequestFactory()
    assert client.get(reverse("backoffice:dossier", args=[draft.public_id])).status_code == 404


@pytest.mark.django_db
def test_documents_requested_then_given_by_the_establishment(client, dossier, officer, run_tasks, clock):
    verified_login(client, officer)
    assert dossier.dossier_number in page(client.get(reverse("backoffice:dossiers")))
    act(client, dossier, "take")
    dossier.refresh_from_db()
    assert dossier.status == RequestStatus.UNDER_REVIEW and dossier.assigned_to == officer
    past = act(client, dossier, "documents", {"reason": "Bilan 2025", "due_on": "01/01/2020"})
    assert past.status_code == 400 and "doit être dans le futur" in page(past)
    act(client, dossier, "documents", {"reason": "Bilan 2025 certifié", "due_on": "15/12/2026"})
    dossier.refresh_from_db()
    assert dossier.status == RequestStatus.DOCUMENTS_REQUESTED
    run_tasks()
    asked = [m for m in mail.outbox if "Documents demandés" in m.subject]
    assert asked and "Bilan 2025 certifié" in asked[0].body and "15 décembre 2026" in asked[0].body

    client.force_login(dossier.created_by)
    detail = client.get(reverse("loan_requests:detail", args=[dossier.public_id]))
    assert "Bilan 2025 certifié" in page(detail) and "15 décembre 2026" in page(detail)
    document_request = dossier.document_requests.get()
    response = client.post(
        reverse("loan_requests:complement", args=[dossier.public_id]),
        {"document_request": document_request.pk, "file": SimpleUploadedFile("bilan.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    document_request.refresh_from_db()
    assert document_request.fulfilled_at is not None and dossier.status == RequestStatus.UNDER_REVIEW
    stored = dossier.files.get(name="bilan.pdf")
    verified_login(client, officer)
    assert client.get(reverse("backoffice:dossier_file", args=[dossier.public_id, stored.public_id])).status_code == 200


@pytest.mark.django_db
def test_messages_both_ways_with_emails(client, dossier, officer, run_tasks):
    client.force_login(dossier.created_by)
    empty = client.post(reverse("loan_requests:message", args=[dossier.public_id]), {"body": "  "})
    assert empty.status_code == 400 and "Écrivez votre message." in page(empty)
    client.post(reverse("loan_requests:message", args=[dossier.public_id]), {"body": "Le permis est accordé."})
    verified_login(client, officer)
    client.post(reverse("backoffice:dossier_message", args=[dossier.public_id]), {"body": "Merci, bien reçu."})
    run_tasks()
    to_office = [m for m in mail.outbox if m.to == [dossier.regional_office.email] and "Message de" in m.subject]
    to_client = [m for m in mail.outbox if dossier.created_by.email in m.to and "direction régionale" in m.subject]
    assert "Le permis est accordé." in to_office[0].body and "Merci, bien reçu." in to_client[0].body
    client.force_login(dossier.created_by)
    detail = page(client.get(reverse("loan_requests:detail", args=[dossier.public_id])))
    assert detail.index("Le permis est accordé.") < detail.index("Merci, bien reçu.")


@pytest.mark.django_db
def test_a_refusal_needs_a_note_and_closes_the_dossier(client, dossier, officer):
    verified_login(client, officer)
    missing = act(client, dossier, "status", {"status": "refused", "note": ""})
    assert missing.status_code == 400 and "Indiquez la raison de cette décision." in page(missing)
    act(client, dossier, "status", {"status": "refused", "note": "Opération non éligible."})
    dossier.refresh_from_db()
    assert dossier.status == RequestStatus.REFUSED
    client.force_login(dossier.created_by)
    closed = client.post(reverse("loan_requests:message", args=[dossier.public_id]), {"body": "Pourquoi ?"})
    assert closed.status_code == 400 and "Ce dossier est clos" in page(closed)


@pytest.mark.django_db
def test_offer_then_contract_puts_the_loans_in_the_portfolio_with_the_trail(client, dossier, officer, run_tasks, clock):
    verified_login(client, officer)
    act(client, dossier, "take")
    too_early = act(
        client,
        dossier,
        "contract",
        {"number": "C2026-0042", "signed_on": "20/11/2026", "first_due": "01/01/2028"},
        follow=True,
    )
    assert "après l'émission de l'offre" in page(too_early)
    act(client, dossier, "offer")
    dossier.refresh_from_db()
    assert dossier.status == RequestStatus.OFFER_ISSUED
    offer = dossier.files.get(kind="offer")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(offer.file.read())).pages)
    assert (
        dossier.dossier_number in text
        and "PLUS" in text
        and "1 000 000,00" in text.replace("\xa0", " ").replace("\u202f", " ")
    )

    bad = act(client, dossier, "contract", {"number": "x", "signed_on": "20/11/2026", "first_due": "01/01/2028"})
    assert bad.status_code == 400 and "Lettres, chiffres et tirets" in page(bad)
    act(client, dossier, "contract", {"number": "C2026-0042", "signed_on": "20/11/2026", "first_due": "01/01/2028"})
    dossier.refresh_from_db()
    assert dossier.status == RequestStatus.CONTRACTED
    contract = Contract.objects.get(number="C2026-0042")
    assert dossier.contract == contract and contract.dossier_number == dossier.dossier_number
    line = FinancingLine.objects.get(contract=contract)
    assert line.principal == Decimal("1000000.00") and line.borrower == dossier.establishment
    assert line.status == "prefinancing" and line.rows.count() == 41  # pre-financing row + 40 instalments
    assert line.guarantees.get().share_percent == 100
    assert line.disbursements.get().amount == Decimal("1000000.00")
    assert dashboard_for(dossier.establishment).lines == 1  # the summary was refreshed
    guarantor = line.guarantees.get().guarantor
    summary = GuarantorSummary.objects.get(establishment=guarantor)  # and the guarantor's
    assert summary.lines == 1 and guaranteed_totals(guarantor, year=summary.year).lines == 1
    assert DossierEvent.objects.filter(request=dossier, kind="contracted").exists()

    # The trail runs both ways: dossier → loan, loan → dossier.
    client.force_login(UserFactory(establishment=dossier.establishment, permissions=[*VALIDATOR, "view_portfolio"]))
    detail = page(client.get(reverse("loan_requests:detail", args=[dossier.public_id])))
    assert reverse("portfolio:line", args=[line.public_id]) in detail
    loan = page(client.get(reverse("portfolio:line", args=[line.public_id])))
    assert reverse("loan_requests:detail", args=[dossier.public_id]) in loan
    taken = act(
        client, dossier, "contract", {"number": "C2026-0042", "signed_on": "20/11/2026", "first_due": "01/01/2028"}
    )
    assert taken.status_code in {302, 403}  # the client is no loan officer


@pytest.mark.django_db
def test_dossier_list_costs_the_same_at_3_and_30_requests(client, clock, settings):
    from django.test.utils import CaptureQueriesContext

    settings.PAGE_CACHE_SECONDS = 0  # the render's own queries (test_page_cache.py: its copies)

    counts = {}
    for size in (3, 30):
        first = LoanRequestFactory(complete=True)
        for _ in range(size - 1):
            LoanRequestFactory(establishment=first.establishment, complete=True)
        client.force_login(first.created_by)
        client.get(reverse("loan_requests:list"))
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("loan_requests:list")).status_code == 200
        counts[size] = len(captured)
    assert counts[3] == counts[30], counts


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections: CI runs it on PostgreSQL")
def test_two_validators_pressing_send_at_the_same_moment_make_one_dossier(reference_data):
    loan_request = LoanRequestFactory(complete=True)
    validators = [UserFactory(establishment=loan_request.establishment, permissions=VALIDATOR) for _ in range(2)]
    barrier = threading.Barrier(2)
    results: list[object] = [None, None]

    def press(index: int) -> None:
        try:
            barrier.wait()
            results[index] = request_send(loan_request=loan_request, user=validators[index])
        except Exception as error:  # the outcome under test
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=press, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    sent = [r for r in results if isinstance(r, LoanRequest)]
    refused = [r for r in results if isinstance(r, ApplicationError)]
    assert len(sent) == 1 and len(refused) == 1, results
    assert "déjà été transmise" in refused[0].message
    loan_request.refresh_from_db()
    assert loan_request.dossier_number and loan_request.events.filter(kind="sent").count() == 1
    assert LoanRequest.objects.exclude(dossier_number=None).count() == 1


JUNK = {
    "name": "x" * 500,
    "nature": "château",
    "postal_code": "ABCDE",
    "insee_code": "🙂",
    "zone": "Z",
    "category": "<script>",
    "count": "-1",
    "surface_m2": "1e309",
    "land_cost": "NaN",
    "own_funds": "Infinity",
    "section": "ligne",
    "product": "\x00",
    "amount": "9" * 40,
    "duration_years": "1.5",
    "prefinancing_months": "-3",
    "prefinancing_mode": "gratuit",
    "progression": "1,2,3",
    "line": "abc",
    "document": "../../etc/passwd",
    "status": "contracted",
    "note": "n" * 5000,
    "reason": "",
    "due_on": "31/02/2027",
    "number": "'; DROP TABLE--",
    "signed_on": "hier",
    "first_due": "0000-00-00",
    "body": "b" * 5000,
    "document_request": "999999",
}


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["operation", "logements", "plan", "lignes", "garanties", "commentaire", "documents"])
def test_junk_in_every_step_is_a_4xx_and_changes_nothing(client, clock, slug):
    loan_request = LoanRequestFactory(complete=True)
    before = (LoanRequest.objects.filter(pk=loan_request.pk).values().get(), loan_request.lines.count())
    client.force_login(loan_request.created_by)
    url = reverse("loan_requests:step", args=[loan_request.public_id, slug])
    response = client.post(url, JUNK)
    assert response.status_code in {200, 302, 400}
    if response.status_code != 400:  # a form that found nothing to save (junk names no field of it)
        assert loan_request.lines.count() == before[1]
    else:
        assert LoanRequest.objects.filter(pk=loan_request.pk).values().get() == before[0]


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["documents", "status", "contract", "message", "offer", "take"])
def test_junk_in_every_officer_action_is_a_4xx_or_a_message(client, dossier, officer, action):
    verified_login(client, officer)
    response = act(client, dossier, action, JUNK)
    assert response.status_code in {302, 400}
    dossier.refresh_from_db()
    assert dossier.status in {RequestStatus.SENT, RequestStatus.UNDER_REVIEW, RequestStatus.OFFER_ISSUED}
    assert dossier.contract is None
