from django.db import models


class LetterStatus(models.TextChoices):
    PENDING = "pending", "à exporter"
    EXPORTED = "exported", "exporté"
    RETURNED = "returned", "retourné (NPAI)"


class AuditAction(models.TextChoices):
    LETTER_GENERATED = "letter_generated", "Courrier généré"
    LETTER_EXPORTED = "letter_exported", "Courrier exporté"
    LETTERS_BATCH_EXPORTED = "letters_batch_exported", "Lot de courriers exporté"
    LETTER_RETURNED = "letter_returned", "Courrier retourné"
