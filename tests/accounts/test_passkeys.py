"""Passkeys (issue 24, point 2): added from « Mon compte » once the app is set up, used at the
login's second step, removed by their owner, reset with the rest of the second factor. The
WebAuthn responses are real (tests/accounts/authenticator.py) and checked by py_webauthn."""

from __future__ import annotations

import json
import re
from pathlib import Path

import django_otp_webauthn
import pytest
from django.core import mail
from django.test import Client
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn import exceptions
from django_otp_webauthn.models import WebAuthnCredential

from espace.accounts.enums import AuditAction
from espace.accounts.second_factor import recovery_codes_issue
from espace.core.models import AuditEvent
from espace.members.services import member_second_factor_reset
from tests.accounts.authenticator import SoftAuthenticator
from tests.accounts.factories import PASSWORD, UserFactory
from tests.establishments.factories import EstablishmentFactory

pytestmark = pytest.mark.django_db
ORIGIN = "http://testserver"
ACCOUNT = "/mon-compte/double-authentification/"
REGISTER_BEGIN = "/mon-compte/cles-d-acces/debut/"
REGISTER_COMPLETE = "/mon-compte/cles-d-acces/fin/"
AUTH_BEGIN = "/connexion/cle-d-acces/debut/"
AUTH_COMPLETE = "/connexion/cle-d-acces/fin/"
STEP = "/connexion/double-authentification/"
HOME = "/espace/"


@pytest.fixture(autouse=True)
def relying_party(settings):
    """The test client's host is the relying party (the deployed one is SITE_URL's host)."""
    settings.OTP_WEBAUTHN_RP_ID = "testserver"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [ORIGIN]


def text(response) -> str:
    return response.content.decode().replace("&#x27;", "'")


def post_json(browser: Client, url: str, data: dict | None = None):
    return browser.post(url, json.dumps(data or {}), content_type="application/json")


def app_user(establishment=None):
    """A client user with the authenticator app and recovery codes, logged in past the factor."""
    user = UserFactory(establishment=establishment or EstablishmentFactory())
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    recovery_codes_issue(user=user)
    browser = Client()
    browser.force_login(user)
    session = browser.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return user, browser


def add_passkey(browser: Client) -> SoftAuthenticator:
    authenticator = SoftAuthenticator()
    options = post_json(browser, REGISTER_BEGIN)
    assert options.status_code == 200, options.content
    done = post_json(browser, REGISTER_COMPLETE, authenticator.create(options.json(), ORIGIN))
    assert done.status_code == 200, done.content
    return authenticator


def password_login(user) -> Client:
    browser = Client()
    response = browser.post("/connexion/", {"username": user.username, "password": PASSWORD})
    assert response["Location"] == STEP
    return browser


def test_a_passkey_is_added_from_my_account_and_told_by_email(run_tasks):
    user, browser = app_user()
    page = text(browser.get(ACCOUNT))
    assert "Aucune clé d'accès enregistrée." in page and 'id="passkey-register-button"' in page
    assert 'id="otp_webauthn_config"' in page  # the library's script and its French messages load
    options = post_json(browser, REGISTER_BEGIN).json()
    assert options["rp"] == {"id": "testserver", "name": "Espace Prêts"}
    assert options["user"]["name"] == user.username
    authenticator = SoftAuthenticator()
    done = post_json(browser, REGISTER_COMPLETE, authenticator.create(options, ORIGIN))
    assert done.status_code == 200
    passkey = WebAuthnCredential.objects.get(user=user)
    assert passkey.confirmed and passkey.name.startswith("Clé d'accès ajoutée le ")
    event = AuditEvent.objects.get(action=AuditAction.PASSKEY_ADDED)
    assert event.target_id == str(user.public_id) and event.details == {"name": passkey.name}
    page = text(browser.get(ACCOUNT))
    assert "Votre clé d'accès est enregistrée" in page and passkey.name in page and "pas encore utilisée" in page
    run_tasks()
    assert any(m.subject == "Clé d'accès ajoutée à votre compte" and passkey.name in m.body for m in mail.outbox)
    # the same device twice: the browser is told which credentials exist, and the server refuses a replay
    again = post_json(browser, REGISTER_BEGIN).json()
    assert [c["id"] for c in again["excludeCredentials"]] == [authenticator.create(again, ORIGIN)["id"]]
    stale = post_json(browser, REGISTER_COMPLETE, authenticator.create(options, ORIGIN))  # an old challenge
    assert (
        stale.status_code == 422 and stale.json()["detail"] == "La clé d'accès n'a pas pu être vérifiée : recommencez."
    )
    assert WebAuthnCredential.objects.filter(user=user).count() == 1


