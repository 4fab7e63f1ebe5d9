"""The lender's product table and the Livret A rates: data the data managers edit, never code."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from espace.core.models import TimeStampedModel
from espace.finance import Periodicity, Profile, Revision
from espace.products.enums import RateIndex, Sector


class Product(TimeStampedModel):
    """A loan product (PLUS, PLAI, PLS…): its rate as index + margin, durations, profiles, revisions."""

    code = models.SlugField("code", max_length=30, unique=True)
    name = models.CharField("nom", max_length=40)
    full_name = models.CharField("nom complet", max_length=120)
    sector = models.CharField("secteur", max_length=30, choices=Sector.choices)
    order = models.PositiveSmallIntegerField("ordre d'affichage", default=100)
    published = models.BooleanField("publié", default=True)
    requestable_online = models.BooleanField("demandable en ligne", default=True)
    index = models.CharField("index", max_length=20, choices=RateIndex.choices, default=RateIndex.LIVRET_A)
    margin_percent = models.DecimalField("marge (points de %)", default=Decimal(0), max_digits=6, decimal_places=3)
    fixed_rate_percent = models.DecimalField("taux fixe (%)", null=True, blank=True, max_digits=6, decimal_places=3)
    min_years = models.PositiveSmallIntegerField("durée minimale (années)", validators=[MinValueValidator(1)])
    max_years = models.PositiveSmallIntegerField("durée maximale (années)", validators=[MaxValueValidator(80)])
    land_max_years = models.PositiveSmallIntegerField(
        "durée maximale de la part foncière (années)", null=True, blank=True, validators=[MaxValueValidator(80)]
    )
    profiles = models.JSONField("profils d'amortissement", default=list)
    progression_min_percent = models.DecimalField(
        "progressivité minimale (%)", default=Decimal(0), max_digits=6, decimal_places=3
    )
    progression_max_percent = models.DecimalField(
        "progressivité maximale (%)", default=Decimal(0), max_digits=6, decimal_places=3
    )
    revisions = models.JSONField("révisions", default=list)
    periodicities = models.JSONField("périodicités", default=list)
    prefinancing_min_months = models.PositiveSmallIntegerField("préfinancement minimal (mois)", null=True, blank=True)
    prefinancing_max_months = models.PositiveSmallIntegerField("préfinancement maximal (mois)", null=True, blank=True)
    borrowers = models.TextField("qui peut emprunter", blank=True)
    purpose = models.TextField("ce qu'il finance", blank=True)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = "produit"
        verbose_name_plural = "produits"
        constraints = [
            models.CheckConstraint(condition=models.Q(min_years__lte=models.F("max_years")), name="product_durations"),
            models.CheckConstraint(
                condition=models.Q(progression_min_percent__lte=models.F("progression_max_percent")),
                name="product_progression_range",
            ),
            models.CheckConstraint(
                condition=~models.Q(index=RateIndex.FIXED) | models.Q(fixed_rate_percent__isnull=False),
                name="product_fixed_rate_given",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_indexed(self) -> bool:
        return self.index == RateIndex.LIVRET_A

    @property
    def has_land_part(self) -> bool:
        return self.land_max_years is not None

    @property
    def profile_choices(self) -> list[Profile]:
        return [Profile(value) for value in self.profiles]

    @property
    def revision_choices(self) -> list[Revision]:
        return [Revision(value) for value in self.revisions]

    @property
    def periodicity_choices(self) -> list[Periodicity]:
        return [Periodicity(value) for value in self.periodicities]


class IndexRate(models.Model):
    """One dated value of an index (the Livret A), in force from its date until the next one."""

    index = models.CharField("index", max_length=20, choices=RateIndex.choices, default=RateIndex.LIVRET_A)
    effective_from = models.DateField("en vigueur à partir du")
    rate_percent = models.DecimalField(
        "taux (%)",
        max_digits=6,
        decimal_places=3,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(20))],
    )

    class Meta:
        ordering = ["index", "-effective_from"]
        verbose_name = "taux d'index"
        verbose_name_plural = "taux d'index (Livret A)"
        constraints = [models.UniqueConstraint(fields=["index", "effective_from"], name="one_rate_per_index_and_date")]

    def __str__(self) -> str:
        return f"{self.get_index_display()} {self.rate_percent} % au {self.effective_from:%d/%m/%Y}"
