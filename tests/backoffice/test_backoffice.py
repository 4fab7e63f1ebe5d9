from __future__ import annotations

import io
import re
import zipfile
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from pypdf import PdfReader

from espace.accounts.enums import AuditAction as AccountsAuditAction
from espace.accounts.enums import Permission, UserStatus
from espace.accounts.models import LoginGuard, RecoveryCode, RecoveryCodeDevice, User
from espace.backoffice.enums import AuditAction
from espace.backoffice.second_factor import recovery_codes_issue
from espace.core.models import AuditEvent
from espace.letters.models import Letter, LetterStatus
from espace.members.enums import AuditAction as MembersAuditAction
from espace.registration.enums import RegistrationKind
from espace.registration.selectors import registration_kind_for
from espace.support.enums import ContactStatus
from espace.support.models import ContactRequest
from tests.accounts.factories import PASSWORD, UserFactory
from tests.accounts.helpers import register_admin
from tests.accounts.test_login import letter_code, login
from tests.conftest import verified_login
from tests.establishments.factories import EstablishmentFactory

pytestmark = pytest.mark.django_db
STAFF_PASSWORD = "Agent-Pass-2026!"


def text(response) -> str:
    return re.sub(r"[A-Za-z0-9]{64}", "", response.content.decode().replace("&#x27;", "'"))


@pytest.fixture
def agent(staff_factory):
    return staff_factory("Assistance")


@pytest.fixture
def agent_client(agent):
    browser = Client()
    verified_login(browser, agent)
    return browser


def staff_password_login(browser: Client, username: str = "agent"):
    return browser.post("/back-office/connexion/", {"username": username, "password": STAFF_PASSWORD})


def reset_throttle(user) -> None:
    """One wrong code makes each device wait a second (django-otp's throttling)."""
    for model in (TOTPDevice, RecoveryCodeDevice):
        model.objects.filter(user=user).update(throttling_failure_count=0, throttling_failure_timestamp=None)


def enrolment_link(username: str = "agent", *extra: str) -> str:
    out = io.StringIO()
    call_command("staff_enrolment_link", username, *extra, stdout=out)
    return re.search(r"https?://\S+", out.getvalue()).group(0).split("testserver", 1)[-1].split("8000", 1)[-1]


def test_first_staff_login_enrols_totp_only_through_the_operator_link(agent):
    browser = Client()
    refused = staff_password_login(browser)
    assert refused.status_code == 403 and "lien d'enrôlement" in text(refused)
    assert browser.get("/back-office/connexion/enrolement/")["Location"] == "/back-office/connexion/"
    assert not TOTPDevice.objects.filter(user=agent).exists()

    link = enrolment_link()
    assert AuditEvent.objects.filter(
        action=AuditAction.STAFF_ENROLMENT_LINK_CREATED, target_id=str(agent.public_id)
    ).exists()
    assert browser.get(link)["Location"] == "/back-office/connexion/"
    assert staff_password_login(browser)["Location"] == "/back-office/connexion/enrolement/"
    page = text(browser.get("/back-office/connexion/enrolement/"))
    assert "data:image/svg+xml" in page  # QR code served inline, no third party
    device = TOTPDevice.objects.get(user=agent, confirmed=False)
    assert browser.post("/back-office/connexion/enrolement/", {"token": "000000"}).status_code == 400
    reset_throttle(agent)
    device.refresh_from_db()
    done = browser.post("/back-office/connexion/enrolement/", {"token": f"{totp(device.bin_key):06d}"})
    codes = re.findall(r"<code>([a-z0-9-]+)</code>", done.content.decode())
    assert len(codes) == 10 and all(len(code) == 19 for code in codes)
    assert browser.get("/back-office/").status_code == 200
    browser.post("/back-office/deconnexion/")
    # Single use: the same link opens nothing any more.
    assert Client().get(link).status_code == 400

    # Recovery codes are kept as digests only.
    stored = list(RecoveryCode.objects.filter(device__user=agent).values_list("digest", flat=True))
    assert len(stored) == 10 and not set(stored) & set(codes) and not any(c.replace("-", "") in stored for c in codes)

    # Next time: password, then a recovery code, which works once.
    again = Client()
    assert staff_password_login(again)["Location"] == "/back-office/connexion/verification/"
    wrong = again.post("/back-office/connexion/verification/", {"token": "zzzzzzz"})
    assert wrong.status_code == 400 and AuditEvent.objects.filter(action=AuditAction.STAFF_OTP_FAILED).exists()
    reset_throttle(agent)
    assert again.post("/back-office/connexion/verification/", {"token": codes[0].upper()}).status_code == 302
    assert again.get("/back-office/").status_code == 200
    third = Client()
    staff_password_login(third)
    assert third.post("/back-office/connexion/verification/", {"token": codes[0]}).status_code == 400


