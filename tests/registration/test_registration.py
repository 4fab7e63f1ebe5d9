from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client

from espace.accounts.enums import Permission, UserStatus
from espace.accounts.models import User
from espace.core.captcha import TEST_TOKEN
from espace.letters.models import Letter
from espace.registration.enums import RegistrationKind
from espace.registration.models import Registration
from tests.accounts.factories import UserFactory
from tests.accounts.helpers import last_code, register_admin, register_member, start, to_code_step
from tests.establishments.factories import EstablishmentFactory

pytestmark = pytest.mark.django_db


def _without_csrf(html: str) -> str:
    return re.sub(r"[A-Za-z0-9]{64}", "", html)  # CSRF tokens differ per response


def test_question_page_offers_oui_and_non(client):
    html = client.get("/inscription/").content.decode().replace("&#x27;", "'")
    assert "Souhaitez-vous bénéficier des services en ligne « Prêts »" in html
    assert "OUI" in html and "NON" in html
    assert "formulaire de contact" in client.get("/inscription/non-eligible/").content.decode().replace("&#x27;", "'")


def test_step1_requires_the_captcha_and_reveals_nothing_without_it(client):
    establishment = EstablishmentFactory()
    response = client.post("/inscription/etape-1/", {"client_number": establishment.client_number, "captcha": "forged"})
    assert response.status_code == 400
    assert establishment.legal_name not in response.content.decode().replace("&#x27;", "'")
    unknown = client.post("/inscription/etape-1/", {"client_number": "999999", "captcha": "forged"})
    assert unknown.status_code == 400
    # Same page for a number that exists and one that does not, until the CAPTCHA passes.
    assert _without_csrf(unknown.content.decode()).replace("999999", "N") == _without_csrf(
        response.content.decode()
    ).replace(establishment.client_number, "N")


def test_unknown_or_inactive_number_gets_a_clear_message_with_contact_link(client):
    inactive = EstablishmentFactory(is_active=False)
    for number in ["999999", inactive.client_number]:
        response = client.post("/inscription/etape-1/", {"client_number": number, "captcha": TEST_TOKEN})
        html = response.content.decode().replace("&#x27;", "'")
        assert response.status_code == 400
        assert "Ce numéro client n'est pas reconnu" in html
        assert "/contact/" in html


def test_leading_zeros_are_accepted(client):
    establishment = EstablishmentFactory(client_number="237517")
    start(client, "000237517")
    html = client.get("/inscription/etape-2/").content.decode().replace("&#x27;", "'")
    assert establishment.legal_name in html
    assert "Vous êtes le premier utilisateur" in html


def test_step1_is_rate_limited_per_ip(client, settings):
    settings.REGISTRATION_IP_LIMIT = 3
    for _ in range(3):
        client.post("/inscription/etape-1/", {"client_number": "1", "captcha": TEST_TOKEN})
    response = client.post("/inscription/etape-1/", {"client_number": "1", "captcha": TEST_TOKEN})
    assert response.status_code == 429
    assert "Trop de tentatives" in response.content.decode().replace("&#x27;", "'")


def test_both_checkboxes_are_required_in_cas1(client):
    establishment = EstablishmentFactory()
    start(client, establishment.client_number)
    response = client.post("/inscription/etape-2/", {"accept_terms": "on"})
    assert response.status_code == 400
    assert "Vous devez accepter le rôle d'administrateur" in response.content.decode().replace("&#x27;", "'")


