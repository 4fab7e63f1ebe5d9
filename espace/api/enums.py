from django.db import models

from espace.accounts.enums import Permission


class ApiScope(models.TextChoices):
    """What a token may read. Each scope is one of the « habilitations » (SCOPE_PERMISSIONS): an
    administrator grants a token only what the service lets them grant a user."""

    PORTFOLIO = "portfolio", "Consultation des Encours"
    DOSSIERS = "dossiers", "Consultation des Dossiers"
    DOCUMENTS = "documents", "Documents"


SCOPE_PERMISSIONS: dict[str, Permission] = {
    ApiScope.PORTFOLIO: Permission.VIEW_PORTFOLIO,
    ApiScope.DOSSIERS: Permission.VIEW_DOSSIERS,
    ApiScope.DOCUMENTS: Permission.VIEW_DOCUMENTS,
}


class TokenState(models.TextChoices):
    ACTIVE = "active", "actif"
    EXPIRED = "expired", "expiré"
    REVOKED = "revoked", "révoqué"
    SUSPENDED = "suspended", "suspendu"


class AuditAction(models.TextChoices):
    API_TOKEN_CREATED = "api_token_created", "Jeton d'API créé"
    API_TOKEN_REVOKED = "api_token_revoked", "Jeton d'API révoqué"
    API_TOKEN_USED = "api_token_used", "Jeton d'API utilisé"
    API_REQUEST_REFUSED = "api_request_refused", "Appel d'API refusé"
