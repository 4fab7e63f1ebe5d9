"""Guarantee deliberation templates prefilled from a loan: who gets which, what they state, the
sandboxed wording and its versions edited in the back office."""

from __future__ import annotations

import io
from html import unescape

import docx
import odfdo
import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from espace.accounts.enums import Permission
from espace.core.models import AuditEvent
from espace.documents.deliberations import TemplateSyntaxProblem, template_check
from espace.documents.enums import AuditAction
from espace.documents.models import DeliberationTemplate
from tests.accounts.factories import UserFactory
from tests.conftest import verified_login
from tests.documents.factories import DeliberationTemplateFactory

pytestmark = pytest.mark.django_db


def docx_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    footer = "\n".join(p.text for p in document.sections[0].footer.paragraphs)
    return "\n".join(p.text for p in document.paragraphs) + "\n" + footer


def logged(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def documents_user(establishment) -> object:
    return UserFactory(establishment=establishment, permissions=[Permission.VIEW_DOCUMENTS.value])


def url(line, fmt: str) -> str:
    return f"/documents/deliberations/{line.public_id}/deliberation.{fmt}"


def test_a_guarantor_gets_the_deliberation_of_its_share_in_docx_odt_and_pdf(world, deliberation_template):
    client = logged(documents_user(world.commune))
    response = client.get(url(world.plus, "docx"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="deliberation-garantie-L1000001.docx"'
    text = docx_text(response.content)
    assert "COMMUNE DE VILLEBOIS" in text and "OPH DU RHÔNE" in text
    assert "1\xa0000\xa0000,00\xa0€" in text  # amount
    assert "garantie à hauteur de 50,00\xa0%" in text and "500\xa0000,00\xa0€" in text  # share and guaranteed amount
    assert "40 ans" in text and "Livret A + 0,60\xa0%" in text and "échéance prioritaire" in text
    assert "La construction" in text  # the purpose (the product's)
    assert f"modèle version 1 du {timezone.localdate(deliberation_template.created_at):%d/%m/%Y}" in text

    odt = client.get(url(world.plus, "odt"))
    assert odt["Content-Type"] == "application/vnd.oasis.opendocument.text"
    odt_text = odfdo.Document(io.BytesIO(odt.content)).get_formatted_text()
    assert "500\xa0000,00\xa0€" in odt_text and "modèle version 1" in odt_text

    pdf = client.get(url(world.plus, "pdf"))
    assert pdf["Content-Type"] == "application/pdf"
    pdf_text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "COMMUNE DE VILLEBOIS" in pdf_text and "modèle version 1" in pdf_text

    events = AuditEvent.objects.filter(action=AuditAction.DELIBERATION_GENERATED, establishment=world.commune)
    assert events.count() == 3 and events.first().details["template_version"] == 1


def test_a_guarantor_gets_deliberations_only_for_loans_it_guarantees(world, deliberation_template):
    client = logged(documents_user(world.commune))
    assert client.get(url(world.other, "docx")).status_code == 200  # another OPH's loan it guarantees
    assert client.get(url(world.pls, "docx")).status_code == 404  # guaranteed by the other commune
    assert logged(documents_user(world.other_commune)).get(url(world.plus, "pdf")).status_code == 404
    page = unescape(client.get("/documents/deliberations/").content.decode())
    assert "L1000001" in page and "L9000001" in page and "L1000003" not in page


def test_the_borrower_picks_the_guarantor_and_never_the_cglls(world, deliberation_template):
    client = logged(documents_user(world.oph))
    text = docx_text(client.get(url(world.plus, "docx") + f"?garant={world.commune.public_id}").content)
    assert "COMMUNE DE VILLEBOIS" in text
    text = docx_text(client.get(url(world.pls, "docx")).content)  # default: its guarantor
    assert "COMMUNE D'AILLEURS" in text and "100,00\xa0%" in text
    assert client.get(url(world.pls, "docx") + f"?garant={world.commune.public_id}").status_code == 404
    assert client.get(url(world.plus, "docx") + "?garant=pas-un-identifiant").status_code == 404
    assert logged(documents_user(world.other_oph)).get(url(world.plus, "docx")).status_code == 404


def test_without_documents_the_deliberations_are_refused(world, deliberation_template):
    reader = UserFactory(establishment=world.commune, permissions=[Permission.VIEW_PORTFOLIO.value])
    assert logged(reader).get(url(world.plus, "docx")).status_code == 403


def test_the_next_download_uses_the_newest_version(world, deliberation_template):
    client = logged(documents_user(world.commune))
    DeliberationTemplateFactory(number=2, body="# Nouvelle rédaction\n\nQuotité {{ quotite }} de {{ montant }}.\n")
    text = docx_text(client.get(url(world.plus, "docx")).content)
    assert "Nouvelle rédaction" in text and "modèle version 2 du" in text


@pytest.mark.parametrize(
    "body, problem",
    [
        ("{% load static %}{{ montant }}", "balises"),
        ("{{ settings.SECRET_KEY }}", "mal écrite"),
        ("{{ user }}", "Variable inconnue : {{ user }}"),
        ("{# commentaire #}", "balises"),
        ("{{ montant|safe }}", "mal écrite"),
        ("{{ montant", "mal écrite"),
        ("   ", "vide"),
    ],
)
def test_the_wording_is_sandboxed(body, problem):
    with pytest.raises(TemplateSyntaxProblem, match=problem.replace("{", r"\{").replace("}", r"\}")):
        template_check(body)


def test_a_value_cannot_add_structure_or_markup(world, deliberation_template):
    world.oph.legal_name = "<script>alert(1)</script>\n# Titre injecté"
    world.oph.save()
    response = logged(documents_user(world.commune)).get(url(world.plus, "pdf"))
    assert response.status_code == 200
    text = docx_text(logged(documents_user(world.commune)).get(url(world.plus, "docx")).content)
    assert "<script>alert(1)</script>" in text  # kept as text, in the paragraph it was put in


def test_data_managers_preview_then_save_a_new_version(staff_factory, deliberation_template):
    staff = Client()
    manager = staff_factory("Gestionnaire de données", username="donnees")
    verified_login(staff, manager)
    page = staff.get("/back-office/ressources/deliberation/")
    assert page.status_code == 200 and "{{ montant_garanti }}" in unescape(page.content.decode())
    body = (
        "# Délibération\n\nLe garant {{ garant }} garantit {{ quotite }} de {{ montant }}.\n\n- durée : {{ duree }}\n"
    )
    preview = staff.post(
        "/back-office/ressources/deliberation/", {"title": "Délibération", "body": body, "action": "preview"}
    )
    text = unescape(preview.content.decode())
    assert "COMMUNE D'EXEMPLE garantit 50,00\xa0% de 1\xa0000\xa0000,00\xa0€" in text
    assert DeliberationTemplate.objects.count() == 1  # a preview saves nothing
    bad = staff.post(
        "/back-office/ressources/deliberation/", {"title": "D", "body": "{{ inconnue }}", "action": "save"}
    )
    assert bad.status_code == 400 and "Variable inconnue" in unescape(bad.content.decode())
    saved = staff.post(
        "/back-office/ressources/deliberation/",
        {"title": "Délibération", "body": body, "note": "Plus court", "action": "save"},
    )
    assert saved.status_code == 302 and saved["Location"] == "/back-office/ressources/deliberation/versions/2/"
    version = DeliberationTemplate.objects.get(number=2)
    assert version.author == manager and version.note == "Plus court"
    listing = unescape(staff.get("/back-office/ressources/").content.decode())
    assert "version 2" in listing and "Agent Assistance" in listing
    assert staff.get("/back-office/ressources/deliberation/versions/1/").status_code == 200
    assert staff.get("/back-office/ressources/deliberation/versions/99/").status_code == 404

    assistance = Client()
    verified_login(assistance, staff_factory("Assistance", username="assist"))
    assert assistance.get("/back-office/ressources/deliberation/").status_code == 403
