"""Demo data for `make run`: establishments of every kind, some with users, some with none."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import transaction

from espace.accounts.enums import Permission, UserStatus
from espace.accounts.models import User
from espace.accounts.second_factor import recovery_codes_issue, second_factor_remove
from espace.backoffice.roles import staff_roles_ensure
from espace.core import clock
from espace.core.models import NewsItem
from espace.core.pdf import render_pdf
from espace.core.uploads import CheckedUpload, scan_status_for
from espace.documents.enums import DocumentKind, ResourceCategory
from espace.documents.models import Resource
from espace.documents.services import document_store, resource_create
from espace.establishments.enums import EstablishmentKind as K
from espace.establishments.enums import SecondFactorPolicy
from espace.establishments.models import Establishment, RegionalOffice
from espace.letters.enums import LetterRequestKind, LetterStatus
from espace.letters.models import Letter
from espace.loan_requests.entry import (
    GuaranteeInput,
    dwelling_add,
    guarantees_set,
    line_save,
    request_create,
    request_send,
    request_update,
)
from espace.loan_requests.enums import FileKind, RequestKind
from espace.loan_requests.instruction import dossier_assign
from espace.loan_requests.models import DossierFile, LoanRequest
from espace.loan_requests.perms import Officer
from espace.loan_requests.steps import required_documents
from espace.members.models import AccessReview
from espace.members.review import access_review_open
from espace.notifications.enums import Delivery, NotificationKind
from espace.notifications.models import NotificationPreference
from espace.portfolio.models import FinancingLine
from espace.portfolio.reminders import instalments_due_notify
from espace.products.models import Product
from espace.registration.enums import RegistrationKind
from espace.registration.selectors import registration_kind_for
from espace.registration.services import temporary_code_issue
from espace.registration.tracking import letter_request

DEMO_PASSWORD = "Fonds-Epargne-2026"

OFFICES = [
    ("ile-de-france", "Direction régionale Île-de-France", "dr-idf@example.org"),
    ("auvergne-rhone-alpes", "Direction régionale Auvergne-Rhône-Alpes", "dr-ara@example.org"),
    ("occitanie", "Direction régionale Occitanie", "dr-occitanie@example.org"),
]

# client number, legal name, kind, borrower, guarantor, representative title, address, postal code, city, office
ESTABLISHMENTS: list[tuple[str, str, K, bool, bool, str, str, str, str, int]] = [
    (
        "237517",
        "SOCIETE COOPERATIVE HABITATION LOYER MODERE",
        K.SOCIAL_LANDLORD,
        True,
        False,
        "Monsieur le Directeur général",
        "12 rue des Tanneurs",
        "69002",
        "Lyon",
        1,
    ),
    (
        "287576",
        "OPH MONTREUIL HABITAT",
        K.SOCIAL_LANDLORD,
        True,
        False,
        "Madame la Directrice générale",
        "4 place Jean Jaurès",
        "93100",
        "Montreuil",
        0,
    ),
    (
        "104233",
        "COMMUNE DE SAINT-ANDRE-LES-VERGERS",
        K.COMMUNE,
        True,
        True,
        "Monsieur le Maire",
        "Hôtel de ville, 1 place de la Mairie",
        "10120",
        "Saint-André-les-Vergers",
        0,
    ),
    (
        "58012",
        "DEPARTEMENT DE L'AUDE",
        K.DEPARTEMENT,
        False,
        True,
        "Madame la Présidente du Conseil départemental",
        "Allée Raymond Courrière",
        "11855",
        "Carcassonne",
        2,
    ),
    (
        "612004",
        "REGION OCCITANIE",
        K.REGION,
        False,
        True,
        "Madame la Présidente du Conseil régional",
        "22 boulevard du Maréchal Juin",
        "31406",
        "Toulouse",
        2,
    ),
    (
        "330145",
        "METROPOLE DU GRAND LYON",
        K.INTERCOMMUNALITY,
        True,
        True,
        "Monsieur le Président",
        "20 rue du Lac",
        "69003",
        "Lyon",
        1,
    ),
    (
        "451278",
        "ASSOCIATION HABITAT ET HUMANISME RHONE",
        K.ASSOCIATION,
        True,
        False,
        "Monsieur le Président",
        "9 rue Mathieu Varille",
        "69007",
        "Lyon",
        1,
    ),
    (
        "702311",
        "CENTRE HOSPITALIER DE NARBONNE",
        K.PUBLIC_HOSPITAL,
        True,
        False,
        "Madame la Directrice",
        "Boulevard du Docteur Lacroix",
        "11100",
        "Narbonne",
        2,
    ),
    (
        "245890",
        "SA D'HLM LES FOYERS DE SEINE-ET-MARNE",
        K.SOCIAL_LANDLORD,
        True,
        False,
        "Monsieur le Directeur général",
        "27 avenue Thiers",
        "77000",
        "Melun",
        0,
    ),
    (
        "99871",
        "COMMUNE DE PRADES",
        K.COMMUNE,
        True,
        True,
        "Madame la Maire",
        "Place de la République",
        "66500",
        "Prades",
        2,
    ),
    (
        "318640",
        "SEM CONSTRUCTION ET AMENAGEMENT DU VAL",
        K.OTHER,
        True,
        False,
        "Monsieur le Directeur général",
        "3 rue de la Gare",
        "94000",
        "Créteil",
        0,
    ),
    (
        "127006",
        "COMMUNAUTE DE COMMUNES DU PAYS DE GEX",
        K.INTERCOMMUNALITY,
        False,
        True,
        "Monsieur le Président",
        "135 rue de Genève",
        "01170",
        "Gex",
        1,
    ),
]

ALL = [p.value for p in Permission]

# username, first name, last name, client number, status, granted, requested, job title
USERS: list[tuple[str, str, str, str, UserStatus, list[str], list[str], str]] = [
    ("pdurand", "Pierre", "Durand", "287576", UserStatus.ACTIVE, ALL, [], "Directeur financier"),
    (
        "vdupont",
        "Valérie",
        "Dupont",
        "287576",
        UserStatus.ACTIVE,
        [Permission.CREATE_LOAN_REQUESTS, Permission.VIEW_DOSSIERS, Permission.VIEW_PORTFOLIO],
        [],
        "Responsable finance",
    ),
    (
        "mleroy",
        "Marc",
        "Leroy",
        "287576",
        UserStatus.AWAITING_ADMIN,
        [],
        [Permission.VIEW_PORTFOLIO, Permission.VIEW_DOCUMENTS],
        "Chargé d'opérations",
    ),
    ("amartin", "Anne", "Martin", "104233", UserStatus.ACTIVE, ALL, [], "Directrice générale des services"),
    ("jbernard", "Julien", "Bernard", "104233", UserStatus.ACTIVE, [Permission.VIEW_PORTFOLIO], [], "Comptable"),
    ("cpetit", "Claire", "Petit", "330145", UserStatus.ACTIVE, ALL, [], "Responsable de la dette"),
    (
        "rfontaine",
        "Robert",
        "Fontaine",
        "287576",
        UserStatus.ACTIVE,
        [Permission.VIEW_PORTFOLIO, Permission.VIEW_DOCUMENTS],
        [],
        "Gestionnaire patrimoine",
    ),
]


@dataclass
class DemoSummary:
    establishments: int
    users: list[tuple[str, str, str]]
    free_numbers: list[tuple[str, str]]
    cas2_numbers: list[tuple[str, str]]


@transaction.atomic
def demo_load() -> DemoSummary:
    offices: list[RegionalOffice] = []
    for code, name, email in OFFICES:
        regional_office, _ = RegionalOffice.objects.update_or_create(code=code, defaults={"name": name, "email": email})
        offices.append(regional_office)
    by_number = {}
    for number, name, kind, borrower, guarantor, title, address, postal, city, office_index in ESTABLISHMENTS:
        establishment, _ = Establishment.objects.update_or_create(
            client_number=number,
            defaults={
                "legal_name": name,
                "kind": kind,
                "is_borrower": borrower,
                "is_guarantor": guarantor,
                "legal_representative_title": title,
                "address_line1": address,
                "postal_code": postal,
                "city": city,
                "regional_office": offices[int(office_index)],
                "is_active": True,
            },
        )
        by_number[number] = establishment
    summary_users = []
    for username, first, last, number, status, granted, requested, job in USERS:
        user = User.objects.identifier_is(username).filter(is_staff=False).first()
        if user is None:
            user = User(username=username)
            user.set_password(DEMO_PASSWORD)
        user.first_name, user.last_name, user.job_title = first, last, job
        user.email = f"{username}@demo.example.org"
        user.establishment = by_number[number]
        user.status = status
        user.permissions = [str(p) for p in granted]
        user.requested_permissions = [str(p) for p in requested]
        user.save()
        summary_users.append((username, by_number[number].legal_name, str(status.label)))
    _demo_staff()
    summary_users += _demo_letters(by_number)
    _demo_access_review(by_number["287576"])
    # A policy: the commune logs its users out after 15 minutes without activity, 8 hours at most.
    _establishment_set("104233", session_idle_minutes=15, session_max_hours=8)
    _demo_second_factor()
    NewsItem.objects.get_or_create(
        title="Livret A : 1,50 % depuis le 1er février 2026",
        defaults={
            "body": "Le taux du Livret A, index de la plupart des prêts sur fonds d'épargne, est de 1,50 % depuis le 1er février 2026."
        },
    )
    # Read from the database: registrations made since the last load are taken into account.
    free: list[tuple[str, str]] = []
    taken: list[tuple[str, str]] = []
    for number, establishment in by_number.items():
        is_free = registration_kind_for(establishment) == RegistrationKind.ADMINISTRATOR
        (free if is_free else taken).append((number, establishment.legal_name))
    return DemoSummary(establishments=len(ESTABLISHMENTS), users=summary_users, free_numbers=free, cas2_numbers=taken)


# First users waiting for their letter (« Suivre mon courrier d'activation »): username, first name,
# last name, client number, days since the letter, and whether they already asked for a new one.
AWAITING_LETTER = [
    ("lmoreau", "Lucie", "Moreau", "451278", 12, False),
    ("sgarcia", "Sophie", "Garcia", "702311", 11, True),
]


def _demo_letters(by_number: dict[str, Establishment]) -> list[tuple[str, str, str]]:
    """Two first users awaiting activation. lmoreau's letter left 11 days ago: « Je n'ai pas reçu le
    courrier » is open to her. sgarcia already asked for a new letter, waiting for the mailing house:
    the back office (« Courriers » → « Demandes de nouveau courrier ») may refuse it."""
    made = []
    now = clock.now()
    for username, first, last, number, days, asked in AWAITING_LETTER:
        establishment = by_number[number]
        made.append((username, establishment.legal_name, "attend son courrier"))
        if User.objects.identifier_is(username).filter(is_staff=False).exists():
            continue
        sent = now - timedelta(days=days)
        user = User(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@demo.example.org",
            establishment=establishment,
            status=UserStatus.AWAITING_ACTIVATION,
            must_change_password=True,
            temporary_code_expires_at=sent + timedelta(days=30),
            date_joined=sent,
            job_title="Responsable financier",
        )
        user.permissions = ALL
        user.set_unusable_password()
        user.save()
        letter = temporary_code_issue(user_id=user.pk)
        assert letter is not None
        Letter.objects.filter(pk=letter.pk).update(
            created_at=sent, status=LetterStatus.EXPORTED, exported_at=sent + timedelta(days=1)
        )
        if asked:
            letter_request(user=user, kind=LetterRequestKind.NOT_RECEIVED)
    return made


def _demo_access_review(oph: Establishment) -> None:
    """OPH MONTREUIL HABITAT's review is open (pdurand sees it on the home page); rfontaine has not
    logged in for 14 months, so his deactivation is proposed. Once done, a re-load leaves it."""
    if AccessReview.objects.filter(establishment=oph).exists():
        return
    User.objects.filter(username="rfontaine", is_staff=False).update(
        last_login=clock.now() - timedelta(days=425), date_joined=clock.now() - timedelta(days=800)
    )
    access_review_open(establishment=oph)


DEMO_RECOVERY_CODES = ["demo0001", "demo0002", "demo0003", "demo0004", "demo0005"]


def _establishment_set(client_number: str, **fields: object) -> None:
    """Saved (not `update()`d): its users' cached rows and its cached pages are renewed."""
    establishment = Establishment.objects.get(client_number=client_number)
    for name, value in fields.items():
        setattr(establishment, name, value)
    establishment.save(update_fields=[*fields, "updated_at"])


