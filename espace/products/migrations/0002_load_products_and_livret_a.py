"""The product table and the Livret A history, from their data files (espace/products/data,
espace/finance/data). Later changes are made by the data managers in the back office."""

from django.db import migrations

from espace.products.data_load import livret_a_load, products_load


def load(apps, schema_editor):
    products_load(apps.get_model("products", "Product"))
    livret_a_load(apps.get_model("products", "IndexRate"))


class Migration(migrations.Migration):
    dependencies = [("products", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
