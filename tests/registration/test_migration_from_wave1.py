"""A database made before the layers were split keeps its registrations, users, letters and
audit rows: Registration moves from `accounts` to `registration` (its table renamed), the
permissions move from a JSON list to one column each, audit actions lose their choices."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

# The last migration of each app on main before the split (commit 83e30ab).
WAVE_1 = [
    ("core", "0003_alter_auditevent_action"),
    ("establishments", "0001_initial"),
    ("accounts", "0003_user_validation_reminder_sent_at"),
    ("letters", "0001_initial"),
    ("support", "0001_initial"),
    ("backoffice", "0001_initial"),
    ("registration", None),
]


def test_wave_1_database_migrates_and_keeps_its_rows():
    executor = MigrationExecutor(connection)
    executor.migrate(WAVE_1)
    old = executor.loader.project_state([t for t in WAVE_1 if t[1]]).apps
    Establishment = old.get_model("establishments", "Establishment")
    User = old.get_model("accounts", "User")
    Registration = old.get_model("accounts", "Registration")
    Letter = old.get_model("letters", "Letter")
    AuditEvent = old.get_model("core", "AuditEvent")
    establishment = Establishment.objects.create(
        client_number="237517",
        legal_name="SOC COOP HLM",
        kind="social_landlord",
        legal_representative_title="Monsieur le Directeur général",
        address_line1="1 rue",
        postal_code="69001",
        city="Lyon",
    )
    admin = User.objects.create(
        username="pdurand",
        email="p@example.org",
        establishment=establishment,
        status="active",
        permissions=["administer_users", "view_portfolio"],
        password="!",
    )
    pending = Registration.objects.create(
        establishment=establishment,
        kind="member",
        username="vdupont",
        first_name="Valérie",
        last_name="Dupont",
        email="v@example.org",
        terms_version="2026-1",
        expires_at=timezone.now() + timedelta(hours=2),
    )
    letter = Letter.objects.create(establishment=establishment, account_holder=admin, code_expires_at=timezone.now())
    AuditEvent.objects.create(action="member_activated", establishment=establishment, actor_label="pdurand")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    from espace.accounts.enums import Permission
    from espace.accounts.models import User as CurrentUser
    from espace.accounts.selectors import establishment_admins
    from espace.core.models import AuditEvent as CurrentAuditEvent
    from espace.letters.models import Letter as CurrentLetter
    from espace.registration.models import Registration as CurrentRegistration

    registration = CurrentRegistration.objects.get(public_id=pending.public_id)
    assert registration.username == "vdupont" and registration.establishment_id == establishment.pk
    assert CurrentRegistration._meta.db_table == "registration_registration"
    user = CurrentUser.objects.get(pk=admin.pk)
    assert user.permissions == [Permission.VIEW_PORTFOLIO, Permission.ADMINISTER_USERS]
    assert list(establishment_admins(user.establishment)) == [user]
    assert CurrentLetter.objects.get(pk=letter.pk).account_holder_id == admin.pk
    assert CurrentAuditEvent.objects.get().get_action_display() == "Utilisateur activé"
