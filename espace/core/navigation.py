"""The menu: every app declares its own entries in its AppConfig.ready() (as it registers its audit
actions), core draws them. An entry says in which menu it appears (the client space, the back office,
the public site), where it goes, who sees it and which pages it is the current entry of.

The menu only hides what the server refuses anyway: each view checks its permission itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import Any

from django.urls import reverse


class Menu(StrEnum):
    CLIENT = "client"  # a logged-in user of an establishment
    STAFF = "staff"  # the lender's staff
    PUBLIC = "public"  # a visitor


def everyone(user: Any) -> bool:
    return True


@dataclass(frozen=True)
class MenuEntry:
    menu: Menu
    order: int  # left to right
    label: str
    url_name: str
    # The pages this entry is current for: "namespace:url_name" or "namespace:*".
    pages: tuple[str, ...] = ()
    visible: Callable[[Any], bool] = everyone
    # Entries of one group (same label) are drawn as one drop-down menu of that label.
    group: str = ""


@dataclass(frozen=True)
class MenuItem:
    label: str
    url: str
    current: bool
    children: tuple[MenuItem, ...] = field(default=())


_ENTRIES: dict[Menu, list[MenuEntry]] = {menu: [] for menu in Menu}


def menu_register(*entries: MenuEntry) -> None:
    for entry in entries:
        if entry not in _ENTRIES[entry.menu]:
            _ENTRIES[entry.menu].append(entry)
            _ENTRIES[entry.menu].sort(key=lambda known: known.order)


@cache
def _url(url_name: str) -> str:
    return reverse(url_name)


def menu_items(menu: Menu, user: Any, namespace: str, url_name: str) -> list[MenuItem]:
    """The entries of `menu` that `user` sees, the current page's entry marked, groups folded."""
    page, section = f"{namespace}:{url_name}", f"{namespace}:*"
    items: list[MenuItem] = []
    group_label = ""
    children: list[MenuItem] = []

    def close_group() -> None:
        if children:
            items.append(MenuItem(group_label, children[0].url, any(c.current for c in children), tuple(children[:])))
            children.clear()

    for entry in _ENTRIES[menu]:
        if not entry.visible(user):
            continue
        item = MenuItem(entry.label, _url(entry.url_name), page in entry.pages or section in entry.pages)
        if entry.group != group_label:
            close_group()
            group_label = entry.group
        if entry.group:
            children.append(item)
        else:
            items.append(item)
    close_group()
    return items
