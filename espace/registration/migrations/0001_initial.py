import django.core.validators
import django.db.models.deletion
import django.db.models.functions.text
import espace.core.clock
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    # The model moved out of `accounts` (its table was accounts_registration): state only here,
    # the next migration renames the table. Existing databases keep every row.
    dependencies = [
        ("establishments", "0001_initial"),
        ("accounts", "0004_remove_user_unique_live_username_ci_and_more"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Registration",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("created_at", models.DateTimeField(default=espace.core.clock.now, editable=False)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("code_hash", models.CharField(blank=True, max_length=256)),
                        ("code_expires_at", models.DateTimeField(blank=True, null=True)),
                        ("code_failures", models.PositiveSmallIntegerField(default=0)),
                        ("codes_sent", models.PositiveSmallIntegerField(default=0)),
                        ("last_code_requested_at", models.DateTimeField(blank=True, null=True)),
                        ("email_verified_at", models.DateTimeField(blank=True, null=True)),
                        ("expires_at", models.DateTimeField()),
                        ("completed_at", models.DateTimeField(blank=True, null=True)),
                        ("public_id", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("administrator", "premier utilisateur (administrateur)"),
                                    ("member", "utilisateur"),
                                ],
                                max_length=20,
                            ),
                        ),
                        (
                            "username",
                            models.CharField(
                                max_length=50,
                                validators=[
                                    django.core.validators.RegexValidator(
                                        "^[A-Za-z0-9._-]{3,50}$",
                                        "L'identifiant contient de 3 à 50 caractères : lettres sans accent, chiffres, point, tiret ou tiret bas.",
                                    )
                                ],
                            ),
                        ),
                        ("first_name", models.CharField(max_length=80)),
                        ("last_name", models.CharField(max_length=80)),
                        ("email", models.EmailField(max_length=254)),
                        ("phone", models.CharField(blank=True, max_length=30)),
                        ("job_title", models.CharField(blank=True, max_length=120)),
                        ("password_hash", models.CharField(blank=True, max_length=256)),
                        ("requested_permissions", models.JSONField(blank=True, default=list)),
                        ("terms_version", models.CharField(max_length=20)),
                        (
                            "establishment",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="establishments.establishment",
                            ),
                        ),
                        (
                            "user",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="registration",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "accounts_registration",
                        "indexes": [
                            models.Index(
                                django.db.models.functions.text.Lower("username"),
                                models.F("expires_at"),
                                name="registration_username_lower",
                            )
                        ],
                    },
                )
            ],
        ),
    ]
