from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from espace.accounts.enums import Permission, UserStatus
from espace.core.models import AuditEvent
from espace.members.enums import AuditAction
from tests.accounts.factories import PASSWORD, UserFactory
from tests.establishments.factories import EstablishmentFactory

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"[A-Za-z0-9]{64}", "", response.content.decode().replace("&#x27;", "'"))


@pytest.fixture
def establishment():
    return EstablishmentFactory()


@pytest.fixture
def admin(establishment):
    return UserFactory(establishment=establishment, admin=True, first_name="Anne", last_name="Admin")


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def pending(establishment, **kwargs):
    return UserFactory(
        establishment=establishment,
        status=UserStatus.AWAITING_ADMIN,
        requested_permissions=["view_portfolio", "view_documents"],
        **kwargs,
    )


def test_list_shows_users_with_status_permissions_and_search(admin_client, establishment):
    waiting = pending(establishment, last_name="Dupont", job_title="Responsable Finance")
    UserFactory(establishment=establishment, last_name="Zola", status=UserStatus.DEACTIVATED)
    UserFactory(last_name="Etranger")  # another establishment
    html = text(admin_client.get("/administration/utilisateurs/"))
    assert "Dupont" in html and "Responsable Finance" in html and "en attente de validation" in html
    assert "demandées :" in html and "Consultation des Encours" in html
    assert "Etranger" not in html
    filtered = text(admin_client.get("/administration/utilisateurs/", {"status": "deactivated"}))
    assert "Zola" in filtered and "Dupont" not in filtered
    searched = text(admin_client.get("/administration/utilisateurs/", {"q": waiting.username}))
    assert "Dupont" in searched and "Zola" not in searched
    assert admin_client.get("/administration/utilisateurs/", {"status": "nonsense"}).status_code == 400


def test_activate_from_the_list_without_javascript(admin_client, establishment, run_tasks):
    member = pending(establishment, email="m@example.org")
    response = admin_client.post(f"/administration/utilisateurs/{member.public_id}/activer/")
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.status == UserStatus.ACTIVE
    assert member.permissions == ["view_portfolio", "view_documents"]
    run_tasks()
    activated = [m for m in mail.outbox if m.to == ["m@example.org"]]
    assert activated and "/connexion/" in activated[0].body and "Consultation des Encours" in activated[0].body
    assert AuditEvent.objects.filter(action=AuditAction.MEMBER_ACTIVATED, establishment=establishment).exists()


