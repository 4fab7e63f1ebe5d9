from django.urls import path

from espace.backoffice import views, views_auth, views_dossiers, views_portfolio

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
    path("dossiers/", views_dossiers.dossier_queue, name="dossiers"),
    path("dossiers/<uuid:public_id>/", views_dossiers.dossier_detail, name="dossier"),
    path("dossiers/<uuid:public_id>/prendre/", views_dossiers.dossier_take, name="dossier_take"),
    path("dossiers/<uuid:public_id>/documents/", views_dossiers.dossier_documents, name="dossier_documents"),
    path("dossiers/<uuid:public_id>/statut/", views_dossiers.dossier_status, name="dossier_status"),
    path("dossiers/<uuid:public_id>/offre/", views_dossiers.dossier_offer, name="dossier_offer"),
    path("dossiers/<uuid:public_id>/contrat/", views_dossiers.dossier_contract, name="dossier_contract"),
    path("dossiers/<uuid:public_id>/message/", views_dossiers.dossier_message, name="dossier_message"),
    path("dossiers/<uuid:public_id>/fichiers/<uuid:file_id>/", views_dossiers.dossier_file, name="dossier_file"),
    path("imports/", views_portfolio.import_runs, name="imports"),
    path("imports/<uuid:public_id>/", views_portfolio.import_run, name="import"),
    path("demandes/", views.contact_list, name="contacts"),
    path("demandes/<uuid:public_id>/", views.contact_detail, name="contact"),
    path("demandes/<uuid:public_id>/piece-jointe/", views.contact_attachment, name="contact_attachment"),
]
