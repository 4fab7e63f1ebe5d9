"""Data migrations keep what existing databases hold."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)


def migrate(targets):
    """Migrate the given apps to the given migrations, every other app to its latest."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    chosen = dict(targets)
    plan = [(app, chosen.get(app, name)) for app, name in executor.loader.graph.leaf_nodes()]
    plan += [(app, name) for app, name in targets if app not in {a for a, _ in plan}]
    executor.migrate(plan)
    return executor.loader.project_state(plan).apps


def test_clear_static_recovery_codes_become_digests():
    old = migrate([("backoffice", "0002_second_factor"), ("otp_static", "0003_add_timestamps")])
    User = old.get_model("accounts", "User")
    StaticDevice = old.get_model("otp_static", "StaticDevice")
    StaticToken = old.get_model("otp_static", "StaticToken")
    staff = User.objects.create(username="ancien", email="a@example.org", is_staff=True, password="!")
    device = StaticDevice.objects.create(user=staff, name="Codes de secours", confirmed=True)
    StaticToken.objects.bulk_create([StaticToken(device=device, token=t) for t in ("abcd2345", "efgh6789")])

    hashed = migrate([("backoffice", "0003_hash_recovery_codes")])
    assert not StaticToken.objects.exists()
    old_codes = list(hashed.get_model("backoffice", "RecoveryCode").objects.values_list("digest", flat=True))
    assert len(old_codes) == 2 and not {"abcd2345", "efgh6789"} & set(old_codes)

    migrate([])  # 0007 moves the codes to accounts, where clients' codes live too
    from espace.accounts.models import RecoveryCode
    from espace.accounts.models import User as CurrentUser
    from espace.backoffice.second_factor import staff_verify

    assert sorted(RecoveryCode.objects.values_list("digest", flat=True)) == sorted(old_codes)
    user = CurrentUser.objects.get(username="ancien")
    assert staff_verify(user=user, token="ABCD 2345") is not None  # still works, once
    assert staff_verify(user=user, token="abcd2345") is None
