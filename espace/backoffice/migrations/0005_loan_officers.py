from django.db import migrations

from espace.backoffice.roles import staff_roles_ensure


def roles(apps, schema_editor):
    staff_roles_ensure(
        group_model=apps.get_model("auth", "Group"),
        permission_model=apps.get_model("auth", "Permission"),
        content_type_model=apps.get_model("contenttypes", "ContentType"),
    )


class Migration(migrations.Migration):
    """The « all offices » permission, and the data managers edit the required documents."""

    dependencies = [("backoffice", "0004_data_manager_edits_products"), ("loan_requests", "0002_load_required_documents")]

    operations = [migrations.RunPython(roles, migrations.RunPython.noop)]
