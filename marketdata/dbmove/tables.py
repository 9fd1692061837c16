"""Which tables a copy moves, in which order, how their rows are read in pk order, and how ids are matched.

Content types and permissions are created by each database's own `migrate`, so their ids differ between
two databases: they are matched by natural key, and every column that points to them is translated.
"""

from collections.abc import Iterator

from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connections, models
from django.db.models.functions import Collate

BATCH_SIZE = 5000
IN_CHUNK = 500  # pks per `IN` (SQL Server: 2,100 parameters per statement)

# Logins, not data: a copied site asks everyone to sign in again (name it in --tables to copy it anyway).
SKIPPED = {"sessions.session"}
# Ids given by each database's migrate: matched by natural key, never copied by id.
REMAPPED = {"contenttypes.contenttype", "auth.permission"}
# Rows the migrations create (marketdata 0001_roles; the beat schedules installed after migrate): a fresh copy
# replaces them with the source's (its edited and paused schedules too).
SEEDED = {"auth.group", "auth.group_permissions"} | {
    f"django_celery_beat.{name}"
    for name in (
        "periodictask",
        "periodictasks",
        "crontabschedule",
        "intervalschedule",
        "solarschedule",
        "clockedschedule",
    )
}

# Binary (code point) order for text keys, the same on every backend and in Python.
_BINARY_COLLATION = {"sqlite": "BINARY", "postgresql": "C", "microsoft": "Latin1_General_BIN2"}


class CopyError(Exception):
    """A copy or verification that cannot go on; the message names the table and what to do."""


