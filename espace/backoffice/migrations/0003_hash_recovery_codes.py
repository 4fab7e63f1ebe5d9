"""Recovery codes were django-otp static tokens, stored in clear: keep only their digests."""

import hashlib

from django.db import migrations


def digest(value):
    normalized = "".join(ch for ch in value.lower() if ch.isalnum())
    return hashlib.sha256(normalized.encode()).hexdigest()


def hash_static_tokens(apps, schema_editor):
    StaticDevice = apps.get_model("otp_static", "StaticDevice")
    RecoveryCodeDevice = apps.get_model("backoffice", "RecoveryCodeDevice")
    RecoveryCode = apps.get_model("backoffice", "RecoveryCode")
    for static in StaticDevice.objects.all():
        device = RecoveryCodeDevice.objects.create(user_id=static.user_id, name=static.name, confirmed=static.confirmed)
        RecoveryCode.objects.bulk_create(
            [RecoveryCode(device=device, digest=digest(token.token)) for token in static.token_set.all()]
        )
        static.delete()  # its clear tokens go with it (cascade)


class Migration(migrations.Migration):
    dependencies = [
        ("backoffice", "0002_second_factor"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(hash_static_tokens, migrations.RunPython.noop)]
