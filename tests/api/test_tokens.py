"""Tokens: who may issue and revoke them, what each refusal answers, and what the journal keeps."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from espace.accounts.enums import Permission
from espace.api.enums import ApiScope, AuditAction
from espace.api.models import ApiToken
from espace.api.services import api_token_create, api_token_revoke, token_digest
from espace.core import clock
from espace.core.exceptions import ApplicationError
from espace.core.models import AuditEvent
from espace.members.services import member_deactivate, member_set_permissions
from tests.accounts.factories import UserFactory
from tests.api.factories import bearer, dossier_of, issue_token
from tests.documents.factories import DocumentFactory

pytestmark = pytest.mark.django_db

PORTFOLIO_URLS = [
    "/api/v1/loans",
    "/api/v1/loans/{loan}",
    "/api/v1/instalments?due_from=2027-01-01&due_to=2027-12-31",
    "/api/v1/guaranteed-debt",
    "/api/v1/guaranteed-debt/loans",
    "/api/v1/exports/schedules.csv",
]
ANY_TOKEN_URLS = ["/api/v1/establishment", "/api/v1/rates/livret-a"]
DOSSIER_URLS = ["/api/v1/dossiers", "/api/v1/dossiers/{dossier}"]
DOCUMENT_URLS = ["/api/v1/documents", "/api/v1/documents/{document}/content"]
ALL_URLS = PORTFOLIO_URLS + DOSSIER_URLS + DOCUMENT_URLS + ANY_TOKEN_URLS
SCOPED_URLS = [
    *((url, "portfolio") for url in PORTFOLIO_URLS),
    *((url, "dossiers") for url in DOSSIER_URLS),
    *((url, "documents") for url in DOCUMENT_URLS),
]


def target(url: str, world) -> str:
    """The URL with identifiers of world.oph's own loan, dossier and document (made when asked for)."""
    ids = {"loan": world.plus.public_id}
    if "{dossier}" in url:
        ids["dossier"] = dossier_of(world.oph).public_id
    if "{document}" in url:
        ids["document"] = DocumentFactory(establishment=world.oph).public_id
    return url.format(**ids)


def refusals(reason: str) -> int:
    return AuditEvent.objects.filter(action=AuditAction.API_REQUEST_REFUSED, details__reason=reason).count()


# --- Issue and storage ------------------------------------------------------------------------


def test_token_is_stored_hashed_and_shown_once(world):
    token, clear = issue_token(world.oph, scopes=("documents", "portfolio"))
    assert re.fullmatch(r"ep_[A-Za-z0-9_-]{43}", clear)
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.token_hash == token_digest(clear) and clear not in str(stored.__dict__)
    assert stored.prefix == clear[:11]
    assert stored.scopes == ["portfolio", "documents"]  # the enum's order
    event = AuditEvent.objects.get(action=AuditAction.API_TOKEN_CREATED)
    assert clear not in str(event.details) and event.establishment_id == world.oph.pk


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"scopes": []}, "scopes"),
        ({"scopes": ["administer_users"]}, "scopes"),
        ({"scopes": ["create_loan_requests"]}, "scopes"),
        ({"name": "  "}, "name"),
        ({"expires_on": "today"}, "expires_on"),
        ({"expires_on": "366 days"}, "expires_on"),
        ({"allowed_networks": ["10.0.0.0/33"]}, "allowed_networks"),
        ({"allowed_networks": ["intranet"]}, "allowed_networks"),
        ({"allowed_networks": [f"192.0.2.{n}" for n in range(21)]}, "allowed_networks"),
    ],
)
def test_issue_refuses_what_an_administrator_may_not_grant(world, changes, field):
    admin = UserFactory(establishment=world.oph, admin=True)
    today = clock.today()
    arguments = {
        "name": "Logiciel",
        "scopes": ["portfolio"],
        "expires_on": today + timedelta(days=30),
        "allowed_networks": [],
        **changes,
    }
    if changes.get("expires_on") == "today":
        arguments["expires_on"] = today
    if changes.get("expires_on") == "366 days":
        arguments["expires_on"] = today + timedelta(days=366)
    with pytest.raises(ApplicationError) as refused:
        api_token_create(establishment=world.oph, created_by=admin, **arguments)
    assert refused.value.field == field
    assert not ApiToken.objects.exists()