def _demo_second_factor() -> None:
    """Second-factor policies: the commune requires it of its validators and administrators
    (amartin passes it with the demo recovery codes), the metropolis of everyone (cpetit enrols an
    authenticator app at the next login)."""
    _establishment_set("104233", second_factor_policy=SecondFactorPolicy.PRIVILEGED)
    _establishment_set("330145", second_factor_policy=SecondFactorPolicy.ALL)
    admin = User.objects.get(username="amartin", is_staff=False)
    recovery_codes_issue(user=admin, codes=list(DEMO_RECOVERY_CODES))
    second_factor_remove(User.objects.get(username="cpetit", is_staff=False))


def _demo_staff() -> None:
    """Two staff members; their second factor is a set of demo recovery codes (reset at each load)."""
    staff_roles_ensure()

    office = RegionalOffice.objects.filter(code="ile-de-france").first()
    staff = [
        ("staff", "Équipe", "Technique", None, True),
        ("assistance", "Agent", "Assistance", "Assistance", False),
        ("charge", "Chloé", "Garnier", "Chargé de prêts", False),
        ("donnees", "David", "Roux", "Gestionnaire de données", False),
    ]
    for username, first, last, role, superuser in staff:
        user = User.objects.filter(username=username, is_staff=True).first()
        if user is None:
            user = User(username=username, is_staff=True, is_superuser=superuser)
            user.set_password(DEMO_PASSWORD)
        user.first_name, user.last_name, user.email = first, last, f"{username}@demo.example.org"
        user.establishment = None
        user.regional_office = office if role == "Chargé de prêts" else None
        user.save()
        if role:
            user.groups.add(Group.objects.get(name=role))
        recovery_codes_issue(user=user, codes=list(DEMO_RECOVERY_CODES))


