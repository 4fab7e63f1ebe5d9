"""« Une échéance arrive dans 30 jours »: the daily `notify_instalments_due` tells the borrower's
users who chose it, once per establishment and due date, with the amount from the schedule."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count, Sum
from django.urls import reverse
from django.utils.formats import date_format

from espace.accounts.enums import Permission
from espace.accounts.selectors import users_holding
from espace.core import clock
from espace.core.formats import euros
from espace.establishments.models import Establishment
from espace.notifications.enums import NotificationKind
from espace.notifications.services import Message, notify
from espace.portfolio.enums import LineStatus
from espace.portfolio.models import FinancingLine

NOTICE_DAYS = 30


def instalments_due_notify(*, today: date | None = None) -> int:
    """Every instalment due within 30 days not told yet (a missed day catches up); returns how
    many notifications were made."""
    today = today or clock.today()
    groups = (
        FinancingLine.objects.filter(
            next_due_date__gt=today,
            next_due_date__lte=today + timedelta(days=NOTICE_DAYS),
            next_instalment__isnull=False,
        )
        .exclude(status=LineStatus.REPAID)
        .values("borrower_id", "next_due_date")
        .annotate(total=Sum("next_instalment"), lines=Count("pk"))
        .order_by("borrower_id", "next_due_date")
    )
    establishments = {e.pk: e for e in Establishment.objects.filter(pk__in={g["borrower_id"] for g in groups})}
    path = reverse("portfolio:lines")
    made = 0
    for group in groups:
        establishment = establishments[group["borrower_id"]]
        due_on = date_format(group["next_due_date"], "j F Y")
        amount = euros(group["total"])
        made += notify(
            users=users_holding(establishment, Permission.VIEW_PORTFOLIO),
            kind=NotificationKind.INSTALMENT_DUE,
            key=f"instalment:{establishment.pk}:{group['next_due_date'].isoformat()}",
            message=Message(
                template="notification_instalment_due",
                context={
                    "establishment_name": establishment.legal_name,
                    "due_on": due_on,
                    "amount": amount,
                    "lines": group["lines"],
                    "lines_path": path,
                },
                summary=f"Échéance du {due_on} : {amount} ({group['lines']} ligne(s))",
                link_path=path,
            ),
        )
    return made
