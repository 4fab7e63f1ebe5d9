"""Self-hosted proof-of-work CAPTCHA (ALTCHA): no third party, solved by the browser.

Challenges are signed with a key derived from SECRET_KEY and expire; a solved payload can
be used once. `ALTCHA_TEST_MODE` (unit-test settings only) accepts the word "test-ok".
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import timedelta
from typing import Any

import altcha.v1 as altcha
from django import forms
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from espace.core import clock

CHALLENGE_VALIDITY = timedelta(minutes=10)
TEST_TOKEN = "test-ok"


def _hmac_key() -> str:
    return hashlib.sha256(f"altcha:{settings.SECRET_KEY}".encode()).hexdigest()


@require_GET
@never_cache
def challenge_view(request: HttpRequest) -> JsonResponse:
    challenge = altcha.create_challenge(
        altcha.ChallengeOptions(
            hmac_key=_hmac_key(), max_number=settings.ALTCHA_MAX_NUMBER, expires=clock.now() + CHALLENGE_VALIDITY
        )
    )
    return JsonResponse(challenge.to_dict())


def captcha_verify(payload: str) -> bool:
    if getattr(settings, "ALTCHA_TEST_MODE", False) and payload == TEST_TOKEN:
        return True
    if not payload or len(payload) > 4000:
        return False
    ok, _error = altcha.verify_solution(payload, _hmac_key(), check_expires=True)
    if not ok:
        return False
    try:
        signature = json.loads(base64.b64decode(payload))["signature"]
    except (ValueError, KeyError, TypeError):
        return False
    # Single use: the first form to present this solution consumes it.
    return cache.add(f"altcha-used:{signature}", 1, timeout=int(CHALLENGE_VALIDITY.total_seconds()) + 60)


class CaptchaWidget(forms.Widget):
    template_name = "widgets/altcha.html"


class CaptchaField(forms.CharField):
    widget = CaptchaWidget

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "Vérification anti-robot")
        kwargs.setdefault("required", True)
        kwargs.setdefault(
            "error_messages",
            {"required": "Veuillez patienter pendant la vérification anti-robot (« Je ne suis pas un robot »)."},
        )
        super().__init__(**kwargs)

    def validate(self, value: str) -> None:
        super().validate(value)
        if not captcha_verify(value):
            raise forms.ValidationError(
                "La vérification anti-robot a échoué ou a expiré. Veuillez la refaire.", code="captcha"
            )
