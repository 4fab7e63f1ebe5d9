from django.urls import path

from espace.members import views

app_name = "members"

urlpatterns = [
    path("utilisateurs/", views.member_list, name="list"),
    path("utilisateurs/<uuid:public_id>/", views.member_card, name="card"),
    path("utilisateurs/<uuid:public_id>/activer/", views.member_activate_view, name="activate"),
    path("utilisateurs/<uuid:public_id>/desactiver/", views.member_deactivate_view, name="deactivate"),
    path("utilisateurs/<uuid:public_id>/reactiver/", views.member_reactivate_view, name="reactivate"),
    path("journal/", views.journal, name="journal"),
    path("parametres/", views.establishment_settings, name="settings"),
]
