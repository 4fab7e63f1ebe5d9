from django.apps import AppConfig


class ProductsConfig(AppConfig):
    name = "espace.products"
    verbose_name = "Produits et taux"
