from django.db import models
from django.utils.translation import gettext_lazy as _


class RequestKind(models.TextChoices):
    HOUSING = "housing", _("Logement social")
    LOCAL = "local", _("Secteur public local")


class RequestStatus(models.TextChoices):
    DRAFT = "draft", _("brouillon")
    TO_VALIDATE = "to_validate", _("à valider")
    SENT = "sent", _("transmise")
    UNDER_REVIEW = "under_review", _("en instruction")
    DOCUMENTS_REQUESTED = "documents_requested", _("compléments demandés")
    OFFER_ISSUED = "offer_issued", _("offre émise")
    REFUSED = "refused", _("refusée")
    ABANDONED = "abandoned", _("sans suite")
    CONTRACTED = "contracted", _("contractualisée")


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
    NEW_BUILD = "new_build", _("Construction neuve")
    VEFA = "vefa", _("Acquisition en VEFA")
    ACQUISITION_IMPROVEMENT = "acquisition_improvement", _("Acquisition-amélioration")
    ACQUISITION = "acquisition", _("Acquisition sans travaux")
    RENOVATION = "renovation", _("Réhabilitation")
    DEMOLITION_RECONSTRUCTION = "demolition_reconstruction", _("Démolition-reconstruction")


class HousingZone(models.TextChoices):
    ABIS = "Abis", "Abis"
    A = "A", "A"
    B1 = "B1", "B1"
    B2 = "B2", "B2"
    C = "C", "C"


class FileKind(models.TextChoices):
    REQUIRED = "required", _("pièce de la demande")
    COMPLEMENT = "complement", _("document complémentaire")
    MESSAGE = "message", _("pièce jointe à un message")
    OFFER = "offer", _("offre de prêt")


class EventKind(models.TextChoices):
    CREATED = "created", _("Demande créée")
    SUBMITTED = "submitted", _("Demande soumise à validation")
    SENT = "sent", _("Demande transmise à la direction régionale")
    ASSIGNED = "assigned", _("Dossier pris en charge")
    STATUS_CHANGED = "status_changed", _("Statut modifié")
    DOCUMENTS_REQUESTED = "documents_requested", _("Documents demandés")
    DOCUMENT_ADDED = "document_added", _("Document ajouté")
    MESSAGE = "message", _("Message")
    OFFER_ISSUED = "offer_issued", _("Offre de prêt émise")
    CONTRACTED = "contracted", _("Contrat enregistré")


class AuditAction(models.TextChoices):
    LOAN_REQUEST_CREATED = "loan_request_created", _("Demande de prêt créée")
    LOAN_REQUEST_DELETED = "loan_request_deleted", _("Brouillon de demande de prêt supprimé")
    LOAN_REQUEST_SUBMITTED = "loan_request_submitted", _("Demande de prêt soumise à validation")
    LOAN_REQUEST_SENT = "loan_request_sent", _("Demande de prêt transmise")
    DOSSIER_FILE_ADDED = "dossier_file_added", _("Document ajouté à une demande")
    DOSSIER_FILE_INFECTED = "dossier_file_infected", _("Document infecté refusé")
    DOSSIER_MESSAGE = "dossier_message", _("Message sur un dossier")
    DOSSIER_ASSIGNED = "dossier_assigned", _("Dossier pris en charge")
    DOSSIER_STATUS_CHANGED = "dossier_status_changed", _("Statut de dossier modifié")
    DOSSIER_DOCUMENTS_REQUESTED = "dossier_documents_requested", _("Documents demandés sur un dossier")
    DOSSIER_OFFER_ISSUED = "dossier_offer_issued", _("Offre de prêt émise")
    DOSSIER_CONTRACTED = "dossier_contracted", _("Contrat enregistré")
