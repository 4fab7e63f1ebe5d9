"""/api/v1/dossiers: the requests the establishment sent, with their lines, guarantees, timeline,
documents asked for, contract and loans; from the token's establishment only."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from espace.accounts.enums import Permission
from espace.core import clock as service_clock
from espace.loan_requests.entry import request_send
from espace.loan_requests.enums import RequestKind, RequestStatus
from espace.loan_requests.files import complement_add, message_post
from espace.loan_requests.instruction import (
    contract_record,
    documents_request,
    dossier_assign,
    offer_issue,
    status_change,
)
from espace.loan_requests.models import DossierEvent, LoanRequest, PlannedGuarantee
from espace.loan_requests.perms import Officer
from espace.portfolio.enums import GuarantorKind
from espace.portfolio.models import FinancingLine
from tests.accounts.factories import UserFactory
from tests.api.factories import bearer, dossier_of, get, issue_token
from tests.loan_requests.factories import PDF, LoanRequestFactory

pytestmark = pytest.mark.django_db

VALIDATOR = [Permission.CREATE_LOAN_REQUESTS, Permission.VALIDATE_LOAN_REQUESTS, Permission.VIEW_DOSSIERS]


@pytest.fixture
def officer(staff_factory, world) -> Officer:
    staff = staff_factory("Chargé de prêts", username="cinstr")
    staff.first_name, staff.last_name = "Camille", "Instructrice"
    staff.regional_office = world.oph.regional_office
    staff.save()
    return Officer(user=staff)


def numbers(body) -> list[str]:
    return [item["dossier_number"] for item in body["items"]]


def test_list_shows_the_sent_requests_only_with_decimal_strings(client, world):
    sent = dossier_of(world.oph)
    local = dossier_of(
        world.oph, kind=RequestKind.LOCAL, complete=False, requested_amount=Decimal("250000"), requested_years=20
    )
    LoanRequestFactory(establishment=world.oph, complete=True)  # a draft: a working copy, not a dossier
    LoanRequestFactory(establishment=world.oph, complete=True, status=RequestStatus.TO_VALIDATE)
    other = dossier_of(world.other_oph)
    _token, clear = issue_token(world.oph, scopes=("dossiers",))
    response, body = get(client, "/api/v1/dossiers", clear)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert numbers(body) == sorted([sent.dossier_number, local.dossier_number])
    assert other.dossier_number not in response.content.decode()
    item = next(item for item in body["items"] if item["id"] == str(sent.public_id))
    assert item == {
        "id": str(sent.public_id),
        "dossier_number": sent.dossier_number,
        "kind": "housing",
        "name": sent.name,
        "status": "sent",
        "status_label": "transmise",
        "amount": "1000000.00",
        "sent_at": "2026-11-23T08:00:00Z",
        "regional_office": world.oph.regional_office.name,
        "offer_issued_at": None,
        "contract_number": None,
        "updated_at": "2026-11-23T08:00:00Z",
    }
    assert next(item for item in body["items"] if item["id"] == str(local.public_id))["amount"] == "250000.00"


def test_list_filters_pages_and_etag(client, world, clock, officer):
    first = dossier_of(world.oph)
    clock.shift(timedelta(days=2))
    second = dossier_of(world.oph)
    third = dossier_of(world.oph)
    _token, clear = issue_token(world.oph, scopes=("dossiers",))

    _response, body = get(client, "/api/v1/dossiers?sent_since=2026-11-24", clear)
    assert numbers(body) == [second.dossier_number, third.dossier_number]

    pages, url = [], "/api/v1/dossiers?limit=2"
    while url:
        _response, body = get(client, url, clear)
        pages += numbers(body)
        url = f"/api/v1/dossiers?limit=2&cursor={body['next_cursor']}" if body["next_cursor"] else None
    assert pages == [first.dossier_number, second.dossier_number, third.dossier_number]

    listed, _body = get(client, "/api/v1/dossiers", clear)
    etag = listed["ETag"]
    again, _body = get(client, "/api/v1/dossiers", clear, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag

    # A message of the office changes the dossier (an event in its timeline, not its row): it is listed
    # as updated and the list's version changes.
    clock.shift(timedelta(hours=1))
    message_post(loan_request=first, user=officer.user, body="Bien reçu.", officer=officer)
    changed, body = get(client, "/api/v1/dossiers", clear, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert body["items"][0]["updated_at"] == "2026-11-25T09:00:00Z"
    _response, body = get(client, "/api/v1/dossiers?updated_since=2026-11-25T09:30:00", clear)  # Paris time
    assert numbers(body) == [first.dossier_number]

    status_change(loan_request=second, officer=officer, status=RequestStatus.REFUSED, note="Hors zone.")
    _response, body = get(client, "/api/v1/dossiers?status=refused", clear)
    assert numbers(body) == [second.dossier_number]
    _response, body = get(client, "/api/v1/dossiers?status=sent", clear)
    assert numbers(body) == [first.dossier_number, third.dossier_number]


@pytest.mark.parametrize(
    "query, field",
    [
        ("status=draft", "status"),  # a draft is no dossier
        ("status=to_validate", "status"),
        ("sent_since=hier", "sent_since"),
        ("updated_since=1688", "updated_since"),
        ("limit=501", "limit"),
        ("cursor=WzFd", "cursor"),
        ("statut=sent", "statut"),
    ],
)
def test_list_bad_parameters_are_a_400_naming_the_field(client, world, query, field):
    _token, clear = issue_token(world.oph, scopes=("dossiers",))
    response, body = get(client, f"/api/v1/dossiers?{query}", clear)
    assert response.status_code == 400, body
    assert [item["field"] for item in body["fields"]] == [field]


def test_a_dossier_through_its_life_to_its_loans(client, world, clock, officer):
    draft = LoanRequestFactory(establishment=world.oph, complete=True)
    validator = UserFactory(
        establishment=world.oph, first_name="Valérie", last_name="Validatrice", permissions=VALIDATOR
    )
    dossier = request_send(loan_request=draft, user=validator)
    dossier_assign(loan_request=dossier, officer=officer)
    asked = documents_request(
        loan_request=dossier, officer=officer, reason="Bilan 2025", due_on=service_clock.today() + timedelta(days=30)
    )
    message_post(loan_request=dossier, user=officer.user, body="Cordialement, Camille Instructrice", officer=officer)
    clock.shift(timedelta(days=1))
    complement_add(
        loan_request=dossier,
        user=validator,
        upload=SimpleUploadedFile("bilan.pdf", PDF, content_type="application/pdf"),
        document_request=asked,
    )
    offer_issue(loan_request=dossier, officer=officer)
    contract_record(
        loan_request=dossier,
        officer=officer,
        number="C2026-0042",
        signed_on=service_clock.today(),
        first_due=service_clock.today() + timedelta(days=400),
    )
    loan = FinancingLine.objects.get(contract__number="C2026-0042")

    _token, clear = issue_token(world.oph, scopes=("dossiers",))
    response, body = get(client, f"/api/v1/dossiers/{dossier.public_id}", clear)
    assert response.status_code == 200
    text = response.content.decode()
    for name in ("Camille", "Instructrice", "Valérie", "Validatrice", "cinstr"):
        assert name not in text  # no person is named: « direction régionale » or « établissement »
    assert body["status"] == "contracted" and body["status_label"] == "contractualisée"
    assert body["contract"] == {"number": "C2026-0042", "signed_on": "2026-11-24"}
    assert body["contract_number"] == "C2026-0042"
    assert body["loans"] == [{"id": str(loan.public_id), "number": loan.number}]
    assert body["offer_issued_at"] == "2026-11-24T08:00:00Z"
    guarantor = PlannedGuarantee.objects.get(line__request=dossier).guarantor
    assert body["lines"] == [
        {
            "product": {"code": "plus", "name": "PLUS"},
            "amount": "1000000.00",
            "duration_years": 40,
            "land_amount": None,
            "land_duration_years": None,
            "prefinancing_months": 12,
            "periodicity": "annual",
            "profile": "echeance_prioritaire",
            "guarantees": [
                {
                    "kind": "establishment",
                    "guarantor_id": str(guarantor.public_id),
                    "guarantor_name": guarantor.legal_name,
                    "share_percent": "100.000",
                }
            ],
        }
    ]
    assert [(event["kind"], event["status"], event["by"]) for event in body["timeline"]] == [
        ("sent", "sent", "établissement"),
        ("assigned", "under_review", "direction régionale"),
        ("documents_requested", "documents_requested", "direction régionale"),
        ("message", None, "direction régionale"),
        ("document_added", None, "établissement"),
        ("status_changed", "under_review", "établissement"),
        ("offer_issued", "offer_issued", "direction régionale"),
        ("contracted", "contracted", "direction régionale"),
    ]
    timeline = {event["kind"]: event for event in body["timeline"]}
    assert timeline["documents_requested"]["note"] == "Bilan 2025"
    assert timeline["message"]["note"] == ""  # a conversation between people: read in the client space
    assert timeline["document_added"]["note"] == "bilan.pdf"
    assert timeline["sent"]["label"] == "Demande transmise à la direction régionale"
    assert timeline["sent"]["at"] == "2026-11-23T08:00:00Z" and timeline["sent"]["from_office"] is False
    assert body["document_requests"] == [
        {
            "id": str(asked.public_id),
            "reason": "Bilan 2025",
            "requested_at": "2026-11-23T08:00:00Z",
            "due_on": "2026-12-23",
            "fulfilled_at": "2026-11-24T08:00:00Z",
        }
    ]
    assert body["updated_at"] == "2026-11-24T08:00:00Z"
    # The loan it became is readable with the `portfolio` scope, by the id the dossier gives.
    _token, portfolio = issue_token(world.oph, scopes=("portfolio",))
    _response, loan_body = get(client, f"/api/v1/loans/{loan.public_id}", portfolio)
    assert loan_body["contract"]["dossier_number"] == dossier.dossier_number


def test_detail_names_the_cglls_and_a_local_request_without_lines(client, world):
    dossier = dossier_of(world.oph)
    line = dossier.lines.get()
    line.guarantees.update(share_percent=Decimal(50))
    PlannedGuarantee.objects.create(line=line, kind=GuarantorKind.CGLLS, share_percent=Decimal(50))
    local = dossier_of(
        world.oph, kind=RequestKind.LOCAL, complete=False, requested_amount=Decimal("250000"), requested_years=20
    )
    _token, clear = issue_token(world.oph, scopes=("dossiers",))
    _response, body = get(client, f"/api/v1/dossiers/{dossier.public_id}", clear)
    assert body["lines"][0]["guarantees"][1] == {
        "kind": "cglls",
        "guarantor_id": None,
        "guarantor_name": "CGLLS",
        "share_percent": "50.000",
    }
    assert body["contract"] is None and body["loans"] == [] and body["timeline"] == []
    _response, body = get(client, f"/api/v1/dossiers/{local.public_id}", clear)
    assert body["kind"] == "local" and body["amount"] == "250000.00" and body["requested_years"] == 20
    assert body["lines"] == []


def test_a_draft_another_establishments_dossier_or_junk_is_a_404(client, world):
    draft = LoanRequestFactory(establishment=world.oph, complete=True)
    other = dossier_of(world.other_oph)
    _token, clear = issue_token(world.oph, scopes=("dossiers",))
    for target in (draft.public_id, other.public_id, "pas-un-uuid", "00000000-0000-0000-0000-000000000000"):
        response, body = get(client, f"/api/v1/dossiers/{target}", clear)
        assert response.status_code == 404 and body["error"] == "not_found"
    _token, theirs = issue_token(world.other_oph, scopes=("dossiers",))
    assert client.get(f"/api/v1/dossiers/{other.public_id}", **bearer(theirs)).status_code == 200


def _list_queries(client, clear) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/api/v1/dossiers?limit=100", **bearer(clear))
    assert response.status_code == 200
    return len(captured)


def test_list_costs_the_same_at_3_and_30_dossiers(client, world, settings):
    """Version for the ETag, page: a query per dossier (its lines' total, its office, its
    contract, its latest event) would make a synchronisation crawl."""
    for _ in range(3):
        dossier_of(world.oph)
    _token, clear = issue_token(world.oph, scopes=("dossiers",))
    settings.PAGE_CACHE_SECONDS = 0  # the list computed (its copies: tests/api/test_list_cache.py)
    client.get("/api/v1/dossiers", **bearer(clear))  # the token's first use is written once a minute
    client.get("/api/v1/dossiers", **bearer(clear))  # then its row is cached (espace.api.token_cache)
    small = _list_queries(client, clear)
    for _ in range(27):
        DossierEvent.objects.create(request=dossier_of(world.oph), kind="sent", status="sent")
    big = _list_queries(client, clear)
    assert small == big, f"{small} queries at 3 dossiers, {big} at 30"
    assert big <= 2  # the version and the page
    assert LoanRequest.objects.filter(establishment=world.oph).count() == 30
