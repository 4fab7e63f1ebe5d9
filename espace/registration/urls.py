from django.urls import path

from espace.registration import views

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
]
