from django_tasks import task

from espace.core.emails import deliver_with_retry, email_send_now
from espace.registration.models import Registration
from espace.registration.services import registration_issue_code, temporary_code_issue


@task()
def send_registration_code(*, registration_id: int, attempt: int = 1) -> bool:
    """Generate the 4-digit code here, so its clear value never sits in the task queue."""

    def send() -> None:
        code = registration_issue_code(registration_id=registration_id)
        if code is None:
            return
        registration = Registration.objects.get(pk=registration_id)
        email_send_now(
            template="registration_code",
            to=[registration.email],
            context={"code": code, "first_name": registration.first_name},
        )

    return deliver_with_retry(send_registration_code, send, attempt=attempt, registration_id=registration_id)


@task()
def issue_temporary_code(*, user_id: int) -> str | None:
    """The first user's temporary code and the letter to the legal representative that carries it."""
    letter = temporary_code_issue(user_id=user_id)
    return letter.reference if letter else None
