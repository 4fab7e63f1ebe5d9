from django.urls import path

from espace.backoffice import views, views_auth, views_documents, views_portfolio

app_name = "backoffice"

urlpatterns = [
    path("connexion/", views_auth.staff_login, name="login"),
    path("connexion/verification/", views_auth.staff_otp, name="otp"),
    path("connexion/enrolement/", views_auth.staff_enroll, name="enroll"),
    path("enrolement/<str:token>/", views_auth.enrolment_link, name="enrolment_link"),
    path("second-facteur/", views_auth.second_factor, name="second_factor"),
    path("deconnexion/", views_auth.staff_logout, name="logout"),
    path("", views.dashboard, name="dashboard"),
    path("etablissements/<uuid:public_id>/", views.establishment_detail, name="establishment"),
    path("etablissements/<uuid:public_id>/succession/", views.establishment_succession, name="succession"),
    path("utilisateurs/<uuid:public_id>/regenerer-courrier/", views.user_regenerate_letter, name="regenerate_letter"),
    path("utilisateurs/<uuid:public_id>/renvoyer-identifiant/", views.user_resend_identifier, name="resend_identifier"),
    path("utilisateurs/<uuid:public_id>/debloquer/", views.user_unlock, name="unlock"),
    path("utilisateurs/<uuid:public_id>/desactiver/", views.user_deactivate, name="deactivate"),
    path("courriers/", views.letter_list, name="letters"),
    path("courriers/export/", views.letters_export_batch, name="letters_export"),
    path("courriers/<uuid:public_id>/pdf/", views.letter_pdf, name="letter_pdf"),
    path("courriers/<uuid:public_id>/retourne/", views.letter_returned, name="letter_returned"),
    path("versements/", views_portfolio.disbursement_queue, name="disbursements"),
    path("versements/<uuid:public_id>/", views_portfolio.disbursement_decide, name="disbursement"),
    path("imports/", views_portfolio.import_runs, name="imports"),
    path("imports/<uuid:public_id>/", views_portfolio.import_run, name="import"),
    path("ressources/", views_documents.resources, name="resources"),
    path("ressources/deliberation/", views_documents.deliberation_edit, name="deliberation_edit"),
    path(
        "ressources/deliberation/versions/<int:number>/",
        views_documents.deliberation_version,
        name="deliberation_version",
    ),
    path("ressources/nouvelle/", views_documents.resource_new, name="resource_new"),
    path("ressources/<uuid:public_id>/", views_documents.resource_detail, name="resource"),
    path(
        "ressources/<uuid:public_id>/versions/<int:number>/",
        views_documents.resource_version_download,
        name="resource_version",
    ),
    path("demandes/", views.contact_list, name="contacts"),
    path("demandes/<uuid:public_id>/", views.contact_detail, name="contact"),
    path("demandes/<uuid:public_id>/piece-jointe/", views.contact_attachment, name="contact_attachment"),
]
