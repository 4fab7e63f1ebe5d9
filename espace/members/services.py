"""Delegated administration: the establishment's administrators manage its users.

Every service locks the users it changes; the last active administrator is protected.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse

from espace.accounts.enums import Permission, UserStatus
from espace.accounts.models import PERMISSION_FIELD_NAMES, User
from espace.accounts.second_factor import second_factor_remove, second_factor_required
from espace.accounts.selectors import establishment_admins
from espace.core import clock
from espace.core.audit import audit_record
from espace.core.emails import email_enqueue
from espace.core.exceptions import ApplicationError
from espace.core.net import address_allowed, networks_parse
from espace.core.origin import current_ip
from espace.establishments.enums import SecondFactorPolicy
from espace.members.enums import AuditAction, ReviewDecision
from espace.members.models import AccessReviewItem
from espace.notifications.enums import NotificationKind
from espace.notifications.services import Message, notify

ALL_PERMISSIONS = [p.value for p in Permission]


def _lock(member: User, actor: User) -> User:
    """Lock the member's row; refuse anyone who does not administer the member's establishment.

    The lender's staff (back office, after its second factor) act on every establishment.
    """
    administers = actor.is_establishment_admin and member.establishment_id == actor.establishment_id
    if not (administers or actor.is_staff):
        raise PermissionDenied
    return User.objects.select_for_update().get(pk=member.pk)


def _clean_permissions(permissions: list[str]) -> list[str]:
    wanted = set(permissions)
    return [p for p in ALL_PERMISSIONS if p in wanted]


def _other_active_admins(member: User) -> int:
    """Active administrators of the member's establishment other than the member (rows locked)."""
    assert member.establishment is not None
    others = establishment_admins(member.establishment).select_for_update().exclude(pk=member.pk)
    return len(others.values_list("pk", flat=True))


def review_item_decided(*, member: User, decision: ReviewDecision, by: User) -> None:
    """A change made on the member's card during an open access review is the review's decision
    for that member (espace.members.review)."""
    AccessReviewItem.objects.filter(
        user=member, decision="", review__completed_at__isnull=True, review__closed_at__isnull=True
    ).update(decision=decision, decided_at=clock.now(), decided_by=by)


def _permission_labels(permissions: list[str]) -> list[str]:
    return [str(p.label) for p in Permission if p.value in permissions]


@transaction.atomic
def member_activate(*, member: User, activated_by: User, permissions: list[str] | None = None) -> User:
    """Validate a pending registration (« actif »): grant the requested permissions unless others are given."""
    member = _lock(member, activated_by)
    if member.status != UserStatus.AWAITING_ADMIN:
        raise ApplicationError("Ce compte n'est pas en attente de validation.")
    member.status = UserStatus.ACTIVE
    member.permissions = _clean_permissions(permissions if permissions is not None else member.requested_permissions)
    member.activated_at = clock.now()
    member.save(update_fields=["status", *PERMISSION_FIELD_NAMES, "activated_at"])
    audit_record(
        action=AuditAction.MEMBER_ACTIVATED,
        actor=activated_by,
        target=member,
        details={"permissions": member.permissions},
    )
    email_enqueue(
        template="member_activated",
        to=[member.email],
        context={
            "first_name": member.first_name,
            "username": member.username,
            "permissions": _permission_labels(member.permissions),
        },
    )
    return member


@transaction.atomic
def member_set_permissions(*, member: User, changed_by: User, permissions: list[str]) -> User:
    """« Valider » on the card. Naming a second administrator is granting « Administration »."""
    member = _lock(member, changed_by)
    new = _clean_permissions(permissions)
    if member.status == UserStatus.AWAITING_ADMIN:
        return member_activate(member=member, activated_by=changed_by, permissions=new)
    if member.status not in {UserStatus.ACTIVE, UserStatus.DEACTIVATED}:
        raise ApplicationError("Les habilitations de ce compte ne peuvent pas être modifiées.")
    dropping_admin = (
        Permission.ADMINISTER_USERS.value in member.permissions and Permission.ADMINISTER_USERS.value not in new
    )
    if dropping_admin and member.status == UserStatus.ACTIVE and _other_active_admins(member) == 0:
        raise ApplicationError(
            (
                "Votre établissement doit garder au moins un administrateur actif : nommez d'abord un autre "
                "administrateur."
            ),
            field="permissions",
        )
    if new == member.permissions:
        return member
    previous = member.permissions
    member.permissions = new
    member.save(update_fields=PERMISSION_FIELD_NAMES)
    review_item_decided(member=member, decision=ReviewDecision.CHANGED, by=changed_by)
    audit_record(
        action=AuditAction.MEMBER_PERMISSIONS_CHANGED,
        actor=changed_by,
        target=member,
        details={"before": previous, "after": new},
    )
    email_enqueue(
        template="member_permissions_changed",
        to=[member.email],
        context={"first_name": member.first_name, "username": member.username, "permissions": _permission_labels(new)},
    )
    return member


