from django.db import models


class LetterStatus(models.TextChoices):
    PENDING = "pending", "à exporter"
    EXPORTED = "exported", "exporté"
    RETURNED = "returned", "retourné (NPAI)"


class LetterRequestKind(models.TextChoices):
    """Why the first user asked for a new letter themselves (« Suivre mon courrier »)."""

    NOT_RECEIVED = "not_received", "courrier non reçu"
    RENEWAL = "renewal", "renouvellement de l'inscription"


class LetterRequestStatus(models.TextChoices):
    GRANTED = "granted", "accordée"
    REFUSED = "refused", "refusée"


class AuditAction(models.TextChoices):
    LETTER_GENERATED = "letter_generated", "Courrier généré"
    LETTER_EXPORTED = "letter_exported", "Courrier exporté"
    LETTERS_BATCH_EXPORTED = "letters_batch_exported", "Lot de courriers exporté"
    LETTER_RETURNED = "letter_returned", "Courrier retourné"
    LETTER_REQUESTED = "letter_requested", "Nouveau courrier demandé par l'utilisateur"
    LETTER_REQUEST_REFUSED = "letter_request_refused", "Demande de nouveau courrier refusée"
    LETTER_TRACKING_OPENED = "letter_tracking_opened", "Suivi du courrier consulté"
