from django.urls import path

from espace.registration import views, views_tracking

app_name = "registration"

urlpatterns = [
    path("inscription/", views.register_question, name="question"),
    path("inscription/non-eligible/", views.register_not_eligible, name="not_eligible"),
    path("inscription/etape-1/", views.register_step1, name="step1"),
    path("inscription/etape-2/", views.register_step2, name="step2"),
    path("inscription/identite/", views.register_identity, name="identity"),
    path("inscription/code/", views.register_code, name="code"),
    path("inscription/code/renvoyer/", views.register_code_resend, name="code_resend"),
    path("inscription/complement/", views.register_member_details, name="member_details"),
    path("inscription/terminee/", views.register_done, name="done"),
    path("inscription/terminer/", views.register_finish, name="finish"),
    path("inscription/annuler/", views.register_cancel, name="cancel"),
    path("connexion/premiere/", views.first_login, name="first_login"),
    path("connexion/suivi-courrier/", views_tracking.tracking_start, name="tracking"),
    path("connexion/suivi-courrier/code/", views_tracking.tracking_code, name="tracking_code"),
    path("connexion/suivi-courrier/code/renvoyer/", views_tracking.tracking_code_resend, name="tracking_code_resend"),
    path("connexion/suivi-courrier/mon-courrier/", views_tracking.tracking_status_view, name="tracking_status"),
    path("connexion/suivi-courrier/demande/", views_tracking.tracking_request, name="tracking_request"),
    path("connexion/suivi-courrier/fermer/", views_tracking.tracking_end, name="tracking_end"),
]
