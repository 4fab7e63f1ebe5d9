"""Each endpoint of /api/v1/: what it answers, from the token's establishment only."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from espace.portfolio.models import FinancingLine
from tests.api.factories import bearer, get, issue_token
from tests.portfolio.factories import LineFactory

pytestmark = pytest.mark.django_db


def test_establishment_tells_who_and_the_token_scopes(client, world):
    token, clear = issue_token(world.oph, scopes=("portfolio", "documents"))
    response, body = get(client, "/api/v1/establishment", clear)
    assert response.status_code == 200
    assert body["client_number"] == world.oph.client_number
    assert body["legal_name"] == "OPH DU RHÔNE"
    assert body["token"] == {
        "id": str(token.public_id),
        "name": "Logiciel financier",
        "scopes": ["portfolio", "documents"],
        "expires_at": "2027-02-21T23:00:00Z",  # end of 21/02/2027, Paris time
    }
    assert response["Cache-Control"] == "no-store"


def test_loans_list_own_lines_only_with_decimal_strings(client, world):
    _token, clear = issue_token(world.oph)
    response, body = get(client, "/api/v1/loans", clear)
    assert response.status_code == 200
    assert [item["number"] for item in body["items"]] == ["L1000001", "L1000002", "L1000003"]
    assert body["next_cursor"] is None
    plus = body["items"][0]
    assert plus["id"] == str(world.plus.public_id)
    assert plus["principal"] == "1000000.00"
    assert plus["outstanding"] == str(world.plus.outstanding)
    assert plus["margin_percent"] == "0.6000"
    assert plus["product"] == {"code": "plus", "name": "PLUS"}
    assert plus["maturity_date"] == "2060-03-01"
    assert world.other.number not in response.content.decode()


@pytest.mark.parametrize(
    "query, expected",
    [
        ("product=plai", ["L1000002"]),
        ("status=prefinancing", ["L1000002"]),
        ("status=repaid", []),
        ("maturity_from=2050-01-01&maturity_to=2055-12-31", ["L1000003"]),
        ("maturity_to=2049-12-31", []),
    ],
)
def test_loans_filters(client, world, query, expected):
    _token, clear = issue_token(world.oph)
    response, body = get(client, f"/api/v1/loans?{query}", clear)
    assert response.status_code == 200
    assert [item["number"] for item in body["items"]] == expected


def test_loans_updated_since(client, world, clock):
    _token, clear = issue_token(world.oph)
    clock.shift(timedelta(hours=2))
    world.pls.save()  # the daily import rewrites the line
    _response, body = get(client, "/api/v1/loans?updated_since=2026-11-23T10:30:00", clear)  # Paris time
    assert [item["number"] for item in body["items"]] == ["L1000003"]
    _response, body = get(client, "/api/v1/loans?updated_since=2026-11-23T09:30:00%2B00:00", clear)
    assert [item["number"] for item in body["items"]] == ["L1000003"]
    _response, body = get(client, "/api/v1/loans?updated_since=2026-11-23T07:00:00Z", clear)
    assert len(body["items"]) == 3


def test_loans_cursor_pages(client, world):
    _token, clear = issue_token(world.oph)
    numbers, url = [], "/api/v1/loans?limit=1"
    while url:
        response, body = get(client, url, clear)
        assert response.status_code == 200
        numbers += [item["number"] for item in body["items"]]
        url = f"/api/v1/loans?limit=1&cursor={body['next_cursor']}" if body["next_cursor"] else None
    assert numbers == ["L1000001", "L1000002", "L1000003"]


def test_loans_etag_answers_304_until_a_line_changes(client, world, clock):
    _token, clear = issue_token(world.oph)
    first, _body = get(client, "/api/v1/loans?status=repayment", clear)
    etag = first["ETag"]
    assert etag.startswith('W/"')
    again, _body = get(client, "/api/v1/loans?status=repayment", clear, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    other_query, _body = get(client, "/api/v1/loans?status=repayment&limit=1", clear, HTTP_IF_NONE_MATCH=etag)
    assert other_query.status_code == 200
    clock.shift(timedelta(minutes=5))
    world.plus.save()
    changed, _body = get(client, "/api/v1/loans?status=repayment", clear, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_loan_detail_with_contract_guarantees_schedule_and_disbursements(client, world):
    _token, clear = issue_token(world.oph)
    response, body = get(client, f"/api/v1/loans/{world.plai.public_id}", clear)
    assert response.status_code == 200
    assert body["relation"] == "borrower"
    assert body["contract"] == {"number": "C1000001", "signed_on": "2020-03-01", "dossier_number": ""}
    assert body["guarantees"] == [
        {
            "kind": "establishment",
            "guarantor": {"id": str(world.commune.public_id), "legal_name": "COMMUNE DE VILLEBOIS"},
            "share_percent": "100.000",
            "deliberation_reference": "DEL-2020-12",
            "deliberation_date": "2020-01-15",
        }
    ]
    assert "client_number" not in json.dumps(body["guarantees"])  # another establishment's number stays private
    assert len(body["schedule"]) == world.plai.rows.count()
    assert sum(Decimal(row["capital"]) for row in body["schedule"]) == Decimal("400000.00")
    assert [item["amount"] for item in body["disbursements"]] == ["150000.00", "150000.00", "100000.00"]
    assert [item["status"] for item in body["disbursements"]] == ["drawn", "planned", "planned"]


def test_loan_detail_of_a_guaranteed_loan_and_of_another_establishment(client, world):
    _token, commune = issue_token(world.commune)
    response, body = get(client, f"/api/v1/loans/{world.other.public_id}", commune)
    assert response.status_code == 200 and body["relation"] == "guarantor"
    assert body["borrower"] == {"id": str(world.other_oph.public_id), "legal_name": "SA HLM VOISINE"}
    _token, oph = issue_token(world.oph)
    response, body = get(client, f"/api/v1/loans/{world.other.public_id}", oph)
    assert response.status_code == 404
    assert body["error"] == "not_found"
    for junk in ("pas-un-uuid", "00000000-0000-0000-0000-000000000000"):
        response, body = get(client, f"/api/v1/loans/{junk}", oph)
        assert response.status_code == 404 and body["error"] == "not_found"


def test_instalments_between_two_dates_in_pages(client, world):
    _token, clear = issue_token(world.oph)
    response, body = get(client, "/api/v1/instalments?due_from=2027-01-01&due_to=2027-12-31", clear)
    assert response.status_code == 200
    expected = sorted(
        (row.line.number, row.number, str(row.due_date))
        for line in (world.plus, world.plai, world.pls)
        for row in line.rows.filter(due_date__year=2027)
    )
    assert [(item["loan_number"], item["number"], item["due_date"]) for item in body["items"]] == expected
    assert all(item["due_date"].startswith("2027-") for item in body["items"])
    pages, url = [], "/api/v1/instalments?due_from=2027-01-01&due_to=2027-12-31&limit=1"
    while url:
        _response, page = get(client, url, clear)
        pages += page["items"]
        url = (
            f"/api/v1/instalments?due_from=2027-01-01&due_to=2027-12-31&limit=1&cursor={page['next_cursor']}"
            if page["next_cursor"]
            else None
        )
    assert pages == body["items"]


def test_instalments_dates_in_the_wrong_order_are_a_400_on_the_field(client, world):
    _token, clear = issue_token(world.oph)
    response, body = get(client, "/api/v1/instalments?due_from=2028-01-01&due_to=2027-01-01", clear)
    assert response.status_code == 400
    assert body["fields"][0]["field"] == "due_to"
    response, body = get(client, "/api/v1/instalments?due_from=2028-01-01", clear)
    assert response.status_code == 400 and body["fields"][0]["field"] == "due_to"


def test_guaranteed_debt_of_a_guarantor(client, world):
    _token, clear = issue_token(world.commune)
    response, body = get(client, "/api/v1/guaranteed-debt", clear)
    assert response.status_code == 200
    expected = (world.plus.outstanding / 2 + world.plai.outstanding + world.other.outstanding).quantize(Decimal("0.01"))
    assert body["lines"] == 3
    assert Decimal(body["guaranteed_outstanding"]) == expected
    assert body["by_year"][0]["year"] == 2026
    assert body["by_year"][-1]["guaranteed_outstanding"] == "0.00"
    # Each year's guaranteed outstanding falls by the guaranteed capital repaid that year.
    plus_2027 = world.plus.rows.get(due_date__year=2027).capital
    plai_2027 = sum(row.capital for row in world.plai.rows.filter(due_date__year=2027))
    other_2027 = world.other.rows.get(due_date__year=2027).capital
    drop = Decimal(body["by_year"][0]["guaranteed_outstanding"]) - Decimal(body["by_year"][1]["guaranteed_outstanding"])
    assert abs(drop - (plus_2027 / 2 + plai_2027 + other_2027)) <= Decimal("0.01")

    response, body = get(client, "/api/v1/guaranteed-debt/loans", clear)
    assert [(item["loan_number"], item["share_percent"]) for item in body["items"]] == [
        ("L1000001", "50.000"),
        ("L1000002", "100.000"),
        ("L9000001", "100.000"),
    ]
    assert body["items"][0]["guaranteed_outstanding"] == str((world.plus.outstanding / 2).quantize(Decimal("0.01")))
    assert world.pls.number not in response.content.decode()  # guaranteed by the other commune
    assert response["ETag"]


def test_guaranteed_debt_of_a_borrower_is_empty(client, world):
    _token, clear = issue_token(world.oph)
    _response, body = get(client, "/api/v1/guaranteed-debt", clear)
    assert body["lines"] == 0 and body["guaranteed_outstanding"] == "0.00"
    _response, body = get(client, "/api/v1/guaranteed-debt/loans", clear)
    assert body["items"] == []


def test_livret_a_today_and_history(client, world):
    _token, clear = issue_token(world.oph, scopes=("documents",))  # any valid token reads public rates
    response, body = get(client, "/api/v1/rates/livret-a", clear)
    assert response.status_code == 200
    assert body["rate_percent"] == "1.5000" and body["since"] == "2026-02-01"
    assert body["floor_percent"] == "0.5000"
    assert {"effective_from": "2025-08-01", "rate_percent": "1.7000"} in body["history"]


def test_schedules_csv_streams_every_row_of_own_loans(client, world):
    _token, clear = issue_token(world.oph)
    response = client.get("/api/v1/exports/schedules.csv", **bearer(clear))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.streaming
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    own = FinancingLine.objects.filter(borrower=world.oph)
    assert len(rows) == sum(line.rows.count() for line in own)
    assert {row["loan_number"] for row in rows} == {"L1000001", "L1000002", "L1000003"}
    first = rows[0]
    assert first["loan_id"] == str(world.plus.public_id) and first["number"] == "1"
    assert first["due_date"] == "2021-03-01" and first["paid"] == "true"
    assert Decimal(first["instalment"]) == world.plus.rows.get(number=1).instalment


@pytest.mark.parametrize(
    "query, field",
    [
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("limit=abc", "limit"),
        ("status=perdu", "status"),
        ("product=PLUS%00", "product"),
        ("maturity_from=2027-13-01", "maturity_from"),
        ("updated_since=hier", "updated_since"),
        ("updated_since=1688", "updated_since"),  # not read as a Unix timestamp
        ("maturity_to=20270101", "maturity_to"),
        ("stauts=repaid", "stauts"),
        ("cursor=%E2%82%AC", "cursor"),
        ("cursor=bm9wZQ", "cursor"),
        ("cursor=WzFd", "cursor"),  # [1]: a key of the wrong type
    ],
)
def test_bad_parameters_are_a_400_naming_the_field(client, world, query, field):
    _token, clear = issue_token(world.oph)
    response, body = get(client, f"/api/v1/loans?{query}", clear)
    assert response.status_code == 400, body
    assert body["error"] == "invalid_request"
    assert [item["field"] for item in body["fields"]] == [field]


@pytest.mark.parametrize(
    "query, count",
    [
        ("maturity_to=0001-01-01", 0),
        ("maturity_from=0001-01-01&maturity_to=9999-12-31", 3),
        ("updated_since=9999-12-31T23:59:59-23:59", 0),
        ("updated_since=0001-01-01T00:00:00%2B23:59", 3),
    ],
)
def test_extreme_dates_filter_as_the_bounds_do(client, world, query, count):
    _token, clear = issue_token(world.oph)
    response, body = get(client, f"/api/v1/loans?{query}", clear)
    assert response.status_code == 200 and len(body["items"]) == count
    response, body = get(client, "/api/v1/instalments?due_from=0001-01-01&due_to=9999-12-31&limit=5", clear)
    assert response.status_code == 200 and len(body["items"]) == 5


def test_unknown_api_address_is_a_json_404(client, world):
    response = client.get("/api/v1/prets")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_openapi_document_and_local_docs_page(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/loans", "/api/v1/loans/{loan_id}", "/api/v1/instalments", "/api/v1/exports/schedules.csv"} <= set(
        schema["paths"]
    )
    assert schema["components"]["securitySchemes"]["TokenAuth"] == {"type": "http", "scheme": "bearer"}
    page = client.get("/api/v1/docs")
    html = page.content.decode()
    assert page.status_code == 200
    assert "/static/ninja/swagger-ui-bundle.js" in html and "cdn" not in html.lower()
    assert "script-src 'self'" in page["Content-Security-Policy"]


def _loans_queries(client, clear) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/api/v1/loans?limit=100", **bearer(clear))
    assert response.status_code == 200
    return len(captured)


def test_loans_endpoint_costs_the_same_at_3_and_60_lines(client, world, settings):
    """The loans page runs a fixed number of queries (version for the ETag, page): a query per
    line would make a synchronisation of 20,000 lines crawl."""
    _token, clear = issue_token(world.oph)
    settings.PAGE_CACHE_SECONDS = 0  # the list computed (its copies: tests/api/test_list_cache.py)
    client.get("/api/v1/loans", **bearer(clear))  # the token's first use is written once a minute
    client.get("/api/v1/loans", **bearer(clear))  # then its row is cached (espace.api.token_cache)
    small = _loans_queries(client, clear)
    for _ in range(57):
        LineFactory(contract__borrower=world.oph, guarantors=[(world.commune, "100")], computed=False)
    big = _loans_queries(client, clear)
    assert small == big, f"{small} queries at 3 lines, {big} at 60"
    assert big <= 2
