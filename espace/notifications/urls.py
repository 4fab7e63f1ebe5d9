from django.urls import path

from espace.notifications import views

app_name = "notifications"

urlpatterns = [
    path("mon-compte/notifications/", views.preferences, name="preferences"),
    path("notifications/desabonnement/<str:token>/", views.unsubscribe_view, name="unsubscribe"),
]