def test_a_year_is_the_longest_validity_and_networks_are_normalised(world):
    token, _clear = issue_token(
        world.oph, expires_on=clock.today() + timedelta(days=365), networks=("192.0.2.7", "2001:db8::/64", "192.0.2.7")
    )
    assert token.allowed_networks == ["192.0.2.7/32", "2001:db8::/64"]


def test_only_an_administrator_of_the_establishment_issues_or_revokes(world):
    reader = UserFactory(establishment=world.oph, permissions=[Permission.VIEW_PORTFOLIO])
    outsider = UserFactory(establishment=world.commune, admin=True)
    for user in (reader, outsider):
        with pytest.raises(PermissionDenied):
            api_token_create(
                establishment=world.oph,
                created_by=user,
                name="x",
                scopes=["portfolio"],
                expires_on=clock.today() + timedelta(days=1),
                allowed_networks=[],
            )
    token, _clear = issue_token(world.oph)
    with pytest.raises(PermissionDenied):
        api_token_revoke(token=token, revoked_by=outsider)
    second_admin = UserFactory(establishment=world.oph, admin=True)
    api_token_revoke(token=token, revoked_by=second_admin)  # any administrator of the establishment
    with pytest.raises(ApplicationError):
        api_token_revoke(token=token, revoked_by=second_admin)


# --- Refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ALL_URLS)
def test_no_token_or_an_unknown_one_is_a_401(client, world, url):
    url = target(url, world)
    for headers in ({}, {"HTTP_AUTHORIZATION": "Basic dXNlcjpwYXNz"}, bearer("ep_inconnu"), bearer("x" * 5000)):
        response = client.get(url, **headers)
        assert response.status_code == 401
        assert response.json()["error"] in {"missing_token", "invalid_token"}


@pytest.mark.parametrize("url, scope", SCOPED_URLS)
def test_a_token_without_the_endpoints_scope_is_a_403(client, world, url, scope):
    _token, clear = issue_token(world.oph, scopes=tuple(other for other in ApiScope.values if other != scope))
    response = client.get(target(url, world), **bearer(clear))
    assert response.status_code == 403
    assert response.json()["error"] == "scope_missing"
    assert refusals("scope_missing") == 1


def test_another_establishments_loan_is_a_404(client, world):
    _token, clear = issue_token(world.other_commune)  # guarantees the PLS only
    response = client.get(f"/api/v1/loans/{world.plus.public_id}", **bearer(clear))
    assert response.status_code == 404 and response.json()["error"] == "not_found"
    assert client.get(f"/api/v1/loans/{world.pls.public_id}", **bearer(clear)).status_code == 200


def test_lists_never_show_another_establishments_loans(client, world):
    _token, clear = issue_token(world.other_oph)
    body = client.get("/api/v1/loans", **bearer(clear)).json()
    assert [item["number"] for item in body["items"]] == ["L9000001"]
    rows = client.get("/api/v1/instalments?due_from=2020-01-01&due_to=2070-12-31&limit=500", **bearer(clear)).json()
    assert {item["loan_number"] for item in rows["items"]} == {"L9000001"}
    csv_text = b"".join(client.get("/api/v1/exports/schedules.csv", **bearer(clear)).streaming_content).decode()
    assert "L1000001" not in csv_text and "L9000001" in csv_text


@pytest.mark.parametrize("url", ALL_URLS)
def test_an_expired_token_is_a_401(client, world, clock, url):
    _token, clear = issue_token(world.oph, expires_on=clock_today_plus(1))
    assert client.get("/api/v1/establishment", **bearer(clear)).status_code == 200
    url = target(url, world)
    clock.shift(timedelta(days=2))
    response = client.get(url, **bearer(clear))
    assert response.status_code == 401 and response.json()["error"] == "token_expired"
    assert refusals("token_expired") == 1


def clock_today_plus(days: int):
    return clock.today() + timedelta(days=days)


