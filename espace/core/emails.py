"""Emails: rendered from templates (subject, text and HTML) and always sent by a background task.

A message that cannot be handed to the SMTP server is retried with exponential back-off,
so an SMTP outage delays mail but loses none.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django_tasks import task
from django_tasks.base import Task

from espace.core import clock
from espace.core.audit import audit_record
from espace.core.enums import AuditAction
from espace.core.tasks import task_enqueue_object

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS = (smtplib.SMTPException, OSError)


def email_render(*, template: str, context: Mapping[str, object]) -> tuple[str, str, str]:
    """Render `emails/<template>.subject.txt`, `.txt` and `.html` with the branding context."""
    full_context = {
        "lender_name": settings.LENDER_NAME,
        "site_url": settings.SITE_URL.rstrip("/"),
        "assistance_phone": settings.ASSISTANCE_PHONE,
        **context,
    }
    subject = " ".join(render_to_string(f"emails/{template}.subject.txt", full_context, using="text").split())
    text = str(render_to_string(f"emails/{template}.txt", full_context, using="text"))
    html = render_to_string(f"emails/{template}.html", full_context)
    if context.get("unsubscribe_url"):  # a notification the user chose (espace.notifications)
        text += (
            f"\nNe plus recevoir ce type de notification : {context['unsubscribe_url']}\n"
            "Toutes vos notifications : « Mon compte » → « Mes notifications ».\n"
        )
    return subject, text, html


def email_send_now(
    *,
    template: str,
    to: Sequence[str],
    context: Mapping[str, object],
    attachments: Sequence[tuple[str, bytes, str]] = (),
) -> None:
    """Send synchronously. Only tasks call this; everything else enqueues `deliver_email`.

    `attachments` are (file name, content, MIME type): a task that sends a stored file reads it
    itself when it runs, so the queue never carries the file.
    """
    subject, text, html = email_render(template=template, context=context)
    message = EmailMultiAlternatives(subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=list(to))
    message.attach_alternative(html, "text/html")
    for name, content, mime_type in attachments:
        message.attach(name, content, mime_type)
    message.send(fail_silently=False)


def retry_delay(attempt: int) -> timedelta:
    """Back-off after the given failed attempt: base, 2×base, 4×base… capped."""
    delay: timedelta = settings.EMAIL_RETRY_BASE_DELAY * (2 ** (attempt - 1))
    return min(delay, settings.EMAIL_RETRY_MAX_DELAY)


def _traceable(kwargs: Mapping[str, object]) -> dict[str, object]:
    """What identifies the mail in the journal: ids, the template and the recipients, never the context
    (which may carry a link or a name the journal has no need of)."""
    return {key: value for key, value in kwargs.items() if key.endswith("_id") or key in {"template", "to", "email"}}


def schedule_retry(task_: Task[Any, Any], *, attempt: int, error: BaseException, **kwargs: Any) -> None:
    """Enqueue the same task again later, or give up (and fail the task) after the maximum."""
    if attempt >= settings.EMAIL_RETRY_MAX_ATTEMPTS:
        logger.error("Giving up %s after %d attempts: %s", task_.name, attempt, error)
        # The task ends FAILED (its row keeps the traceback); the journal says which mail was lost.
        audit_record(
            action=AuditAction.EMAIL_GIVEN_UP,
            details={"task": task_.name, "attempts": attempt, "error": str(error)[:200], **_traceable(kwargs)},
        )
        raise error
    delay = retry_delay(attempt)
    logger.warning("%s failed (attempt %d: %s); retrying in %s", task_.name, attempt, error, delay)
    task_enqueue_object(task_, run_after=clock.now() + delay, attempt=attempt + 1, **kwargs)


def deliver_with_retry(task_: Task[Any, Any], send: Callable[[], None], *, attempt: int, **kwargs: Any) -> bool:
    """Run `send`; on a transient SMTP failure schedule a retry. Return whether it was sent."""
    try:
        send()
    except TRANSIENT_ERRORS as error:
        schedule_retry(task_, attempt=attempt, error=error, **kwargs)
        return False
    return True


@task()
def deliver_email(*, template: str, to: list[str], context: Mapping[str, object], attempt: int = 1) -> bool:
    return deliver_with_retry(
        deliver_email,
        lambda: email_send_now(template=template, to=to, context=context),
        attempt=attempt,
        template=template,
        to=to,
        context=context,
    )


def email_enqueue(*, template: str, to: Sequence[str], context: Mapping[str, object]) -> None:
    """Queue an email. The context must be JSON-serialisable and must hold no secret."""
    task_enqueue_object(deliver_email, template=template, to=list(to), context=context)
