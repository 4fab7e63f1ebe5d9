from typing import Any

from django.conf import settings
from django.http import HttpRequest

from espace.core.net import is_loopback


def branding(request: HttpRequest) -> dict[str, Any]:
    return {
        "lender_name": settings.LENDER_NAME,
        "lender_short_name": settings.LENDER_SHORT_NAME,
        "assistance_phone": settings.ASSISTANCE_PHONE,
        "demo_mailbox_enabled": settings.DEBUG and not settings.EMAIL_HOST and is_loopback(request),
        "debug": settings.DEBUG,
    }