def test_cas1_creates_a_pending_administrator_and_a_letter(client, run_tasks):
    establishment = EstablishmentFactory()
    response = register_admin(client, establishment, run_tasks)
    assert response.status_code == 302
    done = client.get(response["Location"]).content.decode().replace("&#x27;", "'")
    assert "Votre compte a été créé avec succès." in done
    assert "Votre code temporaire a été envoyé à votre représentant légal." in done
    assert "Vous disposez de 30 jours pour activer votre compte" in done
    user = User.objects.get(username="pdurand")
    assert user.status == UserStatus.AWAITING_ACTIVATION
    assert set(user.permissions) == {p.value for p in Permission}
    assert user.must_change_password and not user.has_usable_password()
    assert user.terms_version
    run_tasks()
    letter = Letter.objects.get(account_holder=user)
    assert letter.pdf and letter.pages == 1
    assert letter.address_lines[0] == establishment.legal_representative_title
    assert user.temporary_code_expires_at is not None
    assert User.objects.get(pk=user.pk).temporary_code_hash.startswith("md5$")  # stored hashed
    confirmation = [m for m in mail.outbox if m.to == ["p@example.org"] and "inscription" in m.subject]
    assert confirmation and "pdurand" in confirmation[0].body


def test_cas2_member_waits_for_the_administrator_who_is_emailed(client, run_tasks):
    establishment = EstablishmentFactory()
    admin = UserFactory(establishment=establishment, admin=True, email="admin@example.org")
    UserFactory(establishment=establishment, permissions=[Permission.VIEW_PORTFOLIO], email="plain@example.org")
    start(client, establishment.client_number)
    html = client.get("/inscription/etape-2/").content.decode().replace("&#x27;", "'")
    assert "Raison sociale" in html and establishment.legal_name in html
    assert "Un e-mail va être envoyé à votre administrateur afin que celui-ci valide votre inscription." in html
    client.post("/inscription/etape-2/", {"accept_terms": "on"})
    form = client.get("/inscription/identite/").content.decode().replace("&#x27;", "'")
    for label in [
        "Création de demandes de prêts",
        "Validation de demandes de prêts",
        "Consultation des Dossiers",
        "Consultation des Encours",
        "Documents",
        "Créez un mot de passe",
        "Confirmez votre mot de passe",
        "au moins 3 des 4 catégories",
    ]:
        assert label in form
    client.post("/inscription/etape-1/")  # a stray post does not disturb the registration
    client.session.flush  # noqa: B018
    client2 = Client()
    response = register_member(client2, establishment, run_tasks)
    assert response.status_code == 302
    done = client2.get(response["Location"]).content.decode().replace("&#x27;", "'")
    assert "Un courriel a été envoyé à votre administrateur afin que celui-ci valide votre inscription." in done
    member = User.objects.get(username="vdupont")
    assert member.status == UserStatus.AWAITING_ADMIN
    assert member.requested_permissions == ["view_portfolio", "view_documents"]
    assert member.permissions == []
    assert member.check_password("Val-12345-prets")
    run_tasks()
    notices = [m for m in mail.outbox if m.to == [admin.email]]
    assert len(notices) == 1
    assert "Valérie Dupont" in notices[0].body and "Consultation des Encours" in notices[0].body
    assert f"/administration/utilisateurs/{member.public_id}/" in notices[0].body
    assert not [m for m in mail.outbox if m.to == ["plain@example.org"]]
    assert [m for m in mail.outbox if m.to == ["v@example.org"] and "vdupont" in m.body and "Confirmation" in m.subject]


def test_pending_administrator_makes_the_next_registrant_cas2(client, run_tasks):
    establishment = EstablishmentFactory()
    register_admin(client, establishment, run_tasks)
    other = Client()
    start(other, establishment.client_number)
    assert "Raison sociale" in other.get("/inscription/etape-2/").content.decode().replace("&#x27;", "'")


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("ab", "de 3 à 50 caractères"),
        ("pierre durand", "de 3 à 50 caractères"),
        ("123456", "numéro client"),
        ("000123456", "numéro client"),
        ("OPH-Test", "nom de votre établissement"),
        ("TAKEN", "déjà utilisé"),
    ],
)
def test_identifier_rules(client, run_tasks, username, message):
    establishment = EstablishmentFactory(client_number="123456", legal_name="OPH TEST")
    UserFactory(username="taken")
    start(client, establishment.client_number)
    client.post("/inscription/etape-2/", {"accept_admin_role": "on", "accept_terms": "on"})
    response = client.post(
        "/inscription/identite/", {"username": username, "last_name": "D", "first_name": "P", "email": "p@example.org"}
    )
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    assert Registration.objects.count() == 0


