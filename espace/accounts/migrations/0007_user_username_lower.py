import django.db.models.functions.text
from django.db import migrations, models


def analyze(apps, schema_editor):
    """Statistics for the new expression index at once: until the next auto-analyze, PostgreSQL
    would guess 500 matching users per identifier and join every establishment to find one."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ANALYZE accounts_user")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_user_regional_office"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("establishments", "0002_establishment_loan_requests_four_eyes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="user",
            index=models.Index(django.db.models.functions.text.Lower("username"), name="user_username_lower"),
        ),
        migrations.RunPython(analyze, migrations.RunPython.noop, elidable=True),
    ]
