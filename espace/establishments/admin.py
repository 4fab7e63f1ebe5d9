from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from espace.establishments.models import Establishment, RegionalOffice


@admin.register(RegionalOffice)
class RegionalOfficeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "email", "phone"]
    search_fields = ["name", "code"]


@admin.register(Establishment)
class EstablishmentAdmin(admin.ModelAdmin):
    list_display = ["client_number", "legal_name", "kind", "is_borrower", "is_guarantor", "city", "is_active"]
    list_filter = ["kind", "is_borrower", "is_guarantor", "is_active", "regional_office"]
    search_fields = ["=client_number", "legal_name", "city"]
    readonly_fields = ["public_id", "created_at", "updated_at"]
    list_select_related = ["regional_office"]
    show_full_result_count = False

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Establishment], search_term: str
    ) -> tuple[QuerySet[Establishment], bool]:
        # Staff paste numbers as printed on letters, with leading zeros.
        stripped = search_term.strip()
        if stripped.isdigit():
            search_term = stripped.lstrip("0") or stripped
        return super().get_search_results(request, queryset, search_term)