@pytest.mark.parametrize("url", ALL_URLS)
def test_a_revoked_token_is_a_401(client, world, url):
    token, clear = issue_token(world.oph, scopes=tuple(ApiScope.values))
    api_token_revoke(token=token, revoked_by=token.created_by)
    response = client.get(target(url, world), **bearer(clear))
    assert response.status_code == 401 and response.json()["error"] == "token_revoked"


def test_a_token_stops_when_its_creator_is_deactivated_or_loses_administration(client, world):
    creator = UserFactory(establishment=world.oph, admin=True)
    other_admin = UserFactory(establishment=world.oph, admin=True)
    _token, clear = issue_token(world.oph, admin=creator)
    assert client.get("/api/v1/loans", **bearer(clear)).status_code == 200

    member_set_permissions(member=creator, changed_by=other_admin, permissions=[Permission.VIEW_PORTFOLIO])
    response = client.get("/api/v1/loans", **bearer(clear))
    assert response.status_code == 401 and response.json()["error"] == "token_suspended"

    member_set_permissions(member=creator, changed_by=other_admin, permissions=[p.value for p in Permission])
    assert client.get("/api/v1/loans", **bearer(clear)).status_code == 200

    member_deactivate(member=creator, deactivated_by=other_admin, reason="départ")
    response = client.get("/api/v1/loans", **bearer(clear))
    assert response.status_code == 401 and response.json()["error"] == "token_suspended"
    assert refusals("token_suspended") == 2


def _cached(client, clear) -> None:
    """Two calls: the first writes the token's use (and forgets its cached row), the second reads
    and caches it; a third reads no token from the database (espace.api.token_cache)."""
    for _ in range(2):
        assert client.get("/api/v1/establishment", **bearer(clear)).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/api/v1/establishment", **bearer(clear)).status_code == 200
    assert not [query for query in captured.captured_queries if 'FROM "api_apitoken"' in query["sql"]]


def test_a_cached_token_is_refused_at_once_when_revoked(client, world):
    token, clear = issue_token(world.oph)
    _cached(client, clear)
    api_token_revoke(token=token, revoked_by=token.created_by)
    assert client.get("/api/v1/loans", **bearer(clear)).json()["error"] == "token_revoked"


def test_a_cached_token_is_suspended_at_once_with_its_creator_or_establishment(client, world):
    creator = UserFactory(establishment=world.oph, admin=True)
    other_admin = UserFactory(establishment=world.oph, admin=True)
    _token, clear = issue_token(world.oph, admin=creator)
    _cached(client, clear)
    member_set_permissions(member=creator, changed_by=other_admin, permissions=[Permission.VIEW_PORTFOLIO])
    assert client.get("/api/v1/loans", **bearer(clear)).json()["error"] == "token_suspended"
    member_set_permissions(member=creator, changed_by=other_admin, permissions=[p.value for p in Permission])
    _cached(client, clear)
    world.oph.is_active = False
    world.oph.save()
    assert client.get("/api/v1/loans", **bearer(clear)).json()["error"] == "token_suspended"


def test_a_token_of_an_inactive_establishment_is_suspended(client, world):
    _token, clear = issue_token(world.oph)
    world.oph.is_active = False
    world.oph.save()
    assert client.get("/api/v1/loans", **bearer(clear)).json()["error"] == "token_suspended"


def test_ip_allow_list_uses_the_client_address_behind_trusted_proxies(client, world, settings):
    _token, clear = issue_token(world.oph, networks=("203.0.113.0/24",))
    response = client.get("/api/v1/loans", **bearer(clear), REMOTE_ADDR="198.51.100.9")
    assert response.status_code == 403 and response.json()["error"] == "ip_not_allowed"
    assert client.get("/api/v1/loans", **bearer(clear), REMOTE_ADDR="203.0.113.40").status_code == 200
    settings.TRUSTED_PROXY_COUNT = 1
    # Behind one proxy: the address the proxy saw counts, not what the client wrote further left.
    forwarded = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "203.0.113.5, 198.51.100.9"}
    assert client.get("/api/v1/loans", **bearer(clear), **forwarded).status_code == 403
    forwarded = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "203.0.113.5"}
    assert client.get("/api/v1/loans", **bearer(clear), **forwarded).status_code == 200


