from django.conf import settings
from django.http import HttpRequest

from espace.core.navigation import Menu, menu_items
from espace.core.net import is_loopback

BACKOFFICE_NAMESPACES = {"backoffice"}


def branding(request: HttpRequest) -> dict[str, object]:
    return {
        "lender_name": settings.LENDER_NAME,
        "lender_short_name": settings.LENDER_SHORT_NAME,
        "assistance_phone": settings.ASSISTANCE_PHONE,
        "demo_mailbox_enabled": settings.DEBUG and not settings.EMAIL_HOST and is_loopback(request),
        "debug": settings.DEBUG,
    }


def navigation(request: HttpRequest) -> dict[str, object]:
    """The menu of this page (espace.core.navigation: each app declares its entries), and whether
    this is the back office."""
    match = getattr(request, "resolver_match", None)
    namespace, name = (match.namespace, match.url_name) if match else ("", "")
    user = getattr(request, "user", None)
    authenticated = bool(user is not None and user.is_authenticated and user.is_active)
    staff = authenticated and bool(getattr(user, "is_staff", False))
    in_backoffice = namespace in BACKOFFICE_NAMESPACES or staff
    if authenticated and getattr(user, "establishment_id", None):
        menu = Menu.CLIENT
    elif staff:
        menu = Menu.STAFF
    elif in_backoffice:
        return {"menu": [], "menu_key": "none", "in_backoffice": True, "client_permissions": set()}
    else:
        menu = Menu.PUBLIC
    items = menu_items(menu, user, namespace, name or "")
    return {
        "menu": items,
        # What the rendered menu depends on, for the layout's fragment cache (templates/base.html).
        "menu_key": f"{menu}:{hash(tuple(items))}",
        "in_backoffice": in_backoffice,
        # The client user's permission codes, for in-page links (the server checks each view anyway).
        "client_permissions": set(getattr(user, "permissions", [])) if authenticated else set(),
    }
