"""« Revue des accès »: every ACCESS_REVIEW_INTERVAL_MONTHS each establishment's administrators
confirm, on one screen, who keeps which access; users nobody confirmed within 30 days are
suspended (deactivated, never deleted), and users without a login for 12 months are proposed for
deactivation. Each step is in the establishment's journal; each review exports as CSV.

The daily `review_accesses` command opens, reminds and closes reviews.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from espace.accounts.enums import Permission, UserStatus
from espace.accounts.models import User
from espace.accounts.selectors import establishment_admins
from espace.core import clock
from espace.core.audit import audit_record
from espace.core.emails import email_enqueue
from espace.core.exceptions import ApplicationError
from espace.core.home_notices import HomeNotice
from espace.establishments.models import Establishment
from espace.members.enums import AuditAction, ReviewDecision
from espace.members.models import AccessReview, AccessReviewItem
from espace.members.services import member_deactivate


def review_interval() -> timedelta:
    return timedelta(days=round(settings.ACCESS_REVIEW_INTERVAL_MONTHS * 365 / 12))


def _day(value: datetime | None) -> str:
    return date_format(timezone.localtime(value), "j F Y") if value else ""


def _last_seen(user: User) -> datetime:
    return user.last_login or user.activated_at or user.date_joined


def open_review_for(establishment: Establishment) -> AccessReview | None:
    return AccessReview.objects.filter(
        establishment=establishment, completed_at__isnull=True, closed_at__isnull=True
    ).first()


def review_home_notice(user: User) -> HomeNotice | None:
    """The home page's prompt to an administrator while their establishment's review is open."""
    if not user.is_establishment_admin or user.establishment_id is None:
        return None
    due = (
        AccessReview.objects.filter(
            establishment_id=user.establishment_id, completed_at__isnull=True, closed_at__isnull=True
        )
        .values_list("due_at", flat=True)
        .first()
    )
    if due is None:
        return None
    return HomeNotice(
        link_label=f"Revue des accès à faire avant le {_day(due)}",
        url=reverse("members:review"),
        text="confirmez la liste des utilisateurs actifs de votre établissement et leurs habilitations.",
    )


@transaction.atomic
def access_review_open(*, establishment: Establishment) -> AccessReview:
    """Open a review of every active user of the establishment and tell its administrators."""
    establishment = Establishment.objects.select_for_update().get(pk=establishment.pk)
    existing = open_review_for(establishment)
    if existing is not None:
        return existing
    now = clock.now()
    review = AccessReview.objects.create(establishment=establishment, due_at=now + settings.ACCESS_REVIEW_PERIOD)
    inactive_before = now - settings.ACCESS_REVIEW_INACTIVITY
    users = User.objects.filter(establishment=establishment, status=UserStatus.ACTIVE, is_staff=False)
    items = [
        AccessReviewItem(
            review=review,
            user=user,
            permissions=user.permissions,
            last_login=user.last_login,
            inactive=_last_seen(user) < inactive_before,
        )
        for user in users
    ]
    AccessReviewItem.objects.bulk_create(items)
    inactive = sum(item.inactive for item in items)
    audit_record(
        action=AuditAction.ACCESS_REVIEW_OPENED,
        target=establishment,
        establishment=establishment,
        details={"users": len(items), "inactive": inactive, "due": review.due_at.date().isoformat()},
    )
    _tell_admins(review, template="access_review_opened", extra={"users": len(items), "inactive": inactive})
    return review


def _tell_admins(review: AccessReview, *, template: str, extra: dict[str, object]) -> None:
    for admin in establishment_admins(review.establishment):
        email_enqueue(
            template=template,
            to=[admin.email],
            context={
                "first_name": admin.first_name,
                "establishment_name": review.establishment.legal_name,
                "due_on": _day(review.due_at),
                "review_path": reverse("members:review"),
                **extra,
            },
        )


def access_reviews_due() -> list[Establishment]:
    """Establishments with an active administrator, no open review, and none opened within the
    interval; a first review comes an interval after the establishment's first administrator."""
    since = clock.now() - review_interval()
    candidates = (
        Establishment.objects.filter(
            users__status=UserStatus.ACTIVE, users__perm_administer_users=True, users__is_staff=False
        )
        .annotate(
            last_review=Max("access_reviews__created_at"),
            first_admin=Min("users__date_joined", filter=Q(users__perm_administer_users=True)),
            open_reviews=Max(
                "access_reviews__pk",
                filter=Q(access_reviews__completed_at__isnull=True, access_reviews__closed_at__isnull=True),
            ),
        )
        .filter(open_reviews__isnull=True)
        .filter(Q(last_review__lte=since) | Q(last_review__isnull=True, first_admin__lte=since))
    )
    return list(candidates.distinct())


