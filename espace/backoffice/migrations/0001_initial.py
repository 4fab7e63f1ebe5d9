from django.db import migrations, models

from espace.backoffice.roles import BACKOFFICE_PERMISSIONS, staff_roles_ensure


def create_roles(apps, schema_editor):
    staff_roles_ensure(
        group_model=apps.get_model("auth", "Group"),
        permission_model=apps.get_model("auth", "Permission"),
        content_type_model=apps.get_model("contenttypes", "ContentType"),
    )


class Migration(migrations.Migration):
    initial = True
    dependencies = [("auth", "0012_alter_user_first_name_max_length"), ("contenttypes", "0002_remove_content_type_name")]

    operations = [
        migrations.CreateModel(
            name="BackOfficeAccess",
            fields=[("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"))],
            options={"managed": False, "default_permissions": (), "permissions": tuple(BACKOFFICE_PERMISSIONS)},
        ),
        migrations.RunPython(create_roles, migrations.RunPython.noop),
    ]
