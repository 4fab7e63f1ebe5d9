from __future__ import annotations

import re
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from espace.accounts.enums import AuditAction, UserStatus
from espace.accounts.models import User
from espace.core.models import AuditEvent
from espace.letters.models import Letter
from tests.accounts.factories import PASSWORD, UserFactory
from tests.accounts.helpers import register_admin
from tests.establishments.factories import EstablishmentFactory

pytestmark = pytest.mark.django_db


def _without_csrf(html: str) -> str:
    return re.sub(r"[A-Za-z0-9]{64}", "", html)  # CSRF tokens differ per response


def login(client: Client, username: str, password: str):
    return client.post("/connexion/", {"username": username, "password": password})


def letter_code(letter: Letter, tmp_path: Path) -> str:
    pdf = tmp_path / "letter.pdf"
    with letter.pdf.open("rb") as handle:
        pdf.write_bytes(handle.read())
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    found = re.search(r"\b([A-Z2-9]{4} [A-Z2-9]{4} [A-Z2-9]{4})\b", text)
    assert found, text
    return found.group(1)


def test_active_user_logs_in_and_sees_only_their_services(client):
    user = UserFactory(permissions=["view_portfolio"])
    response = login(client, user.username.upper(), PASSWORD)  # identifiers are case-insensitive
    assert response.status_code == 302 and response["Location"] == "/espace/"
    home = client.get("/espace/")
    html = home.content.decode().replace("&#x27;", "'")
    assert user.establishment.legal_name in html and user.establishment.client_number in html
    assert "Encours et échéances" in html
    assert "Demandes de prêt" not in html and "Administration" not in html
    # Resources for every client; the prefilled deliberations need « Documents », which this user lacks.
    assert 'href="/ressources/"' in html and 'href="/documents/deliberations/"' not in html
    assert home.headers["Cache-Control"].startswith("max-age=0") or "no-store" in home.headers["Cache-Control"]
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_SUCCEEDED, actor=user).exists()


def test_lock_after_five_failures_lifts_after_one_hour(client, clock):
    user = UserFactory()
    for attempt in range(1, 5):
        response = login(client, user.username, "wrong")
        assert response.status_code == 400, attempt
        assert "Identifiant ou mot de passe incorrect." in response.content.decode().replace("&#x27;", "'")
    fifth = login(client, user.username, "wrong")
    assert fifth.status_code == 403
    assert "se débloquera automatiquement au bout d'une heure" in fifth.content.decode().replace("&#x27;", "'")
    assert login(client, user.username, PASSWORD).status_code == 403  # right password, still locked
    clock.shift(timedelta(minutes=59))
    assert login(client, user.username, PASSWORD).status_code == 403
    clock.shift(timedelta(minutes=2))
    assert login(client, user.username, PASSWORD).status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_LOCKED).count() == 1


def test_second_lock_within_24_hours_needs_a_reset(client, clock):
    user = UserFactory()
    for _ in range(5):
        login(client, user.username, "wrong")
    clock.shift(timedelta(minutes=61))
    for _ in range(5):
        response = login(client, user.username, "wrong")
    assert "Mot de passe oublié" in response.content.decode().replace("&#x27;", "'")
    clock.shift(timedelta(hours=3))
    response = login(client, user.username, PASSWORD)
    assert response.status_code == 403
    assert "choisissez un nouveau mot de passe" in response.content.decode().replace("&#x27;", "'")


def test_unknown_and_existing_identifiers_answer_the_same(client):
    user = UserFactory()
    for _ in range(5):
        known = login(client, user.username, "wrong")
        unknown = login(client, "personne-inconnue", "wrong")
        assert known.status_code == unknown.status_code
        assert _without_csrf(known.content.decode()).replace(user.username, "X") == _without_csrf(
            unknown.content.decode()
        ).replace("personne-inconnue", "X")
    assert known.status_code == 403


def test_per_ip_throttle(client, settings):
    settings.LOGIN_IP_FAILURES_LIMIT = 3
    for i in range(3):
        login(client, f"someone{i}", "wrong")
    response = login(client, "someone-else", "wrong")
    assert response.status_code == 429