def test_staff_with_recovery_codes_cannot_skip_them_by_enrolling(agent):
    """The reported hole: password, then the enrolment page directly, would replace the codes."""
    codes = recovery_codes_issue(user=agent)
    browser = Client()
    assert staff_password_login(browser)["Location"] == "/back-office/connexion/verification/"
    response = browser.get("/back-office/connexion/enrolement/")
    assert response.status_code == 302 and response["Location"] == "/back-office/connexion/"
    assert browser.post("/back-office/connexion/enrolement/", {"token": "123456"}).status_code == 302
    assert not TOTPDevice.objects.filter(user=agent).exists()
    assert RecoveryCode.objects.filter(device__user=agent).count() == 10
    assert browser.get("/back-office/")["Location"].startswith("/back-office/connexion/")
    # Even with a link made before the codes existed, an account with a device passes its factor first.
    with pytest.raises(CommandError):
        enrolment_link()
    assert staff_password_login(browser)["Location"] == "/back-office/connexion/verification/"
    assert browser.post("/back-office/connexion/verification/", {"token": codes[1]}).status_code == 302


def test_verified_staff_replaces_the_authenticator_from_inside(agent):
    codes = recovery_codes_issue(user=agent)
    browser = Client()
    staff_password_login(browser)
    browser.post("/back-office/connexion/verification/", {"token": codes[0]})
    page = text(browser.get("/back-office/second-facteur/"))
    assert "data:image/svg+xml" in page
    device = TOTPDevice.objects.get(user=agent, confirmed=False)
    response = browser.post("/back-office/second-facteur/", {"action": "totp", "token": f"{totp(device.bin_key):06d}"})
    new_codes = re.findall(r"<code>([a-z0-9-]+)</code>", response.content.decode())
    assert len(new_codes) == 10
    assert TOTPDevice.objects.filter(user=agent, confirmed=True).count() == 1
    other = Client()
    staff_password_login(other)
    assert other.post("/back-office/connexion/verification/", {"token": codes[1]}).status_code == 400  # old codes void
    reset_throttle(agent)
    assert other.post("/back-office/connexion/verification/", {"token": new_codes[0]}).status_code == 302


def test_enrolment_link_expires_after_24_hours_and_reset_removes_devices(clock, agent):
    link = enrolment_link()
    clock.shift(timedelta(hours=24, minutes=1))
    assert Client().get(link).status_code == 400
    recovery_codes_issue(user=agent)
    link = enrolment_link("agent", "--reset")
    assert not RecoveryCode.objects.filter(device__user=agent).exists()
    browser = Client()
    browser.get(link)
    assert staff_password_login(browser)["Location"] == "/back-office/connexion/enrolement/"
    with pytest.raises(CommandError):
        call_command("staff_enrolment_link", "pdurand-inconnu")


def test_password_alone_opens_nothing(agent):
    browser = Client()
    browser.post("/back-office/connexion/", {"username": "agent", "password": STAFF_PASSWORD})
    assert browser.get("/back-office/")["Location"].startswith("/back-office/connexion/")
    admin_redirects = browser.get("/gestion/", follow=True).redirect_chain
    assert admin_redirects[-1][0].startswith("/back-office/connexion/")


