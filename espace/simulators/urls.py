from django.urls import path

from espace.simulators import views

app_name = "simulators"

urlpatterns = [
    path("outils/", views.index, name="index"),
    path("outils/simulateur/", views.loan, name="loan"),
    path("outils/simulateur/export.<str:fmt>", views.loan_export, name="loan_export"),
    path("outils/part-fonciere/", views.land_share, name="land_share"),
    path("outils/part-fonciere/export.<str:fmt>", views.land_share_export, name="land_share_export"),
    path("outils/equilibre-operation/", views.balance, name="balance"),
    path("outils/equilibre-operation/export.<str:fmt>", views.balance_export, name="balance_export"),
    path("outils/simulations/", views.saved, name="saved"),
    path("outils/simulations/enregistrer/<str:kind>/", views.save, name="save"),
    path("outils/simulations/<uuid:public_id>/", views.reopen, name="reopen"),
    path("outils/simulations/<uuid:public_id>/supprimer/", views.delete, name="delete"),
]
