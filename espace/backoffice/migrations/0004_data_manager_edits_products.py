from django.db import migrations

from espace.backoffice.roles import staff_roles_ensure


def roles(apps, schema_editor):
    staff_roles_ensure(
        group_model=apps.get_model("auth", "Group"),
        permission_model=apps.get_model("auth", "Permission"),
        content_type_model=apps.get_model("contenttypes", "ContentType"),
    )


class Migration(migrations.Migration):
    dependencies = [("backoffice", "0003_hash_recovery_codes"), ("products", "0002_load_products_and_livret_a")]

    operations = [migrations.RunPython(roles, migrations.RunPython.noop)]
