"""Login with lockout (SECURITY.md): failures counted per identifier as typed, existing or not.

The guard row of the identifier is locked for the whole check, so concurrent attempts are
counted one after the other and can never exceed the limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from django.conf import settings
from django.contrib.auth import login, logout
from django.contrib.auth.hashers import check_password, make_password
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.formats import time_format
from django.utils.timezone import localtime

from espace.accounts.enums import AuditAction, UserStatus
from espace.accounts.middleware import SESSION_LAST_SEEN, SESSION_LOGIN_AT
from espace.accounts.models import LIVE_STATUSES, LoginGuard, User, guard_key, normalize_identifier
from espace.accounts.selectors import guard_is_locked
from espace.core import clock
from espace.core.audit import audit_record
from espace.core.exceptions import ApplicationError
from espace.core.origin import current_ip
from espace.core.throttle import throttle_count, throttle_hit

# Compared against when the identifier is unknown, so both cases cost the same time.
_DUMMY_HASH = make_password("espace-prets-dummy-password")

GENERIC_FAILURE = "Identifiant ou mot de passe incorrect."

# The user who gave a temporary code (or must change a password) and has not chosen a new one:
# read by the first-login screen of the registration app.
FIRST_LOGIN_KEY = "first_login_user"


class LoginOutcome(Enum):
    SUCCESS = "success"
    MUST_CHANGE_PASSWORD = "must_change_password"
    FAILED = "failed"
    LOCKED = "locked"
    IP_THROTTLED = "ip_throttled"
    CAPTCHA_REQUIRED = "captcha_required"
    AWAITING_ADMIN = "awaiting_admin"
    DEACTIVATED = "deactivated"
    LAPSED = "lapsed"


@dataclass
class LoginResult:
    outcome: LoginOutcome
    message: str = ""
    user: User | None = None

    @property
    def ok(self) -> bool:
        return self.outcome in {LoginOutcome.SUCCESS, LoginOutcome.MUST_CHANGE_PASSWORD}


def _guard(identifier: str) -> LoginGuard:
    try:
        with transaction.atomic():
            LoginGuard.objects.get_or_create(identifier=identifier)
    except IntegrityError:
        pass
    return LoginGuard.objects.select_for_update().get(identifier=identifier)


def _find_user(identifier: str, *, staff: bool) -> User | None:
    users = User.objects.identifier_is(identifier).select_related("establishment").filter(is_staff=staff)
    user = users.filter(status__in=LIVE_STATUSES).first()
    if user is None:
        user = users.filter(status=UserStatus.LAPSED).order_by("-date_joined").first()
    return user


def locked_message(guard: LoginGuard) -> str:
    if guard.requires_reset:
        return (
            "Votre compte est bloqué à la suite de tentatives de connexion infructueuses répétées. "
            "Pour le débloquer, cliquez sur « Mot de passe oublié » et choisissez un nouveau mot de passe."
        )
    until = time_format(localtime(guard.locked_until), "H\\hi") if guard.locked_until else ""
    return (
        "Votre compte est bloqué à la suite de 5 tentatives de connexion infructueuses. "
        f"Votre compte se débloquera automatiquement au bout d'une heure (à {until}). "
        "Si vous avez perdu votre mot de passe, cliquez sur « Mot de passe oublié »."
    )


def _credentials_match(user: User | None, secret: str) -> bool:
    if user is None:
        check_password(secret, _DUMMY_HASH)
        return False
    if user.status in {UserStatus.AWAITING_ACTIVATION, UserStatus.LAPSED}:
        # First login: the temporary code of the letter; typed with or without spaces, any case.
        code = "".join(secret.split()).upper()
        return bool(user.temporary_code_hash) and check_password(code, user.temporary_code_hash)
    return user.check_password(secret)


def ip_key() -> str:
    """The login-failure counter of the current request's address (espace.core.origin)."""
    return f"login-ip:{current_ip() or 'unknown'}"


def login_captcha_required() -> bool:
    """After LOGIN_IP_CAPTCHA_AFTER failures from one address (any accounts), each further try from it
    needs the anti-robot check, so one address cannot cheaply lock many accounts."""
    failures = throttle_count(key=ip_key(), window=settings.LOGIN_IP_WINDOW)
    return failures >= settings.LOGIN_IP_CAPTCHA_AFTER


CAPTCHA_MESSAGE = (
    "Plusieurs tentatives de connexion ont échoué depuis votre adresse : complétez la vérification anti-robot "
    "(« Je ne suis pas un robot ») avant de vous connecter."
)


def login_attempt(*, identifier: str, password: str, staff: bool = False, captcha_solved: bool = False) -> LoginResult:
    """Check the credentials, count a failure or clear the counter, and say what happens next.

    `staff` selects the namespace: the back-office entrance looks up lender staff only, the client
    entrance client users only. `captcha_solved` says the form carried a valid anti-robot proof.
    """
    normalized = normalize_identifier(identifier)[:240]
    failures = throttle_count(key=ip_key(), window=settings.LOGIN_IP_WINDOW)
    if failures >= settings.LOGIN_IP_FAILURES_LIMIT:
        return LoginResult(
            LoginOutcome.IP_THROTTLED,
            "Trop de tentatives de connexion depuis votre adresse. Veuillez réessayer dans quelques minutes.",
        )
    if failures >= settings.LOGIN_IP_CAPTCHA_AFTER and not captcha_solved:
        return LoginResult(LoginOutcome.CAPTCHA_REQUIRED, CAPTCHA_MESSAGE)
    with transaction.atomic():
        guard = _guard(guard_key(normalized, staff=staff))
        if guard_is_locked(guard):
            return LoginResult(LoginOutcome.LOCKED, locked_message(guard))
        if guard.locked_until is not None and guard.failures >= settings.LOGIN_FAILURES_BEFORE_LOCK:
            guard.failures = 0  # the hour is over: a fresh series of tries
        user = _find_user(normalized, staff=staff)
        if not _credentials_match(user, password):
            return _count_failure(guard=guard, user=user)
        assert user is not None
        guard.failures = 0
        guard.locked_until = None
        guard.save(update_fields=["failures", "locked_until"])

    return _status_result(user)


