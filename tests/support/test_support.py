from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from espace.core.captcha import TEST_TOKEN
from espace.core.enums import AuditAction
from espace.core.models import AuditEvent
from espace.establishments.models import RegionalOffice
from espace.support.enums import ContactStatus, Team
from espace.support.models import ContactRequest
from tests.accounts.factories import UserFactory
from tests.core.test_core import EICAR
from tests.establishments.factories import EstablishmentFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def text(response) -> str:
    return re.sub(r"[A-Za-z0-9]{64}", "", response.content.decode().replace("&#x27;", "'"))


def anonymous_form(**overrides):
    data = {
        "subject": "letter",
        "message": "Le courrier n'est jamais arrivé.",
        "sender_name": "Pierre Durand",
        "sender_email": "p@example.org",
        "client_number": "000237517",
        "captcha": TEST_TOKEN,
    }
    data.update(overrides)
    return data


def test_anonymous_contact_needs_captcha_and_gets_a_reference(client, run_tasks):
    EstablishmentFactory(client_number="237517")
    refused = client.post("/contact/", anonymous_form(captcha="forged"))
    assert refused.status_code == 400 and "vérification anti-robot" in text(refused)
    response = client.post("/contact/", anonymous_form())
    assert response.status_code == 302 and response["Location"] == "/contact/envoye/"
    contact = ContactRequest.objects.get()
    assert re.fullmatch(r"AS-\d{4}-\d{6}", contact.reference)
    assert contact.reference in text(client.get("/contact/envoye/"))
    assert contact.reference in text(client.get("/contact/envoye/"))  # reloading sends nothing again
    assert ContactRequest.objects.count() == 1
    assert contact.team == Team.ASSISTANCE and contact.establishment is not None
    run_tasks()
    assert mail.outbox[0].to == ["p@example.org"] and contact.reference in mail.outbox[0].subject


def test_financial_questions_go_to_the_regional_office(client):
    office = RegionalOffice.objects.create(code="occ", name="Direction régionale Occitanie")
    user = UserFactory(establishment=EstablishmentFactory(regional_office=office))
    client.force_login(user)
    html = text(client.get("/contact/"))
    assert "sender_email" not in html and "altcha" not in html  # identity from the account, no CAPTCHA
    response = client.post("/contact/", {"subject": "financial_terms", "message": "Quel taux pour un PLUS ?"})
    assert response.status_code == 302
    contact = ContactRequest.objects.get()
    assert contact.team == Team.REGIONAL_OFFICE and contact.regional_office == office
    assert contact.sender_email == user.email and contact.user == user


def test_attachment_is_checked_by_content_and_size(client, settings):
    fake_pdf = SimpleUploadedFile("rapport.pdf", b"#!/bin/sh\necho hello\n", content_type="application/pdf")
    response = client.post("/contact/", anonymous_form(attachment=fake_pdf))
    assert response.status_code == 400 and "n'est pas accepté" in text(response)
    settings.UPLOAD_MAX_BYTES = 10
    big = SimpleUploadedFile("gros.pdf", PDF, content_type="application/pdf")
    response = client.post("/contact/", anonymous_form(attachment=big))
    assert response.status_code == 400 and "taille maximale" in text(response)
    assert ContactRequest.objects.count() == 0


def test_infected_attachment_is_refused_and_recorded(client, settings):
    assert settings.CLAMD_HOST, "make test starts clamd and sets CLAMD_HOST"
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("eicar.com", EICAR)
    upload = SimpleUploadedFile("pieces.zip", archive.getvalue(), content_type="application/zip")
    response = client.post("/contact/", anonymous_form(attachment=upload))
    assert response.status_code == 400
    assert "contient un virus" in text(response)
    assert ContactRequest.objects.count() == 0
    assert AuditEvent.objects.filter(action=AuditAction.UPLOAD_INFECTED).exists()


