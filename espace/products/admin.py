from django.contrib import admin

from espace.products.models import IndexRate, Product


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    """Edited by the « Gestionnaire de données » role (model permissions given by backoffice.roles)."""

    list_display = ["name", "full_name", "sector", "index", "margin_percent", "min_years", "max_years", "published"]
    list_filter = ["sector", "published"]
    search_fields = ["name", "full_name", "code"]


@admin.register(IndexRate)
class IndexRateAdmin(admin.ModelAdmin):
    list_display = ["index", "effective_from", "rate_percent"]
    list_filter = ["index"]
    date_hierarchy = "effective_from"
