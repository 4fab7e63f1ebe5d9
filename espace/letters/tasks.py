from django_tasks import task

from espace.letters.services import letter_generate_activation


@task()
def generate_activation_letter(*, user_id: int) -> str | None:
    letter = letter_generate_activation(user_id=user_id)
    return letter.reference if letter else None
