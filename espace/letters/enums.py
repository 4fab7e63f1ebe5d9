from django.db import models
from django.utils.translation import gettext_lazy as _


class LetterStatus(models.TextChoices):
    PENDING = "pending", _("à exporter")
    EXPORTED = "exported", _("exporté")
    RETURNED = "returned", _("retourné (NPAI)")


class AuditAction(models.TextChoices):
    LETTER_GENERATED = "letter_generated", _("Courrier généré")
    LETTER_EXPORTED = "letter_exported", _("Courrier exporté")
    LETTERS_BATCH_EXPORTED = "letters_batch_exported", _("Lot de courriers exporté")
    LETTER_RETURNED = "letter_returned", _("Courrier retourné")
