"""Entering a request step by step, what each step refuses, sending by a validator."""

from __future__ import annotations

import html
import io
import zipfile
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from espace.accounts.enums import Permission
from espace.core.audit import AuditEvent
from espace.core.exceptions import ApplicationError
from espace.loan_requests.entry import request_update
from espace.loan_requests.enums import AuditAction, RequestStatus
from espace.loan_requests.models import DossierEvent, DossierFile, LoanRequest, RequestLine
from espace.loan_requests.steps import steps_state
from espace.products.models import Product
from tests.accounts.factories import UserFactory
from tests.core.test_core import EICAR
from tests.establishments.factories import EstablishmentFactory
from tests.loan_requests.factories import PDF, LoanRequestFactory

pytestmark = pytest.mark.django_db

AUTHOR = [Permission.CREATE_LOAN_REQUESTS, Permission.VIEW_DOSSIERS]
VALIDATOR = [Permission.CREATE_LOAN_REQUESTS, Permission.VALIDATE_LOAN_REQUESTS, Permission.VIEW_DOSSIERS]


def page(response) -> str:
    return html.unescape(response.content.decode()).replace("\u202f", " ").replace("\xa0", " ")


def step_url(loan_request: LoanRequest, slug: str) -> str:
    return reverse("loan_requests:step", kwargs={"public_id": loan_request.public_id, "slug": slug})


LINE = {
    "section": "ligne",
    "product": "plus",
    "amount": "1 000 000",
    "duration_years": "40",
    "prefinancing_months": "12",
    "prefinancing_mode": "paid",
    "profile": "echeance_prioritaire",
    "progression": "0",
    "periodicity": "annual",
    "revision": "simple",
}


def test_an_author_enters_a_housing_request_through_the_seven_steps(client, clock, run_tasks):
    establishment = EstablishmentFactory(with_office=True)
    commune = EstablishmentFactory(commune=True, legal_name="COMMUNE DE VILLEBOIS")
    author = UserFactory(establishment=establishment, permissions=AUTHOR)
    client.force_login(author)
    response = client.post(reverse("loan_requests:new"), {"kind": "housing", "name": "24 logements rue Haute"})
    loan_request = LoanRequest.objects.get()
    assert response["Location"] == step_url(loan_request, "operation")
    assert [state.complete for state in steps_state(loan_request)] == [False, False, False, False, False, True, False]

    client.post(
        step_url(loan_request, "operation"),
        {
            "name": "24 logements rue Haute",
            "nature": "new_build",
            "address": "3 rue Haute",
            "postal_code": "69002",
            "commune": "Lyon",
            "insee_code": "69382",
            "zone": "B1",
        },
    )
    client.post(step_url(loan_request, "logements"), {"category": "PLUS", "count": "24", "surface_m2": "1 560"})
    client.post(step_url(loan_request, "lignes"), LINE)
    client.post(
        step_url(loan_request, "plan"),
        {
            "land_cost": "200 000",
            "building_cost": "900 000",
            "fees_cost": "100 000",
            "subsidies_state": "100 000",
            "own_funds": "100 000",
        },
    )
    line = RequestLine.objects.get()
    client.post(
        step_url(loan_request, "garanties"),
        {"line": line.pk, f"l{line.pk}-guarantor_1": "commune de villebois", f"l{line.pk}-share_1": "100"},
    )
    summary = client.get(reverse("loan_requests:summary", kwargs={"public_id": loan_request.public_id}))
    assert "Documents" in page(summary) and "Délibération du conseil d'administration" in page(summary)
    documents = client.get(step_url(loan_request, "documents"))
    for item in documents.context["items"]:
        client.post(
            step_url(loan_request, "documents"),
            {"document": item["document"].pk, "file": SimpleUploadedFile("piece.pdf", PDF, "application/pdf")},
        )
    loan_request.refresh_from_db()
    assert all(state.complete for state in steps_state(loan_request)), steps_state(loan_request)
    assert line.guarantees.get().guarantor == commune
    assert DossierFile.objects.filter(request=loan_request, scan="clean").count() == len(documents.context["items"])

    # The author has no « Validation »: no « Envoyer », a 403 on the URL; « Soumettre » tells the validators.
    summary = client.get(reverse("loan_requests:summary", kwargs={"public_id": loan_request.public_id}))
    assert ">Envoyer</button>" not in page(summary)
    assert client.post(reverse("loan_requests:send", kwargs={"public_id": loan_request.public_id})).status_code == 403
    validator = UserFactory(establishment=establishment, permissions=VALIDATOR, email="valid@example.org")
    client.post(reverse("loan_requests:submit", kwargs={"public_id": loan_request.public_id}))
    loan_request.refresh_from_db()
    assert loan_request.status == RequestStatus.TO_VALIDATE
    run_tasks()
    notice = next(message for message in mail.outbox if message.to == [validator.email])
    assert "24 logements rue Haute" in notice.subject and author.get_full_name() in notice.body


