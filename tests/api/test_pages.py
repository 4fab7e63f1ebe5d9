"""The list protocol every list of the API shares (espace.api.pages): cursor, ETag, 304, page.

Without the page cache (its copies of the answers: tests/api/test_list_cache.py)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from espace.api.http import ApiError, cursor_encode
from espace.api.pages import DOCUMENT_KEY, INSTALMENT_KEY, PORTFOLIO_LISTS, by_text, keyset_list

NUMBERS = ["L1", "L2", "L3", "L4", "L5"]


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 0


def _request(query: str = "", **headers: str):
    request = RequestFactory().get(f"/api/v1/things?{query}", **headers)
    request.auth = SimpleNamespace(establishment_id=7)
    return request


def _list(request, *, cursor=None, limit=2, calls=None):
    calls = [] if calls is None else calls
    response = HttpResponse()

    def version():
        calls.append("version")
        return len(NUMBERS), None

    def page(after, limit):
        calls.append(("page", after))
        return [SimpleNamespace(number=n) for n in NUMBERS if after is None or n > after][: limit + 1]

    answer = keyset_list(
        request,
        response,
        name="things",
        cursor=cursor,
        limit=limit,
        keyset=by_text(lambda item: item.number),
        version=version,
        page=page,
        scopes=PORTFOLIO_LISTS,
    )
    return answer, response


def test_pages_follow_their_cursor_to_the_last():
    answer, response = _list(_request())
    assert [item.number for item in answer.items] == ["L1", "L2"]
    assert response["ETag"].startswith('W/"')
    answer, _ = _list(_request(), cursor=answer.next_cursor)
    assert [item.number for item in answer.items] == ["L3", "L4"]
    answer, _ = _list(_request(), cursor=answer.next_cursor)
    assert [item.number for item in answer.items] == ["L5"]
    assert answer.next_cursor is None


def test_a_held_version_is_a_304_without_reading_the_page():
    _answer, response = _list(_request())
    calls: list = []
    cached, _ = _list(_request(HTTP_IF_NONE_MATCH=response["ETag"]), calls=calls)
    assert cached.status_code == 304
    assert cached["ETag"] == response["ETag"]
    assert calls == ["version"]


def test_the_etag_depends_on_the_query_and_the_establishment():
    _a, first = _list(_request("limit=2"))
    _b, other_query = _list(_request("limit=3"))
    request = _request("limit=2")
    request.auth = SimpleNamespace(establishment_id=8)
    _c, other_establishment = _list(request)
    assert len({first["ETag"], other_query["ETag"], other_establishment["ETag"]}) == 3


@pytest.mark.parametrize("cursor", ["junk!", cursor_encode([1]), cursor_encode(["L1", "L2"])])
def test_a_cursor_we_did_not_make_is_a_400_before_any_query(cursor):
    calls: list = []
    with pytest.raises(ApiError) as error:
        _list(_request(), cursor=cursor, calls=calls)
    assert error.value.status == 400
    assert error.value.fields == [{"field": "cursor", "message": "Curseur inconnu."}]
    assert calls == []


def test_two_part_keys_read_back_what_they_wrote():
    row = SimpleNamespace(line=SimpleNamespace(number="L1"), number=12)
    assert INSTALMENT_KEY.read(INSTALMENT_KEY.of(row)) == ("L1", 12)
    with pytest.raises(ValueError):
        INSTALMENT_KEY.read(["L1", "twelve"])
    with pytest.raises(ValueError):
        DOCUMENT_KEY.read(["2026-13-01", "not-a-uuid"])
