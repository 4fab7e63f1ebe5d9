"""« Suivre mon courrier d'activation »: the first user follows the letter to their legal
representative and, within limits, asks for a new one without writing to the assistance.

The identifier alone opens nothing (it is not a secret): a 4-digit code goes to the registration's
e-mail address, and only the code shows the letter's state or makes a new letter. An identifier
that has no letter to follow gets the same answers as one that has, and no e-mail.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from espace.accounts.enums import UserStatus
from espace.accounts.models import LIVE_STATUSES, User
from espace.core import clock
from espace.core.audit import audit_record
from espace.core.email_codes import code_check, code_issue, code_request
from espace.core.emails import email_enqueue
from espace.core.exceptions import ApplicationError
from espace.core.origin import current_ip
from espace.core.tasks import task_enqueue
from espace.core.throttle import throttle_hit
from espace.letters.enums import AuditAction as LettersAuditAction
from espace.letters.enums import LetterRequestKind, LetterRequestStatus, LetterStatus
from espace.letters.models import Letter, LetterRequest
from espace.registration.models import LetterTracking
from espace.registration.services import TooManyTriesError, first_user_reopen

FOLLOWED_STATUSES = (UserStatus.AWAITING_ACTIVATION, UserStatus.LAPSED)


def tracking_holder(identifier: str) -> User | None:
    """The first user whose letter this identifier follows: awaiting activation, or lapsed (the
    latest) when no live account holds the identifier."""
    users = User.objects.identifier_is(identifier).filter(is_staff=False, establishment__isnull=False)
    live = users.filter(status__in=LIVE_STATUSES).first()
    if live is not None:
        return live if live.status == UserStatus.AWAITING_ACTIVATION else None
    return users.filter(status=UserStatus.LAPSED).order_by("-date_joined").first()


def _codes_today(user: User | None) -> bool:
    """One more code for this account today? At most LETTER_TRACKING_CODES_PER_DAY, starts and
    new codes together, so the 4-digit code cannot be guessed by asking again and again."""
    if user is None:
        return True
    sent = throttle_hit(key=f"letter-tracking-user:{user.pk}", window=timedelta(days=1))
    return sent <= settings.LETTER_TRACKING_CODES_PER_DAY


def _send(tracking: LetterTracking, *, allowed: bool) -> None:
    """Queue the code's e-mail; a decoy (or an account over its daily codes) gets a code nobody
    knows instead, so every answer afterwards is the same as for a real one."""
    if tracking.user is not None and allowed:
        task_enqueue(
            "espace.registration.tasks.send_tracking_code", tracking_id=tracking.pk, sequence=tracking.codes_sent
        )
        return
    tracking.code_hash = make_password(secrets.token_urlsafe(16))
    tracking.code_expires_at = clock.now() + settings.EMAIL_CODE_VALIDITY
    tracking.save(update_fields=["code_hash", "code_expires_at", "updated_at"])


@transaction.atomic
def letter_tracking_start(*, identifier: str) -> LetterTracking:
    """Send a 4-digit code to the registration's address of the first user behind `identifier`.

    An identifier with no letter to follow gets a tracking too, with no user and no e-mail: the
    screens that follow answer exactly as for a real one.
    """
    per_ip = throttle_hit(key=f"letter-tracking-ip:{current_ip()}", window=settings.SELF_SERVICE_IP_WINDOW)
    if per_ip > settings.SELF_SERVICE_IP_LIMIT:
        raise TooManyTriesError("Trop de demandes depuis votre adresse. Veuillez réessayer dans une heure.")
    user = tracking_holder(identifier[:254])
    if user is not None:
        LetterTracking.objects.filter(user=user, completed_at__isnull=True).update(completed_at=clock.now())
    tracking = LetterTracking(
        user=user, email=user.email if user else "", expires_at=clock.now() + settings.LETTER_TRACKING_VALIDITY
    )
    code_request(tracking)
    tracking.save()
    _send(tracking, allowed=_codes_today(user))
    return tracking


@transaction.atomic
def letter_tracking_resend(*, tracking: LetterTracking) -> None:
    tracking = LetterTracking.objects.select_for_update(of=("self",)).select_related("user").get(pk=tracking.pk)
    code_request(tracking)
    tracking.save()
    _send(tracking, allowed=_codes_today(tracking.user))


@transaction.atomic
def tracking_issue_code(*, tracking_id: int, sequence: int | None = None) -> tuple[str | None, LetterTracking]:
    """Called by the task: the code is made when it is mailed, never kept in clear."""
    tracking = LetterTracking.objects.select_for_update(of=("self",)).select_related("user").get(pk=tracking_id)
    code = code_issue(tracking, sequence=sequence)
    if code is not None:
        tracking.save(update_fields=["code_hash", "code_expires_at", "code_failures", "updated_at"])
    return code, tracking


def letter_tracking_verify(*, tracking: LetterTracking, code: str) -> str | None:
    """Check the code; None once the page may open. A wrong try is committed."""
    with transaction.atomic():
        tracking = LetterTracking.objects.select_for_update(of=("self",)).select_related("user").get(pk=tracking.pk)
        already = tracking.email_verified_at is not None
        error = code_check(tracking, code)
        if not already:
            tracking.save(update_fields=["code_hash", "code_failures", "email_verified_at", "updated_at"])
            if error is None and tracking.user is not None:
                audit_record(
                    action=LettersAuditAction.LETTER_TRACKING_OPENED, actor=tracking.user, target=tracking.user
                )
    return error


# --- What the page shows --------------------------------------------------------------------------


@dataclass(frozen=True)
class LetterStep:
    """One letter as the first user sees it."""

    reference: str
    generated_on: str
    exported_on: str
    state: str
    current: bool


@dataclass(frozen=True)
class RequestRow:
    kind: str
    made_on: str
    state: str
    reason: str


@dataclass(frozen=True)
class TrackingStatus:
    full_name: str
    establishment_name: str
    address_lines: list[str]
    letters: list[LetterStep]
    requests: list[RequestRow]
    code_valid_until: str
    days_left: int
    expired: bool
    activated: bool
    code_voided: bool
    # What the buttons may do, or why not (shown instead of the button).
    new_letter_allowed: bool
    renewal_allowed: bool
    blocked_reason: str


def _letter_state(letter: Letter, request: LetterRequest | None, *, current: bool) -> str:
    if request is not None and request.status == LetterRequestStatus.REFUSED:
        return "refusé par l'assistance"
    if letter.superseded:
        return "remplacé par un courrier plus récent (son code ne fonctionne plus)"
    if letter.status == LetterStatus.RETURNED:
        return "revenu à l'expéditeur (adresse à vérifier)"
    if letter.status == LetterStatus.EXPORTED:
        return "remis au routeur pour envoi postal" if current else "envoyé"
    if not letter.pdf:
        return "en préparation"
    return "généré, en attente de remise au routeur (envoi quotidien)"


def date_fr(value: date) -> str:
    return date_format(value, "j F Y")


def _day(value: datetime | None) -> str:
    return date_fr(timezone.localtime(value).date()) if value else ""


def tracking_status(*, user: User) -> TrackingStatus:
    """The letters of the first user, newest first, and what they may ask for now."""
    letters = list(Letter.objects.filter(account_holder=user).select_related("request").order_by("-created_at"))
    requests = list(LetterRequest.objects.filter(account_holder=user).order_by("-created_at"))
    steps = []
    for index, letter in enumerate(letters):
        request = getattr(letter, "request", None)
        current = index == 0 and not letter.superseded
        steps.append(
            LetterStep(
                reference=letter.reference,
                generated_on=_day(letter.created_at),
                exported_on=_day(letter.exported_at),
                state=_letter_state(letter, request, current=current),
                current=current,
            )
        )
    now = clock.now()
    expires = user.temporary_code_expires_at
    activated = user.status not in FOLLOWED_STATUSES
    expired = not activated and (user.status == UserStatus.LAPSED or expires is None or expires <= now)
    try:
        letter_request_check(user=user, kind=LetterRequestKind.RENEWAL if expired else LetterRequestKind.NOT_RECEIVED)
    except ApplicationError as error:
        blocked = error.message
    else:
        blocked = ""
    establishment = user.establishment
    assert establishment is not None
    return TrackingStatus(
        full_name=user.get_full_name(),
        establishment_name=establishment.legal_name,
        address_lines=list(establishment.address_lines),
        letters=steps,
        requests=[
            RequestRow(
                kind=str(request.get_kind_display()),
                made_on=_day(request.created_at),
                state=str(request.get_status_display()),
                reason=request.refusal_reason,
            )
            for request in requests
        ],
        code_valid_until="" if expired or expires is None else _day(expires),
        days_left=0
        if expired or expires is None
        else max(0, (timezone.localtime(expires).date() - clock.today()).days),
        expired=expired,
        activated=activated,
        # Refused by the back office: the letter's code died with it.
        code_voided=not activated and not expired and not user.temporary_code_hash,
        new_letter_allowed=not activated and not expired and not blocked,
        renewal_allowed=not activated and expired and not blocked,
        blocked_reason="" if activated else blocked,
    )


# --- Asking for a new letter ------------------------------------------------------------------------


def _next_letter_on(last: Letter) -> date:
    return timezone.localtime(last.created_at + settings.LETTER_RESEND_INTERVAL).date()


def letter_request_check(*, user: User, kind: LetterRequestKind) -> None:
    """Raise ApplicationError with the French reason when `user` may not ask for this letter now."""
    latest_request = LetterRequest.objects.filter(account_holder=user).order_by("-created_at").first()
    if latest_request is not None and latest_request.status == LetterRequestStatus.REFUSED:
        raise ApplicationError(
            "Votre dernière demande de courrier a été refusée par l'assistance. Pour obtenir un nouveau courrier, "
            "contactez l'assistance depuis le formulaire de contact en ligne."
        )
    if LetterRequest.objects.filter(account_holder=user).count() >= settings.LETTER_RESEND_MAX:
        raise ApplicationError(
            f"Vous avez déjà demandé {settings.LETTER_RESEND_MAX} nouveaux courriers. Pour en obtenir un autre, "
            "contactez l'assistance depuis le formulaire de contact en ligne."
        )
    expires = user.temporary_code_expires_at
    expired = user.status == UserStatus.LAPSED or expires is None or expires <= clock.now()
    if kind == LetterRequestKind.NOT_RECEIVED:
        if expired:
            raise ApplicationError(
                "Votre code temporaire a expiré : renouvelez votre inscription pour recevoir un nouveau courrier."
            )
        last = Letter.objects.filter(account_holder=user).order_by("-created_at").first()
        if last is None:
            raise ApplicationError("Votre courrier est en cours de préparation : il sera généré dans quelques minutes.")
        if clock.now() < last.created_at + settings.LETTER_RESEND_INTERVAL:
            raise ApplicationError(
                f"Votre courrier a été généré le {_day(last.created_at)} ; l'acheminement postal prend quelques "
                f"jours. Si vous ne l'avez pas reçu, vous pourrez demander un nouveau courrier à partir du "
                f"{date_fr(_next_letter_on(last))}."
            )
    elif not expired:
        raise ApplicationError("Votre inscription est encore valable : elle ne peut pas être renouvelée.")


@transaction.atomic
def letter_request(*, user: User, kind: LetterRequestKind) -> LetterRequest:
    """A new letter with a new temporary code (valid 30 days; the old code dies), asked by the
    first user: « Je n'ai pas reçu le courrier », or the renewal of a lapsed registration."""
    user = User.objects.select_for_update().get(pk=user.pk)
    letter_request_check(user=user, kind=kind)
    previous = Letter.objects.filter(account_holder=user).order_by("-created_at").first()
    letter = first_user_reopen(user=user)
    request = LetterRequest.objects.create(
        establishment=letter.establishment,
        account_holder=user,
        kind=kind,
        letter=letter,
        previous_address_lines=(
            previous.address_lines if previous is not None and previous.address_lines != letter.address_lines else []
        ),
    )
    audit_record(
        action=LettersAuditAction.LETTER_REQUESTED,
        actor=user,
        target=user,
        details={"letter": letter.reference, "kind": kind.value},
    )
    email_enqueue(
        template="letter_requested",
        to=[user.email],
        context={
            "first_name": user.first_name,
            "username": user.username,
            "renewal": kind == LetterRequestKind.RENEWAL,
            "expires_on": _day(letter.code_expires_at),
        },
    )
    return request