def _demo_pdf(title: str, establishment: Establishment, paragraphs: list[str]) -> bytes:
    return render_pdf(
        template="documents/demo_document_pdf.html",
        context={"title": title, "establishment": establishment, "paragraphs": paragraphs},
    )


def _demo_documents(by_number: dict[str, Establishment]) -> None:
    """A few documents in the demo libraries (PDFs made now, filed once by their key), and two
    resources. The OPH's loans get a contract and an instalment notice when the portfolio has them."""
    oph, commune = by_number["287576"], by_number["104233"]
    for establishment in (oph, commune):
        title = "Bienvenue dans votre espace client"
        document_store(
            establishment=establishment,
            kind=DocumentKind.LETTER,
            title=title,
            issued_on=clock.today(),
            content=_demo_pdf(title, establishment, ["Vos documents sont désormais disponibles en ligne."]),
            file_name="courrier-bienvenue.pdf",
            source_key=f"demo:welcome:{establishment.client_number}",
        )
    lines = FinancingLine.objects.filter(borrower=oph).select_related("contract", "product").order_by("number")[:3]
    for line in lines:
        contract_title = f"Contrat de prêt {line.contract.number}"
        document_store(
            establishment=oph,
            kind=DocumentKind.CONTRACT,
            title=contract_title,
            issued_on=line.contract.signed_on,
            content=_demo_pdf(contract_title, oph, [f"Ligne {line.number} — {line.product.name}, {line.principal} €."]),
            file_name=f"contrat-{line.contract.number}.pdf",
            contract=line.contract,
            source_key=f"demo:contract:{line.contract.number}",
        )
        if line.next_due_date:
            notice_title = f"Avis d'échéance du {line.next_due_date:%d/%m/%Y} — ligne {line.number}"
            document_store(
                establishment=oph,
                kind=DocumentKind.INSTALMENT_NOTICE,
                title=notice_title,
                issued_on=clock.today(),
                content=_demo_pdf(notice_title, oph, [f"Montant prélevé : {line.next_instalment} €."]),
                file_name=f"avis-{line.number}.pdf",
                line=line,
                source_key=f"demo:notice:{line.number}:{line.next_due_date}",
            )
    staff = User.objects.get(username="staff", is_staff=True)
    for title, category, code, text in (
        (
            "Formulaire de demande d'Eco-prêt",
            ResourceCategory.FORM,
            "pam_eco",
            "Pièces à joindre à une demande d'Eco-prêt.",
        ),
        ("Fiche produit PLUS", ResourceCategory.PRODUCT_SHEET, "plus", "Le prêt locatif à usage social en une page."),
    ):
        if Resource.objects.filter(title=title).exists():
            continue
        content = _demo_pdf(title, oph, [text])
        status, _signature = scan_status_for(content)
        resource_create(
            title=title,
            category=category,
            description=text,
            product=Product.objects.filter(code=code).first(),
            upload=CheckedUpload(content=content, mime_type="application/pdf", scan_status=status),
            file_name=f"{title.lower().replace(' ', '-')}.pdf",
            author=staff,
        )


