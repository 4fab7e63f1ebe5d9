from django.db import models
from django.utils.translation import gettext_lazy as _


class LineStatus(models.TextChoices):
    PREFINANCING = "prefinancing", _("en préfinancement")
    REPAYMENT = "repayment", _("en amortissement")
    REPAID = "repaid", _("remboursée")


class ScheduleSource(models.TextChoices):
    LENDER = "lender", _("transmis par le prêteur")
    ENGINE = "engine", _("calculé d'après les caractéristiques")


class GuarantorKind(models.TextChoices):
    ESTABLISHMENT = "establishment", _("collectivité ou établissement")
    CGLLS = "cglls", _("CGLLS")


class DisbursementStatus(models.TextChoices):
    PLANNED = "planned", _("prévu")
    DRAWN = "drawn", _("versé")


class ChangeRequestStatus(models.TextChoices):
    PENDING = "pending", _("en attente")
    ACCEPTED = "accepted", _("acceptée")
    REFUSED = "refused", _("refusée")


class ImportStatus(models.TextChoices):
    RUNNING = "running", _("en cours")
    DONE = "done", _("terminé")
    DONE_WITH_ERRORS = "done_with_errors", _("terminé avec des refus")
    FAILED = "failed", _("échoué")


class StatementStatus(models.TextChoices):
    PENDING = "pending", _("en préparation")
    READY = "ready", _("disponible")
    FAILED = "failed", _("échec")


class AuditAction(models.TextChoices):
    PORTFOLIO_IMPORTED = "portfolio_imported", _("Portefeuille importé")
    DISBURSEMENT_CHANGE_REQUESTED = (
        "disbursement_change_requested",
        _("Modification d'échéancier de versement demandée"),
    )
    DISBURSEMENT_CHANGE_ACCEPTED = "disbursement_change_accepted", _("Modification d'échéancier de versement acceptée")
    DISBURSEMENT_CHANGE_REFUSED = "disbursement_change_refused", _("Modification d'échéancier de versement refusée")
    STATEMENT_REQUESTED = "guaranteed_debt_statement_requested", _("État annuel de la dette garantie demandé")
    PORTFOLIO_EXPORTED = "portfolio_exported", _("Encours exportés")