def test_a_failed_registration_uses_up_its_challenge():
    user, browser = app_user()
    authenticator = SoftAuthenticator()
    options = post_json(browser, REGISTER_BEGIN).json()
    wrong_site = post_json(browser, REGISTER_COMPLETE, authenticator.create(options, "https://ailleurs.example"))
    assert wrong_site.status_code == 422
    again = post_json(browser, REGISTER_COMPLETE, authenticator.create(options, ORIGIN))
    assert again.status_code == 400  # the challenge served once, even for a refused answer
    assert not WebAuthnCredential.objects.filter(user=user).exists()


def test_a_passkey_needs_the_app_first_and_a_client_session():
    user = UserFactory(establishment=EstablishmentFactory())
    browser = Client()
    browser.force_login(user)
    refused = post_json(browser, REGISTER_BEGIN)
    assert refused.status_code == 403 and "Activez d'abord la double authentification" in refused.json()["detail"]
    assert 'id="passkey-register-button"' not in text(browser.get(ACCOUNT))
    anonymous = post_json(Client(), REGISTER_BEGIN)
    assert anonymous.status_code == 403 and anonymous.json()["detail"] == "Veuillez vous connecter."
    assert not WebAuthnCredential.objects.exists()


def test_staff_have_no_passkey(staff_factory):
    staff = Client()
    staff.force_login(staff_factory("Assistance"))
    assert post_json(staff, REGISTER_BEGIN).status_code == 403


def test_a_session_not_past_the_factor_cannot_add_one():
    user, _ = app_user()
    half = Client()
    half.force_login(user)  # a session that did not pass the second factor
    refused = post_json(half, REGISTER_BEGIN)
    assert refused.status_code == 403 and "avant d'ajouter une clé d'accès" in refused.json()["detail"]


def test_the_login_s_second_step_accepts_the_passkey(run_tasks):
    user, browser = app_user()
    authenticator = add_passkey(browser)
    login = password_login(user)
    step = text(login.get(STEP))
    assert "Utiliser ma clé d'accès" in step and "Ou avec un code" in step
    assert login.get(HOME).status_code == 302  # no session before the passkey
    options = post_json(login, AUTH_BEGIN).json()
    assert [c["id"] for c in options["allowCredentials"]] == [authenticator.get(options, ORIGIN)["id"]]
    authenticator.sign_count = 0
    done = post_json(login, AUTH_COMPLETE, authenticator.get(options, ORIGIN))
    assert done.status_code == 200 and done.json()["redirect_url"] == HOME
    assert login.get(HOME).status_code == 200
    passkey = WebAuthnCredential.objects.get(user=user)
    assert login.session[DEVICE_ID_SESSION_KEY] == passkey.persistent_id
    assert passkey.last_used_at is not None and passkey.sign_count == 1
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_SUCCEEDED, target_id=str(user.public_id)).exists()
    # the same answer again, in the session the passkey opened: nobody is held for a second step any more
    replay = post_json(login, AUTH_COMPLETE, authenticator.get(options, ORIGIN))
    assert replay.status_code == 403 and "Saisissez d'abord" in replay.json()["detail"]


