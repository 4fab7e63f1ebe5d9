from typing import Any

from django.conf import settings
from django.http import HttpRequest

from espace.core.net import is_loopback

# Which menu entry a page belongs to: (namespace, url name or "*") → section. The menu marks the
# section of the current page with aria-current="page".
SECTIONS = {
    ("accounts", "home"): "home",
    ("accounts", "account"): "account",
    ("accounts", "account_password"): "account",
    ("accounts", "account_email"): "account",
    ("accounts", "account_email_code"): "account",
    ("accounts", "my_permissions"): "account",
    ("accounts", "login"): "login",
    ("members", "*"): "administration",
    ("api_tokens", "*"): "administration",
    ("support", "faq"): "faq",
    ("simulators", "*"): "tools",
    ("products", "*"): "products",
    ("portfolio", "*"): "portfolio",
    ("loan_requests", "*"): "loan_requests",
    ("backoffice", "dossiers"): "dossiers",
    ("backoffice", "dossier"): "dossiers",
    ("documents", "*"): "documents",
    ("support", "contact"): "contact",
    ("support", "contact_sent"): "contact",
    ("backoffice", "dashboard"): "establishments",
    ("backoffice", "establishment"): "establishments",
    ("backoffice", "letters"): "letters",
    ("backoffice", "contacts"): "contacts",
    ("backoffice", "contact"): "contacts",
    ("backoffice", "second_factor"): "second_factor",
    ("backoffice", "disbursements"): "disbursements",
    ("backoffice", "disbursement"): "disbursements",
    ("backoffice", "imports"): "imports",
    ("backoffice", "import"): "imports",
    ("backoffice", "resources"): "resources",
    ("backoffice", "deliberation_edit"): "resources",
    ("backoffice", "deliberation_version"): "resources",
    ("backoffice", "resource_new"): "resources",
    ("backoffice", "resource"): "resources",
}
BACKOFFICE_NAMESPACES = {"backoffice"}


def branding(request: HttpRequest) -> dict[str, Any]:
    return {
        "lender_name": settings.LENDER_NAME,
        "lender_short_name": settings.LENDER_SHORT_NAME,
        "assistance_phone": settings.ASSISTANCE_PHONE,
        "demo_mailbox_enabled": settings.DEBUG and not settings.EMAIL_HOST and is_loopback(request),
        "debug": settings.DEBUG,
    }


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The menu's current section, whether this is the back office, and who may open the Django admin."""
    match = getattr(request, "resolver_match", None)
    namespace, name = (match.namespace, match.url_name) if match else ("", "")
    section = SECTIONS.get((namespace, name)) or SECTIONS.get((namespace, "*"), "")
    user = getattr(request, "user", None)
    staff = bool(user is not None and user.is_authenticated and user.is_staff)
    in_backoffice = namespace in BACKOFFICE_NAMESPACES or staff
    return {
        "nav_section": section,
        "in_backoffice": in_backoffice,
        "can_open_admin": staff and _admin_rights(user),
        # The client user's permission codes, for menus (the server checks each view anyway).
        "client_permissions": set(getattr(user, "permissions", []))
        if user is not None and user.is_authenticated and user.is_active
        else set(),
    }


def _admin_rights(user: Any) -> bool:
    """The Django admin (« Administration technique ») shows only the models one may change."""
    if user.is_superuser:
        return True
    return any(not permission.startswith("backoffice.") for permission in user.get_all_permissions())
