from django.db import migrations, models


STAFF_ROLES = {
    "Assistance": ["view_establishments", "assist_users", "manage_letters", "answer_contact_requests"],
    "Chargé de prêts": ["view_establishments", "answer_contact_requests", "review_loan_requests"],
    "Gestionnaire de données": ["view_establishments", "manage_letters", "manage_registry"],
}


def create_roles(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _ = ContentType.objects.get_or_create(app_label="backoffice", model="backofficeaccess")
    labels = dict(BACKOFFICE_PERMISSIONS)
    for codename, name in labels.items():
        Permission.objects.get_or_create(content_type=content_type, codename=codename, defaults={"name": name})
    for role, codenames in STAFF_ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(*Permission.objects.filter(content_type=content_type, codename__in=codenames))


BACKOFFICE_PERMISSIONS = [
    ("view_establishments", "Consulter les établissements et leurs utilisateurs"),
    ("assist_users", "Assister les utilisateurs (courriers, identifiants, déblocage, désactivation)"),
    ("manage_letters", "Gérer les courriers au représentant légal"),
    ("answer_contact_requests", "Répondre aux demandes de contact"),
    ("review_loan_requests", "Instruire les demandes de prêt"),
    ("manage_registry", "Charger le référentiel clients et le portefeuille"),
]


class Migration(migrations.Migration):
    initial = True
    dependencies = [("auth", "0012_alter_user_first_name_max_length"), ("contenttypes", "0002_remove_content_type_name")]

    operations = [
        migrations.CreateModel(
            name="BackOfficeAccess",
            fields=[("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"))],
            options={"managed": False, "default_permissions": (), "permissions": BACKOFFICE_PERMISSIONS},
        ),
        migrations.RunPython(create_roles, migrations.RunPython.noop),
    ]