@dataclass(frozen=True)
class ReviewRun:
    opened: int
    reminded: int
    closed: int
    suspended: int


def access_reviews_run() -> ReviewRun:
    """Daily: close the reviews past their 30 days (suspending who was not confirmed), remind the
    administrators 7 days before, and open the reviews that are due."""
    closed = suspended = reminded = 0
    now = clock.now()
    for review in AccessReview.objects.filter(completed_at__isnull=True, closed_at__isnull=True, due_at__lte=now):
        suspended += access_review_close(review=review)
        closed += 1
    soon = now + settings.ACCESS_REVIEW_REMINDER_BEFORE
    for review in AccessReview.objects.filter(
        completed_at__isnull=True, closed_at__isnull=True, due_at__lte=soon, reminder_sent_at__isnull=True
    ).select_related("establishment"):
        with transaction.atomic():
            if AccessReview.objects.filter(pk=review.pk, reminder_sent_at__isnull=True).update(reminder_sent_at=now):
                pending = review.items.filter(decision="").count()
                _tell_admins(review, template="access_review_reminder", extra={"pending": pending})
                reminded += 1
    opened = 0
    for establishment in access_reviews_due():
        access_review_open(establishment=establishment)
        opened += 1
    return ReviewRun(opened=opened, reminded=reminded, closed=closed, suspended=suspended)


@transaction.atomic
def access_review_close(*, review: AccessReview) -> int:
    """The 30 days are over: each user nobody confirmed is suspended, told so, and the
    administrators get the list. Administrators are never suspended this way (they are the ones
    who can still do the review); returns how many users were suspended."""
    review = AccessReview.objects.select_for_update(of=("self",)).select_related("establishment").get(pk=review.pk)
    if not review.is_open:
        return 0
    now = clock.now()
    suspended: list[str] = []
    reason = f"Suspendu : accès non confirmé lors de la revue des accès du {_day(review.created_at)}"
    for pending, user_id in list(review.items.filter(decision="").values_list("pk", "user_id")):
        # The user, then the item, as a change on the card locks them (no deadlock); the item is
        # read again: a decision made on the card meanwhile stands.
        user = User.objects.select_for_update().get(pk=user_id)
        item = AccessReviewItem.objects.select_for_update().get(pk=pending)
        if item.decision:
            continue
        if user.status != UserStatus.ACTIVE:
            item.decision = ReviewDecision.LEFT
        elif user.has_permission(Permission.ADMINISTER_USERS):
            continue
        else:
            user.status = UserStatus.DEACTIVATED
            user.deactivation_reason = reason[:300]
            user.save(update_fields=["status", "deactivation_reason"])
            item.decision = ReviewDecision.SUSPENDED
            suspended.append(user.get_full_name())
            audit_record(
                action=AuditAction.MEMBER_SUSPENDED,
                target=user,
                details={"review": str(review.public_id)},
            )
            email_enqueue(
                template="member_suspended",
                to=[user.email],
                context={
                    "first_name": user.first_name,
                    "username": user.username,
                    "establishment_name": review.establishment.legal_name,
                },
            )
        item.decided_at = now
        item.save(update_fields=["decision", "decided_at"])
    review.closed_at = now
    review.save(update_fields=["closed_at", "updated_at"])
    audit_record(
        action=AuditAction.ACCESS_REVIEW_CLOSED,
        target=review.establishment,
        establishment=review.establishment,
        details={"suspended": len(suspended)},
    )
    _tell_admins(review, template="access_review_closed", extra={"suspended": suspended})
    return len(suspended)


