"""Sections that apps higher in the layers add to a lower app's page, without that app importing them.

A page names a slot (« portfolio.line »: the loan page; « loan_requests.dossier »: the dossier
page). An app above registers the dotted path of a function for the slot in its
AppConfig.ready() (documents shows a loan's documents and deliberation templates, and a dossier's
documents). The page calls each with (request, obj, **context) and shows the HTML returned, in the
order registered; a panel with nothing to show returns None. The page's app names no app above it,
so the layers contract holds and the page works without them.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.module_loading import import_string
from django.utils.safestring import SafeString

_PANELS: dict[str, list[str]] = {}
_SCOPES: dict[str, tuple[set[str], set[str]]] = {}


def panel_register(slot: str, path: str, *, scopes: tuple[str, ...] = (), shared: tuple[str, ...] = ()) -> None:
    """`scopes` and `shared`: the page cache's scopes of the data the panel shows, the
    establishment's and the shared ones (espace.core.page_cache); a cached page of this slot
    depends on them too."""
    paths = _PANELS.setdefault(slot, [])
    if path not in paths:
        paths.append(path)
    own, common = _SCOPES.setdefault(slot, (set(), set()))
    own.update(scopes)
    common.update(shared)


def panel_scopes(slot: str) -> tuple[set[str], set[str]]:
    """The establishment's scopes and the shared ones that the slot's panels show."""
    return _SCOPES.get(slot, (set(), set()))


def panels_render(slot: str, request: HttpRequest, obj: Any, **context: Any) -> list[SafeString]:
    rendered = [import_string(path)(request, obj, **context) for path in _PANELS.get(slot, [])]
    return [html for html in rendered if html]
