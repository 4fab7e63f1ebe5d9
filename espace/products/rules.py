"""A product's ranges checked on a form's fields (the simulators and the loan requests share them)."""

from __future__ import annotations

from typing import Any

from django import forms

from espace.core.formats import number_fr
from espace.products.enums import PERIODICITY_LABELS, PROFILE_LABELS, REVISION_LABELS
from espace.products.models import Product


def check_against_product(form: forms.Form, data: dict[str, Any], product: Product) -> None:
    """The product table's ranges, each refused on its own field with the allowed values."""
    years = data.get("duration_years")
    if years is not None and not product.min_years <= years <= product.max_years:
        form.add_error(
            "duration_years",
            f"Le {product.name} se prête de {product.min_years} à {product.max_years} ans.",
        )
    profile = data.get("profile")
    if profile and profile not in product.profiles:
        allowed = ", ".join(str(PROFILE_LABELS[p]).lower() for p in product.profiles)
        form.add_error("profile", f"Le {product.name} s'amortit en {allowed}.")
    progression = data.get("progression")
    if progression is not None and profile == "echeance_prioritaire":
        if not product.progression_min_percent <= progression <= product.progression_max_percent:
            low, high = number_fr(product.progression_min_percent), number_fr(product.progression_max_percent)
            form.add_error("progression", f"La progressivité du {product.name} va de {low} % à {high} % par an.")
    elif progression and profile == "amortissement_prioritaire":
        form.add_error("progression", "La progressivité ne s'applique qu'au profil « échéance prioritaire ».")
    periodicity = data.get("periodicity")
    if periodicity and periodicity not in product.periodicities:
        allowed = ", ".join(str(PERIODICITY_LABELS[p]).lower() for p in product.periodicities)
        form.add_error("periodicity", f"Échéances possibles pour le {product.name} : {allowed}.")
    revision = data.get("revision")
    if product.is_indexed:
        if not revision:
            data["revision"] = product.revisions[0]
        elif revision not in product.revisions:
            allowed = ", ".join(str(REVISION_LABELS[r]).lower() for r in product.revisions)
            form.add_error("revision", f"Le {product.name} admet : {allowed}.")
