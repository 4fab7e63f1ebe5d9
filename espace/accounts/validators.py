"""Password rules (SECURITY.md): the seed's « Robuste » rule plus the controls that make it sound."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.core.exceptions import ValidationError

PASSWORD_RULE_TEXT = (
    "Pour être « Robuste », le mot de passe doit être composé de 8 caractères minimum, "
    "contenant au moins 3 des 4 catégories de caractères suivantes : caractère majuscule, "
    "caractère minuscule, chiffre, caractère spécial."
)


class LengthValidator:
    def __init__(self, min_length: int = 8, max_length: int = 128) -> None:
        self.min_length = min_length
        self.max_length = max_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(
                f"Le mot de passe doit contenir au moins {self.min_length} caractères.",
                code="password_too_short",
            )
        if len(password) > self.max_length:
            raise ValidationError(
                f"Le mot de passe ne peut pas dépasser {self.max_length} caractères.",
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return "8 caractères minimum."


def character_kinds(password: str) -> int:
    upper = any(c.isupper() for c in password)
    lower = any(c.islower() for c in password)
    digit = any(c.isdigit() for c in password)
    special = any(not c.isalnum() for c in password)
    return sum([upper, lower, digit, special])


class CharacterKindsValidator:
    def __init__(self, min_kinds: int = 3) -> None:
        self.min_kinds = min_kinds

    def validate(self, password: str, user: Any = None) -> None:
        if character_kinds(password) < self.min_kinds:
            raise ValidationError(
                (
                    "Le mot de passe doit contenir au moins 3 des 4 catégories de caractères : "
                    "majuscule, minuscule, chiffre, caractère spécial."
                ),
                code="password_not_robust",
            )

    def get_help_text(self) -> str:
        return PASSWORD_RULE_TEXT


def _fold(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return "".join(c for c in decomposed if c.isalnum())


class PersonalInformationValidator:
    """Refuse a password containing the identifier, the client number, the user's or the establishment's name."""

    def validate(self, password: str, user: Any = None) -> None:
        if user is None:
            return
        folded = _fold(password)
        establishment = getattr(user, "establishment", None)
        candidates = [
            getattr(user, "username", ""),
            getattr(user, "first_name", ""),
            getattr(user, "last_name", ""),
        ]
        if establishment is not None:
            candidates += [establishment.client_number, establishment.legal_name]
        for candidate in candidates:
            token = _fold(candidate or "")
            if len(token) >= 3 and token in folded:
                raise ValidationError(
                    (
                        "Le mot de passe ne doit contenir ni votre identifiant, ni votre nom, "
                        "ni le numéro client ou le nom de votre établissement."
                    ),
                    code="password_too_personal",
                )

    def get_help_text(self) -> str:
        return "Il ne contient ni votre identifiant, ni votre nom, ni le nom ou le numéro de votre établissement."
