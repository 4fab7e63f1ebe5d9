from __future__ import annotations

from django.db.models import Q, QuerySet

from espace.accounts.models import User
from espace.core.models import AuditEvent
from espace.establishments.models import Establishment


def members_for(establishment: Establishment, *, q: str = "", status: str = "") -> QuerySet[User]:
    """The establishment's users for « Liste des utilisateurs » (one query, whatever their number)."""
    users = User.objects.filter(establishment=establishment)
    if status:
        users = users.filter(status=status)
    if q:
        users = users.filter(
            Q(username__icontains=q) | Q(last_name__icontains=q) | Q(first_name__icontains=q) | Q(email__icontains=q)
        )
    return users.order_by("last_name", "first_name", "pk")


def journal_for(establishment: Establishment, *, action: str = "", q: str = "") -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.filter(establishment=establishment).select_related("actor")
    if action:
        events = events.filter(action=action)
    if q:
        events = events.filter(Q(actor_label__icontains=q) | Q(target_label__icontains=q))
    return events.order_by("-occurred_at", "-pk")
