"""The 4-digit email code rules, shared by registrations and email changes (SECURITY.md).

Functions mutate the row they are given; callers hold it locked and save it.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.utils import timezone

from espace.core import clock
from espace.core.exceptions import ApplicationError
from espace.core.models import EmailCodeMixin


def code_request(target: EmailCodeMixin) -> None:
    """Allow a new code (at most 5, one per 60 s) and void the previous one."""
    if not target.is_open:
        raise ApplicationError("Cette demande a expiré. Veuillez recommencer.")
    if target.codes_sent >= settings.EMAIL_CODE_MAX_SENDS:
        raise ApplicationError(
            "Vous avez demandé trop de codes. Veuillez recommencer plus tard ou contacter l'assistance."
        )
    now = clock.now()
    last = target.last_code_requested_at
    if last and now - last < settings.EMAIL_CODE_RESEND_INTERVAL:
        wait = settings.EMAIL_CODE_RESEND_INTERVAL - (now - last)
        raise ApplicationError(
            f"Un code vient de vous être envoyé. Vous pourrez en demander un nouveau dans {int(wait.total_seconds()) + 1} secondes."
        )
    target.codes_sent += 1
    target.last_code_requested_at = now
    # The previous code dies now; the new one exists only once the task has mailed it.
    target.code_hash = ""
    target.code_expires_at = None
    target.code_failures = 0


def code_issue(target: EmailCodeMixin, *, sequence: int | None = None) -> str | None:
    """Create the code (in the sending task), store its hash, return the clear value to mail.

    `sequence` is the request's number (`codes_sent` when it was queued): a task left behind by a
    later request (e.g. queued during an SMTP outage, then « renvoyer le code ») sends nothing, so
    the user gets one code, the one that works.
    """
    if not target.is_open or target.email_verified_at:
        return None
    if sequence is not None and sequence != target.codes_sent:
        return None
    code = "".join(secrets.choice("0123456789") for _digit in range(settings.EMAIL_CODE_DIGITS))
    target.code_hash = make_password(code)
    target.code_expires_at = clock.now() + settings.EMAIL_CODE_VALIDITY
    target.code_failures = 0
    return code


def code_lapsed(target: EmailCodeMixin, *, sequence: int | None = None) -> bool:
    """The request expired before its code could be mailed (the latest request only): the person
    is told so rather than left waiting for a code that will never come."""
    if target.completed_at is not None or target.email_verified_at is not None:
        return False
    if sequence is not None and sequence != target.codes_sent:
        return False
    return target.expires_at <= clock.now()


def code_valid_until(target: EmailCodeMixin) -> str:
    """The code's end of validity as the mail prints it (« 10 h 42 »), local time."""
    if target.code_expires_at is None:
        return ""
    return timezone.localtime(target.code_expires_at).strftime("%H h %M")


def code_check(target: EmailCodeMixin, code: str) -> str | None:
    """Return None when the code is right (single use), else the French message to show."""
    if target.email_verified_at:
        return None
    if not target.is_open:
        return "Cette demande a expiré. Veuillez recommencer."
    if not target.code_hash or target.code_expires_at is None:
        return "Aucun code valide : demandez un nouveau code."
    if target.code_expires_at <= clock.now():
        return "Ce code a expiré (validité 15 minutes). Demandez un nouveau code."
    cleaned = "".join(code.split())
    if len(cleaned) == settings.EMAIL_CODE_DIGITS and cleaned.isdigit() and check_password(cleaned, target.code_hash):
        target.code_hash = ""
        target.email_verified_at = clock.now()
        return None
    target.code_failures += 1
    remaining = settings.EMAIL_CODE_MAX_TRIES - target.code_failures
    if remaining <= 0:
        target.code_hash = ""
        return "Code erroné. Ce code n'est plus valable après 3 essais : demandez un nouveau code."
    return f"Code erroné. Il vous reste {remaining} essai(s)."
