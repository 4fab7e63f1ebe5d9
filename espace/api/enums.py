from django.db import models
from django.utils.translation import gettext_lazy as _

from espace.accounts.enums import Permission


class ApiScope(models.TextChoices):
    """What a token may read. Each scope is one of the « habilitations » (SCOPE_PERMISSIONS): an
    administrator grants a token only what the service lets them grant a user."""

    PORTFOLIO = "portfolio", _("Consultation des Encours")
    DOSSIERS = "dossiers", _("Consultation des Dossiers")
    DOCUMENTS = "documents", _("Documents")


SCOPE_PERMISSIONS: dict[str, Permission] = {
    ApiScope.PORTFOLIO: Permission.VIEW_PORTFOLIO,
    ApiScope.DOSSIERS: Permission.VIEW_DOSSIERS,
    ApiScope.DOCUMENTS: Permission.VIEW_DOCUMENTS,
}


class TokenState(models.TextChoices):
    ACTIVE = "active", _("actif")
    EXPIRED = "expired", _("expiré")
    REVOKED = "revoked", _("révoqué")
    SUSPENDED = "suspended", _("suspendu")


class AuditAction(models.TextChoices):
    API_TOKEN_CREATED = "api_token_created", _("Jeton d'API créé")
    API_TOKEN_REVOKED = "api_token_revoked", _("Jeton d'API révoqué")
    API_TOKEN_USED = "api_token_used", _("Jeton d'API utilisé")
    API_REQUEST_REFUSED = "api_request_refused", _("Appel d'API refusé")
