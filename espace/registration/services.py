"""Registration (« S'inscrire en ligne »): CAS 1 first user / administrator, CAS 2 later users,
and the temporary-code flow of the first user: code issued in a letter → first login → lapse.

A Registration row holds the answers until the 4-digit code proves the address; only then is
a User created, in one transaction that locks the establishment so two first users racing
cannot both become administrator.
"""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime

from espace.accounts.enums import REQUESTABLE_PERMISSIONS, Permission, UserStatus
from espace.accounts.enums import AuditAction as AccountsAuditAction
from espace.accounts.login import login_guard_clear
from espace.accounts.models import LIVE_STATUSES, User, username_validator
from espace.accounts.selectors import establishment_admins
from espace.core import clock
from espace.core.audit import audit_record
from espace.core.email_codes import code_check, code_issue, code_request
from espace.core.emails import email_enqueue
from espace.core.exceptions import ApplicationError
from espace.core.origin import current_ip
from espace.core.tasks import task_enqueue
from espace.core.throttle import throttle_hit
from espace.establishments.models import Establishment
from espace.establishments.selectors import normalize_client_number
from espace.letters.models import Letter
from espace.letters.services import letter_create_activation
from espace.notifications.enums import NotificationKind
from espace.notifications.services import Message, notify
from espace.registration.enums import AuditAction, RegistrationKind, RegistrationStep
from espace.registration.models import LetterTracking, Registration
from espace.registration.selectors import identifier_taken, registration_kind_for


class AdministratorTakenError(ApplicationError):
    """Another first user completed before this one: continue as a later user (CAS 2)."""

    def __init__(self) -> None:
        super().__init__(
            "Un autre utilisateur de votre établissement vient de s'inscrire en tant qu'administrateur. "
            "Votre inscription continue en tant qu'utilisateur : choisissez votre mot de passe et les services "
            "souhaités ; votre administrateur validera votre inscription."
        )


class TooManyTriesError(ApplicationError):
    """A per-address or per-registration limit is reached: the screen answers 429."""


# Where a registration may go from each step it holds; only the services below move it.
STEP_TRANSITIONS: dict[str, set[RegistrationStep]] = {
    RegistrationStep.CODE: {RegistrationStep.MEMBER_DETAILS, RegistrationStep.DONE},
    RegistrationStep.MEMBER_DETAILS: {RegistrationStep.DONE},
    RegistrationStep.DONE: set(),
}


def _step_move(registration: Registration, to: RegistrationStep) -> None:
    if to not in STEP_TRANSITIONS[registration.step]:
        raise ApplicationError("Cette étape ne s'applique pas à votre inscription.")
    registration.step = to


def registration_number_try() -> None:
    """One client number typed from the current address (espace.core.origin): beyond
    REGISTRATION_IP_LIMIT in REGISTRATION_IP_WINDOW the screen refuses, so numbers cannot be swept."""
    attempts = throttle_hit(key=f"registration-ip:{current_ip()}", window=settings.REGISTRATION_IP_WINDOW)
    if attempts > settings.REGISTRATION_IP_LIMIT:
        raise TooManyTriesError("Trop de tentatives depuis votre adresse. Veuillez réessayer dans 10 minutes.")


def registration_identity_try(*, tries: int) -> None:
    """The `tries`-th identity answer of one registration in progress, from the current address.

    The « identifier taken » answer must not become an oracle: a few tries per registration (each
    registration costs a CAPTCHA) and per address."""
    per_ip = throttle_hit(key=f"registration-identity-ip:{current_ip()}", window=settings.REGISTRATION_IP_WINDOW)
    if tries > settings.REGISTRATION_IDENTITY_TRIES or per_ip > settings.REGISTRATION_IDENTITY_IP_LIMIT:
        raise TooManyTriesError(
            "Vous avez fait trop d'essais pour cette étape. Pour votre sécurité, recommencez votre inscription "
            "un peu plus tard (numéro client et vérification anti-robot)."
        )


