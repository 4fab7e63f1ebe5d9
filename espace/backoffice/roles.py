"""Staff roles: Django groups holding the back-office permissions. Idempotent.

Called by the migration (with historical models) and wherever the groups may be missing
(demo data, tests that flush the database).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType

from espace.backoffice.enums import StaffPermission as P

BACKOFFICE_PERMISSIONS = [(permission.value, permission.label) for permission in P]

STAFF_ROLES: dict[str, list[P]] = {
    "Assistance": [P.VIEW_ESTABLISHMENTS, P.ASSIST_USERS, P.MANAGE_LETTERS, P.ANSWER_CONTACT_REQUESTS],
    "Chargé de prêts": [P.VIEW_ESTABLISHMENTS, P.ANSWER_CONTACT_REQUESTS, P.REVIEW_LOAN_REQUESTS],
    "Gestionnaire de données": [P.VIEW_ESTABLISHMENTS, P.MANAGE_LETTERS, P.MANAGE_REGISTRY, P.MANAGE_RESOURCES],
}

# Reference data a role edits in the Django admin (/gestion/): (app_label, model) → actions.
ROLE_MODEL_PERMISSIONS: dict[str, dict[tuple[str, str], list[str]]] = {
    "Gestionnaire de données": {
        ("products", "indexrate"): ["view", "add", "change", "delete"],
        ("products", "product"): ["view", "add", "change"],
        ("loan_requests", "requireddocument"): ["view", "add", "change"],
    },
}


def staff_roles_ensure(
    *, group_model: Any = Group, permission_model: Any = Permission, content_type_model: Any = ContentType
) -> None:
    content_type, _ = content_type_model.objects.get_or_create(app_label="backoffice", model="backofficeaccess")
    for codename, name in BACKOFFICE_PERMISSIONS:
        permission_model.objects.get_or_create(content_type=content_type, codename=codename, defaults={"name": name})
    for role, permissions in STAFF_ROLES.items():
        group, _ = group_model.objects.get_or_create(name=role)
        codenames = [permission.value for permission in permissions]
        group.permissions.add(*permission_model.objects.filter(content_type=content_type, codename__in=codenames))
        for (app_label, model), actions in ROLE_MODEL_PERMISSIONS.get(role, {}).items():
            model_type, _ = content_type_model.objects.get_or_create(app_label=app_label, model=model)
            for action in actions:
                permission, _ = permission_model.objects.get_or_create(
                    content_type=model_type, codename=f"{action}_{model}", defaults={"name": f"Can {action} {model}"}
                )
                group.permissions.add(permission)