def test_a_passkey_answer_serves_once():
    user, browser = app_user()
    authenticator = add_passkey(browser)
    login = password_login(user)
    options = post_json(login, AUTH_BEGIN).json()
    answer = authenticator.get(options, ORIGIN)
    post_json(login, AUTH_BEGIN)  # a new challenge replaces the first: the first answer is void
    stale = post_json(login, AUTH_COMPLETE, answer)
    assert stale.status_code == 422
    again = post_json(login, AUTH_COMPLETE, answer)  # and the new challenge was consumed by the try
    assert again.status_code == 400
    assert again.json()["detail"] == "L'opération a expiré ou n'a pas été commencée : recommencez."
    assert login.get(HOME).status_code == 302


def test_another_user_s_passkey_or_a_bad_signature_is_refused_and_logged():
    user, browser = app_user()
    own_key = add_passkey(browser)
    _stranger, stranger_browser = app_user(EstablishmentFactory())
    stranger_key = add_passkey(stranger_browser)
    login = password_login(user)
    options = post_json(login, AUTH_BEGIN).json()
    mismatch = post_json(login, AUTH_COMPLETE, stranger_key.get(options, ORIGIN))
    assert mismatch.status_code == 403 and "n'est pas celle de votre compte" in mismatch.json()["detail"]
    forged = SoftAuthenticator()
    forged.credential_id = own_key.credential_id  # the user's credential id, signed with another key
    options = post_json(login, AUTH_BEGIN).json()
    bad_signature = post_json(login, AUTH_COMPLETE, forged.get(options, ORIGIN))
    assert bad_signature.status_code == 422 and "n'a pas été reconnue" in bad_signature.json()["detail"]
    assert login.get(HOME).status_code == 302
    failures = AuditEvent.objects.filter(action=AuditAction.SECOND_FACTOR_FAILED, target_id=str(user.public_id))
    assert failures.count() == 2
    unknown = SoftAuthenticator()
    options = post_json(login, AUTH_BEGIN).json()
    refused = post_json(login, AUTH_COMPLETE, unknown.get(options, ORIGIN))
    assert refused.status_code == 404 and "inconnue" in refused.json()["detail"]


def test_an_answer_for_another_site_or_malformed_is_refused():
    user, browser = app_user()
    authenticator = add_passkey(browser)
    login = password_login(user)
    options = post_json(login, AUTH_BEGIN).json()
    phishing = authenticator.get(options, "https://espace-prets.example", rp_id="espace-prets.example")
    assert post_json(login, AUTH_COMPLETE, phishing).status_code == 422
    post_json(login, AUTH_BEGIN)
    malformed = post_json(login, AUTH_COMPLETE, {"id": "x", "rawId": "x", "type": "public-key"})
    assert malformed.status_code in {400, 422} and malformed.json()["detail"]
    assert login.post(AUTH_COMPLETE, "{not json", content_type="application/json").status_code == 400
    assert login.get(HOME).status_code == 302
    assert WebAuthnCredential.objects.get(user=user).last_used_at is None


def test_without_the_password_no_passkey_ceremony_starts():
    refused = post_json(Client(), AUTH_BEGIN)
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Saisissez d'abord votre identifiant et votre mot de passe."
    assert post_json(Client(), AUTH_COMPLETE, {}).status_code == 403


def test_the_owner_removes_a_passkey_never_another_s(run_tasks):
    user, browser = app_user()
    add_passkey(browser)
    stranger, stranger_browser = app_user(EstablishmentFactory())
    add_passkey(stranger_browser)
    theirs = WebAuthnCredential.objects.get(user=stranger)
    refused = browser.post(ACCOUNT, {"action": "passkey_remove", "passkey": theirs.pk})
    assert refused.status_code == 404 and "n'existe pas ou a déjà été supprimée" in text(refused)
    assert browser.post(ACCOUNT, {"action": "passkey_remove", "passkey": "abc"}).status_code == 404
    assert WebAuthnCredential.objects.filter(pk=theirs.pk).exists()
    mine = WebAuthnCredential.objects.get(user=user)
    done = browser.post(ACCOUNT, {"action": "passkey_remove", "passkey": mine.pk}, follow=True)
    assert f"La clé d'accès « {mine.name} » est supprimée." in text(done)
    assert not WebAuthnCredential.objects.filter(user=user).exists()
    assert AuditEvent.objects.get(action=AuditAction.PASSKEY_REMOVED).details == {"name": mine.name}
    run_tasks()
    assert any(m.subject == "Clé d'accès supprimée de votre compte" for m in mail.outbox)
    assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()  # the app stays


