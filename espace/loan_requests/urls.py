from django.urls import path

from espace.loan_requests import views

app_name = "loan_requests"

urlpatterns = [
    path("demandes/", views.request_list, name="list"),
    path("demandes/export.<str:fmt>", views.request_export, name="export"),
    path("demandes/nouvelle/", views.request_new, name="new"),
    path("demandes/<uuid:public_id>/", views.request_detail_view, name="detail"),
    path("demandes/<uuid:public_id>/recapitulatif/", views.request_summary, name="summary"),
    path("demandes/<uuid:public_id>/etapes/<slug:slug>/", views.request_step, name="step"),
    path("demandes/<uuid:public_id>/lignes/<int:line_id>/", views.line_edit, name="line_edit"),
    path("demandes/<uuid:public_id>/lignes/<int:line_id>/supprimer/", views.line_delete, name="line_delete"),
    path(
        "demandes/<uuid:public_id>/logements/<int:dwelling_id>/supprimer/",
        views.dwelling_delete,
        name="dwelling_delete",
    ),
    path("demandes/<uuid:public_id>/documents/<uuid:file_id>/", views.file_download, name="file"),
    path("demandes/<uuid:public_id>/documents/<uuid:file_id>/retirer/", views.file_delete, name="file_delete"),
    path("demandes/<uuid:public_id>/soumettre/", views.request_submit_view, name="submit"),
    path("demandes/<uuid:public_id>/envoyer/", views.request_send_view, name="send"),
    path("demandes/<uuid:public_id>/supprimer/", views.request_delete_view, name="delete"),
    path("demandes/<uuid:public_id>/complements/", views.complement_view, name="complement"),
    path("demandes/<uuid:public_id>/messages/", views.message_view, name="message"),
]
