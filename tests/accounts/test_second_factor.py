"""The client users' second factor (issue 24, point 2): the establishment's policy, the login's
second step, the enrolment the policy requires, « Mon compte », resets by the administrator and
by the assistance."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from espace.accounts.enums import AuditAction, Permission
from espace.accounts.models import RecoveryCode, RecoveryCodeDevice
from espace.accounts.second_factor import recovery_codes_issue, second_factor_required, totp_pending_device
from espace.core.models import AuditEvent
from espace.establishments.enums import SecondFactorPolicy
from espace.establishments.models import Establishment
from espace.members.enums import AuditAction as MembersAuditAction
from tests.accounts.factories import PASSWORD, UserFactory
from tests.conftest import verified_login
from tests.establishments.factories import EstablishmentFactory

pytestmark = pytest.mark.django_db
STEP = "/connexion/double-authentification/"
ENROL = "/connexion/double-authentification/activation/"
ACCOUNT = "/mon-compte/double-authentification/"
HOME = "/espace/"


def text(response) -> str:
    return response.content.decode().replace("&#x27;", "'")


def policy(establishment: Establishment, value: SecondFactorPolicy) -> None:
    establishment.second_factor_policy = value
    establishment.save()


def password_login(user) -> tuple[Client, object]:
    browser = Client()
    return browser, browser.post("/connexion/", {"username": user.username, "password": PASSWORD})


def totp_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="app", confirmed=True)


def code_of(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key):06d}"


@pytest.fixture
def establishment():
    return EstablishmentFactory()


def test_the_policy_says_whom_it_concerns(establishment):
    admin = UserFactory(admin=True, establishment=establishment)
    validator = UserFactory(establishment=establishment, permissions=[Permission.VALIDATE_LOAN_REQUESTS])
    reader = UserFactory(establishment=establishment, permissions=[Permission.VIEW_PORTFOLIO])
    assert not any(second_factor_required(u) for u in (admin, validator, reader))
    policy(establishment, SecondFactorPolicy.PRIVILEGED)
    assert [second_factor_required(u) for u in (admin, validator, reader)] == [True, True, False]
    policy(establishment, SecondFactorPolicy.ALL)
    assert all(second_factor_required(u) for u in (admin, validator, reader))


def test_required_factor_is_enrolled_before_the_session_opens(establishment, run_tasks):
    policy(establishment, SecondFactorPolicy.ALL)
    user = UserFactory(establishment=establishment, permissions=[Permission.VIEW_PORTFOLIO])
    browser, response = password_login(user)
    assert response.status_code == 302 and response["Location"] == ENROL
    assert browser.get(HOME).status_code == 302  # no session yet
    page = browser.get(ENROL)
    assert page.status_code == 200 and "Activez la double authentification" in text(page)
    assert 'src="data:image/svg+xml' in text(page)  # the QR code is inline: no third party sees the key
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    wrong = browser.post(ENROL, {"token": "000000" if code_of(device) != "000000" else "111111"})
    assert wrong.status_code == 400 and "vérifiez l'heure de votre téléphone" in text(wrong)
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)  # no wait for the back-off
    done = browser.post(ENROL, {"token": code_of(device)})
    assert done.status_code == 200 and "Vos codes de secours" in text(done)
    codes = re.findall(r"<code>([a-z0-9-]{19})</code>", text(done))
    assert len(codes) == 10 and RecoveryCode.objects.filter(device__user=user).count() == 10
    assert browser.get(HOME).status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.SECOND_FACTOR_ENROLLED, target_id=str(user.public_id)).exists()
    run_tasks()
    assert any("Double authentification activée" in m.subject for m in mail.outbox)


def test_a_user_with_a_factor_passes_it_at_every_login(establishment):
    user = UserFactory(establishment=establishment)  # optional policy: enrolled of their own will
    device = totp_device(user)
    browser, response = password_login(user)
    assert response["Location"] == STEP
    assert browser.get(HOME).status_code == 302
    wrong = browser.post(STEP, {"token": "12345"})
    assert wrong.status_code == 400 and "Code incorrect ou expiré." in text(wrong)
    assert AuditEvent.objects.filter(action=AuditAction.SECOND_FACTOR_FAILED).count() == 1
    device.refresh_from_db()
    device.throttling_failure_count = 0  # the test does not wait for django-otp's back-off
    device.save()
    ok = browser.post(STEP, {"token": code_of(device)})
    assert ok.status_code == 302 and ok["Location"] == HOME
    assert browser.get(HOME).status_code == 200
    assert browser.session.get("otp_device_id") == device.persistent_id


def test_a_recovery_code_serves_once_and_the_user_is_told(establishment, run_tasks):
    user = UserFactory(establishment=establishment)
    codes = recovery_codes_issue(user=user)
    browser, _ = password_login(user)
    ok = browser.post(STEP, {"token": codes[0].upper().replace("-", " ")}, follow=True)
    assert "il vous en reste 9" in text(ok)
    run_tasks()
    assert any("Un code de secours a servi" in m.subject and "Il vous en reste 9" in m.body for m in mail.outbox)
    again, _ = password_login(user)
    assert again.post(STEP, {"token": codes[0]}).status_code == 400


def test_the_step_between_password_and_code_lasts_ten_minutes(establishment, clock):
    user = UserFactory(establishment=establishment)
    device = totp_device(user)
    browser, _ = password_login(user)
    clock.shift(timedelta(minutes=11))
    late = browser.post(STEP, {"token": code_of(device)})
    assert late.status_code == 302 and late["Location"] == "/connexion/"
    assert Client().get(STEP)["Location"] == "/connexion/"  # nobody pending
    assert Client().get(ENROL)["Location"] == "/connexion/"


def test_account_page_enrols_renews_and_disables_with_the_password(establishment, run_tasks):
    user = UserFactory(establishment=establishment)
    browser = Client()
    browser.force_login(user)
    assert "Non activée" in text(browser.get(ACCOUNT))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    enrolled = browser.post(ACCOUNT, {"action": "enrol", "token": code_of(device)})
    assert "Vos codes de secours" in text(enrolled)
    first = set(RecoveryCode.objects.filter(device__user=user).values_list("digest", flat=True))
    renewed = browser.post(ACCOUNT, {"action": "codes"})
    assert renewed.status_code == 200
    assert first.isdisjoint(RecoveryCode.objects.filter(device__user=user).values_list("digest", flat=True))
    assert AuditEvent.objects.filter(action=AuditAction.RECOVERY_CODES_ISSUED).count() == 1
    refused = browser.post(ACCOUNT, {"action": "disable", "password": "pas le bon"})
    assert refused.status_code == 400 and "incorrect" in text(refused)
    assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    assert browser.post(ACCOUNT, {"action": "unknown"}).status_code == 400
    done = browser.post(ACCOUNT, {"action": "disable", "password": PASSWORD}, follow=True)
    assert "est désactivée" in text(done)
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    assert not RecoveryCodeDevice.objects.filter(user=user).exists()
    run_tasks()
    assert any("désactivée" in m.subject for m in mail.outbox)


def test_a_required_factor_cannot_be_disabled(establishment):
    policy(establishment, SecondFactorPolicy.ALL)
    user = UserFactory(establishment=establishment)
    totp_device(user)
    browser = Client()
    browser.force_login(user)
    page = browser.get(ACCOUNT)
    assert "Désactiver la double authentification" not in text(page)
    refused = browser.post(ACCOUNT, {"action": "disable", "password": PASSWORD})
    assert refused.status_code == 400 and "impose la double authentification" in text(refused)
    assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def test_the_administrator_resets_a_colleague_never_another_establishment(establishment, run_tasks):
    policy(establishment, SecondFactorPolicy.ALL)
    admin = UserFactory(admin=True, establishment=establishment)
    colleague = UserFactory(establishment=establishment)
    totp_device(colleague)
    recovery_codes_issue(user=colleague)
    url = f"/administration/utilisateurs/{colleague.public_id}/double-authentification/reinitialiser/"

    stranger = Client()
    stranger.force_login(UserFactory(admin=True, establishment=EstablishmentFactory()))
    assert stranger.post(url).status_code == 404
    reader = Client()  # the policy requires a factor of everyone: these sessions passed one
    verified_login(reader, UserFactory(establishment=establishment, permissions=[Permission.VIEW_PORTFOLIO]))
    assert reader.post(url).status_code == 403
    assert TOTPDevice.objects.filter(user=colleague).exists()

    browser = Client()
    verified_login(browser, admin)
    card = text(browser.get(f"/administration/utilisateurs/{colleague.public_id}/"))
    assert "activée (10 codes de secours)" in card and "Réinitialiser la double authentification" in card
    done = browser.post(url, follow=True)
    assert "est réinitialisée" in text(done)
    assert not TOTPDevice.objects.filter(user=colleague, confirmed=True).exists()
    assert not RecoveryCodeDevice.objects.filter(user=colleague).exists()
    event = AuditEvent.objects.get(action=MembersAuditAction.MEMBER_SECOND_FACTOR_RESET)
    assert event.actor_id == admin.pk and event.details["by"] == "administrator"
    run_tasks()
    assert any("réinitialisée" in m.subject and "prochaine connexion" in m.body for m in mail.outbox)
    _, login = password_login(colleague)
    assert login["Location"] == ENROL  # guided to enrol again, never locked out

    again = browser.post(url, follow=True)
    assert "pas de double authentification à réinitialiser" in text(again)
    own = f"/administration/utilisateurs/{admin.public_id}/double-authentification/reinitialiser/"
    assert "se gère depuis « Mon compte »" in text(browser.post(own, follow=True))
    assert TOTPDevice.objects.filter(user=admin).exists()


def test_the_assistance_resets_an_administrators_factor_with_a_reason(establishment, staff_factory):
    admin = UserFactory(admin=True, establishment=establishment)
    totp_device(admin)
    agent = staff_factory("Assistance")
    staff = Client()
    verified_login(staff, agent)
    url = f"/back-office/utilisateurs/{admin.public_id}/double-authentification/reinitialiser/"
    page = text(staff.get(f"/back-office/etablissements/{establishment.public_id}/"))
    assert "Réinitialiser la double authentification" in page
    no_reason = staff.post(url, {"reason": " "}, follow=True)
    assert "Indiquez le motif" in text(no_reason)
    assert TOTPDevice.objects.filter(user=admin, confirmed=True).exists()
    staff.post(url, {"reason": "Identité vérifiée par rappel au standard"})
    assert not TOTPDevice.objects.filter(user=admin).exists()
    event = AuditEvent.objects.get(action=MembersAuditAction.MEMBER_SECOND_FACTOR_RESET)
    assert event.details == {"by": "staff", "reason": "Identité vérifiée par rappel au standard"}
    assert event.establishment_id == establishment.pk  # in the establishment's own journal


def test_the_administrator_sets_the_policy_and_it_is_audited(establishment):
    admin = UserFactory(admin=True, establishment=establishment)
    browser = Client(REMOTE_ADDR="198.51.100.7")
    browser.force_login(admin)
    form = {"session_idle_minutes": "30", "session_max_hours": "12", "web_networks": "", "api_networks": ""}
    bad = browser.post("/administration/parametres/", {**form, "second_factor_policy": "sometimes"})
    assert bad.status_code == 400 and "Choisissez une règle de la liste." in text(bad)
    browser.post("/administration/parametres/", {**form, "second_factor_policy": "privileged"})
    establishment.refresh_from_db()
    assert establishment.second_factor_policy == SecondFactorPolicy.PRIVILEGED
    event = AuditEvent.objects.filter(action=MembersAuditAction.SETTINGS_CHANGED).latest("pk")
    assert event.details == {"second_factor_policy": "privileged"}


def test_a_stricter_policy_leads_open_sessions_to_enrol(establishment):
    admin = UserFactory(admin=True, establishment=establishment)
    reader = UserFactory(establishment=establishment, permissions=[Permission.VIEW_PORTFOLIO])
    admin_browser, reader_browser = Client(), Client()
    admin_browser.force_login(admin)
    reader_browser.force_login(reader)
    policy(establishment, SecondFactorPolicy.PRIVILEGED)
    assert reader_browser.get(HOME).status_code == 200  # not concerned
    led = admin_browser.get("/encours/", follow=True)
    assert led.redirect_chain == [(ACCOUNT, 302)]
    assert "impose désormais la double authentification pour votre compte" in text(led)
    assert admin_browser.post("/deconnexion/").status_code == 302  # logging out stays possible
    admin_browser.force_login(admin)
    device = totp_pending_device(admin)
    enrolled = admin_browser.post(ACCOUNT, {"action": "enrol", "token": code_of(device)})
    assert enrolled.status_code == 200 and "Vos codes de secours" in text(enrolled)
    assert admin_browser.get("/encours/").status_code == 200  # enrolled: the session goes on
    policy(establishment, SecondFactorPolicy.ALL)
    assert reader_browser.get(HOME)["Location"] == ACCOUNT


def test_cancel_lets_the_held_user_go_at_once(establishment):
    user = UserFactory(establishment=establishment)
    totp_device(user)
    browser, _ = password_login(user)
    assert 'form="login-cancel"' in text(browser.get(STEP))
    cancelled = browser.post(STEP, {"action": "cancel"})
    assert cancelled.status_code == 302 and cancelled["Location"] == "/connexion/"
    assert "second_factor_pending" not in browser.session
    assert browser.get(STEP)["Location"] == "/connexion/"  # nobody is held any more
    policy(establishment, SecondFactorPolicy.ALL)
    newcomer = UserFactory(establishment=establishment)
    other, _ = password_login(newcomer)
    assert other.post(ENROL, {"action": "cancel"})["Location"] == "/connexion/"
    assert "second_factor_pending" not in other.session


def test_a_new_app_never_replaces_one_from_my_account(establishment):
    user = UserFactory(establishment=establishment)
    device = totp_device(user)
    browser = Client()
    verified_login(browser, user)
    refused = browser.post(ACCOUNT, {"action": "enrol", "token": "123456"})
    assert refused.status_code == 400 and "déjà enregistrée" in text(refused)
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 2  # the test's and verified_login's
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
