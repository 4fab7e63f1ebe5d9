"""The deliberation a borrower sends its guarantor with a loan request, before the contract."""

from __future__ import annotations

import io

import docx
import pytest
from django.urls import reverse

from espace.accounts.enums import Permission
from espace.core.audit import AuditEvent
from espace.documents.enums import AuditAction
from tests.accounts.factories import UserFactory
from tests.loan_requests.factories import LoanRequestFactory

pytestmark = pytest.mark.django_db


def _text(content: bytes) -> str:
    return "\n".join(paragraph.text for paragraph in docx.Document(io.BytesIO(content)).paragraphs)


def test_the_dossier_page_offers_the_prefilled_deliberation_of_each_planned_guarantor(client, clock):
    dossier = LoanRequestFactory(sent=True, name="Résidence du Parc")
    guarantee = dossier.lines.get().guarantees.get()
    user = UserFactory(
        establishment=dossier.establishment, permissions=[Permission.VIEW_DOSSIERS, Permission.VIEW_DOCUMENTS]
    )
    client.force_login(user)
    page = client.get(reverse("loan_requests:detail", args=[dossier.public_id])).content.decode()
    url = reverse("documents:request_deliberation", args=[dossier.public_id, guarantee.pk, "docx"])
    assert url in page
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.docx"')
    text = _text(response.content).replace("\xa0", " ").replace("\u202f", " ")
    assert "Résidence du Parc" in text and "1 000 000,00 €" in text and "40 ans" in text
    assert guarantee.guarantor.legal_name in text and dossier.dossier_number in text
    assert AuditEvent.objects.filter(
        action=AuditAction.DELIBERATION_GENERATED, establishment=dossier.establishment
    ).exists()
    assert client.get(url.replace("docx", "pdf")).content.startswith(b"%PDF")


def test_another_establishment_gets_a_404(client, clock):
    dossier = LoanRequestFactory(sent=True)
    guarantee = dossier.lines.get().guarantees.get()
    client.force_login(UserFactory(admin=True))
    url = reverse("documents:request_deliberation", args=[dossier.public_id, guarantee.pk, "odt"])
    assert client.get(url).status_code == 404


def test_the_dossier_page_lists_the_library_documents_filed_under_its_number(client, clock):
    from espace.documents.enums import DocumentKind
    from tests.documents.factories import DocumentFactory

    dossier = LoanRequestFactory(sent=True)
    DocumentFactory(
        establishment=dossier.establishment,
        kind=DocumentKind.OFFER,
        title="Lettre d'offre signée",
        dossier_number=dossier.dossier_number,
    )
    DocumentFactory(establishment=dossier.establishment, title="Autre dossier", dossier_number="DP-2026-999999")
    reader = UserFactory(establishment=dossier.establishment, permissions=[Permission.VIEW_DOSSIERS])
    client.force_login(reader)
    without = client.get(reverse("loan_requests:detail", args=[dossier.public_id])).content.decode()
    assert "Lettre d'offre signée" not in without  # « Documents » is needed for the library
    reader.perm_view_documents = True
    reader.save()
    page = client.get(reverse("loan_requests:detail", args=[dossier.public_id])).content.decode()
    assert "Lettre d&#x27;offre signée" in page and "Autre dossier" not in page
