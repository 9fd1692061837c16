"""The Analysts and Curators groups, and their permissions on every model of the data apps."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission

from marketdata.roles import ANALYSTS, CURATORS, DATA_APPS, ROLE_ACTIONS, role_apps
from marketdata.services import roles_sync_permissions

pytestmark = pytest.mark.django_db


def _codenames(group_name: str) -> set[str]:
    group = Group.objects.get(name=group_name)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def _expected(actions, labels=DATA_APPS) -> set[str]:
    return {
        f"{label}.{action}_{model._meta.model_name}"
        for label in labels
        for model in apps.get_app_config(label).get_models()
        for action in actions
    }


def test_the_data_apps_hold_the_core_models():
    models = {model._meta.label for label in DATA_APPS for model in apps.get_app_config(label).get_models()}
    assert {"instruments.Instrument", "instruments.Listing", "entities.LegalEntity", "venues.Venue"} <= models


def test_both_groups_exist_after_migrate():
    assert set(Group.objects.filter(name__in=[ANALYSTS, CURATORS]).values_list("name", flat=True)) == {
        ANALYSTS,
        CURATORS,
    }


def test_analysts_may_view_every_data_model_but_ingestion_runs_and_nothing_else():
    assert role_apps(ANALYSTS) == ("venues", "entities", "instruments")
    assert _codenames(ANALYSTS) == _expected(("view",), role_apps(ANALYSTS))


def test_syncing_withdraws_the_view_of_ingestion_runs_analysts_were_granted_before():
    group = Group.objects.get(name=ANALYSTS)
    group.permissions.add(Permission.objects.get(codename="view_ingestionrun"))
    roles_sync_permissions()
    assert "ingestion.view_ingestionrun" not in _codenames(ANALYSTS)
    assert _codenames(ANALYSTS) == _expected(("view",), role_apps(ANALYSTS))


def test_curators_may_view_add_and_change_every_data_model_but_not_delete():
    assert ROLE_ACTIONS[CURATORS] == ("view", "add", "change")
    assert _codenames(CURATORS) == _expected(("view", "add", "change"))
    assert not any(".delete_" in codename for codename in _codenames(CURATORS))


def test_syncing_again_is_idempotent_and_restores_a_removed_permission():
    group = Group.objects.get(name=ANALYSTS)
    group.permissions.remove(Permission.objects.get(codename="view_instrument"))
    before = Permission.objects.count()
    roles_sync_permissions()
    roles_sync_permissions()
    assert _codenames(ANALYSTS) == _expected(("view",), role_apps(ANALYSTS))
    assert Permission.objects.count() == before


def test_a_deleted_group_is_created_again():
    Group.objects.filter(name=CURATORS).delete()
    roles_sync_permissions()
    assert _codenames(CURATORS) == _expected(("view", "add", "change"))
