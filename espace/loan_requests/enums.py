from django.db import models


class RequestKind(models.TextChoices):
    HOUSING = "housing", "Logement social"
    LOCAL = "local", "Secteur public local"


class RequestStatus(models.TextChoices):
    DRAFT = "draft", "brouillon"
    TO_VALIDATE = "to_validate", "à valider"
    SENT = "sent", "transmise"
    UNDER_REVIEW = "under_review", "en instruction"
    DOCUMENTS_REQUESTED = "documents_requested", "compléments demandés"
    OFFER_ISSUED = "offer_issued", "offre émise"
    REFUSED = "refused", "refusée"
    ABANDONED = "abandoned", "sans suite"
    CONTRACTED = "contracted", "contractualisée"


# Before sending, the establishment edits the request; after, only the regional office changes it.
EDITABLE_STATUSES = {RequestStatus.DRAFT, RequestStatus.TO_VALIDATE}
# A dossier under instruction takes documents and messages from the establishment.
OPEN_STATUSES = {
    RequestStatus.SENT,
    RequestStatus.UNDER_REVIEW,
    RequestStatus.DOCUMENTS_REQUESTED,
    RequestStatus.OFFER_ISSUED,
}
# The statuses a loan officer may set with a decision note (the offer and the contract have their own acts).
OFFICER_STATUSES = [
    RequestStatus.UNDER_REVIEW,
    RequestStatus.REFUSED,
    RequestStatus.ABANDONED,
]


class OperationNature(models.TextChoices):
    NEW_BUILD = "new_build", "Construction neuve"
    VEFA = "vefa", "Acquisition en VEFA"
    ACQUISITION_IMPROVEMENT = "acquisition_improvement", "Acquisition-amélioration"
    ACQUISITION = "acquisition", "Acquisition sans travaux"
    RENOVATION = "renovation", "Réhabilitation"
    DEMOLITION_RECONSTRUCTION = "demolition_reconstruction", "Démolition-reconstruction"


class HousingZone(models.TextChoices):
    ABIS = "Abis", "Abis"
    A = "A", "A"
    B1 = "B1", "B1"
    B2 = "B2", "B2"
    C = "C", "C"


class FileKind(models.TextChoices):
    REQUIRED = "required", "pièce de la demande"
    COMPLEMENT = "complement", "document complémentaire"
    MESSAGE = "message", "pièce jointe à un message"
    OFFER = "offer", "offre de prêt"


class EventKind(models.TextChoices):
    CREATED = "created", "Demande créée"
    SUBMITTED = "submitted", "Demande soumise à validation"
    SENT = "sent", "Demande transmise à la direction régionale"
    ASSIGNED = "assigned", "Dossier pris en charge"
    STATUS_CHANGED = "status_changed", "Statut modifié"
    DOCUMENTS_REQUESTED = "documents_requested", "Documents demandés"
    DOCUMENT_ADDED = "document_added", "Document ajouté"
    MESSAGE = "message", "Message"
    OFFER_ISSUED = "offer_issued", "Offre de prêt émise"
    CONTRACTED = "contracted", "Contrat enregistré"


class AuditAction(models.TextChoices):
    LOAN_REQUEST_CREATED = "loan_request_created", "Demande de prêt créée"
    LOAN_REQUEST_DELETED = "loan_request_deleted", "Brouillon de demande de prêt supprimé"
    LOAN_REQUEST_SUBMITTED = "loan_request_submitted", "Demande de prêt soumise à validation"
    LOAN_REQUEST_SENT = "loan_request_sent", "Demande de prêt transmise"
    DOSSIER_FILE_ADDED = "dossier_file_added", "Document ajouté à une demande"
    DOSSIER_FILE_INFECTED = "dossier_file_infected", "Document infecté refusé"
    DOSSIER_MESSAGE = "dossier_message", "Message sur un dossier"
    DOSSIER_ASSIGNED = "dossier_assigned", "Dossier pris en charge"
    DOSSIER_STATUS_CHANGED = "dossier_status_changed", "Statut de dossier modifié"
    DOSSIER_DOCUMENTS_REQUESTED = "dossier_documents_requested", "Documents demandés sur un dossier"
    DOSSIER_OFFER_ISSUED = "dossier_offer_issued", "Offre de prêt émise"
    DOSSIER_CONTRACTED = "dossier_contracted", "Contrat enregistré"
