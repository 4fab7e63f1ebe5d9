"""The « Gestionnaire de données » role manages the resources (deliberation templates, forms)."""

from django.db import migrations

from espace.backoffice.roles import staff_roles_ensure


def roles(apps, schema_editor):
    staff_roles_ensure(
        group_model=apps.get_model("auth", "Group"),
        permission_model=apps.get_model("auth", "Permission"),
        content_type_model=apps.get_model("contenttypes", "ContentType"),
    )


class Migration(migrations.Migration):
    dependencies = [("backoffice", "0005_loan_officers")]

    operations = [migrations.RunPython(roles, migrations.RunPython.noop)]
