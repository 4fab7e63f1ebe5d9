from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin, UserManager
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Lower
from django_otp.models import Device, ThrottlingMixin, TimestampMixin

from espace.accounts.enums import Permission, UserStatus
from espace.accounts.signals import users_written
from espace.core import clock
from espace.core.models import EmailCodeMixin, LoadedValuesModel, TimeStampedModel

username_validator = RegexValidator(
    r"^[A-Za-z0-9._-]{3,50}$",
    "L'identifiant contient de 3 à 50 caractères : lettres sans accent, chiffres, point, tiret ou tiret bas.",
)


def normalize_identifier(raw: str) -> str:
    """The form under which identifiers are compared and failures counted."""
    return raw.strip().lower()


def guard_key(identifier: str, *, staff: bool = False) -> str:
    """The login counter of an identifier. Clients and lender staff have separate namespaces, hence
    separate counters: failures at the client entrance can never lock a staff account, nor reveal one."""
    normalized = normalize_identifier(identifier)[:240]
    return f"staff:{normalized}" if staff else normalized


# Each « habilitation » is a boolean column, so the database can filter users by permission
# (« the administrators of an establishment ») in one query, on SQLite and PostgreSQL alike.
PERMISSION_FIELDS: dict[str, str] = {p.value: f"perm_{p.value}" for p in Permission}


class UserQuerySet(models.QuerySet["User"]):
    # Writes that bypass save() still tell who was written: the cached session users are forgotten.
    def update(self, **kwargs: Any) -> int:
        pks = list(self.values_list("pk", flat=True))
        written = super().update(**kwargs)
        users_written.send(sender=self.model, pks=pks)
        return written

    def bulk_update(self, objs: Iterable[User], fields: Iterable[str], batch_size: int | None = None) -> int:
        objs = list(objs)
        written = super().bulk_update(objs, fields, batch_size=batch_size)
        users_written.send(sender=self.model, pks=[obj.pk for obj in objs])
        return written

    def holding(self, permission: Permission | str) -> UserQuerySet:
        """Users who hold the permission (any status: combine with .active())."""
        return self.filter(**{PERMISSION_FIELDS[str(permission)]: True})

    def active(self) -> UserQuerySet:
        return self.filter(status=UserStatus.ACTIVE)

    # Case-insensitive matches written so the LOWER() indexes serve them: `__iexact` compiles to
    # UPPER(…) = UPPER(…) on PostgreSQL, which no index serves (a scan of every user, 44 ms at
    # 100,000 users, on each login). The value is lowered by the database too, so both sides fold alike.
    def identifier_is(self, identifier: str) -> UserQuerySet:
        return self.alias(username_lower=Lower("username")).filter(username_lower=Lower(Value(identifier.strip())))

    def email_is(self, email: str) -> UserQuerySet:
        return self.alias(email_lower=Lower("email")).filter(email_lower=Lower(Value(email.strip())))

    def identifier_or_email_is(self, value: str) -> UserQuerySet:
        folded = Lower(Value(value.strip()))
        return self.alias(username_lower=Lower("username"), email_lower=Lower("email")).filter(
            Q(username_lower=folded) | Q(email_lower=folded)
        )


class EspaceUserManager(UserManager["User"]):
    def get_queryset(self) -> UserQuerySet:
        return UserQuerySet(self.model, using=self._db)

    def holding(self, permission: Permission | str) -> UserQuerySet:
        return self.get_queryset().holding(permission)

    def identifier_is(self, identifier: str) -> UserQuerySet:
        return self.get_queryset().identifier_is(identifier)

    def email_is(self, email: str) -> UserQuerySet:
        return self.get_queryset().email_is(email)

    def identifier_or_email_is(self, value: str) -> UserQuerySet:
        return self.get_queryset().identifier_or_email_is(value)

    def get_by_natural_key(self, username: str | None) -> User:
        # Staff and clients have separate namespaces; a staff account wins (createsuperuser, admin).
        live = self.identifier_is(username or "").filter(status__in=LIVE_STATUSES)
        user = live.order_by("-is_staff").first()
        if user is None:
            raise self.model.DoesNotExist
        return user


