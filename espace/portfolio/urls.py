from django.urls import path

from espace.portfolio import views

app_name = "portfolio"

urlpatterns = [
    path("encours/", views.dashboard, name="dashboard"),
    path("encours/prets/", views.lines, name="lines"),
    path("encours/prets/export.<str:fmt>", views.lines_export, name="lines_export"),
    path("encours/prets/<uuid:public_id>/", views.line, name="line"),
    path("encours/prets/<uuid:public_id>/echeancier.pdf", views.line_pdf, name="line_pdf"),
    path("encours/projections/", views.projections, name="projections"),
    path("encours/dette-garantie/", views.guaranteed, name="guaranteed"),
    path("encours/dette-garantie/etat/", views.statement_create, name="statement_create"),
    path("encours/dette-garantie/etats/<uuid:public_id>/", views.statement_download, name="statement_download"),
    path("encours/versements/", views.disbursements, name="disbursements"),
    path("encours/versements/<uuid:public_id>/", views.disbursement_change, name="disbursement_change"),
]