def test_a_validator_sends_and_the_dossier_is_born(client, clock, run_tasks):
    loan_request = LoanRequestFactory(complete=True)
    establishment = loan_request.establishment
    validator = UserFactory(establishment=establishment, permissions=VALIDATOR, email="valid@example.org")
    client.force_login(validator)
    summary = client.get(reverse("loan_requests:summary", kwargs={"public_id": loan_request.public_id}))
    assert ">Envoyer</button>" in page(summary)
    response = client.post(reverse("loan_requests:send", kwargs={"public_id": loan_request.public_id}), follow=True)
    loan_request.refresh_from_db()
    assert loan_request.status == RequestStatus.SENT
    assert loan_request.dossier_number == "DP-2026-000001"
    assert loan_request.regional_office == establishment.regional_office
    assert "dossier DP-2026-000001" in page(response)
    assert AuditEvent.objects.filter(action=AuditAction.LOAN_REQUEST_SENT, establishment=establishment).exists()
    assert DossierEvent.objects.filter(request=loan_request, kind="sent").exists()
    run_tasks()
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted(
        [loan_request.created_by.email, "valid@example.org", establishment.regional_office.email]
    )
    acknowledgment = next(m for m in mail.outbox if m.to == ["valid@example.org"])
    assert "DP-2026-000001" in acknowledgment.subject
    # Sent: read-only for the establishment; a second « Envoyer » changes nothing.
    assert client.get(step_url(loan_request, "operation")).status_code == 404
    again = client.post(reverse("loan_requests:send", kwargs={"public_id": loan_request.public_id}), follow=True)
    assert "déjà été transmise (dossier DP-2026-000001)" in page(again)
    with pytest.raises(ApplicationError, match="seule votre direction régionale"):
        request_update(loan_request=loan_request, user=validator, data={"name": "Autre"})
    line = loan_request.lines.get()
    assert client.post(reverse("loan_requests:line_delete", args=[loan_request.public_id, line.pk])).status_code == 404
    assert loan_request.lines.count() == 1


def test_four_eyes_the_author_cannot_send_another_validator_can(client, clock):
    loan_request = LoanRequestFactory(complete=True, created_by__permissions=VALIDATOR)
    establishment = loan_request.establishment
    establishment.loan_requests_four_eyes = True
    establishment.save()
    client.force_login(loan_request.created_by)
    summary = client.get(reverse("loan_requests:summary", kwargs={"public_id": loan_request.public_id}))
    assert "envoyée par un autre validateur que son auteur" in page(summary)
    client.post(reverse("loan_requests:send", kwargs={"public_id": loan_request.public_id}))
    loan_request.refresh_from_db()
    assert loan_request.status == RequestStatus.DRAFT
    client.force_login(UserFactory(establishment=establishment, permissions=VALIDATOR))
    client.post(reverse("loan_requests:send", kwargs={"public_id": loan_request.public_id}))
    loan_request.refresh_from_db()
    assert loan_request.status == RequestStatus.SENT


def test_an_incomplete_request_is_not_sent_and_the_summary_says_what_is_missing(client, clock):
    loan_request = LoanRequestFactory(created_by__permissions=VALIDATOR)
    client.force_login(loan_request.created_by)
    summary = client.get(reverse("loan_requests:summary", kwargs={"public_id": loan_request.public_id}))
    text = page(summary)
    assert "Il manque encore" in text and "la nature de l'opération" in text and "au moins une ligne de prêt" in text
    assert step_url(loan_request, "operation") in text
    response = client.post(reverse("loan_requests:send", kwargs={"public_id": loan_request.public_id}), follow=True)
    assert "La demande est incomplète" in page(response)
    loan_request.refresh_from_db()
    assert loan_request.status == RequestStatus.DRAFT and loan_request.dossier_number is None


