"""Notifications each user chooses (« Mes notifications »), sent by the task worker.

A service that has something to tell calls `notify`: one row per user and event, never two (the
(user, kind, key) constraint), then a task per row. The task checks, when it runs, that the user
is still active, still holds a permission of the kind and still wants it; then it sends the
e-mail, or leaves it for the daily digest. Every e-mail carries a signed link that turns the kind
off without logging in.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse

from espace.accounts.enums import UserStatus
from espace.accounts.models import User
from espace.core import clock
from espace.core.audit import audit_record
from espace.core.emails import TRANSIENT_ERRORS, email_send_now
from espace.core.exceptions import ApplicationError
from espace.core.tasks import task_enqueue
from espace.notifications.enums import KIND_PERMISSIONS, AuditAction, Delivery, NotificationKind, SkipReason
from espace.notifications.models import Notification, NotificationPreference

logger = logging.getLogger(__name__)
UNSUBSCRIBE_SALT = "espace.notifications.unsubscribe"
ALL_KINDS = "*"


def entitled_kinds(user: User) -> list[NotificationKind]:
    """The kinds this user's permissions open."""
    return [kind for kind in NotificationKind if any(user.has_permission(p) for p in KIND_PERMISSIONS[kind])]


def preference_for(user: User) -> NotificationPreference:
    found = NotificationPreference.objects.filter(user=user).first()
    return found if found is not None else NotificationPreference(user=user)


@dataclass(frozen=True)
class Message:
    """What to tell: the e-mail (template and context) and its one line in the digest."""

    template: str
    context: dict[str, Any]
    summary: str
    link_path: str = ""


def notify(*, users: Iterable[User], kind: NotificationKind, key: str, message: Message) -> int:
    """Record the notification for each user (once per user and key) and queue its delivery.
    Returns how many were new."""
    made = 0
    for user in {u.pk: u for u in users}.values():
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    user=user,
                    kind=kind,
                    key=key[:200],
                    template=message.template,
                    context={**message.context, "first_name": user.first_name},
                    summary=message.summary[:300],
                    link_path=message.link_path[:300],
                )
        except IntegrityError:
            continue  # already told
        task_enqueue("espace.notifications.tasks.deliver_notification", notification_id=notification.pk)
        made += 1
    return made


def _skip_reason(notification: Notification, user: User, preference: NotificationPreference) -> str:
    if user.status != UserStatus.ACTIVE:
        return SkipReason.INACTIVE
    if not any(user.has_permission(p) for p in KIND_PERMISSIONS[notification.kind]):
        return SkipReason.PERMISSION_LOST
    if notification.kind in preference.disabled_kinds:
        return SkipReason.DISABLED
    return ""


def unsubscribe_token(user: User, kind: str) -> str:
    return signing.dumps({"u": user.pk, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(user: User, kind: str) -> str:
    path = reverse("notifications:unsubscribe", kwargs={"token": unsubscribe_token(user, kind)})
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def notification_deliver(*, notification_id: int) -> str:
    """Called by the task: send now, leave for the digest, or skip. Returns what happened."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",)).select_related("user").get(pk=notification_id)
        )
        if notification.sent_at is not None or notification.skipped:
            return "done"
        user = notification.user
        preference = preference_for(user)
        reason = _skip_reason(notification, user, preference)
        if reason:
            notification.skipped = reason
            notification.save(update_fields=["skipped", "updated_at"])
            return f"skipped: {reason}"
        if preference.delivery == Delivery.DIGEST:
            return "digest"
        notification.sent_at = clock.now()
        notification.save(update_fields=["sent_at", "updated_at"])
        # Inside the row's lock: a refused SMTP call rolls `sent_at` back and the task's retry sends
        # it; two workers never send the same notification.
        email_send_now(
            template=notification.template,
            to=[user.email],
            context={**notification.context, "unsubscribe_url": unsubscribe_url(user, notification.kind)},
        )
    return "sent"


def digests_send() -> int:
    """Daily: one e-mail per user on the digest with what is waiting; each line checked again."""
    sent = 0
    # A user back to one e-mail each still gets what waited for the digest (older than an hour:
    # a newer one is in the hands of its own task).
    waiting = (
        Notification.objects.filter(sent_at__isnull=True, skipped="")
        .filter(
            Q(user__notification_preference__delivery=Delivery.DIGEST)
            | Q(created_at__lte=clock.now() - timedelta(hours=1))
        )
        .values_list("user_id", flat=True)
        .distinct()
    )
    for user_id in list(waiting):
        try:
            if digest_send(user_id=user_id):
                sent += 1
        except TRANSIENT_ERRORS as error:  # one refused address does not stop the others' digests
            logger.warning("Digest of user %s not sent, kept for the next run: %s", user_id, error)
    return sent


def digest_send(*, user_id: int) -> bool:
    with transaction.atomic():
        user = User.objects.get(pk=user_id)
        preference = preference_for(user)
        lines = []
        for notification in (
            Notification.objects.select_for_update()
            .filter(user=user, sent_at__isnull=True, skipped="")
            .order_by("created_at")
        ):
            reason = _skip_reason(notification, user, preference)
            if reason:
                notification.skipped = reason
                notification.save(update_fields=["skipped", "updated_at"])
                continue
            notification.sent_at = notification.digested_at = clock.now()
            notification.save(update_fields=["sent_at", "digested_at", "updated_at"])
            lines.append({"summary": notification.summary, "link_path": notification.link_path})
        if not lines:
            return False
        # In the transaction: if the SMTP server refuses, the lines stay for tomorrow's digest.
        email_send_now(
            template="notification_digest",
            to=[user.email],
            context={
                "first_name": user.first_name,
                "lines": lines,
                "unsubscribe_url": unsubscribe_url(user, ALL_KINDS),
            },
        )
    return True


@transaction.atomic
def preferences_update(*, user: User, enabled: list[str], delivery: str) -> NotificationPreference:
    entitled = {kind.value for kind in entitled_kinds(user)}
    if delivery not in Delivery.values:
        raise ApplicationError("Choisissez un mode d'envoi.", field="delivery")
    preference, _created = NotificationPreference.objects.select_for_update().get_or_create(user=user)
    # Kinds the user is not entitled to keep their earlier choice (they come back with the permission).
    kept = [kind for kind in preference.disabled_kinds if kind not in entitled]
    preference.disabled_kinds = sorted({*kept, *(entitled - set(enabled))})
    preference.delivery = delivery
    preference.save()
    audit_record(
        action=AuditAction.PREFERENCES_CHANGED,
        actor=user,
        target=user,
        details={"disabled": preference.disabled_kinds, "delivery": delivery},
    )
    return preference


def unsubscribe_read(token: str) -> tuple[User, str] | None:
    """The user and kind a link names, or None if the link is not ours (or the user is gone)."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("k") not in {*NotificationKind.values, ALL_KINDS}:
        return None
    user_id = data.get("u")
    if not isinstance(user_id, int):
        return None
    user = User.objects.filter(pk=user_id, is_staff=False).first()
    return (user, str(data["k"])) if user is not None else None


@transaction.atomic
def unsubscribe(*, user: User, kind: str) -> None:
    preference, _created = NotificationPreference.objects.select_for_update().get_or_create(user=user)
    kinds = NotificationKind.values if kind == ALL_KINDS else [kind]
    preference.disabled_kinds = sorted({*preference.disabled_kinds, *kinds})
    preference.save()
    audit_record(action=AuditAction.UNSUBSCRIBED, actor=user, target=user, details={"kind": kind})