def test_the_establishments_api_networks_apply_to_every_token(client, world):
    """The security policy's API networks (« Paramètres »), on top of each token's own."""
    _token, clear = issue_token(world.oph)
    _other, other_clear = issue_token(world.other_oph)
    admin = UserFactory(establishment=world.oph, admin=True)
    browser = Client(REMOTE_ADDR="198.51.100.9")
    browser.force_login(admin)
    settings_form = {
        "second_factor_policy": "optional",
        "session_idle_minutes": "30",
        "session_max_hours": "12",
        "api_networks": "203.0.113.0/24",
    }
    assert browser.post("/administration/parametres/", settings_form).status_code == 302
    response = client.get("/api/v1/loans", **bearer(clear), REMOTE_ADDR="198.51.100.9")
    assert response.status_code == 403 and response.json()["error"] == "ip_not_allowed"
    assert client.get("/api/v1/loans", **bearer(clear), REMOTE_ADDR="203.0.113.40").status_code == 200
    # Another establishment's tokens are not concerned.
    assert client.get("/api/v1/loans", **bearer(other_clear), REMOTE_ADDR="198.51.100.9").status_code == 200


def test_rate_limit_per_token_answers_429_with_retry_after(client, world, settings, clock):
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    _token, clear = issue_token(world.oph)
    _other, other_clear = issue_token(world.oph, name="Autre logiciel")
    clock.move_to("2026-11-23 09:00:15+01:00")
    for _ in range(3):
        assert client.get("/api/v1/loans", **bearer(clear)).status_code == 200
    for _ in range(3):
        response = client.get("/api/v1/loans", **bearer(clear))
        assert response.status_code == 429
        assert response["Retry-After"] == "45"
        assert response.json()["error"] == "rate_limited"
    assert refusals("rate_limited") == 1  # the first refusal of the minute only
    assert client.get("/api/v1/loans", **bearer(other_clear)).status_code == 200  # per token
    clock.shift(timedelta(seconds=46))
    assert client.get("/api/v1/loans", **bearer(clear)).status_code == 200


# --- Journal ----------------------------------------------------------------------------------


def test_uses_are_journalled_once_a_minute_per_endpoint_and_last_use_kept(client, world, clock):
    token, clear = issue_token(world.oph)
    for _ in range(5):
        client.get("/api/v1/loans", **bearer(clear), REMOTE_ADDR="192.0.2.10")
    client.get("/api/v1/establishment", **bearer(clear))
    uses = AuditEvent.objects.filter(action=AuditAction.API_TOKEN_USED)
    assert sorted(uses.values_list("details__endpoint", flat=True)) == [
        "GET /api/v1/establishment",
        "GET /api/v1/loans",
    ]
    event = uses.get(details__endpoint="GET /api/v1/loans")
    assert event.establishment_id == world.oph.pk
    assert event.target_id == str(token.public_id) and event.ip_address == "192.0.2.10"
    token.refresh_from_db()
    assert token.last_used_at == clock_now() and token.last_used_ip == "192.0.2.10"
    clock.shift(timedelta(seconds=61))
    client.get("/api/v1/loans", **bearer(clear))
    assert uses.count() == 3


def clock_now():
    return clock.now()


def test_anonymous_refusals_are_journalled_once_a_minute_per_address(client, world, clock):
    for _ in range(5):
        client.get("/api/v1/loans", **bearer("ep_inconnu"))
    client.get("/api/v1/loans")
    assert refusals("invalid_token") == 1 and refusals("missing_token") == 1
    client.get("/api/v1/loans", **bearer("ep_inconnu"), REMOTE_ADDR="192.0.2.99")
    assert refusals("invalid_token") == 2
    assert not AuditEvent.objects.filter(details__icontains="ep_inconnu").exists()


# --- Screens of « Administration » ------------------------------------------------------------


def admin_client(establishment, **extra) -> tuple[Client, object]:
    admin = UserFactory(establishment=establishment, admin=True, **extra)
    browser = Client()
    browser.force_login(admin)
    return browser, admin