def test_entrances_are_separate(agent):
    client_user = UserFactory()
    response = Client().post("/back-office/connexion/", {"username": client_user.username, "password": PASSWORD})
    assert response.status_code == 400 and "Identifiant ou mot de passe incorrect" in text(response)
    # Staff identifiers do not exist at the client entrance (separate namespaces).
    response = Client().post("/connexion/", {"username": "agent", "password": STAFF_PASSWORD})
    assert response.status_code == 400 and "Identifiant ou mot de passe incorrect" in text(response)


def test_failures_at_the_client_entrance_never_lock_a_staff_account(agent):
    recovery_codes_issue(user=agent, codes=["code-de-secours-1"])
    for _ in range(8):
        Client().post("/connexion/", {"username": "agent", "password": "mauvais"})
    assert LoginGuard.objects.get(identifier="agent").failures >= 5
    browser = Client()
    assert staff_password_login(browser)["Location"] == "/back-office/connexion/verification/"
    # A client may even hold the same identifier: namespaces are separate.
    twin = UserFactory(username="agent")
    # ...and the client counter locked above is the client's, not the staff member's.
    assert Client().post("/connexion/", {"username": "agent", "password": PASSWORD}).status_code == 403
    twin.refresh_from_db()
    assert twin.is_staff is False


def test_search_by_client_number_with_zeros_or_name(agent_client):
    establishment = EstablishmentFactory(client_number="237517", legal_name="SOC COOP HLM")
    assert "SOC COOP HLM" in text(agent_client.get("/back-office/", {"q": "000237517"}))
    assert "SOC COOP HLM" in text(agent_client.get("/back-office/", {"q": "coop"}))
    detail = text(agent_client.get(f"/back-office/etablissements/{establishment.public_id}/"))
    assert "Utilisateurs" in detail and "Journal" in detail


def test_regenerated_letter_voids_the_old_code_and_gives_30_new_days(clock, agent, client, run_tasks, tmp_path):
    establishment = EstablishmentFactory()
    register_admin(client, establishment, run_tasks, email="p@example.org")
    run_tasks()
    user = User.objects.get(username="pdurand")
    old_code = letter_code(Letter.objects.get(account_holder=user), tmp_path)
    clock.shift(timedelta(days=31))
    assert "expiré" in text(login(Client(), "pdurand", old_code))  # lapsed
    agent_client = Client()
    verified_login(agent_client, agent)
    response = agent_client.post(f"/back-office/utilisateurs/{user.public_id}/regenerer-courrier/", follow=True)
    assert "Nouveau courrier" in text(response), re.findall(r'<div class="alert[^>]*>([^<]*)<', text(response))
    user.refresh_from_db()
    assert user.status == UserStatus.AWAITING_ACTIVATION
    new_letter = Letter.objects.get(account_holder=user, superseded=False)
    new_code = letter_code(new_letter, tmp_path)
    assert new_code != old_code
    assert login(Client(), "pdurand", old_code).status_code == 400
    assert login(Client(), "pdurand", new_code)["Location"] == "/connexion/premiere/"
    assert AuditEvent.objects.filter(action=AuditAction.LETTER_REGENERATED, actor=agent).exists()
    run_tasks()
    assert any("nouveau courrier" in m.subject.lower() for m in mail.outbox if m.to == ["p@example.org"])


def test_unlock_resend_identifier_and_deactivate(agent_client, run_tasks):
    user = UserFactory(email="u@example.org", permissions=[Permission.VIEW_PORTFOLIO])
    for _ in range(5):
        login(Client(), user.username, "wrong")
    assert "bloqué" in text(agent_client.get(f"/back-office/etablissements/{user.establishment.public_id}/"))
    agent_client.post(f"/back-office/utilisateurs/{user.public_id}/debloquer/")
    assert LoginGuard.objects.get(identifier=user.username).locked_until is None
    assert login(Client(), user.username, PASSWORD).status_code == 302
    agent_client.post(f"/back-office/utilisateurs/{user.public_id}/renvoyer-identifiant/")
    agent_client.post(
        f"/back-office/utilisateurs/{user.public_id}/desactiver/", {"reason": "Demande de l'établissement"}
    )
    user.refresh_from_db()
    assert user.status == UserStatus.DEACTIVATED
    run_tasks()
    subjects = [m.subject for m in mail.outbox if m.to == ["u@example.org"]]
    assert any("débloqué" in s for s in subjects) and any("identifiant" in s.lower() for s in subjects)
    assert any("désactivé" in s for s in subjects)
    actions = set(AuditEvent.objects.filter(target_id=str(user.public_id)).values_list("action", flat=True))
    assert {
        AccountsAuditAction.LOGIN_UNLOCKED,
        AccountsAuditAction.USERNAME_REMINDER_SENT,
        MembersAuditAction.MEMBER_DEACTIVATED,
    } <= actions


