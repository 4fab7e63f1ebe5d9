from django.db import models


class DocumentKind(models.TextChoices):
    """What the lender sends over a loan's life (the library's « type » filter)."""

    CONTRACT = "contract", "Contrat"
    CONTRACT_ANNEX = "contract_annex", "Annexe au contrat"
    OFFER = "offer", "Lettre d'offre"
    INSTALMENT_NOTICE = "instalment_notice", "Avis d'échéance"
    GUARANTEED_DEBT_STATEMENT = "guaranteed_debt_statement", "État annuel de la dette garantie"
    DISBURSEMENT_CONFIRMATION = "disbursement_confirmation", "Confirmation de versement"
    SCHEDULE = "schedule", "Échéancier"
    LETTER = "letter", "Courrier"


# The manifest of `import_documents` may name a type by its code or by these French short names.
KIND_ALIASES = {
    "contrat": DocumentKind.CONTRACT,
    "annexe": DocumentKind.CONTRACT_ANNEX,
    "offre": DocumentKind.OFFER,
    "avis_echeance": DocumentKind.INSTALMENT_NOTICE,
    "etat_dette_garantie": DocumentKind.GUARANTEED_DEBT_STATEMENT,
    "confirmation_versement": DocumentKind.DISBURSEMENT_CONFIRMATION,
    "echeancier": DocumentKind.SCHEDULE,
    "courrier": DocumentKind.LETTER,
}
# Documents that only exist for a signed contract: their manifest row must name it (or one of its lines).
KINDS_NEEDING_A_LOAN = {
    DocumentKind.CONTRACT,
    DocumentKind.CONTRACT_ANNEX,
    DocumentKind.INSTALMENT_NOTICE,
    DocumentKind.DISBURSEMENT_CONFIRMATION,
}


class Origin(models.TextChoices):
    IMPORTED = "imported", "transmis par le prêteur"
    SERVICE = "service", "produit par le service"


class ResourceCategory(models.TextChoices):
    FORM = "form", "Formulaire"
    PRODUCT_SHEET = "product_sheet", "Fiche produit"
    GUIDE = "guide", "Guide"


RESOURCE_HEADINGS = {
    ResourceCategory.FORM: "Formulaires",
    ResourceCategory.PRODUCT_SHEET: "Fiches produits",
    ResourceCategory.GUIDE: "Guides",
}


class DeliberationFormat(models.TextChoices):
    DOCX = "docx", "Word (DOCX)"
    ODT = "odt", "OpenDocument (ODT)"
    PDF = "pdf", "PDF"


class AuditAction(models.TextChoices):
    DOCUMENT_DOWNLOADED = "document_downloaded", "Document téléchargé"
    DOCUMENT_EMAIL_REQUESTED = "document_email_requested", "Envoi d'un document par e-mail demandé"
    DOCUMENT_EMAILED = "document_emailed", "Document envoyé par e-mail"
    DELIBERATION_GENERATED = "deliberation_generated", "Modèle de délibération de garantie téléchargé"
    DELIBERATION_TEMPLATE_SAVED = "deliberation_template_saved", "Modèle de délibération enregistré"
    RESOURCE_VERSION_ADDED = "resource_version_added", "Ressource mise à jour"