def test_create_shows_the_token_once_then_lists_it(world):
    browser, admin = admin_client(world.oph)
    response = browser.post(
        "/administration/jetons-api/nouveau/",
        {
            "name": "Logiciel patrimonial",
            "scopes": ["portfolio", "dossiers"],
            "expires_on": (clock.today() + timedelta(days=30)).isoformat(),
            "allowed_networks": "203.0.113.0/24\n198.51.100.7",
        },
    )
    assert response.status_code == 200
    clear = re.search(r'value="(ep_[^"]+)"', response.content.decode()).group(1)
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get()
    assert token.token_hash == token_digest(clear) and token.created_by == admin
    assert token.allowed_networks == ["203.0.113.0/24", "198.51.100.7/32"]
    listing = browser.get("/administration/jetons-api/").content.decode()
    assert "Logiciel patrimonial" in listing and token.prefix in listing and clear not in listing
    assert "Consultation des Encours, Consultation des Dossiers" in listing
    assert "jamais" in listing


def test_create_form_errors_are_on_their_fields(world):
    browser, _admin = admin_client(world.oph)
    response = browser.post(
        "/administration/jetons-api/nouveau/",
        {
            "name": "X",
            "scopes": ["portfolio"],
            "expires_on": (clock.today() + timedelta(days=400)).isoformat(),
            "allowed_networks": "pas une adresse",
        },
    )
    assert response.status_code == 400
    assert "Un jeton est valable au plus 365 jours." in response.content.decode()
    response = browser.post(
        "/administration/jetons-api/nouveau/",
        {"name": "X", "scopes": ["administer_users"], "expires_on": "2027-01-01"},
    )
    assert response.status_code == 400 and "Droit inconnu." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoke_asks_then_revokes(world):
    browser, admin = admin_client(world.oph)
    token, clear = issue_token(world.oph)
    confirm = browser.get(f"/administration/jetons-api/{token.public_id}/revoquer/")
    assert confirm.status_code == 200 and "Révoquer définitivement" in confirm.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None  # GET changes nothing
    response = browser.post(f"/administration/jetons-api/{token.public_id}/revoquer/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_by == admin
    assert AuditEvent.objects.filter(action=AuditAction.API_TOKEN_REVOKED, target_id=str(token.public_id)).exists()
    assert "révoqué" in browser.get("/administration/jetons-api/").content.decode()
    assert Client().get("/api/v1/loans", **bearer(clear)).status_code == 401


def test_another_establishments_token_is_a_404_on_the_screens(world):
    token, _clear = issue_token(world.commune)
    browser, _admin = admin_client(world.oph)
    assert browser.get(f"/administration/jetons-api/{token.public_id}/revoquer/").status_code == 404
    assert browser.post(f"/administration/jetons-api/{token.public_id}/revoquer/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert token.name not in browser.get("/administration/jetons-api/").content.decode()


def test_suspended_tokens_are_shown_as_such(world):
    creator = UserFactory(establishment=world.oph, admin=True)
    issue_token(world.oph, admin=creator, name="Ancien logiciel")
    browser, admin = admin_client(world.oph)
    member_deactivate(member=creator, deactivated_by=admin, reason="départ")
    listing = browser.get("/administration/jetons-api/").content.decode()
    assert "suspendu" in listing


def test_the_journal_shows_token_events_to_the_administrator(world, client):
    browser, _admin = admin_client(world.oph)
    _token, clear = issue_token(world.oph, name="Compta")
    client.get("/api/v1/loans", **bearer(clear))
    journal = browser.get("/administration/journal/").content.decode()
    assert "Jeton d&#x27;API créé" in journal or "Jeton d'API créé" in journal
    assert "Jeton d&#x27;API utilisé" in journal or "Jeton d'API utilisé" in journal


def test_token_list_costs_the_same_at_2_and_20_tokens(world):
    """The state of each token needs its creator: loaded with the tokens, not one query per row."""
    browser, _admin = admin_client(world.oph)
    counts = []
    for total in (2, 20):
        while ApiToken.objects.filter(establishment=world.oph).count() < total:
            issue_token(world.oph, admin=UserFactory(establishment=world.oph, admin=True))
        browser.get("/administration/jetons-api/")
        with CaptureQueriesContext(connection) as captured:
            assert browser.get("/administration/jetons-api/").status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1], counts