def test_member_password_rule_is_checked_on_the_server(client):
    establishment = EstablishmentFactory()
    UserFactory(establishment=establishment, admin=True)
    start(client, establishment.client_number)
    client.post("/inscription/etape-2/", {"accept_terms": "on"})
    for password, message in [
        ("Court1!", "au moins 8"),
        ("toutenminuscules", "3 des 4"),
        ("Vdupont-2026", "identifiant"),
        ("Password1", "trop courant"),
    ]:
        response = client.post(
            "/inscription/identite/",
            {
                "username": "vdupont",
                "last_name": "Dupont",
                "first_name": "Valérie",
                "email": "v@example.org",
                "password1": password,
                "password2": password,
            },
        )
        assert response.status_code == 400, password
        assert message in response.content.decode().replace("&#x27;", "'"), (
            password,
            response.content.decode().replace("&#x27;", "'")[-3000:],
        )
    mismatch = client.post(
        "/inscription/identite/",
        {
            "username": "vdupont",
            "last_name": "Dupont",
            "first_name": "Valérie",
            "email": "v@example.org",
            "password1": "Val-12345-prets",
            "password2": "Val-12345-pret",
        },
    )
    assert "pas identiques" in mismatch.content.decode().replace("&#x27;", "'")
    long_unicode = "Ça-va-très-bien-Été-" * 6 + "1"
    ok = client.post(
        "/inscription/identite/",
        {
            "username": "vdupont",
            "last_name": "Dupont",
            "first_name": "Valérie",
            "email": "v@example.org",
            "password1": long_unicode,
            "password2": long_unicode,
        },
    )
    assert ok.status_code == 302


def test_three_wrong_codes_kill_the_code(client, run_tasks):
    establishment = EstablishmentFactory()
    to_code_step(client, establishment)
    run_tasks()
    code = last_code("p@example.org")
    wrong = "0000" if code != "0000" else "1111"
    assert "Il vous reste 2 essai" in client.post("/inscription/code/", {"code": wrong}).content.decode().replace(
        "&#x27;", "'"
    )
    client.post("/inscription/code/", {"code": wrong})
    third = client.post("/inscription/code/", {"code": wrong})
    assert "demandez un nouveau code" in third.content.decode().replace("&#x27;", "'")
    assert client.post("/inscription/code/", {"code": code}).status_code == 400
    assert not User.objects.exists()


def test_code_expires_after_15_minutes(client, run_tasks, clock):
    establishment = EstablishmentFactory()
    to_code_step(client, establishment)
    run_tasks()
    code = last_code("p@example.org")
    clock.shift(timedelta(minutes=15, seconds=1))
    response = client.post("/inscription/code/", {"code": code})
    assert response.status_code == 400
    assert "expiré" in response.content.decode().replace("&#x27;", "'")


def test_resend_is_throttled_and_limited_to_five_codes(client, run_tasks, clock):
    establishment = EstablishmentFactory()
    to_code_step(client, establishment)
    response = client.post("/inscription/code/renvoyer/", follow=True)
    assert "Vous pourrez en demander un nouveau dans" in response.content.decode().replace("&#x27;", "'")
    for _ in range(4):
        clock.shift(timedelta(seconds=61))
        client.post("/inscription/code/renvoyer/")
    clock.shift(timedelta(seconds=61))
    response = client.post("/inscription/code/renvoyer/", follow=True)
    assert "trop de codes" in response.content.decode().replace("&#x27;", "'")
    run_tasks()
    assert Registration.objects.get().codes_sent == 5
    # only the last code works
    code = last_code("p@example.org")
    assert client.post("/inscription/code/", {"code": code}).status_code == 302


