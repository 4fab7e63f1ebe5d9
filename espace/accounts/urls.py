from django.urls import path

from espace.accounts import views, views_account, views_registration

app_name = "accounts"

urlpatterns = [
    path("connexion/", views.login_view, name="login"),
    path("connexion/premiere/", views.first_login, name="first_login"),
    path("deconnexion/", views.logout_view, name="logout"),
    path("espace/", views.home, name="home"),
    path("mot-de-passe-oublie/", views_account.password_reset, name="password_reset"),
    path(
        "mot-de-passe-oublie/<str:uidb64>/<str:token>/",
        views_account.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("identifiant-oublie/", views_account.username_reminder, name="username_reminder"),
    path("mon-compte/", views_account.account, name="account"),
    path("mon-compte/mot-de-passe/", views_account.account_password, name="account_password"),
    path("mon-compte/adresse-e-mail/", views_account.account_email, name="account_email"),
    path("mon-compte/adresse-e-mail/code/", views_account.account_email_code, name="account_email_code"),
    path("mon-compte/adresse-e-mail/renvoyer/", views_account.account_email_resend, name="account_email_resend"),
    path("mon-compte/habilitations/", views_account.my_permissions, name="my_permissions"),
    path("inscription/", views_registration.register_question, name="register"),
    path("inscription/non-eligible/", views_registration.register_not_eligible, name="register_not_eligible"),
    path("inscription/etape-1/", views_registration.register_step1, name="register_step1"),
    path("inscription/etape-2/", views_registration.register_step2, name="register_step2"),
    path("inscription/identite/", views_registration.register_identity, name="register_identity"),
    path("inscription/code/", views_registration.register_code, name="register_code"),
    path("inscription/code/renvoyer/", views_registration.register_code_resend, name="register_code_resend"),
    path("inscription/complement/", views_registration.register_member_details, name="register_member_details"),
    path("inscription/terminee/", views_registration.register_done, name="register_done"),
    path("inscription/terminer/", views_registration.register_finish, name="register_finish"),
    path("inscription/annuler/", views_registration.register_cancel, name="register_cancel"),
]
