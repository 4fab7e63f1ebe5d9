from __future__ import annotations

import uuid

from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower

from espace.core.models import LoadedValuesModel, TimeStampedModel
from espace.establishments.enums import EstablishmentKind, SecondFactorPolicy

client_number_validator = RegexValidator(
    r"^[1-9][0-9]{0,8}$", "Le numéro client ne contient que des chiffres, sans les 0 initiaux."
)


class RegionalOffice(models.Model):
    """A regional office (« direction régionale ») of the lender."""

    code = models.SlugField("code", max_length=40, unique=True)
    name = models.CharField("nom", max_length=120)
    email = models.EmailField("adresse e-mail", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "direction régionale"
        verbose_name_plural = "directions régionales"

    def __str__(self) -> str:
        return self.name


class Establishment(LoadedValuesModel, TimeStampedModel):
    """A client of the lender, identified by its client number (stored without leading zeros)."""

    # A rename renews the pages that show it to other establishments (espace.establishments.page_versions).
    LOADED_FIELDS = ("legal_name",)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client_number = models.CharField("numéro client", max_length=9, unique=True, validators=[client_number_validator])
    legal_name = models.CharField("raison sociale", max_length=200)
    kind = models.CharField("catégorie", max_length=32, choices=EstablishmentKind.choices)
    is_borrower = models.BooleanField("emprunteur", default=True)
    is_guarantor = models.BooleanField("garant", default=False)
    legal_representative_title = models.CharField(
        "titre du représentant légal", max_length=120, help_text="Par exemple « Monsieur le Maire »."
    )
    address_line1 = models.CharField("adresse", max_length=120)
    address_line2 = models.CharField("complément d'adresse", max_length=120, blank=True)
    postal_code = models.CharField("code postal", max_length=10)
    city = models.CharField("commune", max_length=80)
    regional_office = models.ForeignKey(
        RegionalOffice,
        verbose_name="direction régionale",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="establishments",
    )
    is_active = models.BooleanField("actif", default=True)
    # Set by the establishment's administrator: a loan request is sent by a validator who is not
    # its author (« quatre yeux »).
    loan_requests_four_eyes = models.BooleanField("envoi par un autre validateur que l'auteur", default=False)
    # The establishment's security policy, set by its administrator (« Paramètres ») within the
    # lender's limits (SECURITY.md: idle 30 minutes, 12 hours at most).
    session_idle_minutes = models.PositiveSmallIntegerField(
        "déconnexion après inactivité (minutes)", choices=[(m, f"{m} minutes") for m in (10, 15, 20, 30)], default=30
    )
    session_max_hours = models.PositiveSmallIntegerField(
        "durée maximale d'une session (heures)", choices=[(h, f"{h} heures") for h in (2, 4, 8, 12)], default=12
    )
    # Addresses or networks (CIDR) its users and its API tokens may come from; empty: anywhere.
    web_networks = models.JSONField("réseaux autorisés pour l'espace client", default=list, blank=True)
    api_networks = models.JSONField("réseaux autorisés pour l'API", default=list, blank=True)
    second_factor_policy = models.CharField(
        "double authentification",
        max_length=16,
        choices=SecondFactorPolicy.choices,
        default=SecondFactorPolicy.OPTIONAL,
    )

    class Meta:
        ordering = ["legal_name"]
        verbose_name = "établissement"
        verbose_name_plural = "établissements"
        indexes = [models.Index(Lower("legal_name"), name="establishment_name_lower")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(client_number__startswith="0") & ~models.Q(client_number=""),
                name="client_number_without_leading_zero",
            ),
            models.CheckConstraint(
                condition=models.Q(is_borrower=True) | models.Q(is_guarantor=True),
                name="establishment_borrower_or_guarantor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.legal_name} ({self.client_number})"

    @property
    def client_number_printed(self) -> str:
        """The number as the lender prints it on letters: padded to 6 digits."""
        return self.client_number.zfill(6)

    @property
    def address_lines(self) -> list[str]:
        lines = [self.legal_representative_title, self.legal_name, self.address_line1]
        if self.address_line2:
            lines.append(self.address_line2)
        lines.append(f"{self.postal_code} {self.city.upper()}")
        return lines