@transaction.atomic
def demo_load_after_portfolio() -> None:
    """What needs the demo portfolio: documents of its loans, a dossier and a draft request."""
    by_number = {e.client_number: e for e in Establishment.objects.filter(client_number__in=["287576", "104233"])}
    _demo_notification_choices()
    _demo_documents(by_number)
    _demo_loan_requests(by_number["287576"], by_number["104233"])
    instalments_due_notify()


def _demo_notification_choices() -> None:
    """vdupont reads her notifications in one daily digest; jbernard only wants the instalments."""
    for username, delivery, disabled in (
        ("vdupont", Delivery.DIGEST, []),
        ("jbernard", Delivery.IMMEDIATE, [NotificationKind.NEW_DOCUMENT.value]),
    ):
        user = User.objects.filter(username=username, is_staff=False).first()
        if user is not None:
            NotificationPreference.objects.update_or_create(
                user=user, defaults={"delivery": delivery, "disabled_kinds": disabled}
            )


DEMO_DOSSIER = "Résidence Les Tilleuls — 32 logements"
DEMO_DRAFT = "Réhabilitation de la cité Jardin — 48 logements"


def _demo_loan_requests(oph: Establishment, commune: Establishment) -> None:
    """A dossier under instruction (sent by pdurand, followed by the loan officer) and a draft."""
    author = User.objects.get(username="vdupont", is_staff=False)
    validator = User.objects.get(username="pdurand", is_staff=False)
    officer = User.objects.get(username="charge", is_staff=True)
    if not LoanRequest.objects.filter(establishment=oph, name=DEMO_DOSSIER).exists():
        dossier = request_create(establishment=oph, user=author, kind=RequestKind.HOUSING, name=DEMO_DOSSIER)
        dossier = request_update(
            loan_request=dossier,
            user=author,
            data={
                "nature": "new_build",
                "address": "8 rue des Tilleuls",
                "postal_code": "93100",
                "commune": "Montreuil",
                "insee_code": "93048",
                "zone": "A",
                "land_cost": Decimal("900000"),
                "building_cost": Decimal("4100000"),
                "fees_cost": Decimal("500000"),
                "subsidies_state": Decimal("450000"),
                "subsidies_local": Decimal("300000"),
                "own_funds": Decimal("550000"),
                "comment": "Permis de construire obtenu le 12 septembre 2026.",
            },
        )
        dwelling_add(loan_request=dossier, user=author, category="PLUS", count=22, surface_m2=Decimal("1450"))
        dwelling_add(loan_request=dossier, user=author, category="PLAI", count=10, surface_m2=Decimal("640"))
        terms = {"profile": "echeance_prioritaire", "periodicity": "annual", "revision": "simple"}
        for code, amount, land in (("plus", "2900000", "600000"), ("plai", "1300000", None)):
            line = line_save(
                loan_request=dossier,
                user=author,
                data={
                    **terms,
                    "product": Product.objects.get(code=code),
                    "amount": Decimal(amount),
                    "duration_years": 40,
                    "land_amount": Decimal(land) if land else None,
                    "land_duration_years": 50 if land else None,
                    "prefinancing_months": 18,
                    "prefinancing_mode": "paid",
                },
            )
            guarantees_set(
                line=line,
                user=author,
                items=[GuaranteeInput(commune, Decimal(50)), GuaranteeInput(None, Decimal(50))],
            )
        for document in required_documents(dossier):
            content = _demo_pdf(document.label, oph, [f"Pièce de la demande « {DEMO_DOSSIER} »."])
            stored = DossierFile(
                request=dossier,
                kind=FileKind.REQUIRED,
                required_document=document,
                name=f"{document.code}.pdf",
                mime_type="application/pdf",
                size=len(content),
                scan=scan_status_for(content)[0],
                uploaded_by=author,
            )
            stored.file.save("document", ContentFile(content), save=False)
            stored.save()
        request_send(loan_request=dossier, user=validator)
        dossier_assign(loan_request=dossier, officer=Officer(user=officer))
    if not LoanRequest.objects.filter(establishment=oph, name=DEMO_DRAFT).exists():
        draft = request_create(establishment=oph, user=author, kind=RequestKind.HOUSING, name=DEMO_DRAFT)
        request_update(
            loan_request=draft,
            user=author,
            data={"nature": "renovation", "address": "Cité Jardin", "postal_code": "93100", "commune": "Montreuil"},
        )
