"""Input errors of the engine: each names the offending field and says what is wrong, in English.

The Django forms map `field` to their own field and translate the message.
"""

from __future__ import annotations


class FinanceInputError(ValueError):
    """An input the engine refuses; `field` names it, `message` says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class TermsError(FinanceInputError):
    """Invalid loan terms."""


class RateHistoryError(FinanceInputError):
    """Invalid rate history, or a day it does not cover."""


class LandShareError(FinanceInputError):
    """Invalid land share inputs."""


class BalanceError(FinanceInputError):
    """Invalid operation balance inputs."""
