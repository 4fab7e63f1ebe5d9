"""The recovery codes moved to `accounts` (client users have a second factor too): copy the staff's
devices and codes there, then drop the back office's tables. Sessions verified by a recovery code
name the old model, so those staff members log in again once."""

from django.db import migrations


def copy_to_accounts(apps, schema_editor):
    OldDevice = apps.get_model("backoffice", "RecoveryCodeDevice")
    OldCode = apps.get_model("backoffice", "RecoveryCode")
    NewDevice = apps.get_model("accounts", "RecoveryCodeDevice")
    NewCode = apps.get_model("accounts", "RecoveryCode")
    fields = [
        "user_id",
        "name",
        "confirmed",
        "created_at",
        "last_used_at",
        "throttling_failure_timestamp",
        "throttling_failure_count",
    ]
    for old in OldDevice.objects.all():
        new = NewDevice.objects.create(**{name: getattr(old, name) for name in fields})
        digests = OldCode.objects.filter(device=old).values_list("digest", flat=True)
        NewCode.objects.bulk_create([NewCode(device=new, digest=digest) for digest in digests])


def copy_back(apps, schema_editor):
    OldDevice = apps.get_model("backoffice", "RecoveryCodeDevice")
    OldCode = apps.get_model("backoffice", "RecoveryCode")
    NewDevice = apps.get_model("accounts", "RecoveryCodeDevice")
    NewCode = apps.get_model("accounts", "RecoveryCode")
    for new in NewDevice.objects.filter(user__is_staff=True):
        old = OldDevice.objects.create(user_id=new.user_id, name=new.name, confirmed=new.confirmed)
        digests = NewCode.objects.filter(device=new).values_list("digest", flat=True)
        OldCode.objects.bulk_create([OldCode(device=old, digest=digest) for digest in digests])


class Migration(migrations.Migration):
    dependencies = [
        ("backoffice", "0006_data_manager_manages_resources"),
        ("accounts", "0008_second_factor"),
    ]

    operations = [
        migrations.RunPython(copy_to_accounts, copy_back),
        migrations.RemoveField(model_name="recoverycodedevice", name="user"),
        migrations.DeleteModel(name="RecoveryCode"),
        migrations.DeleteModel(name="RecoveryCodeDevice"),
    ]
