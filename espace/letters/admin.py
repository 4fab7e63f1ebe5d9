from django.contrib import admin
from django.http import FileResponse, Http404, HttpRequest
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from espace.core.downloads import PDF, stored_file_response
from espace.letters.models import Letter


@admin.register(Letter)
class LetterAdmin(admin.ModelAdmin):
    list_display = ["reference", "establishment", "account_holder", "status", "created_at", "exported_at", "download"]
    list_filter = ["status", "superseded"]
    search_fields = ["=establishment__client_number", "establishment__legal_name", "account_holder__username"]
    list_select_related = ["establishment", "account_holder"]
    readonly_fields = [f.name for f in Letter._meta.fields if f.name != "status"]
    exclude = ["pdf"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        return [
            path("<int:pk>/pdf/", self.admin_site.admin_view(self.pdf_view), name="letters_letter_pdf"),
            *super().get_urls(),
        ]

    @admin.display(description="PDF")
    def download(self, letter: Letter) -> str:
        if not letter.pdf:
            return "—"
        return format_html('<a href="{}">Télécharger</a>', reverse("admin:letters_letter_pdf", args=[letter.pk]))

    def pdf_view(self, request: HttpRequest, pk: int) -> FileResponse:
        if not self.has_view_permission(request):
            raise Http404
        letter = Letter.objects.filter(pk=pk).first()
        if letter is None or not letter.pdf:
            raise Http404
        return stored_file_response(letter.pdf, filename=f"{letter.reference}.pdf", content_type=PDF)
