"""Version 1 of the guarantee deliberation template (espace/documents/data/deliberation_v1.txt)."""

from django.db import migrations

from espace.documents.data_load import deliberation_template_initial_load


def load(apps, schema_editor):
    deliberation_template_initial_load(apps.get_model("documents", "DeliberationTemplate"))


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
