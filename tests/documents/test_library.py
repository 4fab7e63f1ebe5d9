"""The library: filters, downloads and « Recevoir par e-mail », each checked and audited."""

from __future__ import annotations

from datetime import date
from html import unescape

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client

from espace.accounts.enums import Permission
from espace.core.models import AuditEvent
from espace.documents.enums import AuditAction, DocumentKind
from espace.documents.models import Document
from espace.documents.services import document_download_record, document_store
from espace.portfolio.statements import statement_request
from tests.accounts.factories import UserFactory
from tests.documents.factories import DocumentFactory, pdf_bytes

pytestmark = pytest.mark.django_db

DOCS = [Permission.VIEW_DOCUMENTS.value]


def reader_of(establishment, **kwargs):
    return UserFactory(establishment=establishment, permissions=[*DOCS, Permission.VIEW_PORTFOLIO.value], **kwargs)


def logged(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_library_lists_the_establishments_documents_only_and_filters_them(world):
    contract = DocumentFactory(
        establishment=world.oph,
        kind=DocumentKind.CONTRACT,
        line=world.plus,
        title="Contrat C1000001",
        issued_on=date(2020, 3, 1),
    )
    notice = DocumentFactory(
        establishment=world.oph, line=world.pls, title="Avis d'échéance 2026", issued_on=date(2026, 2, 1)
    )
    letter = DocumentFactory(
        establishment=world.oph, kind=DocumentKind.LETTER, title="Courrier d'offre", dossier_number="D2025-0042"
    )
    DocumentFactory(establishment=world.other_oph, title="Document d'un autre établissement")
    client = logged(reader_of(world.oph))

    page = unescape(client.get("/documents/").content.decode())
    assert contract.title in page and notice.title in page and letter.title in page
    assert "Document d'un autre établissement" not in page

    def titles(query: str) -> set[str]:
        response = client.get(f"/documents/?{query}")
        assert response.status_code == 200
        return {d.title for d in response.context["page"]}

    assert titles("kind=contract") == {contract.title}
    assert titles("year=2020") == {contract.title}
    assert titles("loan=L1000003") == {notice.title}
    assert titles("loan=c1000001") == {contract.title}  # a contract number finds its documents, any case
    assert titles("dossier=D2025-0042") == {letter.title}
    assert client.get("/documents/?year=1990").status_code == 400  # not a year of the library
    assert client.get("/documents/?kind=nope&page=x").status_code == 400


def test_a_download_is_an_attachment_checked_and_audited(world):
    document = DocumentFactory(establishment=world.oph, line=world.plus, title="Contrat", file_name="contrat.pdf")
    reader = reader_of(world.oph)
    response = logged(reader).get(f"/documents/{document.public_id}/telecharger/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="contrat.pdf"'
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    event = AuditEvent.objects.get(action=AuditAction.DOCUMENT_DOWNLOADED)
    assert event.actor == reader and event.establishment == world.oph and event.target_id == str(document.public_id)

    outsider = reader_of(world.other_oph)
    assert logged(outsider).get(f"/documents/{document.public_id}/telecharger/").status_code == 404
    without = UserFactory(establishment=world.oph, permissions=[Permission.VIEW_PORTFOLIO.value])
    assert logged(without).get(f"/documents/{document.public_id}/telecharger/").status_code == 403


def test_a_download_is_recorded_for_a_user_or_an_api_token_never_both_nor_neither(world):
    document = DocumentFactory(establishment=world.oph)
    reader = reader_of(world.oph)
    with pytest.raises(ValueError):
        document_download_record(document=document, user=None)
    with pytest.raises(ValueError):
        document_download_record(document=document, user=reader, api_token_prefix="ep_abcdefgh")
    assert not AuditEvent.objects.filter(action=AuditAction.DOCUMENT_DOWNLOADED).exists()


def test_a_file_still_being_scanned_is_never_served(world):
    document = DocumentFactory(establishment=world.oph, pending=True)
    client = logged(reader_of(world.oph))
    assert "analyse antivirus en cours" in unescape(client.get("/documents/").content.decode())
    assert client.get(f"/documents/{document.public_id}/telecharger/").status_code == 404
    client.post(f"/documents/{document.public_id}/par-email/")
    assert not AuditEvent.objects.filter(action=AuditAction.DOCUMENT_EMAIL_REQUESTED).exists()


def test_receive_by_email_sends_the_file_to_the_users_own_address_through_the_worker(world, run_tasks):
    document = DocumentFactory(establishment=world.oph, title="Avis d'échéance mars", file_name="avis-mars.pdf")
    reader = reader_of(world.oph, email="lecteur@oph.example.org")
    client = Client(enforce_csrf_checks=False)
    client.force_login(reader)
    # An address in the form is ignored: only the user's own receives it.
    response = client.post(
        f"/documents/{document.public_id}/par-email/",
        {"to": "pirate@example.org", "next": "/documents/?kind=instalment_notice"},
    )
    assert response.status_code == 302 and response["Location"] == "/documents/?kind=instalment_notice"
    assert mail.outbox == []  # the worker sends it
    run_tasks()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lecteur@oph.example.org"]
    assert message.attachments[0][0] == "avis-mars.pdf" and message.attachments[0][1].startswith(b"%PDF")
    assert "Avis d'échéance mars" in message.body
    actions = list(AuditEvent.objects.filter(establishment=world.oph).values_list("action", flat=True))
    assert AuditAction.DOCUMENT_EMAIL_REQUESTED in actions and AuditAction.DOCUMENT_EMAILED in actions


def test_an_external_redirect_after_the_email_is_refused(world):
    document = DocumentFactory(establishment=world.oph)
    response = logged(reader_of(world.oph)).post(
        f"/documents/{document.public_id}/par-email/", {"next": "https://evil.example.org/"}
    )
    assert response["Location"] == "/documents/"


def test_a_document_over_the_email_limit_is_not_sent_and_the_user_is_told_why(world, settings, run_tasks):
    settings.DOCUMENT_EMAIL_MAX_BYTES = 1000
    document = DocumentFactory(establishment=world.oph, content=b"%PDF-1.4\n" + b"0" * 5000)
    client = logged(reader_of(world.oph))
    response = client.post(f"/documents/{document.public_id}/par-email/", follow=True)
    text = unescape(response.content.decode())
    assert "les messageries refusent souvent les pièces jointes" in text and "1000" in text.replace("\xa0", "")
    run_tasks()
    assert mail.outbox == []
    assert client.get("/documents/par-email/").status_code == 404  # not a route
    assert client.get(f"/documents/{document.public_id}/par-email/").status_code == 405  # no state change on GET


def test_email_sendings_are_limited_per_hour(world, settings, clock):
    settings.DOCUMENT_EMAIL_LIMIT_PER_HOUR = 2
    document = DocumentFactory(establishment=world.oph)
    client = logged(reader_of(world.oph))
    for _ in range(3):
        response = client.post(f"/documents/{document.public_id}/par-email/", follow=True)
    assert "réessayez plus tard" in unescape(response.content.decode())
    assert AuditEvent.objects.filter(action=AuditAction.DOCUMENT_EMAIL_REQUESTED).count() == 2


@pytest.mark.smtp
def test_the_attachment_reaches_a_real_smtp_server(world, smtp_sink, run_tasks):
    content = pdf_bytes("avis SMTP")
    document = DocumentFactory(establishment=world.oph, file_name="avis-echeance.pdf", content=content)
    reader = reader_of(world.oph, email="smtp-reader@oph.example.org")
    logged(reader).post(f"/documents/{document.public_id}/par-email/")
    run_tasks()
    [message] = smtp_sink.messages
    attachments = [part for part in message.walk() if part.get_filename()]
    assert [part.get_filename() for part in attachments] == ["avis-echeance.pdf"]
    assert attachments[0].get_content_type() == "application/pdf"
    assert attachments[0].get_payload(decode=True) == content


def test_a_user_who_left_the_establishment_before_the_worker_ran_gets_nothing(world, run_tasks):
    document = DocumentFactory(establishment=world.oph)
    reader = reader_of(world.oph)
    logged(reader).post(f"/documents/{document.public_id}/par-email/")
    reader.establishment = world.other_oph
    reader.save()
    run_tasks()
    assert mail.outbox == []


def test_document_store_is_idempotent_by_key_and_refuses_another_establishments_loan(world):
    first = document_store(
        establishment=world.oph,
        kind=DocumentKind.OFFER,
        title="Lettre d'offre",
        issued_on=date(2026, 1, 5),
        content=pdf_bytes("offre"),
        file_name="offre.pdf",
        dossier_number="D2026-0001",
        source_key="offer:D2026-0001",
    )
    again = document_store(
        establishment=world.oph,
        kind=DocumentKind.OFFER,
        title="Lettre d'offre",
        issued_on=date(2026, 1, 5),
        content=pdf_bytes("offre"),
        file_name="offre.pdf",
        source_key="offer:D2026-0001",
    )
    assert again.pk == first.pk and Document.objects.count() == 1
    assert first.downloadable  # made by the service: nothing outside to scan
    with pytest.raises(PermissionDenied):
        document_store(
            establishment=world.oph,
            kind=DocumentKind.SCHEDULE,
            title="x",
            issued_on=date(2026, 1, 5),
            content=b"%PDF",
            file_name="x.pdf",
            line=world.other,
        )


def test_the_annual_statement_made_by_the_worker_is_filed_in_the_guarantors_library(world, run_tasks):
    statement_request(guarantor=world.commune, year=2025, requested_by=world.mayor_office)
    run_tasks()
    document = Document.objects.get(establishment=world.commune)
    assert document.kind == DocumentKind.GUARANTEED_DEBT_STATEMENT
    assert document.title == "État annuel de la dette garantie 2025"
    assert document.downloadable and document.file.read().startswith(b"%PDF")
    run_tasks()
    assert Document.objects.count() == 1


def test_the_loan_page_shows_the_lines_documents_and_the_deliberation_links(world, deliberation_template):
    DocumentFactory(establishment=world.oph, line=world.plus, title="Contrat de la ligne")
    DocumentFactory(
        establishment=world.oph,
        kind=DocumentKind.CONTRACT_ANNEX,
        contract=world.plus.contract,
        title="Annexe du contrat",
    )
    DocumentFactory(establishment=world.oph, line=world.pls, title="Avis d'une autre ligne")
    page = unescape(logged(reader_of(world.oph)).get(f"/encours/prets/{world.plus.public_id}/").content.decode())
    assert "Contrat de la ligne" in page and "Annexe du contrat" in page and "Avis d'une autre ligne" not in page
    assert f"/documents/deliberations/{world.plus.public_id}/deliberation.docx?garant={world.commune.public_id}" in page

    portfolio_only = UserFactory(establishment=world.oph, permissions=[Permission.VIEW_PORTFOLIO.value])
    page = unescape(logged(portfolio_only).get(f"/encours/prets/{world.plus.public_id}/").content.decode())
    assert "Contrat de la ligne" not in page and "deliberation.docx" not in page

    mayor = reader_of(world.commune)
    page = unescape(logged(mayor).get(f"/encours/prets/{world.plus.public_id}/").content.decode())
    assert f'/documents/deliberations/{world.plus.public_id}/deliberation.docx"' in page  # its own guarantee
    assert "Contrat de la ligne" not in page  # the borrower's library is not the guarantor's


def test_the_home_page_card_and_the_menu_lead_to_the_library(world):
    page = unescape(logged(reader_of(world.oph)).get("/espace/").content.decode())
    assert 'href="/documents/"' in page
    page = unescape(
        logged(UserFactory(establishment=world.oph, permissions=[Permission.VIEW_PORTFOLIO.value]))
        .get("/espace/")
        .content.decode()
    )
    assert 'href="/documents/"' not in page
