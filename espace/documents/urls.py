from django.urls import path

from espace.documents import views

app_name = "documents"

urlpatterns = [
    path("documents/", views.library, name="library"),
    path("documents/<uuid:public_id>/telecharger/", views.download, name="download"),
    path("documents/<uuid:public_id>/par-email/", views.email, name="email"),
    path("documents/deliberations/", views.deliberations, name="deliberations"),
    path(
        "documents/deliberations/demandes/<uuid:public_id>/<int:guarantee_id>/deliberation.<str:fmt>",
        views.request_deliberation,
        name="request_deliberation",
    ),
    path(
        "documents/deliberations/<uuid:public_id>/deliberation.docx",
        views.deliberation,
        {"fmt": "docx"},
        name="deliberation_docx",
    ),
    path(
        "documents/deliberations/<uuid:public_id>/deliberation.odt",
        views.deliberation,
        {"fmt": "odt"},
        name="deliberation_odt",
    ),
    path(
        "documents/deliberations/<uuid:public_id>/deliberation.pdf",
        views.deliberation,
        {"fmt": "pdf"},
        name="deliberation_pdf",
    ),
    path("ressources/", views.resources, name="resources"),
    path("ressources/<uuid:public_id>/", views.resource_download, name="resource_download"),
]