def test_status_messages_need_the_right_password(client):
    pending = UserFactory(status=UserStatus.AWAITING_ADMIN)
    deactivated = UserFactory(status=UserStatus.DEACTIVATED)
    for user, text in [(pending, "en attente de validation"), (deactivated, "désactivé")]:
        assert text not in login(client, user.username, "wrong").content.decode().replace("&#x27;", "'")
        response = login(client, user.username, PASSWORD)
        assert response.status_code == 400
        assert text in response.content.decode().replace("&#x27;", "'")
        assert "_auth_user_id" not in client.session


def test_post_without_csrf_token_is_refused():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/connexion/", {"username": "a", "password": "b"})
    assert response.status_code == 403
    assert "Session expirée" in response.content.decode().replace("&#x27;", "'")


def test_first_login_with_the_letter_code_then_new_password(client, run_tasks, tmp_path):
    establishment = EstablishmentFactory()
    register_admin(client, establishment, run_tasks)
    run_tasks()
    user = User.objects.get(username="pdurand")
    code = letter_code(Letter.objects.get(account_holder=user), tmp_path)
    browser = Client()
    response = login(browser, "pdurand", code.lower().replace(" ", ""))
    assert response.status_code == 302 and response["Location"] == "/connexion/premiere/"
    assert browser.get("/espace/").status_code == 302  # nothing else before the new password
    weak = browser.post("/connexion/premiere/", {"new_password1": "abcdefgh", "new_password2": "abcdefgh"})
    assert weak.status_code == 400
    response = browser.post(
        "/connexion/premiere/", {"new_password1": "Nouveau-Depart-7", "new_password2": "Nouveau-Depart-7"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.status == UserStatus.ACTIVE and user.has_usable_password() and not user.temporary_code_hash
    assert "Administration" in browser.get("/espace/").content.decode().replace("&#x27;", "'")
    # The temporary code is single use.
    assert login(Client(), "pdurand", code).status_code == 400
    assert login(Client(), "pdurand", "Nouveau-Depart-7").status_code == 302


def test_registration_lapses_after_30_days(client, run_tasks, clock, tmp_path):
    establishment = EstablishmentFactory()
    register_admin(client, establishment, run_tasks)
    run_tasks()
    user = User.objects.get(username="pdurand")
    code = letter_code(Letter.objects.get(account_holder=user), tmp_path)
    clock.shift(timedelta(days=30, minutes=1))
    response = login(Client(), "pdurand", code)
    assert response.status_code == 400
    assert "Votre inscription a expiré" in response.content.decode().replace("&#x27;", "'")
    # The establishment is back to CAS 1 and the identifier can be chosen again: the old
    # registration lapses then (or at the daily `expire_registrations`, whichever comes first).
    again = Client()
    register_admin(again, establishment, run_tasks)
    assert User.objects.filter(username="pdurand", status=UserStatus.AWAITING_ACTIVATION).count() == 1
    user.refresh_from_db()
    assert user.status == UserStatus.LAPSED


def test_daily_command_lapses_unactivated_administrators(client, run_tasks, clock):
    establishment = EstablishmentFactory()
    register_admin(client, establishment, run_tasks)
    clock.shift(timedelta(days=29))
    call_command("expire_registrations")
    assert User.objects.get().status == UserStatus.AWAITING_ACTIVATION
    clock.shift(timedelta(days=1, minutes=1))
    call_command("expire_registrations")
    assert User.objects.get().status == UserStatus.LAPSED


def test_logout_requires_post_and_ends_the_session(client):
    user = UserFactory()
    login(client, user.username, PASSWORD)
    assert client.get("/deconnexion/").status_code == 405
    client.post("/deconnexion/")
    assert client.get("/espace/").status_code == 302


def test_idle_and_absolute_session_timeouts(client, clock):
    user = UserFactory()
    login(client, user.username, PASSWORD)
    clock.shift(timedelta(minutes=29))
    assert client.get("/espace/").status_code == 200
    clock.shift(timedelta(minutes=31))
    response = client.get("/espace/", follow=True)
    assert "30 minutes d'inactivité" in response.content.decode().replace("&#x27;", "'")
    login(client, user.username, PASSWORD)
    for _ in range(25):
        clock.shift(timedelta(minutes=29))
        client.get("/espace/")
    response = client.get("/espace/", follow=True)
    assert "12 heures" in response.content.decode().replace("&#x27;", "'")


def test_other_establishment_user_and_staff_cannot_reach_client_home(client):
    staff = User.objects.create_user(username="agent", email="a@example.org", password=PASSWORD, is_staff=True)
    client.force_login(staff)
    assert client.get("/espace/").status_code == 403
