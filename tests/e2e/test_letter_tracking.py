"""« Suivre mon courrier d'activation » in Chromium: from the login page, identifier and e-mail code,
the letter's state, « Je n'ai pas reçu le courrier », then the back office refusing the request."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from espace.accounts.models import User
from espace.core import clock
from espace.letters.enums import LetterRequestStatus, LetterStatus
from espace.letters.models import Letter, LetterRequest
from tests.accounts.helpers import last_code, register_admin
from tests.e2e.conftest import screenshot, staff_login
from tests.establishments.factories import EstablishmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_first_user_follows_the_letter_asks_again_and_the_back_office_refuses(page: Page, new_page, run_tasks, a11y):
    establishment = EstablishmentFactory(client_number="451278", legal_name="ASSOCIATION HABITAT RHONE")
    register_admin(Client(), establishment, run_tasks, username="lmoreau", email="lmoreau@example.org")
    run_tasks()
    user = User.objects.get(username="lmoreau")
    # The letter left for the mailing house 11 days ago.
    sent = clock.now() - timedelta(days=11)
    Letter.objects.filter(account_holder=user).update(
        created_at=sent, status=LetterStatus.EXPORTED, exported_at=sent + timedelta(days=1)
    )
    User.objects.filter(pk=user.pk).update(temporary_code_expires_at=sent + timedelta(days=30))

    page.goto("/connexion/")
    a11y.check(page)
    page.get_by_role("link", name="Suivre mon courrier d'activation").click()
    expect(page.get_by_role("heading", name="Suivre mon courrier d'activation")).to_be_visible()
    a11y.check(page)
    page.get_by_label("Identifiant").fill("lmoreau")
    page.get_by_role("button", name="Recevoir un code").click()
    expect(page.get_by_label("Code")).to_be_visible()
    a11y.check(page)
    screenshot(page, "60-suivi-courrier-code")
    run_tasks()
    page.get_by_label("Code").fill(last_code("lmoreau@example.org"))
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_role("heading", name="Mon courrier d'activation")).to_be_visible()
    expect(page.get_by_text("remis au routeur pour envoi postal")).to_be_visible()
    expect(page.get_by_text(re.compile(r"\(19 jours restants\)"))).to_be_visible()
    a11y.check(page)
    screenshot(page, "61-suivi-courrier")

    page.get_by_role("button", name="Je n'ai pas reçu le courrier").click()
    expect(page.get_by_text("L'ancien code ne fonctionne plus.")).to_be_visible()
    expect(page.get_by_text("remplacé par un courrier plus récent")).to_be_visible()
    expect(page.get_by_text("30 jours restants", exact=False)).to_be_visible()
    a11y.check(page)
    screenshot(page, "62-suivi-courrier-nouveau")
    made = LetterRequest.objects.get(account_holder=user)

    # The assistance sees the request and refuses it, with a reason.
    staff = new_page(1280)
    staff_login(staff, a11y, "agent", "Assistance", first_name="Agent", last_name="Assistance")
    expect(staff.get_by_role("heading", name="Établissements")).to_be_visible()
    a11y.check(staff)
    staff.get_by_role("link", name="Courriers").click()
    a11y.check(staff)
    staff.get_by_role("link", name="Demandes de nouveau courrier faites par les utilisateurs").click()
    expect(staff.get_by_role("heading", name="Demandes de nouveau courrier")).to_be_visible()
    a11y.check(staff)
    screenshot(staff, "63-back-office-demandes-courrier")
    staff.get_by_role("link", name=re.compile("demande de Pierre Durand")).click()
    expect(staff.get_by_role("heading", name=f"Demande de nouveau courrier {made.letter.reference}")).to_be_visible()
    a11y.check(staff)
    staff.get_by_role("button", name="Refuser la demande").click()
    expect(staff.get_by_text("Indiquez le motif du refus").first).to_be_visible()
    a11y.check(staff)
    staff.get_by_label("Motif du refus").fill("Adresse à confirmer avec l'établissement.")
    staff.get_by_role("button", name="Refuser la demande").click()
    expect(staff.get_by_text("Demande refusée")).to_be_visible()
    a11y.check(staff)
    screenshot(staff, "64-back-office-demande-refusee")
    assert LetterRequest.objects.get(pk=made.pk).status == LetterRequestStatus.REFUSED

    # The first user sees the refusal and its reason; no self-service letter any more.
    page.reload()
    expect(page.get_by_text("refusé par l'assistance")).to_be_visible()
    expect(page.get_by_text("Adresse à confirmer avec l'établissement.", exact=False)).to_be_visible()
    expect(page.get_by_role("button", name="Je n'ai pas reçu le courrier")).to_have_count(0)
    a11y.check(page)
    page.get_by_role("button", name="Fermer le suivi").click()
    expect(page.get_by_text("Le suivi de votre courrier est fermé.")).to_be_visible()
    a11y.check(page)
