from django.urls import reverse
from django_tasks import TaskContext, task

from espace.core.email_codes import code_lapsed, code_valid_until
from espace.core.emails import deliver_with_retry, email_send_now
from espace.core.faults import fault_point
from espace.registration.services import registration_issue_code, temporary_code_issue
from espace.registration.tracking import tracking_issue_code


@task()
def send_registration_code(*, registration_id: int, sequence: int | None = None, attempt: int = 1) -> bool:
    """Generate the 4-digit code here, so its clear value never sits in the task queue.

    The code's 15 minutes start when it is mailed, however long SMTP was away; a registration
    that lapsed meanwhile gets a mail saying so and how to start again, never a dead code.
    """

    def send() -> None:
        code, registration = registration_issue_code(registration_id=registration_id, sequence=sequence)
        if code is None:
            if code_lapsed(registration, sequence=sequence):
                email_send_now(
                    template="email_code_expired",
                    to=[registration.email],
                    context={
                        "first_name": registration.first_name,
                        "purpose": "la création de votre compte",
                        "restart_path": reverse("registration:question"),
                    },
                )
            return
        email_send_now(
            template="registration_code",
            to=[registration.email],
            context={
                "code": code,
                "first_name": registration.first_name,
                "valid_until": code_valid_until(registration),
            },
        )

    return deliver_with_retry(
        send_registration_code, send, attempt=attempt, registration_id=registration_id, sequence=sequence
    )


@task(takes_context=True)
def issue_temporary_code(context: TaskContext, *, user_id: int) -> str | None:
    """The first user's temporary code and the letter to the legal representative that carries it.

    Keyed by the task's id: run again after a worker died, it makes one letter and one code.
    """
    letter = temporary_code_issue(user_id=user_id, task_id=str(context.task_result.id))
    fault_point("letter_rendered")
    return letter.reference if letter else None


@task()
def send_tracking_code(*, tracking_id: int, sequence: int | None = None, attempt: int = 1) -> bool:
    """The 4-digit code of « Suivre mon courrier d'activation », made when it is mailed."""

    def send() -> None:
        code, tracking = tracking_issue_code(tracking_id=tracking_id, sequence=sequence)
        if code is None or tracking.user is None:
            return
        email_send_now(
            template="letter_tracking_code",
            to=[tracking.email],
            context={
                "code": code,
                "first_name": tracking.user.first_name,
                "valid_until": code_valid_until(tracking),
            },
        )

    return deliver_with_retry(send_tracking_code, send, attempt=attempt, tracking_id=tracking_id, sequence=sequence)