def test_an_unbalanced_plan_is_named_with_both_totals(client, clock):
    loan_request = LoanRequestFactory(complete=True)
    loan_request.own_funds = Decimal("50000.00")
    loan_request.save()
    plan = next(state for state in steps_state(loan_request) if state.slug == "plan")
    assert [text.replace("\xa0", " ") for text in plan.missing] == [
        "un plan équilibré : le prix de revient est de 1 200 000,00 €, les financements de 1 150 000,00 €"
    ]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"prefinancing_months": "0"}, "prefinancing_months", "Un préfinancement dure au moins 1 mois"),
        ({"prefinancing_mode": ""}, "prefinancing_mode", "les deux, ou aucun"),
        ({"prefinancing_months": ""}, "prefinancing_months", "les deux, ou aucun"),
        ({"duration_years": "45"}, "duration_years", "Le PLUS se prête de 5 à 40 ans."),
        ({"amount": "beaucoup"}, "amount", "Saisissez un nombre"),
        ({"land_amount": "200 000"}, "land_duration_years", "Part foncière et sa durée : les deux, ou aucune."),
        ({"land_amount": "2 000 000", "land_duration_years": "50"}, "land_amount", "elle lui est inférieure"),
        (
            {"product": "pam", "land_amount": "100 000", "land_duration_years": "50", "duration_years": "20"},
            "land_amount",
            "pas de part foncière",
        ),
        ({"prefinancing_months": "30"}, "prefinancing_months", "Le préfinancement du PLUS va de 3 à 24 mois."),
    ],
)
def test_a_line_out_of_the_rules_gets_a_message_on_its_field_and_nothing_is_saved(
    client, clock, changes, field, message
):
    loan_request = LoanRequestFactory()
    client.force_login(loan_request.created_by)
    response = client.post(step_url(loan_request, "lignes"), {**LINE, **changes})
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors.get(field, [])), response.context["form"].errors
    assert not loan_request.lines.exists()


def test_guarantees_unknown_guarantor_and_shares_over_100(client, clock):
    loan_request = LoanRequestFactory(complete=True)
    line = loan_request.lines.get()
    client.force_login(loan_request.created_by)
    url = step_url(loan_request, "garanties")
    unknown = client.post(
        url, {"line": line.pk, f"l{line.pk}-guarantor_1": "Commune inconnue", f"l{line.pk}-share_1": "50"}
    )
    assert unknown.status_code == 400 and "Garant inconnu" in page(unknown)
    commune = line.guarantees.get().guarantor
    over = client.post(
        url,
        {
            "line": line.pk,
            f"l{line.pk}-guarantor_1": commune.client_number,
            f"l{line.pk}-share_1": "80",
            f"l{line.pk}-cglls_share": "40",
        },
    )
    assert over.status_code == 400 and "ne peuvent pas dépasser 100 %" in page(over)
    half = client.post(
        url, {"line": line.pk, f"l{line.pk}-guarantor_1": commune.client_number, f"l{line.pk}-share_1": "50"}
    )
    assert half.status_code == 302
    state = next(state for state in steps_state(loan_request) if state.slug == "garanties")
    assert state.missing == ["des garanties à 100 % pour la ligne 1 PLUS (aujourd'hui 50 %)"]


def test_an_infected_document_is_refused_with_its_message_and_audited(client, clock):
    loan_request = LoanRequestFactory(complete=True)
    loan_request.files.all().delete()
    client.force_login(loan_request.created_by)
    documents = client.get(step_url(loan_request, "documents"))
    document = documents.context["items"][0]["document"]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("eicar.com", EICAR)
    response = client.post(
        step_url(loan_request, "documents"),
        {"document": document.pk, "file": SimpleUploadedFile("pieces.zip", archive.getvalue(), "application/zip")},
    )
    assert response.status_code == 400
    assert "contient un virus" in page(response)
    assert not DossierFile.objects.filter(request=loan_request).exists()
    assert AuditEvent.objects.filter(action=AuditAction.DOSSIER_FILE_INFECTED).exists()