@transaction.atomic
def member_deactivate(*, member: User, deactivated_by: User, reason: str) -> User:
    """Deactivate (never delete): the user's sessions end at their next request."""
    member = _lock(member, deactivated_by)
    if member.status not in {UserStatus.ACTIVE, UserStatus.AWAITING_ADMIN}:
        raise ApplicationError("Ce compte ne peut pas être désactivé.")
    if not reason.strip():
        raise ApplicationError("Indiquez le motif de la désactivation.", field="reason")
    # Staff may deactivate the last administrator (then open a succession); an establishment may not.
    if member.is_establishment_admin and not deactivated_by.is_staff and _other_active_admins(member) == 0:
        raise ApplicationError(
            "Le dernier administrateur actif ne peut pas être désactivé : nommez d'abord un autre administrateur."
        )
    member.status = UserStatus.DEACTIVATED
    member.deactivation_reason = reason.strip()[:300]
    member.save(update_fields=["status", "deactivation_reason"])
    review_item_decided(member=member, decision=ReviewDecision.DEACTIVATED, by=deactivated_by)
    audit_record(
        action=AuditAction.MEMBER_DEACTIVATED,
        actor=deactivated_by,
        target=member,
        details={"reason": member.deactivation_reason, "by": "staff" if deactivated_by.is_staff else "administrator"},
    )
    email_enqueue(
        template="member_deactivated",
        to=[member.email],
        context={"first_name": member.first_name, "username": member.username, "reason": member.deactivation_reason},
    )
    return member


@transaction.atomic
def member_reactivate(*, member: User, reactivated_by: User) -> User:
    member = _lock(member, reactivated_by)
    if member.status != UserStatus.DEACTIVATED:
        raise ApplicationError("Ce compte n'est pas désactivé.")
    member.status = UserStatus.ACTIVE
    member.deactivation_reason = ""
    member.save(update_fields=["status", "deactivation_reason"])
    audit_record(action=AuditAction.MEMBER_REACTIVATED, actor=reactivated_by, target=member)
    email_enqueue(
        template="member_activated",
        to=[member.email],
        context={
            "first_name": member.first_name,
            "username": member.username,
            "permissions": _permission_labels(member.permissions),
        },
    )
    return member


@transaction.atomic
def member_second_factor_reset(*, member: User, reset_by: User, reason: str = "") -> User:
    """Lost phone and recovery codes: the member's authenticator and codes stop working at once.

    An administrator resets a colleague's factor (their own is managed in « Mon compte »); the
    lender's assistance resets anyone's, an administrator's among them, with a reason. The member
    is told by e-mail and, when the policy requires a factor, enrols again at the next login.
    """
    member = _lock(member, reset_by)
    if member.pk == reset_by.pk:
        raise ApplicationError(
            "Votre propre double authentification se gère depuis « Mon compte » ; si vous avez perdu votre "
            "téléphone, demandez à un autre administrateur ou à l'assistance."
        )
    if reset_by.is_staff and not reason.strip():
        raise ApplicationError("Indiquez le motif de la réinitialisation.", field="reason")
    if not second_factor_remove(member):
        raise ApplicationError("Ce compte n'a pas de double authentification à réinitialiser.")
    by_staff = reset_by.is_staff
    audit_record(
        action=AuditAction.MEMBER_SECOND_FACTOR_RESET,
        actor=reset_by,
        target=member,
        establishment=member.establishment,
        details={"by": "staff" if by_staff else "administrator", "reason": reason.strip()[:300]},
    )
    email_enqueue(
        template="second_factor_reset",
        to=[member.email],
        context={
            "first_name": member.first_name,
            "username": member.username,
            "by": "L'assistance" if by_staff else "L'administrateur de votre établissement",
            "reason": reason.strip()[:300],
            "required": second_factor_required(member),
        },
    )
    return member