def test_activate_in_place_with_htmx_returns_the_row(admin_client, establishment):
    member = pending(establishment)
    response = admin_client.post(f"/administration/utilisateurs/{member.public_id}/activer/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = text(response)
    assert html.strip().startswith(f'<tr id="member-{member.public_id}"')
    assert ">actif</span>" in html
    again = admin_client.post(f"/administration/utilisateurs/{member.public_id}/activer/", HTTP_HX_REQUEST="true")
    assert again.status_code == 400 and "pas en attente de validation" in text(again)


def test_card_validates_changed_permissions_and_names_a_second_admin(admin_client, establishment, run_tasks):
    member = pending(establishment, email="m@example.org")
    card = text(admin_client.get(f"/administration/utilisateurs/{member.public_id}/"))
    assert "Fiche d'identité" in card and "Demandée" in card and "Accordée" in card
    response = admin_client.post(
        f"/administration/utilisateurs/{member.public_id}/",
        {"permissions": ["view_portfolio", "administer_users"]},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.status == UserStatus.ACTIVE
    assert member.permissions == ["view_portfolio", "administer_users"]
    admin_client.post(f"/administration/utilisateurs/{member.public_id}/", {"permissions": ["view_portfolio"]})
    member.refresh_from_db()
    assert member.permissions == ["view_portfolio"]
    run_tasks()
    assert [m for m in mail.outbox if m.to == ["m@example.org"] and "modifiées" in m.subject]
    assert (
        admin_client.post(f"/administration/utilisateurs/{member.public_id}/", {"permissions": ["root"]}).status_code
        == 400
    )


def test_last_admin_cannot_drop_administration_or_deactivate_themself(admin_client, admin):
    response = admin_client.post(
        f"/administration/utilisateurs/{admin.public_id}/", {"permissions": ["view_portfolio"]}
    )
    assert response.status_code == 400
    assert "au moins un administrateur actif" in text(response)
    response = admin_client.post(
        f"/administration/utilisateurs/{admin.public_id}/desactiver/", {"reason": "départ"}, follow=True
    )
    assert "dernier administrateur actif" in text(response)
    admin.refresh_from_db()
    assert admin.status == UserStatus.ACTIVE and Permission.ADMINISTER_USERS.value in admin.permissions


def test_single_admin_banner_disappears_with_a_second_admin(admin_client, establishment):
    assert "n'a qu'un administrateur actif" in text(admin_client.get("/administration/utilisateurs/"))
    UserFactory(establishment=establishment, admin=True)
    assert "n'a qu'un administrateur actif" not in text(admin_client.get("/administration/utilisateurs/"))


def test_deactivation_needs_a_reason_ends_sessions_and_can_be_undone(admin_client, establishment, run_tasks):
    member = UserFactory(establishment=establishment, permissions=["view_portfolio"], email="m@example.org")
    member_browser = Client()
    assert member_browser.post("/connexion/", {"username": member.username, "password": PASSWORD}).status_code == 302
    response = admin_client.post(
        f"/administration/utilisateurs/{member.public_id}/desactiver/", {"reason": ""}, follow=True
    )
    assert "Indiquez le motif" in text(response)
    admin_client.post(f"/administration/utilisateurs/{member.public_id}/desactiver/", {"reason": "Départ en retraite"})
    member.refresh_from_db()
    assert member.status == UserStatus.DEACTIVATED and member.deactivation_reason == "Départ en retraite"
    assert member_browser.get("/espace/").status_code == 302  # the session is over
    run_tasks()
    assert [m for m in mail.outbox if m.to == ["m@example.org"] and "Départ en retraite" in m.body]
    admin_client.post(f"/administration/utilisateurs/{member.public_id}/reactiver/")
    member.refresh_from_db()
    assert member.status == UserStatus.ACTIVE and member.permissions == ["view_portfolio"]


def test_journal_shows_the_establishment_events_only(admin_client, establishment):
    member = pending(establishment)
    admin_client.post(f"/administration/utilisateurs/{member.public_id}/activer/")
    other = UserFactory(admin=True)
    Client().post("/connexion/", {"username": other.username, "password": "wrong"})
    html = text(admin_client.get("/administration/journal/"))
    assert "Utilisateur activé" in html and member.username in html
    assert other.username not in html
    filtered = text(admin_client.get("/administration/journal/", {"action": "login_failed"}))
    assert "Utilisateur activé" not in filtered.split("<tbody>")[1]


def test_list_query_count_is_constant_from_5_to_500_users(admin_client, establishment, settings):
    settings.PAGE_CACHE_SECONDS = 0  # the render's own queries (tests/members/test_page_cache.py: its copies)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get("/administration/utilisateurs/").status_code == 200
        return len(queries)

    UserFactory.create_batch(4, establishment=establishment)
    count()  # warm-up: the first request after login records the session's last-seen time
    few = count()
    UserFactory.create_batch(495, establishment=establishment, status=UserStatus.AWAITING_ADMIN)
    many = count()
    # The list must not run one query per user: administrators of large landlords have hundreds.
    assert few == many, (few, many)


def test_reminder_after_seven_days_once(establishment, admin, clock, run_tasks):
    member = pending(establishment)
    clock.shift(timedelta(days=6))
    call_command("remind_pending_registrations")
    run_tasks()
    assert mail.outbox == []
    clock.shift(timedelta(days=1, minutes=1))
    call_command("remind_pending_registrations")
    call_command("remind_pending_registrations")
    run_tasks()
    reminders = [m for m in mail.outbox if m.to == [admin.email]]
    assert len(reminders) == 1
    assert f"/administration/utilisateurs/{member.public_id}/" in reminders[0].body


def test_menu_shows_administration_only_to_administrators(client, establishment, admin):
    user = UserFactory(establishment=establishment, permissions=["view_portfolio"])
    client.force_login(user)
    assert "Liste des utilisateurs" not in text(client.get("/espace/"))
    client.force_login(admin)
    assert "Liste des utilisateurs" in text(client.get("/espace/"))
