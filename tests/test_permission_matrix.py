"""Every client-space URL × every kind of user: the server refuses what the menu hides.

The URL list comes from the resolver: a new view that is not classified below fails the
first test, so no view can escape the matrix.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from espace.accounts.enums import Permission, UserStatus
from tests.factories import EstablishmentFactory, UserFactory

PUBLIC = "public"
CLIENT = "client"  # any active user of an establishment

ACCESS: dict[str, object] = {
    "core:home": PUBLIC,
    "core:health": PUBLIC,
    "core:theme_css": PUBLIC,
    "core:captcha_challenge": PUBLIC,
    "core:demo_mailbox": PUBLIC,
    "core:demo_email": PUBLIC,
    "support:contact": PUBLIC,
    "support:faq": PUBLIC,
    "support:help": PUBLIC,
    "support:help_pdf": PUBLIC,
    "core:terms": PUBLIC,
    "core:legal": PUBLIC,
    "core:accessibility": PUBLIC,
    "accounts:login": PUBLIC,
    "accounts:first_login": PUBLIC,
    "accounts:logout": PUBLIC,
    "accounts:password_reset": PUBLIC,
    "accounts:password_reset_confirm": PUBLIC,
    "accounts:username_reminder": PUBLIC,
    "accounts:register": PUBLIC,
    "accounts:register_not_eligible": PUBLIC,
    "accounts:register_step1": PUBLIC,
    "accounts:register_step2": PUBLIC,
    "accounts:register_identity": PUBLIC,
    "accounts:register_code": PUBLIC,
    "accounts:register_code_resend": PUBLIC,
    "accounts:register_member_details": PUBLIC,
    "accounts:register_done": PUBLIC,
    "accounts:register_finish": PUBLIC,
    "accounts:register_cancel": PUBLIC,
    "accounts:home": CLIENT,
    "accounts:account": CLIENT,
    "accounts:account_password": CLIENT,
    "accounts:account_email": CLIENT,
    "accounts:account_email_code": CLIENT,
    "accounts:account_email_resend": CLIENT,
    "accounts:my_permissions": CLIENT,
    "members:list": Permission.ADMINISTER_USERS,
    "members:card": Permission.ADMINISTER_USERS,
    "members:activate": Permission.ADMINISTER_USERS,
    "members:deactivate": Permission.ADMINISTER_USERS,
    "members:reactivate": Permission.ADMINISTER_USERS,
    "members:journal": Permission.ADMINISTER_USERS,
}
POST_ONLY = {"members:activate", "members:deactivate", "members:reactivate", "accounts:account_email_resend"}


def named_urls(patterns=None, namespace: str = "") -> list[tuple[str, URLPattern]]:
    found = []
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or namespace
            found += named_urls(pattern.url_patterns, f"{ns}:" if pattern.namespace else namespace)
        elif pattern.name:
            found.append((f"{namespace}{pattern.name}", pattern))
    return found


def test_every_url_is_classified():
    unclassified = sorted({name for name, _ in named_urls() if not name.startswith("admin:") and name not in ACCESS})
    assert unclassified == [], f"classify these views in ACCESS: {unclassified}"


PROTECTED = sorted(name for name, rule in ACCESS.items() if rule != PUBLIC)
PROFILES = ["anonymous", "no_permission", *[p.value for p in Permission], "staff"]


def _url(name: str, member) -> str:
    pattern = dict(named_urls())[name]
    if "public_id" in pattern.pattern.converters:
        return reverse(name, kwargs={"public_id": member.public_id})
    return reverse(name)


def _expected(rule: object, profile: str) -> str:
    if profile == "anonymous":
        return "login"
    if profile == "staff":
        return "forbidden"
    if rule == CLIENT:
        return "allowed"
    return "allowed" if profile == str(rule) else "forbidden"


@pytest.mark.django_db
@pytest.mark.parametrize("name", PROTECTED)
@pytest.mark.parametrize("profile", PROFILES)
def test_matrix(client, name, profile):
    establishment = EstablishmentFactory()
    UserFactory(establishment=establishment, admin=True)  # the establishment keeps an administrator
    member = UserFactory(
        establishment=establishment, status=UserStatus.AWAITING_ADMIN, requested_permissions=["view_portfolio"]
    )
    if profile == "staff":
        client.force_login(UserFactory(establishment=None, is_staff=True))
    elif profile != "anonymous":
        permissions = [] if profile == "no_permission" else [profile]
        client.force_login(UserFactory(establishment=establishment, permissions=permissions))
    url = _url(name, member)
    response = client.post(url, {"reason": "départ"}) if name in POST_ONLY else client.get(url)
    expected = _expected(ACCESS[name], profile)
    if expected == "login":
        assert response.status_code == 302 and response["Location"].startswith("/connexion/"), response
    elif expected == "forbidden":
        assert response.status_code == 403, response
    else:
        assert response.status_code in {200, 302}, response
        assert not response.get("Location", "").startswith("/connexion/")


@pytest.mark.django_db
@pytest.mark.parametrize("name", [n for n in PROTECTED if "public_id" in dict(named_urls())[n].pattern.converters])
def test_other_establishment_administrator_gets_404(client, name):
    member = UserFactory(status=UserStatus.AWAITING_ADMIN)
    outsider = UserFactory(admin=True)  # administrator of another establishment
    client.force_login(outsider)
    url = _url(name, member)
    response = client.post(url, {"reason": "x"}) if name in POST_ONLY else client.get(url)
    assert response.status_code == 404
    member.refresh_from_db()
    assert member.status == UserStatus.AWAITING_ADMIN
