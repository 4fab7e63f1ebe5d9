from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    """Audit actions of the shared kernel. Every app declares its own in its enums.py."""

    UPLOAD_INFECTED = "upload_infected", _("Fichier infecté refusé")
    EMAIL_GIVEN_UP = "email_given_up", _("Envoi d'un courriel abandonné après échecs répétés")
    TASK_REQUEUED = "task_requeued", _("Tâche interrompue relancée")
