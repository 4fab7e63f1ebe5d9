from django.db import models


class Sector(models.TextChoices):
    SOCIAL_HOUSING = "social_housing", "Logement social"
    LOCAL_PUBLIC_SECTOR = "local_public_sector", "Secteur public local"


class RateIndex(models.TextChoices):
    LIVRET_A = "livret_a", "Livret A"
    FIXED = "fixed", "Taux fixe"


# French labels of the finance engine's choices (the engine itself has no Django, hence no gettext).
PROFILE_LABELS = {
    "echeance_prioritaire": "Échéance prioritaire (amortissement déduit)",
    "amortissement_prioritaire": "Amortissement prioritaire (amortissement constant)",
}
REVISION_LABELS = {
    "simple": "Révision simple",
    "double": "Double révision",
    "double_limitee": "Double révision limitée",
}
PERIODICITY_LABELS = {
    "annual": "Annuelle",
    "semiannual": "Semestrielle",
    "quarterly": "Trimestrielle",
    "monthly": "Mensuelle",
}
