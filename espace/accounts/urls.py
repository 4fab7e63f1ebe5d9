from django.urls import path

from espace.accounts import views, views_account, views_second_factor

app_name = "accounts"

urlpatterns = [
    path("", views.public_home, name="public_home"),
    path("connexion/", views.login_view, name="login"),
    path("connexion/double-authentification/", views_second_factor.second_factor, name="second_factor"),
    path(
        "connexion/double-authentification/activation/",
        views_second_factor.second_factor_enrol,
        name="second_factor_enrol",
    ),
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
    path(
        "mon-compte/double-authentification/",
        views_second_factor.account_second_factor,
        name="account_second_factor",
    ),
]
