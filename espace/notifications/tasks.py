from django_tasks import task

from espace.core.emails import deliver_with_retry
from espace.notifications.services import notification_deliver


@task()
def deliver_notification(*, notification_id: int, attempt: int = 1) -> bool:
    """One notification: sent now, kept for the digest, or skipped (see notification_deliver)."""

    def send() -> None:
        notification_deliver(notification_id=notification_id)

    return deliver_with_retry(deliver_notification, send, attempt=attempt, notification_id=notification_id)
