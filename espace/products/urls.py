from django.urls import path

from espace.products import views

app_name = "products"

urlpatterns = [
    path("prets/", views.product_list, name="list"),
    path("prets/<slug:code>/", views.product_detail, name="detail"),
]