PERMISSION_FIELD_NAMES = list(PERMISSION_FIELDS.values())
LIVE_STATUSES = [UserStatus.AWAITING_ACTIVATION, UserStatus.AWAITING_ADMIN, UserStatus.ACTIVE, UserStatus.DEACTIVATED]


class User(LoadedValuesModel, AbstractBaseUser, PermissionsMixin):
    """A person: a client user of one establishment, or a member of the lender's staff (no establishment)."""

    # A move renews both establishments' users pages (espace.accounts.session_user).
    LOADED_FIELDS = ("establishment_id",)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    username = models.CharField("identifiant", max_length=50, validators=[username_validator])
    first_name = models.CharField("prénom", max_length=80)
    last_name = models.CharField("nom", max_length=80)
    email = models.EmailField("adresse e-mail")
    phone = models.CharField("N° de téléphone", max_length=30, blank=True)
    job_title = models.CharField("fonction", max_length=120, blank=True)
    establishment = models.ForeignKey(
        "establishments.Establishment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        verbose_name="établissement",
    )
    # Staff only: the regional office whose dossiers a loan officer instructs.
    regional_office = models.ForeignKey(
        "establishments.RegionalOffice",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        verbose_name="direction régionale (équipes du prêteur)",
    )
    status = models.CharField("statut", max_length=32, choices=UserStatus.choices, default=UserStatus.ACTIVE)
    perm_create_loan_requests = models.BooleanField("Création de demandes de prêts", default=False)
    perm_validate_loan_requests = models.BooleanField("Validation de demandes de prêts", default=False)
    perm_manage_disbursements = models.BooleanField("Pilotage des échéanciers de versement", default=False)
    perm_view_dossiers = models.BooleanField("Consultation des Dossiers", default=False)
    perm_view_portfolio = models.BooleanField("Consultation des Encours", default=False)
    perm_view_documents = models.BooleanField("Documents", default=False)
    perm_administer_users = models.BooleanField("Administration", default=False)
    requested_permissions = models.JSONField("habilitations demandées", default=list, blank=True)
    temporary_code_hash = models.CharField(max_length=256, blank=True)
    temporary_code_expires_at = models.DateTimeField(null=True, blank=True)
    must_change_password = models.BooleanField(default=False)
    terms_version = models.CharField("version des CGU acceptée", max_length=20, blank=True)
    terms_accepted_at = models.DateTimeField(null=True, blank=True)
    deactivation_reason = models.CharField(max_length=300, blank=True)
    is_staff = models.BooleanField("équipe du prêteur", default=False)
    date_joined = models.DateTimeField("inscription", default=clock.now)
    activated_at = models.DateTimeField(null=True, blank=True)
    validation_reminder_sent_at = models.DateTimeField(null=True, blank=True)

    objects = EspaceUserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email", "first_name", "last_name"]

    class Meta:
        verbose_name = "utilisateur"
        verbose_name_plural = "utilisateurs"
        ordering = ["last_name", "first_name"]
        constraints = [
            # An identifier is unique case-insensitively, except among lapsed registrations,
            # so a person whose registration lapsed can register again with the same one.
            # Lender staff have a namespace of their own: clients never learn staff identifiers.
            models.UniqueConstraint(
                Lower("username"),
                "is_staff",
                condition=~models.Q(status=UserStatus.LAPSED),
                name="unique_live_username_per_namespace",
            ),
            # Exactly one first user may be waiting for the legal representative's letter.
            models.UniqueConstraint(
                fields=["establishment"],
                condition=models.Q(status=UserStatus.AWAITING_ACTIVATION),
                name="one_awaiting_administrator_per_establishment",
            ),
            models.CheckConstraint(
                condition=models.Q(is_staff=True) | models.Q(establishment__isnull=False) | models.Q(is_superuser=True),
                name="client_user_has_establishment",
            ),
        ]
        indexes = [
            models.Index(Lower("email"), name="user_email_lower"),
            # Every status (the unique constraint above leaves lapsed registrations out): a login
            # with an unknown identifier looks there too, and must not scan every user.
            models.Index(Lower("username"), name="user_username_lower"),
            # « Who administers this establishment? » on every client home page.
            models.Index(
                fields=["establishment"],
                condition=models.Q(perm_administer_users=True, status=UserStatus.ACTIVE),
                name="user_active_administrators",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_full_name()} ({self.username})"

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        # Django's authentication refuses inactive users; only "actif" accounts get a session.
        return self.status == UserStatus.ACTIVE

    @property
    def is_client(self) -> bool:
        return self.establishment_id is not None

    @property
    def permissions(self) -> list[str]:
        """The granted permissions' codes, in the glossary's order."""
        return [code for code, field in PERMISSION_FIELDS.items() if getattr(self, field)]

    @permissions.setter
    def permissions(self, codes: list[str]) -> None:
        wanted = {str(code) for code in codes}
        for code, field in PERMISSION_FIELDS.items():
            setattr(self, field, code in wanted)

    def has_permission(self, permission: Permission | str) -> bool:
        return self.is_active and self.is_client and bool(getattr(self, PERMISSION_FIELDS[str(permission)]))

    @property
    def is_establishment_admin(self) -> bool:
        return self.has_permission(Permission.ADMINISTER_USERS)

    def permission_labels(self, which: str = "permissions") -> list[str]:
        values = getattr(self, which)
        return [str(p.label) for p in Permission if p.value in values]

    @property
    def granted_labels(self) -> list[str]:
        return self.permission_labels("permissions")

    @property
    def requested_labels(self) -> list[str]:
        return self.permission_labels("requested_permissions")


class LoginGuard(models.Model):
    """Failed-login counter and lock for one identifier as typed (normalised), existing or not."""

    identifier = models.CharField(max_length=254, unique=True)
    failures = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    last_locked_at = models.DateTimeField(null=True, blank=True)
    requires_reset = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.identifier


class EmailChange(EmailCodeMixin, TimeStampedModel):
    """A user's request to change their address, confirmed by a code sent to the new one."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="email_changes")
    new_email = models.EmailField()

    def __str__(self) -> str:
        return f"{self.user_id} → {self.new_email}"


RECOVERY_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_CODE_LENGTH = 16  # 16 characters of a 31-letter alphabet: 79 bits, so a plain digest is safe


def secret_digest(value: str) -> str:
    """SHA-256 of a high-entropy secret as typed (case, spaces and dashes ignored)."""
    normalized = "".join(ch for ch in value.lower() if ch.isalnum())
    return hashlib.sha256(normalized.encode()).hexdigest()


def recovery_code_generate() -> str:
    code = "".join(secrets.choice(RECOVERY_CODE_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
    return "-".join(code[i : i + 4] for i in range(0, RECOVERY_CODE_LENGTH, 4))


class RecoveryCodeDevice(TimestampMixin, ThrottlingMixin, Device):
    """Single-use recovery codes of a user (client or staff), stored as digests.

    django-otp's static device keeps its codes in clear; this one keeps only their SHA-256.
    """

    class Meta:
        verbose_name = "codes de secours"
        verbose_name_plural = "codes de secours"

    def get_throttle_factor(self) -> int:
        return int(getattr(settings, "OTP_STATIC_THROTTLE_FACTOR", 1))

    def verify_token(self, token: str) -> bool:
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        deleted, _ = self.codes.filter(digest=secret_digest(str(token))).delete()
        if deleted:
            self.throttle_reset(commit=False)
            self.set_last_used_timestamp(commit=False)
            self.save()
            return True
        self.throttle_increment()
        return False


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, related_name="codes", on_delete=models.CASCADE)
    digest = models.CharField(max_length=64, db_index=True)

    def __str__(self) -> str:
        return f"code de secours {self.pk}"
