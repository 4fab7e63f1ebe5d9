from django.db import models


class AuditAction(models.TextChoices):
    """Audit actions of the shared kernel. Every app declares its own in its enums.py."""

    UPLOAD_INFECTED = "upload_infected", "Fichier infecté refusé"
    EMAIL_GIVEN_UP = "email_given_up", "Envoi d'un courriel abandonné après échecs répétés"
    TASK_REQUEUED = "task_requeued", "Tâche interrompue relancée"
