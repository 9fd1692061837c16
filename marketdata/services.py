"""Writes of the shared core: role permissions and the first admin user."""

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS

from .roles import DATA_APPS, ROLE_ACTIONS


def roles_sync_permissions(app_config=None, using=DEFAULT_DB_ALIAS, apps=global_apps, **_kwargs):
    """Grant each role its actions on every model of the data apps (idempotent; runs after migrate)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, actions in ROLE_ACTIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=role)
        codenames = [
            f"{action}_{model._meta.model_name}"
            for app_label in DATA_APPS
            if app_label in {config.label for config in global_apps.get_app_configs()}
            for model in global_apps.get_app_config(app_label).get_models()
            for action in actions
        ]
        permissions = Permission.objects.using(using).filter(
            content_type__app_label__in=DATA_APPS, codename__in=codenames
        )
        group.permissions.add(*permissions)


def admin_user_ensure(username: str, password: str, email: str = "") -> tuple[object, bool]:
    """Create a superuser, or reset the password of an existing one; return (user, created)."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    user, created = User.objects.get_or_create(username=username, defaults={"email": email})
    user.is_staff = True
    user.is_superuser = True
    user.set_password(password)
    user.save()
    return user, created
