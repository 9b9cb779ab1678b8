"""Admin accounts for the permission matrix: superuser, auditor, plain staff, user."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

ROLES: dict[str, tuple[str, ...]] = {
    "superuser": (),
    "auditor": ("view_turn",),
    "operator": ("view_turn", "delete_turn", "cancel_turn", "view_providerdeletion"),
    "staff": (),
    "user": (),
}


def admin_user(role: str, *, username: str | None = None):
    """A user with the role's permissions (only `user` is not staff)."""
    model = get_user_model()
    username = username or f"{role}-account"
    if role == "superuser":
        return model.objects.create_superuser(username=username, password="pw-admin-123")
    user = model.objects.create_user(
        username=username, password="pw-admin-123", is_staff=role != "user"
    )
    codenames = ROLES[role]
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="conversations", codename__in=codenames)
    )
    return user