def test_steps_cannot_be_skipped_by_url(client):
    for url in [
        "/inscription/etape-2/",
        "/inscription/identite/",
        "/inscription/code/",
        "/inscription/terminee/",
        "/inscription/complement/",
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == "/inscription/etape-1/"


def test_replay_and_double_submit_create_one_account(client, run_tasks):
    establishment = EstablishmentFactory()
    to_code_step(client, establishment)
    run_tasks()
    code = last_code("p@example.org")
    first = client.post("/inscription/code/", {"code": code})
    second = client.post("/inscription/code/", {"code": code})
    assert first.status_code == second.status_code == 302
    assert second["Location"] == "/inscription/terminee/"
    assert client.post("/inscription/identite/", {"username": "autre"}).status_code == 302
    assert User.objects.count() == 1
    run_tasks()
    assert Letter.objects.count() == 1
    client.post("/inscription/terminer/")
    assert client.get("/inscription/terminee/")["Location"] == "/inscription/etape-1/"


def test_abandoned_registration_frees_the_identifier_when_it_expires(client, clock):
    establishment = EstablishmentFactory()
    to_code_step(client, establishment)
    other = Client()
    start(other, establishment.client_number)
    other.post("/inscription/etape-2/", {"accept_admin_role": "on", "accept_terms": "on"})
    data = {"username": "PDURAND", "last_name": "X", "first_name": "Y", "email": "y@example.org"}
    assert "déjà utilisé" in other.post("/inscription/identite/", data).content.decode().replace("&#x27;", "'")
    clock.shift(timedelta(hours=2, minutes=1))
    call_command("expire_registrations")
    assert Registration.objects.count() == 0
    assert User.objects.count() == 0
    start(other, establishment.client_number)
    other.post("/inscription/etape-2/", {"accept_admin_role": "on", "accept_terms": "on"})
    assert other.post("/inscription/identite/", data).status_code == 302


def test_first_user_overtaken_continues_as_member(client, run_tasks):
    """Two first users: the one who finishes second is told and goes on as CAS 2."""
    establishment = EstablishmentFactory()
    first, second = Client(), Client()
    to_code_step(first, establishment)
    start(second, establishment.client_number)
    second.post("/inscription/etape-2/", {"accept_admin_role": "on", "accept_terms": "on"})
    second.post(
        "/inscription/identite/",
        {"username": "jmartin", "last_name": "Martin", "first_name": "Jeanne", "email": "j@example.org"},
    )
    run_tasks()
    assert first.post("/inscription/code/", {"code": last_code("p@example.org")}).status_code == 302
    response = second.post("/inscription/code/", {"code": last_code("j@example.org")}, follow=True)
    html = response.content.decode().replace("&#x27;", "'")
    assert "vient de s'inscrire en tant qu'administrateur" in html
    assert "Créez un mot de passe" in html
    response = second.post(
        "/inscription/complement/",
        {"password1": "Bleu-Ciel-2026", "password2": "Bleu-Ciel-2026", "services": ["view_dossiers"]},
    )
    assert response.status_code == 302
    assert User.objects.get(username="pdurand").status == UserStatus.AWAITING_ACTIVATION
    jeanne = User.objects.get(username="jmartin")
    assert jeanne.status == UserStatus.AWAITING_ADMIN
    assert jeanne.requested_permissions == ["view_dossiers"]
    assert Registration.objects.get(user=jeanne).kind == RegistrationKind.MEMBER


def test_bad_input_never_500(client):
    establishment = EstablishmentFactory()
    assert client.post("/inscription/etape-1/", {"client_number": "abc" * 50, "captcha": TEST_TOKEN}).status_code == 400
    start(client, establishment.client_number)
    client.post("/inscription/etape-2/", {"accept_admin_role": "on", "accept_terms": "on"})
    response = client.post(
        "/inscription/identite/",
        {
            "username": "x" * 500,
            "email": "pas-une-adresse",
            "phone": "<script>",
            "last_name": "",
            "first_name": "é" * 200,
        },
    )
    assert response.status_code == 400
    html = response.content.decode().replace("&#x27;", "'")
    assert "Saisissez une adresse e-mail valide." in html
    assert "Ce champ est obligatoire." in html
    assert "<script>" not in html
