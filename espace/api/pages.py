"""The list protocol every list of the API follows, in one place: the cursor read back into the
last key seen (400 on the field `cursor` for one we did not make), the list's version as a weak
ETag (304 when the caller already holds it), then the page after the key and the cursor of the next.

The order matters and is the same for every list: a bad cursor is refused before any query, and a
304 costs only the version's aggregate, never the page.

Each answer is kept in the page cache (espace.core.page_cache) under the versions of the scopes
the list names (`ListScopes`: those of the client pages that show the same data), with its ETag:
while they hold, a call is answered from the copy — a 304 too, against the copy's ETag — without
the version's aggregate, the page's query or its serialization."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from espace.api.http import bad_cursor, cursor_decode, cursor_encode, etag_for, not_modified, token_of
from espace.core.page_cache import Copy, Lookup, api_list_key, page_lookup
from espace.documents.page_versions import DOCUMENTS
from espace.loan_requests.page_versions import REQUESTS
from espace.portfolio.page_versions import PORTFOLIO, SHARED_SCOPES

Item = TypeVar("Item")
Key = TypeVar("Key")


@dataclass(frozen=True)
class Keyset(Generic[Item, Key]):
    """How a list is walked: `of` gives an item's key (what the cursor carries, `length` values),
    `read` turns the values back into the key the page selector takes (ValueError or TypeError
    for values we would not have written)."""

    length: int
    of: Callable[[Item], Sequence[Any]]
    read: Callable[[list[Any]], Key]


def _text(values: list[Any]) -> str:
    if not isinstance(values[0], str):
        raise TypeError(values[0])
    return values[0]


def by_text(of: Callable[[Item], str]) -> Keyset[Item, str]:
    """A list in the order of one text column (a loan or dossier number)."""
    return Keyset(length=1, of=lambda item: [of(item)], read=_text)


INSTALMENT_KEY: Keyset[Any, tuple[str, int]] = Keyset(
    length=2,
    of=lambda row: [row.line.number, row.number],
    read=lambda values: (str(values[0]), int(values[1])),
)
DOCUMENT_KEY: Keyset[Any, tuple[date, UUID]] = Keyset(
    length=2,
    of=lambda document: [document.issued_on, str(document.public_id)],
    read=lambda values: (date.fromisoformat(str(values[0])), UUID(str(values[1]))),
)


@dataclass(frozen=True)
class ListScopes:
    """The page-cache scopes a list's answers depend on: the token establishment's, and shared ones."""

    own: tuple[str, ...]
    shared: tuple[str, ...] = ()


PORTFOLIO_LISTS = ListScopes(own=(PORTFOLIO,), shared=SHARED_SCOPES)  # loans, instalments, guaranteed loans
DOSSIER_LISTS = ListScopes(own=(REQUESTS, PORTFOLIO), shared=SHARED_SCOPES)  # their contracts
DOCUMENT_LISTS = ListScopes(own=(DOCUMENTS, PORTFOLIO), shared=SHARED_SCOPES)  # the loans they name

_PENDING = "_api_list_lookup"


def list_answer_keep(request: HttpRequest, response: HttpResponse) -> None:
    """Called with each answer the API makes: the list page this call computed is kept (200 only)."""
    lookup: Lookup | None = getattr(request, _PENDING, None)
    if lookup is None or response.status_code != 200 or "ETag" not in response:
        return
    setattr(request, _PENDING, None)
    lookup.keep(
        Copy(
            content=response.content,
            content_type=response["Content-Type"],
            headers=(("ETag", response["ETag"]), ("Cache-Control", "no-store")),
        )
    )


def _served(request: HttpRequest, copy: Copy) -> HttpResponse:
    etag = dict(copy.headers).get("ETag", "")
    return not_modified(request, etag) or copy.response(request)


@dataclass(frozen=True, slots=True)
class ItemsPage(Generic[Item]):
    """One page of a list, as every list schema reads it (`items`, `next_cursor`)."""

    items: list[Item]
    next_cursor: str | None  # None on the last page


def keyset_list(
    request: HttpRequest,
    response: HttpResponse,
    *,
    name: str,
    cursor: str | None,
    limit: int,
    keyset: Keyset[Item, Key],
    version: Callable[[], tuple[int, datetime | None]],
    page: Callable[[Key | None, int], list[Item]],
    scopes: ListScopes,
) -> ItemsPage[Item] | HttpResponse:
    """One page of the list `name` of the token's establishment with the list's ETag, or the 304
    answer. `page(after, limit)` returns up to `limit` + 1 items after the
    key (the extra one tells that a next page exists); the items are serialized by the schema."""
    after = None
    if cursor:
        try:
            after = keyset.read(cursor_decode(cursor, length=keyset.length))
        except (TypeError, ValueError):
            raise bad_cursor() from None
    if settings.PAGE_CACHE_SECONDS:
        establishment = token_of(request).establishment
        lookup = page_lookup(
            api_list_key(request, establishment),
            establishment_id=establishment.pk,
            scopes=scopes.own,
            shared=scopes.shared,
        )
        if lookup is not None and lookup.copy is not None:
            return _served(request, lookup.copy)
        setattr(request, _PENDING, lookup)
    count, latest = version()
    etag = etag_for(name, token_of(request).establishment_id, request.GET.urlencode(), count, latest)
    cached = not_modified(request, etag)
    if cached is not None:
        return cached
    items = page(after, limit)
    more = len(items) > limit
    items = items[:limit]
    response["ETag"] = etag
    return ItemsPage(items=items, next_cursor=cursor_encode(keyset.of(items[-1])) if more else None)
