"""« Suivre mon courrier d'activation »: the first user follows their letter and asks for a new one
(issue 24, point 1), and the back office sees and may refuse those requests."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client

from espace.accounts.enums import UserStatus
from espace.accounts.models import User
from espace.core.models import AuditEvent
from espace.letters.enums import AuditAction as LettersAuditAction
from espace.letters.enums import LetterRequestKind, LetterRequestStatus, LetterStatus
from espace.letters.models import Letter, LetterRequest
from espace.letters.services import letters_export
from espace.registration.services import registrations_expire
from tests.accounts.factories import PASSWORD, UserFactory
from tests.accounts.helpers import last_code, register_admin
from tests.accounts.test_login import letter_code, login
from tests.conftest import verified_login
from tests.establishments.factories import EstablishmentFactory

pytestmark = pytest.mark.django_db

START = "/connexion/suivi-courrier/"
CODE = "/connexion/suivi-courrier/code/"
STATUS = "/connexion/suivi-courrier/mon-courrier/"
REQUEST = "/connexion/suivi-courrier/demande/"
RESEND = "/connexion/suivi-courrier/code/renvoyer/"


def text(response) -> str:
    html = response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')
    return re.sub(r"[A-Za-z0-9]{64}", "", html)  # CSRF tokens


def tracking_mails(address: str) -> list:
    return [m for m in mail.outbox if address in m.to and "suivre votre courrier" in m.subject.lower()]


@pytest.fixture
def first_user(client, run_tasks, clock):
    """A first user who registered (CAS 1): their letter is generated, not yet exported."""
    establishment = EstablishmentFactory(legal_name="OPH DU VAL", address_line1="1 rue du Port")
    register_admin(client, establishment, run_tasks, email="p@example.org")
    run_tasks()
    return User.objects.get(username="pdurand")


def open_tracking(browser: Client, run_tasks, username: str = "pdurand", email: str = "p@example.org"):
    assert browser.post(START, {"username": username})["Location"] == CODE
    run_tasks()
    response = browser.post(CODE, {"code": last_code(email)})
    assert response.status_code == 302 and response["Location"] == STATUS
    return browser.get(STATUS)


def test_identifier_and_email_code_show_where_the_letter_stands(first_user, run_tasks, clock, tmp_path):
    browser = Client()
    page = text(open_tracking(browser, run_tasks))
    letter = Letter.objects.get(account_holder=first_user)
    assert letter.reference in page
    assert "généré, en attente de remise au routeur" in page
    assert "30 jours restants" in page
    assert "1 rue du Port" in page  # the address the letter goes to
    assert "Votre courrier a été généré le" in page  # too early to ask for another
    assert AuditEvent.objects.filter(action=LettersAuditAction.LETTER_TRACKING_OPENED, actor=first_user).exists()

    letters_export(out_dir=tmp_path)
    clock.shift(timedelta(days=3))
    assert browser.get(STATUS)["Location"] == START  # the page stays open 30 minutes
    page = text(open_tracking(Client(), run_tasks))
    assert "remis au routeur pour envoi postal" in page
    assert "27 jours restants" in page


def test_the_identifier_alone_opens_nothing_and_tells_nothing(first_user, run_tasks):
    active = UserFactory(username="actif", email="actif@example.org")
    real, decoy, other = Client(), Client(), Client()
    assert real.get(STATUS)["Location"] == START
    real.post(START, {"username": "pdurand"})
    decoy.post(START, {"username": "personne"})
    other.post(START, {"username": active.username})
    run_tasks()
    # The same screen for an identifier with a letter, one without, and an active account.
    assert text(real.get(CODE)) == text(decoy.get(CODE)) == text(other.get(CODE))
    assert real.get(STATUS)["Location"] == CODE  # no page before the code
    assert len(tracking_mails("p@example.org")) == 1
    assert tracking_mails("actif@example.org") == []
    # Wrong codes get the same answers with or without a letter behind the identifier.
    for expected in ("Il vous reste 2 essai(s).", "Il vous reste 1 essai(s).", "n'est plus valable après 3 essais"):
        answers = [text(browser.post(CODE, {"code": "0000"})) for browser in (real, decoy)]
        assert all(expected in answer for answer in answers)
    # Asking for a new code answers the same too (one per 60 s, then 5 at most).
    answers = [text(browser.post(RESEND, follow=True)) for browser in (real, decoy)]
    assert all("Un code vient de vous être envoyé" in answer for answer in answers)
    assert real.post(REQUEST, {"kind": "not_received"})["Location"] == START
    assert LetterRequest.objects.count() == 0
    assert len(tracking_mails("p@example.org")) == 1


def test_not_received_makes_a_new_letter_with_a_new_code_after_ten_days(first_user, run_tasks, clock, tmp_path):
    old_code = letter_code(Letter.objects.get(account_holder=first_user), tmp_path)
    browser = Client()
    open_tracking(browser, run_tasks)
    early = browser.post(REQUEST, {"kind": "not_received"})
    assert early.status_code == 409
    assert "vous pourrez demander un nouveau courrier à partir du" in text(early)
    assert Letter.objects.filter(account_holder=first_user).count() == 1

    clock.shift(timedelta(days=10))
    browser = Client()
    open_tracking(browser, run_tasks)
    response = browser.post(REQUEST, {"kind": "not_received"}, follow=True)
    assert "L'ancien code ne fonctionne plus." in text(response)
    made = LetterRequest.objects.get(account_holder=first_user)
    assert made.kind == LetterRequestKind.NOT_RECEIVED and made.status == LetterRequestStatus.GRANTED
    assert not made.address_changed
    new_code = letter_code(made.letter, tmp_path)
    assert new_code != old_code
    assert Letter.objects.get(account_holder=first_user, superseded=True).pk != made.letter.pk
    first_user.refresh_from_db()
    assert first_user.temporary_code_expires_at - made.letter.created_at == timedelta(days=30)
    assert login(Client(), "pdurand", old_code).status_code == 400
    assert login(Client(), "pdurand", new_code)["Location"] == "/connexion/premiere/"
    assert AuditEvent.objects.filter(action=LettersAuditAction.LETTER_REQUESTED, actor=first_user).exists()
    run_tasks()
    assert any("nouveau courrier" in m.subject.lower() for m in mail.outbox if m.to == ["p@example.org"])


def test_at_most_three_new_letters(first_user, run_tasks, clock):
    for _ in range(3):
        clock.shift(timedelta(days=10))
        browser = Client()
        open_tracking(browser, run_tasks)
        assert browser.post(REQUEST, {"kind": "not_received"}).status_code == 302
    clock.shift(timedelta(days=10))
    browser = Client()
    page = text(open_tracking(browser, run_tasks))
    assert "Vous avez déjà demandé 3 nouveaux courriers" in page
    refused = browser.post(REQUEST, {"kind": "not_received"})
    assert refused.status_code == 409 and "contactez l'assistance" in text(refused)
    assert LetterRequest.objects.filter(account_holder=first_user).count() == 3


def test_after_thirty_days_the_registration_renews_in_one_step(first_user, run_tasks, clock, tmp_path):
    clock.shift(timedelta(days=31))
    registrations_expire()
    first_user.refresh_from_db()
    assert first_user.status == UserStatus.LAPSED
    browser = Client()
    page = text(open_tracking(browser, run_tasks))
    assert "Votre code temporaire a expiré" in page and "Renouveler mon inscription" in page
    wrong = browser.post(REQUEST, {"kind": "not_received"})
    assert wrong.status_code == 409 and "renouvelez votre inscription" in text(wrong)
    response = browser.post(REQUEST, {"kind": "renewal"}, follow=True)
    assert "Votre inscription est renouvelée" in text(response)
    first_user.refresh_from_db()
    assert first_user.status == UserStatus.AWAITING_ACTIVATION
    made = LetterRequest.objects.get(account_holder=first_user, kind=LetterRequestKind.RENEWAL)
    assert login(Client(), "pdurand", letter_code(made.letter, tmp_path))["Location"] == "/connexion/premiere/"
    again = browser.post(REQUEST, {"kind": "renewal"})
    assert again.status_code == 409 and "encore valable" in text(again)


def test_renewal_refused_when_someone_else_became_administrator(first_user, run_tasks, clock):
    clock.shift(timedelta(days=31))
    registrations_expire()
    UserFactory(establishment=first_user.establishment, permissions=["administer_users"])
    browser = Client()
    open_tracking(browser, run_tasks)
    response = browser.post(REQUEST, {"kind": "renewal"})
    assert response.status_code == 409 and "Un autre administrateur a été désigné" in text(response)


def test_bad_input_gets_french_4xx(first_user, run_tasks):
    browser = Client()
    assert browser.post(START, {"username": ""}).status_code == 400
    assert browser.post(START, {"username": "x" * 300}).status_code == 400
    open_tracking(browser, run_tasks)
    response = browser.post(REQUEST, {"kind": "tout"})
    assert response.status_code == 400 and "Cette demande n'existe pas." in text(response)
    assert browser.post(CODE, {"code": ""}).status_code in (302, 400)
    assert browser.get(REQUEST).status_code == 405


def test_identifier_form_is_limited_per_address(settings, first_user):
    settings.SELF_SERVICE_IP_LIMIT = 2
    browser = Client()
    for _ in range(2):
        assert browser.post(START, {"username": "inconnu"}).status_code == 302
    limited = browser.post(START, {"username": "pdurand"})
    assert limited.status_code == 429 and "Trop de demandes" in text(limited)


def test_codes_to_one_account_are_capped_per_day(settings, first_user, run_tasks):
    settings.LETTER_TRACKING_CODES_PER_DAY = 2
    for _ in range(4):
        Client().post(START, {"username": "pdurand"})
        run_tasks()
    assert len(tracking_mails("p@example.org")) == 2


def test_the_tracking_code_goes_through_real_smtp(first_user, smtp_sink, run_tasks):
    browser = Client()
    browser.post(START, {"username": "pdurand"})
    run_tasks()
    texts = smtp_sink.texts_to("p@example.org")
    found = [re.search(r"^\s+(\d{4})\s*$", body, re.MULTILINE) for body in texts if "suivre le courrier" in body]
    assert found and found[-1]
    assert browser.post(CODE, {"code": found[-1].group(1)})["Location"] == STATUS


# --- The back office ---------------------------------------------------------------------------------


@pytest.fixture
def asked(first_user, run_tasks, clock):
    """A « courrier non reçu » request, its letter waiting for the mailing house."""
    clock.shift(timedelta(days=10))
    browser = Client()
    open_tracking(browser, run_tasks)
    browser.post(REQUEST, {"kind": "not_received"})
    return LetterRequest.objects.get(account_holder=first_user)


def staff_browser(staff_factory, role: str, username: str = "agent") -> Client:
    browser = Client()
    verified_login(browser, staff_factory(role, username=username))
    return browser


def test_back_office_sees_the_request_and_refuses_it_with_a_reason(asked, staff_factory, run_tasks, tmp_path):
    agent = staff_browser(staff_factory, "Assistance")
    listing = text(agent.get("/back-office/courriers/demandes/"))
    assert "OPH DU VAL" in listing and "courrier non reçu" in listing and "inchangée" in listing
    assert "1 en attente de remise au routeur" in text(agent.get("/back-office/courriers/"))
    detail_url = f"/back-office/courriers/demandes/{asked.public_id}/"
    empty = agent.post(detail_url, {"reason": "  "})
    assert empty.status_code == 400 and "Indiquez le motif du refus" in text(empty)
    code = letter_code(asked.letter, tmp_path)
    response = agent.post(detail_url, {"reason": "Adresse à vérifier avec l'établissement."}, follow=True)
    assert "Demande refusée" in text(response)
    asked.refresh_from_db()
    asked.letter.refresh_from_db()
    assert asked.status == LetterRequestStatus.REFUSED and asked.refused_by.username == "agent"
    assert asked.letter.superseded and not asked.letter.pdf
    assert letters_export(out_dir=tmp_path / "lot").letters == []  # never leaves
    assert login(Client(), "pdurand", code).status_code == 400  # no code works any more
    assert AuditEvent.objects.filter(action=LettersAuditAction.LETTER_REQUEST_REFUSED).exists()
    run_tasks()
    refusal = [m for m in mail.outbox if m.to == ["p@example.org"] and "n'a pas été retenue" in m.subject]
    assert refusal and "Adresse à vérifier avec l'établissement." in refusal[0].body
    # The user sees the refusal and cannot ask again by themselves.
    browser = Client()
    page = text(open_tracking(browser, run_tasks))
    assert "refusé par l'assistance" in page and "Adresse à vérifier" in page
    assert "Aucun code temporaire de votre compte ne fonctionne pour le moment" in page
    assert "Saisissez-le avec votre identifiant" not in page
    assert browser.post(REQUEST, {"kind": "not_received"}).status_code == 409
    again = agent.post(detail_url, {"reason": "encore"})
    assert again.status_code == 400 and "déjà été refusée" in text(again)


def test_an_exported_letter_can_no_longer_be_refused(asked, staff_factory, tmp_path):
    letters_export(out_dir=tmp_path)
    agent = staff_browser(staff_factory, "Assistance")
    response = agent.post(f"/back-office/courriers/demandes/{asked.public_id}/", {"reason": "trop tard"})
    assert response.status_code == 400 and "déjà été remis au routeur" in text(response)
    asked.refresh_from_db()
    assert asked.status == LetterRequestStatus.GRANTED
    assert Letter.objects.get(pk=asked.letter_id).status == LetterStatus.EXPORTED


def test_a_changed_address_is_flagged(first_user, run_tasks, clock, staff_factory):
    establishment = first_user.establishment
    establishment.address_line1 = "99 avenue Nouvelle"
    establishment.save()
    clock.shift(timedelta(days=10))
    browser = Client()
    open_tracking(browser, run_tasks)
    browser.post(REQUEST, {"kind": "not_received"})
    made = LetterRequest.objects.get(account_holder=first_user)
    assert made.address_changed and "1 rue du Port" in made.previous_address_lines
    agent = staff_browser(staff_factory, "Assistance")
    assert "modifiée depuis le courrier précédent" in text(agent.get("/back-office/courriers/demandes/"))
    assert "1 rue du Port" in text(agent.get(f"/back-office/courriers/demandes/{made.public_id}/"))


def test_only_letter_staff_see_requests(asked, staff_factory, client):
    officer = staff_browser(staff_factory, "Chargé de prêts", username="charge")
    assert officer.get("/back-office/courriers/demandes/").status_code == 403
    assert officer.post(f"/back-office/courriers/demandes/{asked.public_id}/", {"reason": "x"}).status_code == 403
    # A client user, even an administrator of another establishment, never reaches the back office.
    other = UserFactory(establishment=EstablishmentFactory(), permissions=["administer_users"])
    login(client, other.username, PASSWORD)
    response = client.get(f"/back-office/courriers/demandes/{asked.public_id}/")
    assert response.status_code in (302, 403, 404)
    asked.refresh_from_db()
    assert asked.status == LetterRequestStatus.GRANTED


def test_a_tracking_session_acts_only_on_its_own_account(first_user, run_tasks, clock, client):
    """Two first users of two establishments: the tracking of one never touches the other's letter."""
    other_establishment = EstablishmentFactory()
    register_admin(client, other_establishment, run_tasks, username="mautre", email="m@example.org")
    run_tasks()
    other = User.objects.get(username="mautre")
    other_letter = Letter.objects.get(account_holder=other)
    clock.shift(timedelta(days=10))
    browser = Client()
    page = text(open_tracking(browser, run_tasks))
    assert other_letter.reference not in page and other_establishment.legal_name not in page
    browser.post(REQUEST, {"kind": "not_received"})
    assert not LetterRequest.objects.filter(account_holder=other).exists()
    assert Letter.objects.filter(account_holder=other).count() == 1
    assert not Letter.objects.get(pk=other_letter.pk).superseded


def test_no_new_letter_before_the_first_one_exists(client, run_tasks, clock):
    establishment = EstablishmentFactory()
    register_admin(client, establishment, run_tasks, email="p@example.org")
    user = User.objects.get(username="pdurand")
    Letter.objects.filter(account_holder=user).delete()  # as if the letter task had not run yet
    clock.shift(timedelta(days=11))
    browser = Client()
    open_tracking(browser, run_tasks)
    Letter.objects.filter(account_holder=user).delete()
    response = browser.post(REQUEST, {"kind": "not_received"})
    assert response.status_code == 409 and "en cours de préparation" in text(response)


def test_an_activated_account_is_told_so(first_user, run_tasks, tmp_path):
    browser = Client()
    open_tracking(browser, run_tasks)
    User.objects.filter(pk=first_user.pk).update(status=UserStatus.ACTIVE, temporary_code_expires_at=None)
    page = text(browser.get(STATUS))
    assert "Votre compte est activé" in page and "Renouveler mon inscription" not in page
