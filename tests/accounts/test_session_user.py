"""The user of each request comes from the cache, and every change of it is seen at the next request."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from espace.accounts.enums import UserStatus
from espace.accounts.models import User
from espace.accounts.session_user import KEY_PREFIX, session_user_read
from espace.establishments.services import establishments_import
from tests.accounts.factories import UserFactory
from tests.establishments.factories import EstablishmentFactory

pytestmark = pytest.mark.django_db

HOME = "/espace/"
DASHBOARD = "/encours/"


def user_queries(client, url: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return response.status_code, [q["sql"] for q in captured if '"accounts_user"."password"' in q["sql"]]


def test_the_second_request_reads_the_user_from_the_cache(client):
    user = UserFactory(permissions=["view_portfolio"])
    client.force_login(user)
    assert user_queries(client, HOME)[0] == 200
    status, queries = user_queries(client, HOME)
    assert status == 200
    assert queries == []
    assert cache.get(f"{KEY_PREFIX}{user.pk}").establishment.pk == user.establishment_id


def test_a_deactivated_user_is_logged_out_at_the_next_request(client):
    user = UserFactory(permissions=["view_portfolio"])
    client.force_login(user)
    assert client.get(HOME).status_code == 200
    user.status = UserStatus.DEACTIVATED
    user.save(update_fields=["status"])
    response = client.get(HOME)
    assert response.status_code == 302 and "/connexion/" in response["Location"]


def test_a_permission_withdrawn_by_a_queryset_update_is_seen_at_the_next_request(client):
    user = UserFactory(permissions=["view_portfolio"])
    client.force_login(user)
    assert client.get(DASHBOARD).status_code == 200
    User.objects.filter(pk=user.pk).update(perm_view_portfolio=False)
    assert client.get(DASHBOARD).status_code == 403


def test_a_bulk_update_of_users_is_seen_at_the_next_request(client):
    user = UserFactory(permissions=["view_portfolio"])
    client.force_login(user)
    assert client.get(DASHBOARD).status_code == 200
    user.perm_view_portfolio = False
    User.objects.bulk_update([user], ["perm_view_portfolio"])
    assert client.get(DASHBOARD).status_code == 403


def test_a_password_change_ends_the_other_sessions(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get(HOME).status_code == 200
    user.set_password("Un-Autre-Mot-2026")
    user.save()
    assert client.get(HOME).status_code == 302


def test_the_registry_import_renaming_an_establishment_is_seen_at_the_next_request(client):
    establishment = EstablishmentFactory(client_number="104233", legal_name="COMMUNE DE SAINT-ANDRE")
    user = UserFactory(establishment=establishment)
    client.force_login(user)
    assert "COMMUNE DE SAINT-ANDRE" in client.get(HOME).content.decode()
    header = (
        "client_number;legal_name;kind;borrower;guarantor;legal_representative_title;address_line1;"
        "address_line2;postal_code;city;regional_office;active\n"
    )
    row = "104233;COMMUNE NOUVELLE DE SAINT-ANDRE;Commune;oui;oui;Monsieur le Maire;1 place;;10120;Saint-André;;oui\n"
    report = establishments_import(raw=(header + row).encode())
    assert report.updated == 1
    assert "COMMUNE NOUVELLE DE SAINT-ANDRE" in client.get(HOME).content.decode()


def test_an_establishment_saved_forgets_its_users(client):
    user = UserFactory()
    client.force_login(user)
    client.get(HOME)
    assert cache.get(f"{KEY_PREFIX}{user.pk}") is not None
    user.establishment.legal_name = "OPH RENOMME"
    user.establishment.save()
    assert cache.get(f"{KEY_PREFIX}{user.pk}") is None
    assert "OPH RENOMME" in client.get(HOME).content.decode()


def test_a_row_read_inside_a_transaction_is_not_cached():
    user = UserFactory()
    with transaction.atomic():
        assert session_user_read(user.pk) == user
    assert cache.get(f"{KEY_PREFIX}{user.pk}") is None
    assert session_user_read(user.pk) == user
    assert cache.get(f"{KEY_PREFIX}{user.pk}") == user


@pytest.mark.parametrize("bad", [None, "", "abc", "12.5", [1]])
def test_a_session_holding_no_user_id_reads_no_user(bad):
    assert session_user_read(bad) is None


def test_a_deleted_user_is_forgotten():
    user = UserFactory()
    assert session_user_read(user.pk) == user
    pk = user.pk
    user.delete()
    assert session_user_read(pk) is None
