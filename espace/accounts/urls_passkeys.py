"""The JSON endpoints of django-otp-webauthn's script, under the namespace its template tags reverse."""

from django.urls import path
from django.views.decorators.cache import cache_page
from django.views.i18n import JavaScriptCatalog

from espace.accounts import passkeys

app_name = "otp_webauthn"

urlpatterns = [
    path(
        "mon-compte/cles-d-acces/debut/",
        passkeys.PasskeyRegistrationBegin.as_view(),
        name="credential-registration-begin",
    ),
    path(
        "mon-compte/cles-d-acces/fin/",
        passkeys.PasskeyRegistrationComplete.as_view(),
        name="credential-registration-complete",
    ),
    path(
        "connexion/cle-d-acces/debut/",
        passkeys.PasskeyAuthenticationBegin.as_view(),
        name="credential-authentication-begin",
    ),
    path(
        "connexion/cle-d-acces/fin/",
        passkeys.PasskeyAuthenticationComplete.as_view(),
        name="credential-authentication-complete",
    ),
    # The script's messages in French (locale/fr/LC_MESSAGES/djangojs.po), built once a day, not
    # on each login page.
    path(
        "cles-d-acces/messages.js",
        cache_page(86400, key_prefix="passkeys-catalogue")(JavaScriptCatalog.as_view(packages=["django_otp_webauthn"])),
        name="js-i18n-catalog",
    ),
]
