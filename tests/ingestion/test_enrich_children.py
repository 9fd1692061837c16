"""Enrichment stores an issuer's children (every page) as relationships; the parents endpoint then knows them."""

from io import StringIO

import pytest
from django.core.management import call_command

from entities.models import EntityRelationship, LegalEntity
from tests.api.base import client_for, make_user

from .test_enrich import SHELL, fakes, instrument, make_isin  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

DIRECT, ULTIMATE = "IS_DIRECTLY_CONSOLIDATED_BY", "IS_ULTIMATELY_CONSOLIDATED_BY"


def test_enrich_entities_command_stores_shells_106_direct_children_across_pages(fakes, settings):  # noqa: F811
    gleif, _ = fakes
    settings.GLEIF_PAGE_SIZE = 50  # 106 direct children take three pages, 153 ultimate ones four
    instrument(make_isin(1), SHELL)

    call_command("enrich", "--entities", stdout=StringIO())

    children = EntityRelationship.objects.filter(parent_id=SHELL)
    assert children.filter(relationship_type=DIRECT).count() == 106
    assert children.filter(relationship_type=ULTIMATE).count() == 153
    assert children.filter(child_id="2138009AGE4DW1J76R35", relationship_type=DIRECT).exists()  # recorded first one
    pages = [entry for entry in gleif.log if "child-relationships" in entry.path]
    assert len(pages) == 3 + 4
    assert LegalEntity.objects.filter(lei=SHELL).exists()
    assert not LegalEntity.objects.filter(lei="2138009AGE4DW1J76R35").exists()  # children's records not fetched


def test_parents_endpoint_answers_for_a_child_known_only_from_enrichment(fakes):  # noqa: F811
    instrument(make_isin(1), SHELL)
    call_command("enrich", "--entities", stdout=StringIO())
    client = client_for(make_user("analyst"))
    body = client.get("/api/v1/entities/2138009AGE4DW1J76R35/parents/").json()
    assert body["direct"]["parent_lei"] == SHELL
    assert body["direct"]["parent"]["legal_name"] == "SHELL PLC"  # as GLEIF records it
