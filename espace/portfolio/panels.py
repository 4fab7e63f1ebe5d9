"""Sections that apps above portfolio add to the loan page, without portfolio importing them.

An app registers the dotted path of a function in its AppConfig.ready() (documents shows the
line's documents and its guarantee deliberation templates; dossiers will show where the loan
came from). The loan page calls each with (request, line, own) and shows the HTML it returns, in
the order registered; a panel with nothing to show returns None. Portfolio names no app above
it, so the layers contract holds and the page works without them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from django.utils.module_loading import import_string
from django.utils.safestring import SafeString

if TYPE_CHECKING:  # apps register their panels from AppConfig.ready(), before models may be imported here
    from espace.portfolio.models import FinancingLine

# Each panel: (request, line, own: the line is the establishment's own loan) -> HTML or None.
_LINE_PANELS: list[str] = []


def line_panel_register(path: str) -> None:
    if path not in _LINE_PANELS:
        _LINE_PANELS.append(path)


def line_panels_render(request: HttpRequest, line: FinancingLine, *, own: bool) -> list[SafeString]:
    panels: list[Any] = [import_string(path) for path in _LINE_PANELS]
    rendered = [panel(request, line, own) for panel in panels]
    return [html for html in rendered if html]
