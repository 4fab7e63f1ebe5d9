"""The lender's staff actions (FAQ: « l'assistance »). Each is audited and confirmed by e-mail."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from espace.accounts.enums import AuditAction as AccountsAuditAction
from espace.accounts.enums import Permission, UserStatus
from espace.accounts.login import login_guard_clear
from espace.accounts.models import LIVE_STATUSES, PERMISSION_FIELDS, User
from espace.backoffice.enums import AuditAction
from espace.core import clock
from espace.core.audit import audit_record
from espace.core.emails import email_enqueue
from espace.core.exceptions import ApplicationError
from espace.core.tasks import task_enqueue
from espace.core.uploads import stored_file_discard
from espace.establishments.models import Establishment
from espace.letters.enums import AuditAction as LettersAuditAction
from espace.letters.enums import LetterRequestStatus, LetterStatus
from espace.letters.models import Letter, LetterRequest
from espace.letters.services import letters_export
from espace.registration.services import first_user_reopen


@transaction.atomic
def staff_regenerate_letter(*, user: User, staff: User) -> Letter:
    """« Regénérer le courrier »: a new temporary code for 30 new days; the old code dies (the
    rule of when a registration may be reopened is registration's: first_user_reopen)."""
    letter = first_user_reopen(user=user)
    audit_record(
        action=AuditAction.LETTER_REGENERATED,
        actor=staff,
        target=user,
        details={"letter": letter.reference},
    )
    email_enqueue(
        template="staff_letter_regenerated",
        to=[user.email],
        context={
            "first_name": user.first_name,
            "username": user.username,
            "expires_on": letter.code_expires_at.date().strftime("%d/%m/%Y"),
        },
    )
    return letter


def staff_resend_identifier(*, user: User, staff: User) -> None:
    task_enqueue("espace.accounts.tasks.send_username_reminder", email=user.email)
    audit_record(action=AccountsAuditAction.USERNAME_REMINDER_SENT, actor=staff, target=user)


def staff_unlock(*, user: User, staff: User) -> None:
    login_guard_clear(identifier=user.username)
    audit_record(action=AccountsAuditAction.LOGIN_UNLOCKED, actor=staff, target=user)
    email_enqueue(
        template="staff_unlocked", to=[user.email], context={"first_name": user.first_name, "username": user.username}
    )


@transaction.atomic
def establishment_start_succession(*, establishment: Establishment, staff: User, reason: str) -> int:
    """No usable administrator left: withdraw the role so the next registrant is CAS 1 again.

    Active administrators lose « Administration » (their other permissions stay), a pending
    first user lapses. Returns how many accounts changed.
    """
    if not reason.strip():
        raise ApplicationError("Indiquez le motif de la succession.", field="reason")
    establishment = Establishment.objects.select_for_update().get(pk=establishment.pk)
    changed = 0
    for user in User.objects.select_for_update().filter(establishment=establishment, status__in=LIVE_STATUSES):
        if user.status == UserStatus.AWAITING_ACTIVATION:
            user.status = UserStatus.LAPSED
            user.save(update_fields=["status"])
            changed += 1
        elif user.perm_administer_users:
            user.perm_administer_users = False
            user.save(update_fields=[PERMISSION_FIELDS[Permission.ADMINISTER_USERS]])
            email_enqueue(
                template="staff_succession",
                to=[user.email],
                context={"first_name": user.first_name, "establishment_name": establishment.legal_name},
            )
            changed += 1
    audit_record(
        action=AuditAction.SUCCESSION_STARTED,
        actor=staff,
        target=establishment,
        details={"reason": reason.strip()[:300], "accounts": changed},
    )
    return changed


@transaction.atomic
def letter_mark_returned(*, letter: Letter, staff: User) -> None:
    letter = Letter.objects.select_for_update().get(pk=letter.pk)
    if letter.status != LetterStatus.EXPORTED:
        raise ApplicationError("Seul un courrier exporté peut être déclaré retourné.")
    letter.status = LetterStatus.RETURNED
    letter.save(update_fields=["status", "updated_at"])
    audit_record(
        action=LettersAuditAction.LETTER_RETURNED,
        actor=staff,
        target=letter,
        establishment=letter.establishment,
    )


@transaction.atomic
def letter_request_refuse(*, letter_request: LetterRequest, staff: User, reason: str) -> LetterRequest:
    """Refuse a new letter the first user asked for (say, a change of address that looks wrong):
    the letter never leaves, its PDF is deleted, no temporary code of the account works any more,
    and the user is told why by e-mail. Only while the letter waits for the mailing house."""
    reason = reason.strip()
    if not reason:
        raise ApplicationError("Indiquez le motif du refus : il est envoyé par e-mail au demandeur.", field="reason")
    # The account first, as a new request by the user locks it first: no deadlock between the two.
    user = User.objects.select_for_update().get(pk=letter_request.account_holder_id)
    letter_request = LetterRequest.objects.select_for_update().get(pk=letter_request.pk)
    letter = Letter.objects.select_for_update().get(pk=letter_request.letter_id)
    if letter_request.status == LetterRequestStatus.REFUSED:
        raise ApplicationError("Cette demande a déjà été refusée.")
    if letter.status != LetterStatus.PENDING:
        raise ApplicationError(
            "Ce courrier a déjà été remis au routeur : il ne peut plus être refusé. S'il revient, déclarez-le "
            "retourné (NPAI)."
        )
    if letter.superseded:
        raise ApplicationError(
            "Un courrier plus récent a remplacé celui-ci : c'est la demande suivante qu'il faut examiner."
        )
    letter.superseded = True
    stored_file_discard(letter.pdf)
    letter.pdf_deleted_at = clock.now()
    letter.save(update_fields=["superseded", "pdf", "pdf_deleted_at", "updated_at"])
    user.temporary_code_hash = ""
    user.save(update_fields=["temporary_code_hash"])
    letter_request.status = LetterRequestStatus.REFUSED
    letter_request.refused_at = clock.now()
    letter_request.refused_by = staff
    letter_request.refusal_reason = reason
    letter_request.save(update_fields=["status", "refused_at", "refused_by", "refusal_reason", "updated_at"])
    audit_record(
        action=LettersAuditAction.LETTER_REQUEST_REFUSED,
        actor=staff,
        target=user,
        establishment=letter.establishment,
        details={"letter": letter.reference, "reason": reason[:300]},
    )
    email_enqueue(
        template="letter_request_refused",
        to=[user.email],
        context={
            "first_name": user.first_name,
            "username": user.username,
            "reason": reason,
            "requested_on": timezone.localtime(letter_request.created_at).strftime("%d/%m/%Y"),
        },
    )
    return letter_request


def letters_print_batch(*, staff: User) -> bytes | None:
    """« Exporter le lot » from the screen: the letters not yet exported, as the command writes them
    (merged PDF and manifest), zipped; None when there is none. The letters are marked exported."""
    with tempfile.TemporaryDirectory() as folder:
        result = letters_export(out_dir=Path(folder))
        if result.manifest is None or result.merged is None:
            return None
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.write(result.merged, result.merged.name)
            archive.write(result.manifest, result.manifest.name)
    audit_record(
        action=LettersAuditAction.LETTERS_BATCH_EXPORTED, actor=staff, details={"letters": len(result.letters)}
    )
    return buffer.getvalue()