def _count_failure(*, guard: LoginGuard, user: User | None) -> LoginResult:
    now = clock.now()
    guard.failures += 1
    result = LoginResult(LoginOutcome.FAILED, GENERIC_FAILURE)
    if guard.failures >= settings.LOGIN_FAILURES_BEFORE_LOCK:
        if guard.last_locked_at and now - guard.last_locked_at < settings.LOGIN_ESCALATION_WINDOW:
            guard.requires_reset = True
        guard.locked_until = now + settings.LOGIN_LOCK_DURATION
        guard.last_locked_at = now
        result = LoginResult(LoginOutcome.LOCKED, locked_message(guard))
        audit_record(
            action=AuditAction.LOGIN_LOCKED,
            target=user,
            details={"identifier": guard.identifier, "until_reset": guard.requires_reset},
        )
    guard.save(update_fields=["failures", "locked_until", "last_locked_at", "requires_reset"])
    if current_ip() is not None:  # a request's try (not a service called from a task)
        throttle_hit(key=ip_key(), window=settings.LOGIN_IP_WINDOW)
    audit_record(
        action=AuditAction.LOGIN_FAILED,
        target=user,
        details={"identifier": guard.identifier, "failures": guard.failures},
    )
    return result


def _temporary_code_expired(user: User) -> bool:
    """Past 30 days the code opens nothing; the registration app lapses the account (daily, or
    when the establishment registers again)."""
    return user.temporary_code_expires_at is None or user.temporary_code_expires_at <= clock.now()


def _status_result(user: User) -> LoginResult:
    status = user.status
    if status == UserStatus.ACTIVE:
        outcome = LoginOutcome.MUST_CHANGE_PASSWORD if user.must_change_password else LoginOutcome.SUCCESS
        return LoginResult(outcome, user=user)
    if status == UserStatus.AWAITING_ACTIVATION and not _temporary_code_expired(user):
        return LoginResult(LoginOutcome.MUST_CHANGE_PASSWORD, user=user)
    if status == UserStatus.AWAITING_ADMIN:
        return LoginResult(
            LoginOutcome.AWAITING_ADMIN,
            "Votre inscription est en attente de validation par l'administrateur de votre établissement. "
            "Vous recevrez un courriel dès qu'il aura activé votre compte.",
        )
    if status == UserStatus.DEACTIVATED:
        return LoginResult(
            LoginOutcome.DEACTIVATED,
            "Votre compte a été désactivé par l'administrateur de votre établissement. "
            "Adressez-vous à lui pour le faire réactiver.",
        )
    return LoginResult(
        LoginOutcome.LAPSED,
        "Votre inscription a expiré : le code temporaire n'a pas été utilisé dans les 30 jours. "
        "Vous pouvez la renouveler depuis « Suivre mon courrier d'activation », ou vous inscrire à nouveau.",
    )


class AccountLockedError(ApplicationError):
    """Too many wrong current passwords inside the client space: the account is locked like at login."""


def password_confirm(*, user: User, password: str, field: str) -> None:
    """A current-password check (password or e-mail change) counts like a login failure.

    Raises ApplicationError on a wrong password (the failure is committed first), and
    AccountLockedError when the account is, or becomes, locked. Call it outside any transaction
    that would roll the failure back.
    """
    with transaction.atomic():
        guard = _guard(guard_key(user.username, staff=user.is_staff))
        if guard_is_locked(guard):
            raise AccountLockedError(locked_message(guard))
        if guard.locked_until is not None and guard.failures >= settings.LOGIN_FAILURES_BEFORE_LOCK:
            guard.failures = 0
        if user.check_password(password):
            if guard.failures:
                guard.failures = 0
                guard.save(update_fields=["failures"])
            return
        result = _count_failure(guard=guard, user=user)
    if result.outcome == LoginOutcome.LOCKED:
        raise AccountLockedError(result.message)
    remaining = settings.LOGIN_FAILURES_BEFORE_LOCK - guard.failures
    raise ApplicationError(
        (
            f"Le mot de passe actuel est incorrect. Après {remaining} autre(s) erreur(s), votre compte sera "
            "bloqué pendant une heure."
        ),
        field=field,
    )


def session_end(request: HttpRequest) -> None:
    """Log out (client or staff), recorded in the journal; the session row is deleted everywhere."""
    if isinstance(request.user, User):
        audit_record(action=AuditAction.LOGOUT, actor=request.user, target=request.user)
    logout(request)


def session_start(request: HttpRequest, user: User) -> None:
    """Open the session of a client user (new session key, lifetime clocks, audit)."""
    login(request, user, backend="espace.accounts.backends.EspaceBackend")
    now = clock.now().isoformat()
    request.session[SESSION_LOGIN_AT] = now
    request.session[SESSION_LAST_SEEN] = now
    audit_record(action=AuditAction.LOGIN_SUCCEEDED, actor=user, target=user)


def login_guard_clear(*, identifier: str, staff: bool = False) -> None:
    """A successful password reset lifts every lock on the identifier."""
    LoginGuard.objects.filter(identifier=guard_key(identifier, staff=staff)).update(
        failures=0, locked_until=None, requires_reset=False
    )
