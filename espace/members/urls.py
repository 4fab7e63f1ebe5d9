from django.urls import path

from espace.members import views, views_review

app_name = "members"

urlpatterns = [
    path("utilisateurs/", views.member_list, name="list"),
    path("utilisateurs/<uuid:public_id>/", views.member_card, name="card"),
    path("utilisateurs/<uuid:public_id>/activer/", views.member_activate_view, name="activate"),
    path("utilisateurs/<uuid:public_id>/desactiver/", views.member_deactivate_view, name="deactivate"),
    path("utilisateurs/<uuid:public_id>/reactiver/", views.member_reactivate_view, name="reactivate"),
    path(
        "utilisateurs/<uuid:public_id>/double-authentification/reinitialiser/",
        views.member_second_factor_reset_view,
        name="second_factor_reset",
    ),
    path("journal/", views.journal, name="journal"),
    path("revue-des-acces/", views_review.review, name="review"),
    path("revue-des-acces/<uuid:public_id>/export.csv", views_review.review_export, name="review_export"),
    path("parametres/", views.establishment_settings, name="settings"),
]
