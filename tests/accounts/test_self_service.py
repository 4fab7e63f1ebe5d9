from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client

from espace.accounts.enums import AuditAction, Permission, UserStatus
from espace.accounts.models import User
from espace.core.models import AuditEvent
from tests.accounts.factories import PASSWORD, UserFactory
from tests.accounts.helpers import last_code
from tests.establishments.factories import EstablishmentFactory

pytestmark = pytest.mark.django_db


def text(response) -> str:
    """The page as a user reads it, without the per-response CSRF tokens."""
    return re.sub(r"[A-Za-z0-9]{64}", "", response.content.decode().replace("&#x27;", "'"))


def login(client: Client, username: str, password: str):
    return client.post("/connexion/", {"username": username, "password": password})


def reset_link(address: str) -> str:
    for message in reversed(mail.outbox):
        if address in message.to:
            found = re.search(r"http://[^/]+(/mot-de-passe-oublie/\S+/)", message.body)
            if found:
                return found.group(1)
    raise AssertionError("no reset link")


def test_reset_request_answers_the_same_for_known_and_unknown(client, run_tasks):
    user = UserFactory(email="known@example.org")
    known = client.post("/mot-de-passe-oublie/", {"identifier": user.username})
    unknown = client.post("/mot-de-passe-oublie/", {"identifier": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert text(known) == text(unknown)
    run_tasks()
    assert [m.to for m in mail.outbox] == [["known@example.org"]]


def test_reset_link_sets_password_unlocks_ends_sessions_and_is_single_use(client, run_tasks, clock):
    user = UserFactory(email="u@example.org")
    other_session = Client()
    assert login(other_session, user.username, PASSWORD).status_code == 302
    for _ in range(5):
        login(Client(), user.username, "wrong")
    clock.shift(timedelta(minutes=70))
    for _ in range(5):
        login(Client(), user.username, "wrong")  # second lock: only a reset gets out
    client.post("/mot-de-passe-oublie/", {"identifier": "U@example.org"})
    run_tasks()
    link = reset_link("u@example.org")
    response = client.get(link)
    assert response.status_code == 302 and "definir" in response["Location"]  # the token leaves the URL
    weak = client.post(response["Location"], {"new_password1": "court", "new_password2": "court"})
    assert weak.status_code == 400
    done = client.post(response["Location"], {"new_password1": "Nouveau-Mot-2026", "new_password2": "Nouveau-Mot-2026"})
    assert done.status_code == 302
    assert login(Client(), user.username, "Nouveau-Mot-2026").status_code == 302  # lock lifted
    assert other_session.get("/espace/").status_code == 302  # the other session ended
    assert text(Client().get(link)).count("n'est plus valable") == 1  # single use
    run_tasks()
    assert any("modifié" in m.subject for m in mail.outbox if m.to == ["u@example.org"])
    assert AuditEvent.objects.filter(action=AuditAction.PASSWORD_RESET, target_id=str(user.public_id)).exists()


def test_reset_link_expires_after_one_hour(client, run_tasks, clock):
    user = UserFactory(email="u@example.org")
    client.post("/mot-de-passe-oublie/", {"identifier": user.username})
    run_tasks()
    link = reset_link("u@example.org")
    clock.shift(timedelta(hours=1, minutes=1))
    assert client.get(link).status_code == 400


def test_reset_is_refused_to_an_administrator_awaiting_the_letter(client, run_tasks):
    UserFactory(username="pending", email="p@example.org", status=UserStatus.AWAITING_ACTIVATION, admin=True)
    client.post("/mot-de-passe-oublie/", {"identifier": "pending"})
    run_tasks()
    assert mail.outbox == []  # the letter, not an email, designates the administrator


@pytest.mark.smtp
def test_reset_and_identifier_emails_go_through_smtp(client, smtp_sink, run_tasks):
    user = UserFactory(email="smtp@example.org")
    UserFactory(email="SMTP@example.org", username="second-account")
    client.post("/mot-de-passe-oublie/", {"identifier": user.username})
    client.post("/identifiant-oublie/", {"email": "smtp@example.org"})
    run_tasks()
    texts = smtp_sink.texts_to("smtp@example.org")
    assert any("/mot-de-passe-oublie/" in t for t in texts)
    reminder = [t for t in texts if "identifiants rattachés" in t]
    assert len(reminder) == 1 and user.username in reminder[0] and "second-account" in reminder[0]


def test_identifier_reminder_answers_the_same_either_way(client, run_tasks):
    UserFactory(email="a@example.org")
    first = client.post("/identifiant-oublie/", {"email": "a@example.org"})
    second = client.post("/identifiant-oublie/", {"email": "z@example.org"})
    assert text(first) == text(second)
    assert client.post("/identifiant-oublie/", {"email": "pas-une-adresse"}).status_code == 400
    run_tasks()
    assert len(mail.outbox) == 1


def test_profile_update_and_validation(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        "/mon-compte/",
        {"last_name": "Nouveau", "first_name": "Nom", "phone": "01 02 03 04 05", "job_title": "Trésorière"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.last_name, user.job_title) == ("Nouveau", "Trésorière")
    bad = client.post("/mon-compte/", {"last_name": "", "first_name": "x", "phone": "abc"})
    assert bad.status_code == 400 and "Ce champ est obligatoire." in text(bad)


def test_password_change_needs_the_current_one_and_ends_other_sessions(client, run_tasks):
    user = UserFactory()
    login(client, user.username, PASSWORD)
    other = Client()
    login(other, user.username, PASSWORD)
    wrong = client.post(
        "/mon-compte/mot-de-passe/",
        {"current_password": "nope", "new_password1": "Autre-Chose-99", "new_password2": "Autre-Chose-99"},
    )
    assert wrong.status_code == 400 and "actuel est incorrect" in text(wrong)
    ok = client.post(
        "/mon-compte/mot-de-passe/",
        {"current_password": PASSWORD, "new_password1": "Autre-Chose-99", "new_password2": "Autre-Chose-99"},
    )
    assert ok.status_code == 302
    assert client.get("/espace/").status_code == 200  # this session stays
    assert other.get("/espace/").status_code == 302  # the other one ended
    assert AuditEvent.objects.filter(action=AuditAction.PASSWORD_CHANGED).exists()


def test_email_change_needs_password_and_code_and_tells_the_old_address(client, run_tasks):
    user = UserFactory(email="old@example.org")
    client.force_login(user)
    wrong = client.post("/mon-compte/adresse-e-mail/", {"new_email": "new@example.org", "password": "nope"})
    assert wrong.status_code == 400
    client.post("/mon-compte/adresse-e-mail/", {"new_email": "new@example.org", "password": PASSWORD})
    run_tasks()
    code = last_code("new@example.org")
    bad = client.post("/mon-compte/adresse-e-mail/code/", {"code": "0000" if code != "0000" else "1111"})
    assert "Il vous reste 2 essai" in text(bad)
    assert client.post("/mon-compte/adresse-e-mail/code/", {"code": code}).status_code == 302
    user.refresh_from_db()
    assert user.email == "new@example.org"
    run_tasks()
    notice = [m for m in mail.outbox if m.to == ["old@example.org"]]
    assert notice and "new@example.org" in notice[0].body


def test_my_permissions_is_read_only_and_names_the_administrators(client):
    establishment = EstablishmentFactory()
    UserFactory(establishment=establishment, admin=True, first_name="Anne", last_name="Admin")
    user = UserFactory(establishment=establishment, permissions=[Permission.VIEW_PORTFOLIO])
    client.force_login(user)
    html = text(client.get("/mon-compte/habilitations/"))
    assert "Consultation des Encours" in html and "Anne Admin" in html
    assert html.count("Oui</span>") == 1 and html.count("Non</span>") == 6
    assert "<form" not in html.split("Mes habilitations</h1>")[1].split("</table>")[0]


def test_administrator_home_counts_waiting_registrations(client):
    establishment = EstablishmentFactory()
    admin = UserFactory(establishment=establishment, admin=True)
    UserFactory.create_batch(2, establishment=establishment, status=UserStatus.AWAITING_ADMIN)
    UserFactory(status=UserStatus.AWAITING_ADMIN)  # another establishment's
    client.force_login(admin)
    assert "2 inscriptions en attente de votre validation" in text(client.get("/espace/"))


def test_account_pages_require_login(client):
    for url in [
        "/mon-compte/",
        "/mon-compte/mot-de-passe/",
        "/mon-compte/adresse-e-mail/",
        "/mon-compte/adresse-e-mail/code/",
        "/mon-compte/habilitations/",
    ]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/connexion/"), url
    assert User.objects.count() == 0