def test_succession_makes_the_next_registrant_cas1(agent_client):
    establishment = EstablishmentFactory()
    admin = UserFactory(establishment=establishment, admin=True)
    assert registration_kind_for(establishment) == RegistrationKind.MEMBER
    agent_client.post(f"/back-office/etablissements/{establishment.public_id}/succession/", {"reason": "Départ"})
    admin.refresh_from_db()
    assert Permission.ADMINISTER_USERS.value not in admin.permissions and admin.status == UserStatus.ACTIVE
    assert registration_kind_for(establishment) == RegistrationKind.ADMINISTRATOR


def test_print_batch_from_the_screen(agent_client, client, run_tasks):
    for i in range(2):
        register_admin(Client(), EstablishmentFactory(), run_tasks, username=f"premier{i}", email=f"p{i}@example.org")
    run_tasks()
    response = agent_client.post("/back-office/courriers/export/")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = archive.namelist()
    merged = next(n for n in names if n.startswith("lot-"))
    manifest = next(n for n in names if n.startswith("manifest-"))
    assert len(PdfReader(io.BytesIO(archive.read(merged))).pages) == 2
    assert archive.read(manifest).decode().count("\n") == 3
    assert Letter.objects.filter(status=LetterStatus.EXPORTED).count() == 2
    again = agent_client.post("/back-office/courriers/export/", follow=True)
    assert "Aucun courrier à exporter." in text(again)
    letter = Letter.objects.first()
    agent_client.post(f"/back-office/courriers/{letter.public_id}/retourne/")
    letter.refresh_from_db()
    assert letter.status == LetterStatus.RETURNED


def test_contact_queue_answer_and_close(agent_client, agent, run_tasks):
    first = ContactRequest.objects.create(
        subject="registration",
        team="assistance",
        message="Code non reçu",
        sender_name="A",
        sender_email="a@example.org",
        reference="AS-2026-000001",
    )
    ContactRequest.objects.create(
        subject="eligibility",
        team="regional_office",
        message="Éligible ?",
        sender_name="B",
        sender_email="b@example.org",
        reference="AS-2026-000002",
    )
    listing = text(agent_client.get("/back-office/demandes/", {"team": "assistance"}))
    assert "AS-2026-000001" in listing and "AS-2026-000002" not in listing
    response = agent_client.post(f"/back-office/demandes/{first.public_id}/", {"body": "Voici un nouveau code."})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == ContactStatus.ANSWERED and first.answers.get().author == agent
    run_tasks()
    assert mail.outbox[-1].to == ["a@example.org"] and "Voici un nouveau code." in mail.outbox[-1].body
    agent_client.post(f"/back-office/demandes/{first.public_id}/", {"action": "close"})
    first.refresh_from_db()
    assert first.status == ContactStatus.CLOSED


def test_attachment_not_served_before_a_clean_scan(agent_client):
    from django.core.files.base import ContentFile

    contact = ContactRequest.objects.create(
        subject="registration",
        team="assistance",
        message="?",
        sender_name="A",
        sender_email="a@example.org",
        reference="AS-2026-000009",
        attachment_scan="pending",
        attachment_name="plan.pdf",
    )
    contact.attachment.save("x", ContentFile(b"%PDF-1.4"), save=True)
    assert agent_client.get(f"/back-office/demandes/{contact.public_id}/piece-jointe/").status_code == 404
    contact.attachment_scan = "clean"
    contact.save()
    response = agent_client.get(f"/back-office/demandes/{contact.public_id}/piece-jointe/")
    assert response.status_code == 200 and 'attachment; filename="plan.pdf"' in response["Content-Disposition"]
