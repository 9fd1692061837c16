"""Writes of the shared core: role permissions, the first admin user, API keys."""

import secrets
import time

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone

from .roles import DATA_APPS, ROLE_ACTIONS, role_apps


def roles_sync_permissions(app_config=None, using=DEFAULT_DB_ALIAS, apps=global_apps, **_kwargs):
    """Give each role exactly its actions on the models of its data apps (idempotent; runs after migrate): grant what
    is missing, withdraw any other data-app permission (e.g. analysts' view of ingestion runs, granted before)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    installed = {config.label for config in global_apps.get_app_configs()}
    for role, actions in ROLE_ACTIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=role)
        labels = [label for label in role_apps(role) if label in installed]
        wanted = {
            (app_label, f"{action}_{model._meta.model_name}")
            for app_label in labels
            for model in global_apps.get_app_config(app_label).get_models()
            for action in actions
        }
        permissions = (
            Permission.objects.using(using)
            .filter(content_type__app_label__in=labels, codename__in={codename for _, codename in wanted})
            .select_related("content_type")
        )
        group.permissions.add(*[p for p in permissions if (p.content_type.app_label, p.codename) in wanted])
        extra = group.permissions.filter(content_type__app_label__in=DATA_APPS).select_related("content_type")
        group.permissions.remove(*[p for p in extra if (p.content_type.app_label, p.codename) not in wanted])


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


def api_key_issue(*, user, name: str = "", expires_at=None, api_key=None) -> tuple[object, str]:
    """Issue an API key to a user; return (ApiKey, clear key). The clear key is shown once, never stored."""
    from .models import ApiKey
    from .selectors import api_key_hash

    api_key = api_key or ApiKey(user=user, name=name, expires_at=expires_at)
    while True:
        prefix = secrets.token_hex(4)
        if not ApiKey.objects.filter(prefix=prefix).exists():
            break
    raw_key = f"{prefix}.{secrets.token_urlsafe(32)}"
    api_key.prefix, api_key.hashed_key = prefix, api_key_hash(raw_key)
    api_key.save()
    return api_key, raw_key


def api_key_revoke(prefix: str):
    """Revoke the API key with this prefix (idempotent); raise ApiKey.DoesNotExist when there is none."""
    from .models import ApiKey

    api_key = ApiKey.objects.get(prefix=prefix)
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
    return api_key


def api_key_mark_used(api_key, *, every_seconds: int = 60) -> None:
    """Record that a key was used, at most once per `every_seconds` (one UPDATE, not one per request)."""
    from .models import ApiKey

    now = timezone.now()
    if api_key.last_used_at is None or (now - api_key.last_used_at).total_seconds() >= every_seconds:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now


def data_version_bump(*args, **kwargs) -> None:
    """Make every response cached for the reference data stale: after a load, or (as a signal receiver, once the
    transaction commits) after any save or delete of an instrument, listing, entity or venue."""
    from django.core.cache import cache
    from django.db import transaction

    from .selectors import DATA_VERSION_KEY

    def bump():
        try:
            cache.incr(DATA_VERSION_KEY)
        except ValueError:  # not in the cache (evicted, or never read): start above any version used before
            cache.add(DATA_VERSION_KEY, time.time_ns(), timeout=None)

    if kwargs.get("raw"):  # fixtures load before anything is cached
        return
    transaction.on_commit(bump, using=kwargs.get("using"))


def beat_schedules_install(app_config=None, using=DEFAULT_DB_ALIAS, **_kwargs) -> list[str]:
    """Create the periodic task of each settings.BEAT_SCHEDULE_DEFAULTS entry that the database lacks (runs after
    migrate); the names created. Installed tasks are left as they are: the admin's edits and pauses stay."""
    from django.conf import settings
    from django.db.utils import OperationalError, ProgrammingError
    from django_celery_beat.schedulers import ModelEntry

    if app_config is not None and app_config.label != "django_celery_beat":
        return []  # once per migrate, after the beat tables exist
    from django_celery_beat.models import PeriodicTask

    try:
        installed = set(PeriodicTask.objects.using(using).values_list("name", flat=True))
    except (OperationalError, ProgrammingError):  # the tables are not there (yet)
        return []
    created = []
    for name, entry in settings.BEAT_SCHEDULE_DEFAULTS.items():
        if name not in installed:
            ModelEntry.from_entry(name, **entry)
            created.append(name)
    return created
