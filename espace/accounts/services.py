"""What a user does alone (FAQ): forgotten password or identifier, « Mon compte »."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from espace.accounts.enums import AuditAction, UserStatus
from espace.accounts.login import login_guard_clear, password_confirm
from espace.accounts.models import LIVE_STATUSES, EmailChange, User
from espace.core import clock
from espace.core.audit import audit_record
from espace.core.email_codes import code_check, code_request
from espace.core.emails import email_enqueue
from espace.core.exceptions import ApplicationError
from espace.core.origin import current_ip
from espace.core.tasks import task_enqueue
from espace.core.throttle import throttle_hit


def _ip_allowed(scope: str) -> bool:
    key = f"{scope}:{current_ip() or 'unknown'}"
    return throttle_hit(key=key, window=settings.SELF_SERVICE_IP_WINDOW) <= settings.SELF_SERVICE_IP_LIMIT


def password_reset_request(*, identifier_or_email: str) -> None:
    """Mail a single-use link (1 hour) to each active account matching. Says nothing about the result."""
    if not _ip_allowed("password-reset"):
        return
    value = identifier_or_email.strip()
    if not value:
        return
    users = User.objects.identifier_or_email_is(value).filter(status=UserStatus.ACTIVE, is_staff=False)
    for user in users[:10]:
        task_enqueue("espace.accounts.tasks.send_password_reset", user_id=user.pk)
        audit_record(action=AuditAction.PASSWORD_RESET_REQUESTED, target=user)


@transaction.atomic
def password_reset_complete(*, user: User, password: str) -> User:
    """Set the new password: other sessions end (session hash), every lock on the identifier lifts."""
    user = User.objects.select_for_update().get(pk=user.pk)
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    login_guard_clear(identifier=user.username)
    audit_record(action=AuditAction.PASSWORD_RESET, actor=user, target=user)
    audit_record(action=AuditAction.LOGIN_UNLOCKED, actor=user, target=user)
    email_enqueue(
        template="password_changed", to=[user.email], context={"first_name": user.first_name, "username": user.username}
    )
    return user


def username_reminder_request(*, email: str) -> None:
    """Mail the identifiers tied to an address to that address. Says nothing about the result."""
    if not _ip_allowed("username-reminder"):
        return
    if User.objects.email_is(email).filter(status__in=LIVE_STATUSES, is_staff=False).exists():
        task_enqueue("espace.accounts.tasks.send_username_reminder", email=email.strip())
        audit_record(action=AuditAction.USERNAME_REMINDER_SENT, details={"email": email.strip()})


@transaction.atomic
def profile_update(*, user: User, first_name: str, last_name: str, phone: str, job_title: str) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    user.first_name, user.last_name, user.phone, user.job_title = first_name, last_name, phone, job_title
    user.full_clean(exclude=["password", "permissions", "requested_permissions"])
    user.save(update_fields=["first_name", "last_name", "phone", "job_title"])
    audit_record(action=AuditAction.PROFILE_CHANGED, actor=user, target=user)
    return user


def password_change(*, user: User, current: str, new: str) -> User:
    """Change needs the current password (a wrong one counts like a login failure); the caller keeps
    this session, the others end."""
    password_confirm(user=user, password=current, field="current_password")
    return _password_set(user=user, new=new)


@transaction.atomic
def _password_set(*, user: User, new: str) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    try:
        validate_password(new, user=user)
    except ValidationError as error:
        raise ApplicationError(" ".join(error.messages), field="new_password1") from error
    user.set_password(new)
    user.save(update_fields=["password"])
    audit_record(action=AuditAction.PASSWORD_CHANGED, actor=user, target=user)
    email_enqueue(
        template="password_changed", to=[user.email], context={"first_name": user.first_name, "username": user.username}
    )
    return user


def email_change_start(*, user: User, new_email: str, password: str) -> EmailChange:
    """Check the password (a wrong one counts like a login failure), then send a 4-digit code to the new address."""
    password_confirm(user=user, password=password, field="password")
    return _email_change_open(user=user, new_email=new_email)


@transaction.atomic
def _email_change_open(*, user: User, new_email: str) -> EmailChange:
    user = User.objects.select_for_update().get(pk=user.pk)
    if new_email.strip().lower() == user.email.lower():
        raise ApplicationError("C'est déjà votre adresse e-mail.", field="new_email")
    EmailChange.objects.filter(user=user, completed_at__isnull=True).update(expires_at=clock.now())
    change = EmailChange(
        user=user, new_email=new_email.strip(), expires_at=clock.now() + settings.REGISTRATION_VALIDITY
    )
    code_request(change)
    change.save()
    task_enqueue("espace.accounts.tasks.send_email_change_code", change_id=change.pk, sequence=change.codes_sent)
    return change


@transaction.atomic
def email_change_resend(*, change: EmailChange) -> None:
    change = EmailChange.objects.select_for_update().get(pk=change.pk)
    code_request(change)
    change.save()
    task_enqueue("espace.accounts.tasks.send_email_change_code", change_id=change.pk, sequence=change.codes_sent)


def email_change_confirm(*, change: EmailChange, code: str) -> str | None:
    """Return an error message, or None once the address is changed (the old one is told)."""
    with transaction.atomic():
        change = EmailChange.objects.select_for_update().select_related("user").get(pk=change.pk)
        error = code_check(change, code)
        if error is not None:
            change.save(update_fields=["code_hash", "code_failures", "updated_at"])
            return error
        user = User.objects.select_for_update().get(pk=change.user_id)
        old_email = user.email
        user.email = change.new_email
        user.save(update_fields=["email"])
        change.completed_at = clock.now()
        change.save()
        audit_record(action=AuditAction.EMAIL_CHANGED, actor=user, target=user)
        email_enqueue(
            template="email_changed_notice",
            to=[old_email],
            context={"first_name": user.first_name, "username": user.username, "new_email": user.email},
        )
    return None
