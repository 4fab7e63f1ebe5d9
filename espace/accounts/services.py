"""Account writes: first login activation, password changes."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest

from espace.accounts.enums import UserStatus
from espace.accounts.login import login_guard_clear
from espace.accounts.models import User
from espace.core import clock
from espace.core.audit import audit_record
from espace.core.emails import email_enqueue
from espace.core.exceptions import ApplicationError
from espace.core.models import AuditAction


@transaction.atomic
def user_set_first_password(*, user: User, password: str, request: HttpRequest | None = None) -> User:
    """First login: the temporary code is replaced by the user's own password and the account is active."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.status == UserStatus.AWAITING_ACTIVATION:
        if user.temporary_code_expires_at is None or user.temporary_code_expires_at <= clock.now():
            raise ApplicationError("Votre code temporaire a expiré. Veuillez vous inscrire à nouveau.")
        user.status = UserStatus.ACTIVE
        user.activated_at = clock.now()
        audit_record(action=AuditAction.ACCOUNT_ACTIVATED, actor=user, target=user, request=request)
    elif not (user.status == UserStatus.ACTIVE and user.must_change_password):
        raise ApplicationError("Votre compte n'attend pas de nouveau mot de passe.")
    user.set_password(password)
    user.must_change_password = False
    user.temporary_code_hash = ""
    user.temporary_code_expires_at = None
    user.save()
    login_guard_clear(identifier=user.username)
    audit_record(action=AuditAction.PASSWORD_CHANGED, actor=user, target=user, request=request)
    email_enqueue(
        template="account_activated_self",
        to=[user.email],
        context={"first_name": user.first_name, "username": user.username},
    )
    return user
