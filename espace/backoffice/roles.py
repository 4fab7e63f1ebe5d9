"""Staff roles: Django groups holding the back-office permissions. Idempotent.

Called by the migration (with historical models) and wherever the groups may be missing
(demo data, tests that flush the database).
"""

from __future__ import annotations

from typing import Any

BACKOFFICE_PERMISSIONS = [
    ("view_establishments", "Consulter les établissements et leurs utilisateurs"),
    ("assist_users", "Assister les utilisateurs (courriers, identifiants, déblocage, désactivation)"),
    ("manage_letters", "Gérer les courriers au représentant légal"),
    ("answer_contact_requests", "Répondre aux demandes de contact"),
    ("review_loan_requests", "Instruire les demandes de prêt"),
    ("manage_registry", "Charger le référentiel clients et le portefeuille"),
]

STAFF_ROLES = {
    "Assistance": ["view_establishments", "assist_users", "manage_letters", "answer_contact_requests"],
    "Chargé de prêts": ["view_establishments", "answer_contact_requests", "review_loan_requests"],
    "Gestionnaire de données": ["view_establishments", "manage_letters", "manage_registry"],
}


def staff_roles_ensure(
    *, group_model: Any = None, permission_model: Any = None, content_type_model: Any = None
) -> None:
    if group_model is None:
        from django.contrib.auth.models import Group, Permission
        from django.contrib.contenttypes.models import ContentType

        group_model, permission_model, content_type_model = Group, Permission, ContentType
    content_type, _ = content_type_model.objects.get_or_create(app_label="backoffice", model="backofficeaccess")
    for codename, name in BACKOFFICE_PERMISSIONS:
        permission_model.objects.get_or_create(content_type=content_type, codename=codename, defaults={"name": name})
    for role, codenames in STAFF_ROLES.items():
        group, _ = group_model.objects.get_or_create(name=role)
        group.permissions.add(*permission_model.objects.filter(content_type=content_type, codename__in=codenames))