def migrations_check(alias: str, role: str) -> None:
    """Stop, naming them, when the database behind `alias` lacks migrations of this code (its columns would differ)."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[alias])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        pending = ", ".join(f"{migration.app_label}.{migration.name}" for migration, _ in plan[:5])
        more = f" and {len(plan) - 5} more" if len(plan) > 5 else ""
        raise CopyError(f"the {role} database lacks migrations {pending}{more}: run migrate on it first")


def models_copied(tables: list[str] | None = None) -> list[type[models.Model]]:
    """The concrete models to copy (all, or those named by db_table or app_label.model), parents first."""
    candidates = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and not model._meta.swapped
    ]
    if tables:
        wanted = {name.lower() for name in tables}
        chosen = [m for m in candidates if m._meta.db_table.lower() in wanted or m._meta.label_lower in wanted]
        unknown = wanted - {m._meta.db_table.lower() for m in chosen} - {m._meta.label_lower for m in chosen}
        if unknown:
            raise CopyError(f"--tables: no table or model {', '.join(sorted(unknown))}")
    else:
        chosen = [m for m in candidates if m._meta.label_lower not in SKIPPED]
    return dependency_order(chosen)


def dependency_order(chosen: list[type[models.Model]]) -> list[type[models.Model]]:
    """The models sorted so that every model comes after those its foreign keys point to (registry order otherwise)."""
    remaining = list(chosen)
    placed: list[type[models.Model]] = []
    while remaining:
        for model in remaining:
            parents = {f.related_model for f in model._meta.concrete_fields if f.is_relation} - {model}
            if not any(parent in remaining for parent in parents):
                break
        else:  # a cycle: take the first, its constraints are deferred to the batch's commit
            model = remaining[0]
        remaining.remove(model)
        placed.append(model)
    return placed


def is_integer_key(model) -> bool:
    """Whether the pk is an integer, or a one-to-one link to one (copies resume from the target's highest pk)."""
    field = model._meta.pk
    while field.is_relation:
        field = field.target_field
    return isinstance(field, models.IntegerField)


def field_names(model) -> list[str]:
    """The attnames of the model's concrete fields, in table order."""
    return [field.attname for field in model._meta.concrete_fields]


def pk_index(model) -> int:
    """The position of the pk in a row read by rows_read."""
    return field_names(model).index(model._meta.pk.attname)


def _ordered(model, alias: str):
    """The model's rows on `alias` in pk order (binary order for text keys), with the key to page on."""
    queryset = model._base_manager.using(alias)
    if is_integer_key(model):
        return queryset.order_by("pk"), "pk"
    collation = _BINARY_COLLATION.get(connections[alias].vendor)
    if collation is None:
        return queryset.order_by("pk"), "pk"
    return queryset.alias(copy_key=Collate("pk", collation)).order_by("copy_key"), "copy_key"


def rows_read(model, alias: str, after=None, batch_size: int = BATCH_SIZE) -> Iterator[list[tuple]]:
    """Batches of rows (tuples of concrete field values) on `alias` in pk order after `after`: keyset pages."""
    queryset, key = _ordered(model, alias)
    names = field_names(model)
    position = names.index(model._meta.pk.attname)
    while True:
        page = queryset if after is None else queryset.filter(**{f"{key}__gt": after})
        rows = list(page.values_list(*names)[:batch_size])
        if not rows:
            return
        yield rows
        after = rows[-1][position]


def pks_present(model, alias: str, pks: list) -> set:
    """Those of `pks` that the model's table on `alias` holds."""
    found = set()
    queryset = model._base_manager.using(alias)
    for start in range(0, len(pks), IN_CHUNK):
        found.update(queryset.filter(pk__in=pks[start : start + IN_CHUNK]).values_list("pk", flat=True))
    return found


def content_type_keys(alias: str) -> dict[int, tuple]:
    """Content type id -> (app_label, model) on `alias`."""
    rows = ContentType.objects.using(alias).values_list("pk", "app_label", "model")
    return {pk: (app_label, model) for pk, app_label, model in rows}


def permission_keys(alias: str) -> dict[int, tuple]:
    """Permission id -> (app_label, model, codename, name) on `alias`."""
    types = content_type_keys(alias)
    rows = Permission.objects.using(alias).values_list("pk", "content_type_id", "codename", "name")
    return {pk: (*types[type_id], codename, name) for pk, type_id, codename, name in rows}


def id_maps_sync(source: str, target: str, create: bool) -> dict[type[models.Model], dict[int, int]]:
    """Source id -> target id for content types and permissions, matched by natural key.

    With `create`, the source's content types and permissions that the target lacks are created there.
    """
    source_types, target_types = content_type_keys(source), content_type_keys(target)
    by_key = {key: pk for pk, key in target_types.items()}
    missing = [key for key in source_types.values() if key not in by_key]
    if missing and create:
        ContentType.objects.using(target).bulk_create([ContentType(app_label=a, model=m) for a, m in missing])
        by_key = {key: pk for pk, key in content_type_keys(target).items()}
    type_map = {pk: by_key[key] for pk, key in source_types.items() if key in by_key}

    source_perms = permission_keys(source)
    perm_by_key = {key[:3]: pk for pk, key in permission_keys(target).items()}
    missing_perms = [key for key in source_perms.values() if key[:3] not in perm_by_key and key[:2] in by_key]
    if missing_perms and create:
        Permission.objects.using(target).bulk_create(
            [Permission(content_type_id=by_key[key[:2]], codename=key[2], name=key[3]) for key in missing_perms]
        )
        perm_by_key = {key[:3]: pk for pk, key in permission_keys(target).items()}
    perm_map = {pk: perm_by_key[key[:3]] for pk, key in source_perms.items() if key[:3] in perm_by_key}
    return {ContentType: type_map, Permission: perm_map}


def row_translator(model, id_maps: dict):
    """A function giving a source row with its content type / permission ids as the target's (None: none to do)."""
    names = field_names(model)
    position = names.index(model._meta.pk.attname)
    mapped = [
        (index, field.attname, id_maps[field.related_model])
        for index, field in enumerate(model._meta.concrete_fields)
        if field.is_relation and field.related_model in id_maps
    ]
    if not mapped:
        return None

    def translate(row: tuple) -> tuple:
        values = list(row)
        for index, attname, mapping in mapped:
            value = values[index]
            if value is not None:
                try:
                    values[index] = mapping[value]
                except KeyError:
                    raise CopyError(
                        f"{model._meta.db_table} pk {row[position]}: {attname}={value} has no match in the target "
                        f"(run migrate on the target, then copy again)"
                    ) from None
        return tuple(values)

    return translate