@transaction.atomic
def access_review_submit(*, review: AccessReview, admin: User, decisions: dict[int, str]) -> AccessReview:
    """« Valider la revue »: keep or deactivate each user still to confirm (item id → decision).
    All or nothing: a refused deactivation (the last administrator) leaves the review as it was."""
    review = AccessReview.objects.select_for_update(of=("self",)).select_related("establishment").get(pk=review.pk)
    if review.establishment_id != admin.establishment_id or not admin.has_permission(Permission.ADMINISTER_USERS):
        raise ApplicationError("Seul un administrateur de l'établissement peut valider sa revue des accès.")
    if not review.is_open:
        raise ApplicationError("Cette revue des accès est terminée.")
    now = clock.now()
    reason = f"Revue des accès du {_day(review.created_at)}"
    counts = {decision.value: 0 for decision in ReviewDecision}
    # The users before their items, in one order, as a change on a card locks them: no deadlock.
    list(
        User.objects.select_for_update().filter(pk__in=review.items.values("user_id")).order_by("pk").values_list("pk")
    )
    for item in review.items.select_related("user").select_for_update(of=("self",)):
        if item.decision:
            counts[item.decision] += 1
            continue
        user = item.user
        if user.status != UserStatus.ACTIVE:
            item.decision = ReviewDecision.LEFT
        else:
            choice = decisions.get(item.pk)
            if choice not in {ReviewDecision.KEPT, ReviewDecision.DEACTIVATED}:
                raise ApplicationError(
                    f"Choisissez « Conserver » ou « Désactiver » pour {user.get_full_name()}.", field="decisions"
                )
            if choice == ReviewDecision.DEACTIVATED:
                member_deactivate(member=user, deactivated_by=admin, reason=reason)
            item.decision = choice
        item.decided_at = now
        item.decided_by = admin
        item.save(update_fields=["decision", "decided_at", "decided_by"])
        counts[item.decision] += 1
    review.completed_at = now
    review.completed_by = admin
    review.save(update_fields=["completed_at", "completed_by", "updated_at"])
    audit_record(
        action=AuditAction.ACCESS_REVIEW_COMPLETED,
        actor=admin,
        target=review.establishment,
        establishment=review.establishment,
        details={key: value for key, value in counts.items() if value},
    )
    return review


CSV_COLUMNS = [
    "nom",
    "prenom",
    "identifiant",
    "habilitations_a_l_ouverture",
    "derniere_connexion",
    "inactif_12_mois",
    "decision",
    "decide_le",
    "decide_par",
]


def _cell(value: str) -> str:
    """Names are typed by users: a cell never starts like a spreadsheet formula."""
    return f"'{value}" if value[:1] in {"=", "+", "-", "@", "\t", "\r"} else value


def access_review_csv(review: AccessReview) -> str:
    """The review for the establishment's auditors: one row per user, UTF-8 with BOM, « ; »."""
    labels = {p.value: str(p.label) for p in Permission}
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";")
    writer.writerow(
        [_cell(f"Revue des accès de {review.establishment.legal_name} ouverte le {review.created_at:%d/%m/%Y}")]
    )
    writer.writerow(CSV_COLUMNS)
    for item in review.items.select_related("user", "decided_by"):
        writer.writerow(
            [
                _cell(item.user.last_name),
                _cell(item.user.first_name),
                _cell(item.user.username),
                ", ".join(labels.get(p, p) for p in item.permissions),
                timezone.localtime(item.last_login).strftime("%d/%m/%Y") if item.last_login else "jamais",
                "oui" if item.inactive else "non",
                item.get_decision_display() if item.decision else "non confirmé",
                timezone.localtime(item.decided_at).strftime("%d/%m/%Y %H:%M") if item.decided_at else "",
                _cell(item.decided_by.get_full_name()) if item.decided_by else "",
            ]
        )
    return out.getvalue()
