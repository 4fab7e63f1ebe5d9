from django.db import migrations

from espace.loan_requests.data_load import required_documents_load


def load(apps, schema_editor):
    required_documents_load(apps.get_model("loan_requests", "RequiredDocument"))


class Migration(migrations.Migration):
    dependencies = [("loan_requests", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