def test_a_document_waits_for_its_scan_when_clamd_is_unreachable(client, clock, settings, run_tasks):
    loan_request = LoanRequestFactory(complete=True)
    loan_request.files.all().delete()
    client.force_login(loan_request.created_by)
    settings.CLAMD_PORT = 1  # nothing listens there
    document = client.get(step_url(loan_request, "documents")).context["items"][0]["document"]
    response = client.post(
        step_url(loan_request, "documents"),
        {"document": document.pk, "file": SimpleUploadedFile("plan.pdf", PDF, "application/pdf")},
        follow=True,
    )
    stored = DossierFile.objects.get(request=loan_request)
    assert stored.scan == "pending" and "analyse antivirus en cours" in page(response)
    download = reverse("loan_requests:file", args=[loan_request.public_id, stored.public_id])
    assert client.get(download).status_code == 404
    settings.CLAMD_PORT = 3310
    run_tasks()
    stored.refresh_from_db()
    assert stored.scan == "clean"
    assert client.get(download).status_code == 200


def test_a_local_public_sector_request_with_only_the_mandatory_fields(client, clock, run_tasks):
    commune = EstablishmentFactory(commune=True, with_office=True)
    mayor = UserFactory(establishment=commune, permissions=VALIDATOR)
    client.force_login(mayor)
    client.post(reverse("loan_requests:new"), {"kind": "local", "name": "Réseau d'eau du bourg"})
    loan_request = LoanRequest.objects.get()
    assert [slug for slug, _label in [(s.slug, s.label) for s in steps_state(loan_request)]] == [
        "projet",
        "financement",
        "documents",
    ]
    client.post(
        step_url(loan_request, "projet"),
        {"name": "Réseau d'eau du bourg", "description": "Renouvellement de 4 km de canalisations."},
    )
    client.post(
        step_url(loan_request, "financement"),
        {"section": "montant", "requested_amount": "2 500 000", "requested_years": "60"},
    )
    for item in client.get(step_url(loan_request, "documents")).context["items"]:
        client.post(
            step_url(loan_request, "documents"),
            {"document": item["document"].pk, "file": SimpleUploadedFile("d.pdf", PDF, "application/pdf")},
        )
    client.post(reverse("loan_requests:send", kwargs={"public_id": loan_request.public_id}))
    loan_request.refresh_from_db()
    assert loan_request.status == RequestStatus.SENT and loan_request.requested_amount == Decimal("2500000.00")
    dossier = client.get(reverse("loan_requests:detail", kwargs={"public_id": loan_request.public_id}))
    assert "2 500 000,00 €" in page(dossier)


def test_a_draft_is_shared_with_the_establishments_authors_and_deleted_by_them(client, clock):
    loan_request = LoanRequestFactory()
    colleague = UserFactory(establishment=loan_request.establishment, permissions=AUTHOR)
    client.force_login(colleague)
    listing = client.get(reverse("loan_requests:list"))
    assert loan_request.name in page(listing)
    client.post(reverse("loan_requests:delete", kwargs={"public_id": loan_request.public_id}))
    assert not LoanRequest.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.LOAN_REQUEST_DELETED).exists()


def test_list_filters_and_exports(client, clock):
    loan_request = LoanRequestFactory(sent=True, name="Résidence des Lilas")
    LoanRequestFactory(establishment=loan_request.establishment, name="Brouillon du Port")
    LoanRequestFactory(name="Autre établissement")
    client.force_login(loan_request.created_by)
    listing = client.get(reverse("loan_requests:list"), {"status": "sent"})
    assert [item.name for item in listing.context["page"]] == ["Résidence des Lilas"]
    bad = client.get(reverse("loan_requests:list"), {"status": "nope"})
    assert bad.status_code == 400 and "Choisissez une valeur de la liste." in page(bad)
    csv_text = b"".join(client.get(reverse("loan_requests:export", args=["csv"])).streaming_content).decode()
    assert csv_text.startswith("\ufeffDossier;Nom;") and "Résidence des Lilas" in csv_text
    assert "Brouillon du Port" in csv_text and "Autre établissement" not in csv_text
    assert client.get(reverse("loan_requests:export", args=["pdf"])).status_code == 404


def _plai_line(loan_request: LoanRequest, amount: str) -> RequestLine:
    return RequestLine.objects.create(
        request=loan_request,
        product=Product.objects.get(code="plai"),
        amount=Decimal(amount),
        duration_years=40,
        profile="echeance_prioritaire",
        periodicity="annual",
    )


