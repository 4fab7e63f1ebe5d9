"""The lender's product table and the Livret A rates: data the data managers edit, never code."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from espace.core.models import TimeStampedModel
from espace.finance import Periodicity, Profile, Revision
from espace.products.enums import RateIndex, Sector


class Product(TimeStampedModel):
    """A loan product (PLUS, PLAI, PLS…): its rate as index + margin, durations, profiles, revisions."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("nom"), max_length=40)
    full_name = models.CharField(_("nom complet"), max_length=120)
    sector = models.CharField(_("secteur"), max_length=30, choices=Sector.choices)
    order = models.PositiveSmallIntegerField(_("ordre d'affichage"), default=100)
    published = models.BooleanField(_("publié"), default=True)
    requestable_online = models.BooleanField(_("demandable en ligne"), default=True)
    index = models.CharField(_("index"), max_length=20, choices=RateIndex.choices, default=RateIndex.LIVRET_A)
    margin_percent = models.DecimalField(_("marge (points de %)"), default=Decimal(0), max_digits=6, decimal_places=3)
    fixed_rate_percent = models.DecimalField(_("taux fixe (%)"), null=True, blank=True, max_digits=6, decimal_places=3)
    min_years = models.PositiveSmallIntegerField(_("durée minimale (années)"), validators=[MinValueValidator(1)])
    max_years = models.PositiveSmallIntegerField(_("durée maximale (années)"), validators=[MaxValueValidator(80)])
    land_max_years = models.PositiveSmallIntegerField(
        _("durée maximale de la part foncière (années)"), null=True, blank=True, validators=[MaxValueValidator(80)]
    )
    profiles = models.JSONField(_("profils d'amortissement"), default=list)
    progression_min_percent = models.DecimalField(
        _("progressivité minimale (%)"), default=Decimal(0), max_digits=6, decimal_places=3
    )
    progression_max_percent = models.DecimalField(
        _("progressivité maximale (%)"), default=Decimal(0), max_digits=6, decimal_places=3
    )
    revisions = models.JSONField(_("révisions"), default=list)
    periodicities = models.JSONField(_("périodicités"), default=list)
    prefinancing_min_months = models.PositiveSmallIntegerField(
        _("préfinancement minimal (mois)"), null=True, blank=True
    )
    prefinancing_max_months = models.PositiveSmallIntegerField(
        _("préfinancement maximal (mois)"), null=True, blank=True
    )
    borrowers = models.TextField(_("qui peut emprunter"), blank=True)
    purpose = models.TextField(_("ce qu'il finance"), blank=True)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("produit")
        verbose_name_plural = _("produits")
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

    index = models.CharField(_("index"), max_length=20, choices=RateIndex.choices, default=RateIndex.LIVRET_A)
    effective_from = models.DateField(_("en vigueur à partir du"))
    rate_percent = models.DecimalField(
        _("taux (%)"),
        max_digits=6,
        decimal_places=3,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(20))],
    )

    class Meta:
        ordering = ["index", "-effective_from"]
        verbose_name = _("taux d'index")
        verbose_name_plural = _("taux d'index (Livret A)")
        constraints = [models.UniqueConstraint(fields=["index", "effective_from"], name="one_rate_per_index_and_date")]

    def __str__(self) -> str:
        return f"{self.get_index_display()} {self.rate_percent} % au {self.effective_from:%d/%m/%Y}"
