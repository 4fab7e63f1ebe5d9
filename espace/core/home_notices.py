"""Notices on the personal home page that other apps own (as the menu is): each app registers, in
its AppConfig.ready(), a function of the user that returns a notice or None. The home page (in
accounts, below those apps) draws them without importing them.

The home page is kept as a rendered page under its establishment's users' scope
(espace.core.page_cache, `espace.accounts.page_versions.USERS`): what a notice shows must renew
that scope when it changes (the access review does: `espace.members.page_versions`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class HomeNotice:
    link_label: str
    url: str
    text: str  # after the link


NoticeSource = Callable[[Any], HomeNotice | None]
_SOURCES: list[NoticeSource] = []


def home_notice_register(source: NoticeSource) -> None:
    if source not in _SOURCES:
        _SOURCES.append(source)


def home_notices_for(user: Any) -> list[HomeNotice]:
    return [notice for source in _SOURCES if (notice := source(user)) is not None]
