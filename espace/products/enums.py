from django.db import models
from django.utils.translation import gettext_lazy as _


class Sector(models.TextChoices):
    SOCIAL_HOUSING = "social_housing", _("Logement social")
    LOCAL_PUBLIC_SECTOR = "local_public_sector", _("Secteur public local")


class RateIndex(models.TextChoices):
    LIVRET_A = "livret_a", _("Livret A")
    FIXED = "fixed", _("Taux fixe")


# French labels of the finance engine's choices (the engine itself has no Django, hence no gettext).
PROFILE_LABELS = {
    "echeance_prioritaire": _("Échéance prioritaire (amortissement déduit)"),
    "amortissement_prioritaire": _("Amortissement prioritaire (amortissement constant)"),
}
REVISION_LABELS = {
    "simple": _("Révision simple"),
    "double": _("Double révision"),
    "double_limitee": _("Double révision limitée"),
}
PERIODICITY_LABELS = {
    "annual": _("Annuelle"),
    "semiannual": _("Semestrielle"),
    "quarterly": _("Trimestrielle"),
    "monthly": _("Mensuelle"),
}
