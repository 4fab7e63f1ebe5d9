from django.db import models


class LineStatus(models.TextChoices):
    PREFINANCING = "prefinancing", "en préfinancement"
    REPAYMENT = "repayment", "en amortissement"
    REPAID = "repaid", "remboursée"


class ScheduleSource(models.TextChoices):
    LENDER = "lender", "transmis par le prêteur"
    ENGINE = "engine", "calculé d'après les caractéristiques"


class GuarantorKind(models.TextChoices):
    ESTABLISHMENT = "establishment", "collectivité ou établissement"
    CGLLS = "cglls", "CGLLS"


class DisbursementStatus(models.TextChoices):
    PLANNED = "planned", "prévu"
    DRAWN = "drawn", "versé"


class ChangeRequestStatus(models.TextChoices):
    PENDING = "pending", "en attente"
    ACCEPTED = "accepted", "acceptée"
    REFUSED = "refused", "refusée"


class ImportStatus(models.TextChoices):
    RUNNING = "running", "en cours"
    DONE = "done", "terminé"
    DONE_WITH_ERRORS = "done_with_errors", "terminé avec des refus"
    FAILED = "failed", "échoué"


class StatementStatus(models.TextChoices):
    PENDING = "pending", "en préparation"
    READY = "ready", "disponible"
    FAILED = "failed", "échec"


class AuditAction(models.TextChoices):
    PORTFOLIO_IMPORTED = "portfolio_imported", "Portefeuille importé"
    DISBURSEMENT_CHANGE_REQUESTED = (
        "disbursement_change_requested",
        "Modification d'échéancier de versement demandée",
    )
    DISBURSEMENT_CHANGE_ACCEPTED = "disbursement_change_accepted", "Modification d'échéancier de versement acceptée"
    DISBURSEMENT_CHANGE_REFUSED = "disbursement_change_refused", "Modification d'échéancier de versement refusée"
    STATEMENT_REQUESTED = "guaranteed_debt_statement_requested", "État annuel de la dette garantie demandé"
    PORTFOLIO_EXPORTED = "portfolio_exported", "Encours exportés"