def test_a_reset_of_the_second_factor_removes_the_passkeys_too():
    establishment = EstablishmentFactory()
    admin = UserFactory(admin=True, establishment=establishment)
    user, browser = app_user(establishment)
    add_passkey(browser)
    admin_browser = Client()
    admin_browser.force_login(admin)
    card = text(admin_browser.get(f"/administration/utilisateurs/{user.public_id}/"))
    assert "activée (10 codes de secours, 1 clé d'accès)" in card
    member_second_factor_reset(member=user, reset_by=admin)
    assert not WebAuthnCredential.objects.filter(user=user).exists()


def test_every_message_of_the_library_is_in_french():
    scripts = Path(django_otp_webauthn.__file__).parent / "static" / "django_otp_webauthn"
    english = set()
    for script in scripts.glob("*.js"):
        english |= set(re.findall(r'gettext\("([^"]+)"\)', script.read_text()))
    assert len(english) > 20
    catalog = Client().get("/cles-d-acces/messages.js").content.decode()
    missing = [message for message in english if json.dumps(message) not in catalog]
    assert missing == []
    errors = [
        c for c in vars(exceptions).values() if isinstance(c, type) and issubclass(c, exceptions.OTPWebAuthnApiError)
    ]
    with translation.override("en"):
        originals = {cls: str(cls.default_detail) for cls in errors}
    with translation.override("fr"):
        untranslated = [cls.__name__ for cls in errors if str(cls.default_detail) == originals[cls]]
    assert len(errors) > 8 and untranslated == []


def test_a_reset_ends_the_open_sessions_of_the_user(run_tasks):
    establishment = EstablishmentFactory()
    admin = UserFactory(admin=True, establishment=establishment)
    user, browser = app_user(establishment)
    assert browser.get(HOME).status_code == 200
    member_second_factor_reset(member=user, reset_by=admin)
    ended = browser.get(HOME, follow=True)
    assert ended.redirect_chain[-1][0].startswith("/connexion/")
    assert "Votre double authentification a été réinitialisée ou retirée" in text(ended)
    assert browser.get(HOME).status_code == 302


def test_changing_one_s_own_factor_keeps_one_s_session():
    user, browser = app_user()
    authenticator = add_passkey(browser)
    login = password_login(user)
    options = post_json(login, AUTH_BEGIN).json()
    passkey = WebAuthnCredential.objects.get(user=user)
    assert post_json(login, AUTH_COMPLETE, authenticator.get(options, ORIGIN)).status_code == 200
    assert login.session[DEVICE_ID_SESSION_KEY] == passkey.persistent_id
    login.post(ACCOUNT, {"action": "passkey_remove", "passkey": passkey.pk})
    assert login.get(HOME).status_code == 200  # now verified by the app
    assert login.session[DEVICE_ID_SESSION_KEY] == TOTPDevice.objects.get(user=user).persistent_id
    # logged in with a recovery code, then new codes: the session stays
    codes = recovery_codes_issue(user=user)
    again = password_login(user)
    again.post(STEP, {"token": codes[0]})
    assert again.get(HOME).status_code == 200
    assert again.post(ACCOUNT, {"action": "codes"}).status_code == 200
    assert again.get(HOME).status_code == 200
    assert again.post(ACCOUNT, {"action": "disable", "password": PASSWORD}).status_code == 302
    assert again.get(HOME).status_code == 200 and DEVICE_ID_SESSION_KEY not in again.session
