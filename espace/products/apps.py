from django.apps import AppConfig

from espace.core.navigation import Menu, MenuEntry, menu_register


class ProductsConfig(AppConfig):
    name = "espace.products"
    verbose_name = "Produits et taux"

    def ready(self) -> None:
        from espace.products.page_versions import products_page_versions_connect  # needs the models

        products_page_versions_connect()
        menu_register(MenuEntry(Menu.PUBLIC, 10, "Nos prêts", "products:list", pages=("products:*",)))