def test_clean_attachment_is_stored_under_a_random_name(client, settings):
    upload = SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf")
    assert client.post("/contact/", anonymous_form(attachment=upload)).status_code == 302
    contact = ContactRequest.objects.get()
    assert contact.attachment_name == "plan.pdf" and "plan" not in contact.attachment.name
    assert contact.attachment_scan == ("clean" if settings.CLAMD_HOST else "not_scanned")
    assert contact.status == ContactStatus.NEW


def test_faq_groups_and_search(client):
    html = text(client.get("/faq/"))
    assert "Les services en ligne « Prêts »" in html and "Le site public" in html
    assert 'id="numero-client"' in html and 'href="/mot-de-passe-oublie/"' in html
    found = text(client.get("/faq/", {"q": "bloqué"}))
    assert "J'ai bloqué mon compte" in found and "Quels navigateurs" not in found
    assert "Aucune réponse" in text(client.get("/faq/", {"q": "zzzzzz"}))


def test_help_pages_and_pdf(client):
    html = text(client.get("/aide/inscription/"))
    assert "S'inscrire en ligne" in html and "help/inscription-2-numero-client.png" in html
    assert "Télécharger le tutoriel" in html
    pdf = client.get("/aide/premiere-connexion/tutoriel.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"].startswith("attachment")
    assert client.get("/aide/inconnu/").status_code == 404


def test_every_help_page_has_its_screenshots_and_its_pdf(client):
    from django.contrib.staticfiles import finders

    from espace.support.help import HELP_PAGES

    for slug, help_page in HELP_PAGES.items():
        assert all(finders.find(step.image) for step in help_page.steps), slug
        assert help_page.title in text(client.get(f"/aide/{slug}/"))
        pdf = client.get(f"/aide/{slug}/tutoriel.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF"), slug
    assert "/aide/double-authentification/" in text(client.get("/faq/"))


def test_terms_page_has_a_version(client, settings):
    assert f"Version {settings.TERMS_VERSION}" in text(client.get("/cgu/"))


@pytest.mark.smtp
def test_acknowledgment_and_answer_go_through_smtp(client, smtp_sink, run_tasks, staff_factory):
    from django.test import Client

    from tests.conftest import verified_login

    client.post("/contact/", anonymous_form(sender_email="smtp-contact@example.org"))
    contact = ContactRequest.objects.get()
    agent = Client()
    verified_login(agent, staff_factory("Assistance"))
    agent.post(f"/back-office/demandes/{contact.public_id}/", {"body": "Un nouveau courrier part aujourd'hui."})
    run_tasks()
    texts = smtp_sink.texts_to("smtp-contact@example.org")
    assert any(contact.reference in t and "bien reçu" in t for t in texts)
    assert any("Un nouveau courrier part aujourd'hui." in t for t in texts)


def test_contact_form_is_limited_per_address_and_per_sender(client, settings, run_tasks):
    settings.CONTACT_LIMIT_PER_HOUR = 2
    for n in range(2):
        assert client.post("/contact/", anonymous_form(sender_email=f"v{n}@example.org")).status_code == 302
    refused = client.post("/contact/", anonymous_form(sender_email="v9@example.org"))
    assert refused.status_code == 429 and "demandes dans l'heure" in text(refused)
    # Same sender from another address: limited too.
    for n in range(2):
        client.post("/contact/", anonymous_form(sender_email="cible@example.org"), REMOTE_ADDR=f"10.1.0.{n}")
    refused = client.post("/contact/", anonymous_form(sender_email="cible@example.org"), REMOTE_ADDR="10.1.0.9")
    assert refused.status_code == 429
    assert ContactRequest.objects.count() == 4


def test_acknowledgment_carries_our_words_only(client, run_tasks):
    client.post(
        "/contact/",
        anonymous_form(
            sender_name="Gagnez 1000 euros sur http://arnaque.example", message="Cliquez ici http://x.example"
        ),
    )
    run_tasks()
    message = mail.outbox[0]
    body = message.body + message.alternatives[0][0]
    assert "arnaque" not in body and "x.example" not in body and "Gagnez" not in body
    assert ContactRequest.objects.get().reference in body