def _fold(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return "".join(c for c in decomposed if c.isalnum())


def identifier_check(*, username: str, establishment: Establishment, registration: Registration | None = None) -> None:
    """Raise ApplicationError(field="username") when the identifier cannot be chosen."""
    try:
        username_validator(username)
    except ValidationError as error:
        raise ApplicationError(str(error.messages[0]), field="username") from error
    if normalize_client_number(username) == establishment.client_number or _fold(username) == _fold(
        establishment.client_number
    ):
        raise ApplicationError("N'utilisez pas votre numéro client comme identifiant.", field="username")
    if _fold(username) == _fold(establishment.legal_name):
        raise ApplicationError("N'utilisez pas le nom de votre établissement comme identifiant.", field="username")
    if identifier_taken(username, exclude_registration=registration):
        raise ApplicationError("Cet identifiant est déjà utilisé. Veuillez en choisir un autre.", field="username")


def password_check(*, password: str, confirmation: str, registration: Registration) -> None:
    if password != confirmation:
        raise ApplicationError("Les deux mots de passe ne sont pas identiques.", field="password2")
    candidate = User(
        username=registration.username,
        first_name=registration.first_name,
        last_name=registration.last_name,
        establishment=registration.establishment,
    )
    try:
        validate_password(password, user=candidate)
    except ValidationError as error:
        raise ApplicationError(" ".join(error.messages), field="password1") from error


@dataclass(frozen=True)
class Identity:
    username: str
    first_name: str
    last_name: str
    email: str
    phone: str = ""
    job_title: str = ""


@transaction.atomic
def registration_start(
    *,
    establishment: Establishment,
    kind: RegistrationKind,
    identity: Identity,
    password: str = "",
    password_confirmation: str = "",
    requested_permissions: list[str] | None = None,
) -> Registration:
    """Record the answers of « Créer mon compte » and send the first 4-digit code."""
    identifier_check(username=identity.username, establishment=establishment)
    registration = Registration(
        establishment=establishment,
        kind=kind,
        step=RegistrationStep.CODE,
        username=identity.username.strip(),
        first_name=identity.first_name.strip(),
        last_name=identity.last_name.strip(),
        email=identity.email.strip(),
        phone=identity.phone.strip(),
        job_title=identity.job_title.strip(),
        terms_version=settings.TERMS_VERSION,
        expires_at=clock.now() + settings.REGISTRATION_VALIDITY,
    )
    if kind == RegistrationKind.MEMBER:
        password_check(password=password, confirmation=password_confirmation, registration=registration)
        registration.password_hash = make_password(password)
        registration.requested_permissions = _requestable(requested_permissions or [])
    registration.full_clean()
    registration.save()
    audit_record(
        action=AuditAction.REGISTRATION_STARTED,
        establishment=establishment,
        details={"username": registration.username, "kind": kind.value},
    )
    registration_send_code(registration=registration)
    return registration


def _requestable(permissions: list[str]) -> list[str]:
    """Keep only the tutorial's five services, in their order."""
    return [p.value for p in REQUESTABLE_PERMISSIONS if p.value in set(permissions)]


@transaction.atomic
def registration_send_code(*, registration: Registration) -> None:
    """Queue a new 4-digit code. At most 5 per registration, one per 60 seconds."""
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    code_request(registration)
    registration.save()
    task_enqueue(
        "espace.registration.tasks.send_registration_code",
        registration_id=registration.pk,
        sequence=registration.codes_sent,
    )
    audit_record(
        action=AuditAction.EMAIL_CODE_SENT,
        establishment=registration.establishment,
        details={"username": registration.username, "count": registration.codes_sent},
    )


@transaction.atomic
def registration_issue_code(*, registration_id: int, sequence: int | None = None) -> tuple[str | None, Registration]:
    """Called by the task: create the code, store its hash, return the clear code to mail
    (None when there is nothing to send: completed, lapsed, or a later request will send it)."""
    registration = Registration.objects.select_for_update().get(pk=registration_id)
    code = code_issue(registration, sequence=sequence)
    if code is not None:
        registration.save(update_fields=["code_hash", "code_expires_at", "code_failures", "updated_at"])
    return code, registration


def registration_verify_code(*, registration: Registration, code: str) -> str | None:
    """Check the 4-digit code. Return an error message, or None when the address is proven.

    A failed try is committed even though the caller shows an error.
    """
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        already_verified = registration.email_verified_at is not None
        error = code_check(registration, code)
        if not already_verified:
            registration.save(update_fields=["code_hash", "code_failures", "email_verified_at", "updated_at"])
        if error is not None:
            audit_record(
                action=AuditAction.EMAIL_CODE_FAILED,
                establishment=registration.establishment,
                details={"username": registration.username},
            )
    return error


@transaction.atomic
def registration_complete(*, registration: Registration) -> User:
    """Create the account once the address is proven (the registration is then done). Idempotent:
    a replay returns the same user."""
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.user is not None:  # a replay
        return registration.user
    if registration.email_verified_at is None:
        raise ApplicationError("Votre adresse e-mail n'a pas encore été vérifiée.")
    if registration.expires_at <= clock.now():
        raise ApplicationError("Cette inscription a expiré. Veuillez recommencer votre inscription.")
    # Serialise registrations of one establishment: the CAS 1 decision below must not race.
    establishment = Establishment.objects.select_for_update().get(pk=registration.establishment_id)
    now = clock.now()
    user = User(
        **registration.as_user_fields(),
        establishment=establishment,
        terms_version=registration.terms_version,
        terms_accepted_at=registration.created_at,
    )
    _lapse_expired_first_users(establishment=establishment, username=registration.username)
    if registration.kind == RegistrationKind.ADMINISTRATOR:
        if registration_kind_for(establishment) != RegistrationKind.ADMINISTRATOR:
            raise AdministratorTakenError()
        user.status = UserStatus.AWAITING_ACTIVATION
        user.permissions = [p.value for p in Permission]
        user.must_change_password = True
        user.temporary_code_expires_at = now + settings.TEMPORARY_CODE_VALIDITY
        user.set_unusable_password()
    else:
        if not registration.password_hash:
            raise ApplicationError("Veuillez choisir votre mot de passe et vos services.")
        user.status = UserStatus.AWAITING_ADMIN
        user.password = registration.password_hash
        user.requested_permissions = registration.requested_permissions
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as error:
        # A database constraint caught a concurrent registration the lock did not serialise.
        if registration.kind == RegistrationKind.ADMINISTRATOR:
            raise AdministratorTakenError() from error
        raise ApplicationError("Cet identifiant est déjà utilisé.", field="username") from error
    registration.user = user
    registration.completed_at = now
    registration.password_hash = ""
    _step_move(registration, RegistrationStep.DONE)
    registration.save(update_fields=["user", "completed_at", "password_hash", "step", "updated_at"])
    audit_record(
        action=AuditAction.REGISTRATION_COMPLETED,
        actor=None,
        target=user,
        details={"kind": registration.kind},
    )
    _notify_registration(user=user, kind=RegistrationKind(registration.kind))
    return user


@transaction.atomic
def registration_continue_as_member(*, registration: Registration) -> None:
    """The first-user place was taken meanwhile: this registration goes on as CAS 2, at the step
    where a later user chooses a password and services."""
    Registration.objects.filter(pk=registration.pk, user__isnull=True, step=RegistrationStep.CODE).update(
        kind=RegistrationKind.MEMBER, step=RegistrationStep.MEMBER_DETAILS
    )


def _notify_registration(*, user: User, kind: RegistrationKind) -> None:
    establishment = user.establishment
    assert establishment is not None
    common = {
        "first_name": user.first_name,
        "full_name": user.get_full_name(),
        "username": user.username,
        "establishment_name": establishment.legal_name,
        "client_number": establishment.client_number,
    }
    if kind == RegistrationKind.ADMINISTRATOR:
        task_enqueue("espace.registration.tasks.issue_temporary_code", user_id=user.pk)
        expires = user.temporary_code_expires_at
        email_enqueue(
            template="registration_administrator",
            to=[user.email],
            context={**common, "expires_on": date_format(localtime(expires), "j F Y") if expires else ""},
        )
        return
    email_enqueue(
        template="registration_member",
        to=[user.email],
        context={**common, "requested": user.permission_labels("requested_permissions")},
    )
    card_path = reverse("members:card", kwargs={"public_id": user.public_id})
    notify(
        users=establishment_admins(establishment),
        kind=NotificationKind.COLLEAGUE_WAITING,
        key=f"member:{user.public_id}:registered",
        message=Message(
            template="registration_admin_notice",
            context={**common, "requested": user.permission_labels("requested_permissions"), "card_path": card_path},
            summary=f"{user.get_full_name()} attend votre validation",
            link_path=card_path,
        ),
    )


@transaction.atomic
def registration_set_member_details(
    *, registration: Registration, password: str, password_confirmation: str, requested_permissions: list[str]
) -> Registration:
    """For a first user overtaken by another: add the password and services of CAS 2."""
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.kind != RegistrationKind.MEMBER or registration.user_id is not None:
        raise ApplicationError("Cette étape ne s'applique pas à votre inscription.")
    password_check(password=password, confirmation=password_confirmation, registration=registration)
    registration.password_hash = make_password(password)
    registration.requested_permissions = _requestable(requested_permissions)
    registration.save(update_fields=["password_hash", "requested_permissions", "updated_at"])
    return registration


# --- The temporary code: letter → first login → lapse -------------------------------------------


def temporary_code_generate() -> str:
    """A code with no look-alike characters and nothing hard to type on a French keyboard."""
    alphabet = settings.TEMPORARY_CODE_ALPHABET
    return "".join(secrets.choice(alphabet) for _position in range(settings.TEMPORARY_CODE_LENGTH))


@transaction.atomic
def temporary_code_issue(*, user_id: int, task_id: str | None = None) -> Letter | None:
    """Give the pending administrator a new temporary code and the letter that carries it.

    Any previous code is voided; any letter not yet exported is superseded. The clear code
    exists only in the letter's PDF. Idempotent per task: the same task run twice (its worker
    was killed after the commit) returns its letter, and the code in it stays the good one.
    """
    user = User.objects.select_for_update(of=("self",)).select_related("establishment").get(pk=user_id)
    if task_id is not None:
        done = Letter.objects.filter(task_id=task_id).first()
        if done is not None:
            return done
    if user.status != UserStatus.AWAITING_ACTIVATION or user.establishment is None:
        return None
    code = temporary_code_generate()
    expires_at = user.temporary_code_expires_at or clock.now() + settings.TEMPORARY_CODE_VALIDITY
    user.temporary_code_hash = make_password(code)
    user.save(update_fields=["temporary_code_hash"])
    return letter_create_activation(user=user, code=code, expires_at=expires_at, task_id=task_id)


@transaction.atomic
def first_user_reopen(*, user: User) -> Letter:
    """A new temporary code for 30 new days and its letter; the old code dies.

    For a first user still awaiting activation, or whose registration lapsed as long as nobody has
    become administrator since (CAS 1 still applies) and the identifier is still free."""
    user = User.objects.select_for_update().get(pk=user.pk)
    establishment = Establishment.objects.select_for_update().get(pk=user.establishment_id or 0)
    if user.status == UserStatus.LAPSED:
        if registration_kind_for(establishment) != RegistrationKind.ADMINISTRATOR:
            raise ApplicationError(
                "Un autre administrateur a été désigné depuis : cette inscription ne peut plus être relancée."
            )
        taken = User.objects.identifier_is(user.username).filter(status__in=LIVE_STATUSES, is_staff=False)
        if taken.exclude(pk=user.pk).exists():
            raise ApplicationError("L'identifiant de cette inscription a été repris par un autre compte.")
    elif user.status != UserStatus.AWAITING_ACTIVATION:
        raise ApplicationError("Ce compte n'attend pas de courrier d'activation.")
    user.status = UserStatus.AWAITING_ACTIVATION
    user.temporary_code_expires_at = clock.now() + settings.TEMPORARY_CODE_VALIDITY
    user.save(update_fields=["status", "temporary_code_expires_at"])
    letter = temporary_code_issue(user_id=user.pk)
    assert letter is not None
    return letter


@transaction.atomic
def first_password_set(*, user: User, password: str) -> User:
    """First login: the temporary code is replaced by the user's own password and the account is active."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.status == UserStatus.AWAITING_ACTIVATION:
        if user.temporary_code_expires_at is None or user.temporary_code_expires_at <= clock.now():
            raise ApplicationError("Votre code temporaire a expiré. Veuillez vous inscrire à nouveau.")
        user.status = UserStatus.ACTIVE
        user.activated_at = clock.now()
        audit_record(action=AuditAction.ACCOUNT_ACTIVATED, actor=user, target=user)
    elif not (user.status == UserStatus.ACTIVE and user.must_change_password):
        raise ApplicationError("Votre compte n'attend pas de nouveau mot de passe.")
    user.set_password(password)
    user.must_change_password = False
    user.temporary_code_hash = ""
    user.temporary_code_expires_at = None
    user.save()
    login_guard_clear(identifier=user.username)
    audit_record(action=AccountsAuditAction.PASSWORD_CHANGED, actor=user, target=user)
    email_enqueue(
        template="account_activated_self",
        to=[user.email],
        context={"first_name": user.first_name, "username": user.username},
    )
    return user


def registrations_expire() -> tuple[int, int]:
    """Daily: lapse administrators not activated within 30 days; drop abandoned registrations.

    Returns (lapsed accounts, deleted registrations).
    """
    now = clock.now()
    lapsed = 0
    for user in User.objects.filter(status=UserStatus.AWAITING_ACTIVATION, temporary_code_expires_at__lte=now):
        if user_lapse(user=user):
            lapsed += 1
    deleted, _counts = Registration.objects.filter(completed_at__isnull=True, expires_at__lte=now).delete()
    LetterTracking.objects.filter(expires_at__lte=now).delete()
    return lapsed, deleted


def _lapse_expired_first_users(*, establishment: Establishment, username: str) -> None:
    """Before a new account is made: first users whose code expired, of this establishment or
    with this identifier, lapse now rather than at the daily job."""
    expired = User.objects.filter(status=UserStatus.AWAITING_ACTIVATION, temporary_code_expires_at__lte=clock.now())
    for user in expired.filter(Q(establishment=establishment) | Q(username__iexact=username, is_staff=False)):
        user_lapse(user=user)


@transaction.atomic
def user_lapse(*, user: User) -> bool:
    """The temporary code was not used within 30 days: the registration lapses and the
    establishment can register a first user again (CAS 1)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.status != UserStatus.AWAITING_ACTIVATION:
        return False
    if user.temporary_code_expires_at and user.temporary_code_expires_at > clock.now():
        return False
    user.status = UserStatus.LAPSED
    user.save(update_fields=["status"])
    audit_record(action=AuditAction.REGISTRATION_LAPSED, target=user)
    return True
