from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from espace.accounts.enums import UserStatus
from espace.accounts.models import LIVE_STATUSES, EmailChange, User
from espace.core.email_codes import code_issue, code_lapsed, code_valid_until
from espace.core.emails import deliver_with_retry, email_send_now


@task()
def send_password_reset(*, user_id: int, attempt: int = 1) -> bool:
    """The link's token is made here, at sending time, so it never sits in the queue."""

    def send() -> None:
        user = User.objects.filter(pk=user_id, status=UserStatus.ACTIVE).first()
        if user is None:
            return
        path = reverse(
            "accounts:password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
        email_send_now(
            template="password_reset",
            to=[user.email],
            context={"first_name": user.first_name, "username": user.username, "reset_path": path},
        )

    return deliver_with_retry(send_password_reset, send, attempt=attempt, user_id=user_id)


@task()
def send_username_reminder(*, email: str, attempt: int = 1) -> bool:
    def send() -> None:
        users = (
            User.objects.email_is(email)
            .filter(status__in=LIVE_STATUSES, is_staff=False)
            .select_related("establishment")
        )
        accounts = [
            {"username": u.username, "establishment": u.establishment.legal_name if u.establishment else ""}
            for u in users
        ]
        if accounts:
            email_send_now(template="username_reminder", to=[email], context={"accounts": accounts})

    return deliver_with_retry(send_username_reminder, send, attempt=attempt, email=email)


@task()
def send_email_change_code(*, change_id: int, sequence: int | None = None, attempt: int = 1) -> bool:
    """As for registrations: the code is made when mailed; a lapsed request is told so (unless the
    user has since opened a newer change, which voids this one and sends its own code)."""

    def send() -> None:
        with transaction.atomic():
            change = EmailChange.objects.select_for_update().select_related("user").get(pk=change_id)
            code = code_issue(change, sequence=sequence)
            if code is not None:
                change.save(update_fields=["code_hash", "code_expires_at", "code_failures", "updated_at"])
        if code is None:
            replaced = EmailChange.objects.filter(user_id=change.user_id, pk__gt=change.pk).exists()
            if code_lapsed(change, sequence=sequence) and not replaced:
                email_send_now(
                    template="email_code_expired",
                    to=[change.new_email],
                    context={
                        "first_name": change.user.first_name,
                        "purpose": "le changement de votre adresse e-mail",
                        "restart_path": reverse("accounts:account_email"),
                    },
                )
            return
        email_send_now(
            template="email_change_code",
            to=[change.new_email],
            context={"code": code, "first_name": change.user.first_name, "valid_until": code_valid_until(change)},
        )

    return deliver_with_retry(send_email_change_code, send, attempt=attempt, change_id=change_id, sequence=sequence)