def members_remind_pending() -> int:
    """Daily: tell the administrators about registrations waiting for 7 days (once per registration)."""
    limit = clock.now() - settings.MEMBER_VALIDATION_REMINDER_DELAY
    reminded = 0
    waiting = User.objects.filter(
        status=UserStatus.AWAITING_ADMIN, date_joined__lte=limit, validation_reminder_sent_at__isnull=True
    ).select_related("establishment")
    for member in waiting:
        with transaction.atomic():
            locked = User.objects.select_for_update().get(pk=member.pk)
            if locked.validation_reminder_sent_at is not None or locked.status != UserStatus.AWAITING_ADMIN:
                continue
            locked.validation_reminder_sent_at = clock.now()
            locked.save(update_fields=["validation_reminder_sent_at"])
            assert member.establishment is not None
            notify(
                users=establishment_admins(member.establishment),
                kind=NotificationKind.COLLEAGUE_WAITING,
                key=f"member:{member.public_id}:reminder",
                message=Message(
                    template="member_validation_reminder",
                    context={
                        "full_name": member.get_full_name(),
                        "username": member.username,
                        "card_path": member_card_path(member),
                        "requested": _permission_labels(member.requested_permissions),
                    },
                    summary=f"Rappel : {member.get_full_name()} attend votre validation depuis 7 jours",
                    link_path=member_card_path(member),
                ),
            )
            audit_record(action=AuditAction.VALIDATION_REMINDER_SENT, target=member)
            reminded += 1
    return reminded


def member_card_path(member: User) -> str:
    """The administrator's link to a member's « fiche d'identité » (in e-mails)."""
    return reverse("members:card", kwargs={"public_id": member.public_id})


@dataclass(frozen=True)
class EstablishmentSettings:
    """« Paramètres »: the rules the administrator sets, the security policy among them."""

    loan_requests_four_eyes: bool
    session_idle_minutes: int = 30
    session_max_hours: int = 12
    web_networks: str = ""
    api_networks: str = ""
    second_factor_policy: str = SecondFactorPolicy.OPTIONAL


@transaction.atomic
def establishment_settings_update(*, admin: User, wanted: EstablishmentSettings) -> None:
    """Save the establishment's rules. The web networks must include the administrator's own
    address: nobody locks their establishment out of its space by mistake."""
    current = admin.establishment
    if not admin.is_establishment_admin or current is None:
        raise PermissionDenied
    web = networks_parse(wanted.web_networks.splitlines(), field="web_networks")
    api = networks_parse(wanted.api_networks.splitlines(), field="api_networks")
    if web and not address_allowed(current_ip(), web):
        raise ApplicationError(
            f"Votre adresse actuelle ({current_ip() or 'inconnue'}) n'est dans aucun de ces réseaux : vous perdriez "
            "l'accès à l'espace client. Ajoutez le réseau de votre établissement.",
            field="web_networks",
        )
    establishment = type(current).objects.select_for_update().get(pk=current.pk)
    values = {
        "loan_requests_four_eyes": wanted.loan_requests_four_eyes,
        "session_idle_minutes": wanted.session_idle_minutes,
        "session_max_hours": wanted.session_max_hours,
        "web_networks": web,
        "api_networks": api,
        "second_factor_policy": wanted.second_factor_policy,
    }
    changed = {name: value for name, value in values.items() if getattr(establishment, name) != value}
    if not changed:
        return
    for name, value in changed.items():
        setattr(establishment, name, value)
    establishment.full_clean(exclude=[f.name for f in establishment._meta.fields if f.name not in changed])
    establishment.save(update_fields=[*changed, "updated_at"])
    audit_record(
        action=AuditAction.SETTINGS_CHANGED,
        actor=admin,
        target=establishment,
        establishment=establishment,
        details=changed,
    )
