"""The API's lists answered from the page cache (espace.api.pages): the same bytes and ETag as a
computed answer, without the list's queries, renewed by what changes the list, after every check
of the token, and never across establishments."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from espace.api.services import api_token_revoke
from tests.api.factories import dossier_of, get, issue_token

pytestmark = pytest.mark.django_db


def _list_queries(captured: CaptureQueriesContext) -> list[str]:
    """The queries of the list itself (the token's, the journal's and the rate counter's aside)."""
    tables = ('FROM "portfolio_', 'FROM "loan_requests_', 'FROM "documents_')
    return [query["sql"] for query in captured.captured_queries if any(table in query["sql"] for table in tables)]


def test_a_second_call_is_the_same_answer_without_the_list_queries(client, world):
    _token, clear = issue_token(world.oph)
    first, body = get(client, "/api/v1/loans?limit=2", clear)
    assert first.status_code == 200 and len(body["items"]) == 2
    with CaptureQueriesContext(connection) as captured:
        again, _body = get(client, "/api/v1/loans?limit=2", clear)
    assert again.status_code == 200
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert again["Cache-Control"] == "no-store"
    assert again["Content-Type"] == first["Content-Type"]
    assert _list_queries(captured) == []
    # Another query string is another answer, computed.
    with CaptureQueriesContext(connection) as captured:
        _other, body = get(client, "/api/v1/loans?limit=1", clear)
    assert len(body["items"]) == 1 and _list_queries(captured) != []


def test_a_held_etag_is_a_304_from_the_copy(client, world):
    _token, clear = issue_token(world.oph)
    first, _body = get(client, "/api/v1/instalments?due_from=2027-01-01&due_to=2027-12-31", clear)
    assert first.status_code == 200
    with CaptureQueriesContext(connection) as captured:
        held, _body = get(
            client,
            "/api/v1/instalments?due_from=2027-01-01&due_to=2027-12-31",
            clear,
            HTTP_IF_NONE_MATCH=first["ETag"],
        )
    assert held.status_code == 304 and held.content == b"" and held["ETag"] == first["ETag"]
    assert _list_queries(captured) == []
    stale, _body = get(
        client, "/api/v1/instalments?due_from=2027-01-01&due_to=2027-12-31", clear, HTTP_IF_NONE_MATCH='W/"old"'
    )
    assert stale.status_code == 200 and stale.content == first.content


def test_a_line_saved_renews_its_borrower_and_guarantor_lists(client, world, clock):
    _token, clear = issue_token(world.oph)
    _token, commune_clear = issue_token(world.commune)
    before, body = get(client, "/api/v1/loans", clear)
    guaranteed_before, guaranteed = get(client, "/api/v1/guaranteed-debt/loans", commune_clear)
    assert body["items"][0]["outstanding"] == str(world.plus.outstanding)
    clock.shift(timedelta(minutes=5))
    world.plus.outstanding = Decimal("123456.78")
    world.plus.save()
    after, body = get(client, "/api/v1/loans", clear)
    assert body["items"][0]["outstanding"] == "123456.78"
    assert after["ETag"] != before["ETag"]
    guaranteed_after, guaranteed = get(client, "/api/v1/guaranteed-debt/loans", commune_clear)
    assert guaranteed_after["ETag"] != guaranteed_before["ETag"]
    plus = next(item for item in guaranteed["items"] if item["loan_number"] == world.plus.number)
    assert plus["outstanding"] == "123456.78"


def test_each_establishment_reads_its_own_list(client, world):
    _token, clear = issue_token(world.oph)
    _token, other_clear = issue_token(world.other_oph)
    mine, _body = get(client, "/api/v1/loans", clear)
    theirs, other_body = get(client, "/api/v1/loans", other_clear)
    assert [item["number"] for item in other_body["items"]] == [world.other.number]
    assert world.other.number not in mine.content.decode()
    assert theirs["ETag"] != mine["ETag"]
    # A held ETag of another establishment's list is no 304.
    crossed, _body = get(client, "/api/v1/loans", other_clear, HTTP_IF_NONE_MATCH=mine["ETag"])
    assert crossed.status_code == 200 and world.plus.number not in crossed.content.decode()


def test_a_revoked_token_is_refused_though_its_list_is_kept(client, world):
    token, clear = issue_token(world.oph)
    assert get(client, "/api/v1/loans", clear)[0].status_code == 200
    api_token_revoke(token=token, revoked_by=token.created_by)
    response, body = get(client, "/api/v1/loans", clear)
    assert response.status_code == 401 and body["error"] == "token_revoked"
    # A token without the scope is refused before the copy too.
    _token, documents_only = issue_token(world.oph, scopes=("documents",))
    response, body = get(client, "/api/v1/loans", documents_only)
    assert response.status_code == 403 and body["error"] == "scope_missing"


def test_a_new_dossier_renews_the_dossiers_list(client, world):
    _token, clear = issue_token(world.oph, scopes=("dossiers",))
    first = dossier_of(world.oph)
    _response, body = get(client, "/api/v1/dossiers", clear)
    assert [item["dossier_number"] for item in body["items"]] == [first.dossier_number]
    second = dossier_of(world.oph)
    _response, body = get(client, "/api/v1/dossiers", clear)
    assert [item["dossier_number"] for item in body["items"]] == sorted([first.dossier_number, second.dossier_number])


def test_without_the_page_cache_every_call_is_computed(client, world, settings):
    settings.PAGE_CACHE_SECONDS = 0
    _token, clear = issue_token(world.oph)
    get(client, "/api/v1/loans", clear)
    with CaptureQueriesContext(connection) as captured:
        response, _body = get(client, "/api/v1/loans", clear)
    assert response.status_code == 200 and _list_queries(captured) != []
