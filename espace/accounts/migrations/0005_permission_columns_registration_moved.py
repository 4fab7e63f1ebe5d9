"""Permissions become one boolean column each (the database can filter users by permission), and
the Registration model moves to the `registration` app (state only: its table stays, then is
renamed by registration.0002)."""

from django.db import migrations, models

PERMISSIONS = [
    "create_loan_requests",
    "validate_loan_requests",
    "manage_disbursements",
    "view_dossiers",
    "view_portfolio",
    "view_documents",
    "administer_users",
]


def json_to_columns(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    for user in User.objects.exclude(permissions=[]).only("pk", "permissions"):
        granted = set(user.permissions or [])
        User.objects.filter(pk=user.pk).update(**{f"perm_{code}": code in granted for code in PERMISSIONS})


def columns_to_json(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    for user in User.objects.all():
        user.permissions = [code for code in PERMISSIONS if getattr(user, f"perm_{code}")]
        user.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_remove_user_unique_live_username_ci_and_more"),
        ("establishments", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="perm_create_loan_requests",
            field=models.BooleanField(default=False, verbose_name="Création de demandes de prêts"),
        ),
        migrations.AddField(
            model_name="user",
            name="perm_validate_loan_requests",
            field=models.BooleanField(default=False, verbose_name="Validation de demandes de prêts"),
        ),
        migrations.AddField(
            model_name="user",
            name="perm_manage_disbursements",
            field=models.BooleanField(default=False, verbose_name="Pilotage des échéanciers de versement"),
        ),
        migrations.AddField(
            model_name="user",
            name="perm_view_dossiers",
            field=models.BooleanField(default=False, verbose_name="Consultation des Dossiers"),
        ),
        migrations.AddField(
            model_name="user",
            name="perm_view_portfolio",
            field=models.BooleanField(default=False, verbose_name="Consultation des Encours"),
        ),
        migrations.AddField(
            model_name="user",
            name="perm_view_documents",
            field=models.BooleanField(default=False, verbose_name="Documents"),
        ),
        migrations.AddField(
            model_name="user",
            name="perm_administer_users",
            field=models.BooleanField(default=False, verbose_name="Administration"),
        ),
        migrations.RunPython(json_to_columns, columns_to_json),
        migrations.RemoveField(model_name="user", name="permissions"),
        migrations.AddIndex(
            model_name="user",
            index=models.Index(
                condition=models.Q(("perm_administer_users", True), ("status", "active")),
                fields=["establishment"],
                name="user_active_administrators",
            ),
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name="Registration")],
        ),
    ]