def test_list_and_exports_name_each_requests_products(client, clock, monkeypatch):
    """The products of each request, in the order of its lines; the exports read them by chunks."""
    monkeypatch.setattr("espace.loan_requests.exports.CHUNK", 2)  # three requests: two chunks
    first = LoanRequestFactory(sent=True, name="Résidence des Lilas")
    _plai_line(first, "500000.00")
    LoanRequestFactory(establishment=first.establishment, complete=True, name="Foyer du Port")
    LoanRequestFactory(establishment=first.establishment, name="Brouillon vide")
    client.force_login(first.created_by)

    listing = client.get(reverse("loan_requests:list"))
    names = {row.name: row.products for row in listing.context["rows"]}
    assert names == {"Résidence des Lilas": "PLUS, PLAI", "Foyer du Port": "PLUS", "Brouillon vide": "—"}
    csv_text = b"".join(client.get(reverse("loan_requests:export", args=["csv"])).streaming_content).decode()
    rows = {line.split(";")[1]: line.split(";")[4] for line in csv_text.splitlines()[1:]}
    assert rows == {"Résidence des Lilas": "PLUS, PLAI", "Foyer du Port": "PLUS", "Brouillon vide": ""}


def test_list_totals_every_line_and_counts_without_reading_lines(client, clock):
    """The total is the request's whole amount, also when filtered by one product; the page count
    reads no line (the lines are summed for the page's requests only, in a subquery)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from espace.loan_requests.selectors import requests_filtered

    loan_request = LoanRequestFactory(sent=True, name="Résidence des Lilas")
    _plai_line(loan_request, "250000.00")
    LoanRequestFactory(establishment=loan_request.establishment, name="Brouillon sans ligne")
    client.force_login(loan_request.created_by)
    listing = client.get(reverse("loan_requests:list"))
    assert [(item.name, item.total) for item in listing.context["page"]] == [
        ("Brouillon sans ligne", None),
        ("Résidence des Lilas", Decimal("1250000.00")),
    ]
    by_product = requests_filtered(loan_request.establishment, product="plai")
    assert [(item.name, item.total) for item in by_product] == [("Résidence des Lilas", Decimal("1250000.00"))]
    with CaptureQueriesContext(connection) as captured:
        assert requests_filtered(loan_request.establishment).count() == 2
    assert "requestline" not in captured.captured_queries[0]["sql"]


def test_a_saved_simulation_is_attached_and_another_establishments_is_refused(client, clock):
    from tests.simulators.factories import SimulationFactory

    loan_request = LoanRequestFactory(complete=True)
    client.force_login(loan_request.created_by)
    own = SimulationFactory(author=loan_request.created_by, name="PLUS 40 ans")
    foreign = SimulationFactory(name="Chez le voisin")
    refused = client.post(step_url(loan_request, "commentaire"), {"comment": "", "simulation": foreign.pk})
    assert refused.status_code == 400 and "Choisissez une simulation de la liste." in page(refused)
    client.post(step_url(loan_request, "commentaire"), {"comment": "Opération prioritaire.", "simulation": own.pk})
    loan_request.refresh_from_db()
    assert loan_request.simulation == own and loan_request.comment == "Opération prioritaire."
    summary = client.get(reverse("loan_requests:summary", kwargs={"public_id": loan_request.public_id}))
    assert "« PLUS 40 ans »" in page(summary)


def test_the_administrator_sets_four_eyes_and_it_is_audited(client, clock):
    from espace.members.enums import AuditAction as MembersAction

    admin = UserFactory(admin=True)
    client.force_login(admin)
    assert client.get(reverse("members:settings")).status_code == 200
    client.post(
        reverse("members:settings"),
        {
            "loan_requests_four_eyes": "on",
            "session_idle_minutes": "30",
            "session_max_hours": "12",
            "second_factor_policy": "optional",
        },
    )
    admin.establishment.refresh_from_db()
    assert admin.establishment.loan_requests_four_eyes is True
    assert AuditEvent.objects.filter(action=MembersAction.SETTINGS_CHANGED, establishment=admin.establishment).exists()
    client.force_login(UserFactory(establishment=admin.establishment, permissions=VALIDATOR))
    assert client.post(reverse("members:settings"), {}).status_code == 403
    admin.establishment.refresh_from_db()
    assert admin.establishment.loan_requests_four_eyes is True
