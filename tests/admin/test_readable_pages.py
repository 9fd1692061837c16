"""Pages people read: the instrument's timeline and issuer chain, the entity's ownership picture, records as trees
and tables, the runs' error column, the venue filter and CSV/XLSX export."""

import datetime as dt
import io
import re
import zipfile

import pytest
from django.urls import reverse

from entities.models import LegalEntity
from marketdata.admin_display import json_tree, mapping_table, rows_table
from marketdata.dashboard import dashboard_refresh

from .factories import (
    EntityRelationshipFactory,
    FigiMappingFactory,
    IngestionRunFactory,
    InstrumentFactory,
    LegalEntityFactory,
    ListingFactory,
    ReportingExceptionFactory,
    TransparencyFactory,
    VenueFactory,
    make_lei,
)

pytestmark = pytest.mark.django_db
ULTIMATE = "IS_ULTIMATELY_CONSOLIDATED_BY"


@pytest.fixture
def bond():
    """A bond listed at XPAR in two versions (renamed on 2025-06-01) and at XETR; issuer with a parent chain."""
    top = LegalEntityFactory(legal_name="Top Holding plc")
    parent = LegalEntityFactory(legal_name="Parent GmbH")
    issuer = LegalEntityFactory(legal_name="Issuer AG")
    EntityRelationshipFactory(child=issuer, parent=parent)
    EntityRelationshipFactory(child=parent, parent=top)
    EntityRelationshipFactory(child=issuer, parent=top, relationship_type=ULTIMATE)
    instrument = InstrumentFactory(full_name="Issuer 1% 2030", issuer=issuer)
    xpar = VenueFactory(mic="XPAR", market_name="EURONEXT PARIS")
    old = ListingFactory(
        instrument=instrument,
        venue=xpar,
        full_name="Old name",
        valid_from=dt.date(2024, 1, 2),
        valid_to=dt.date(2025, 5, 31),
        is_current=False,
    )
    new = ListingFactory(instrument=instrument, venue=xpar, full_name="New name", valid_from=dt.date(2025, 6, 1))
    ListingFactory(instrument=instrument, venue_id="XETR", valid_from=dt.date(2025, 1, 1))
    FigiMappingFactory(isin=instrument.isin, mic="XPAR", figi="BBG000000001")
    FigiMappingFactory(isin=instrument.isin, mic="XETR", figi="BBG000000002")
    TransparencyFactory(identifier=instrument.isin, classification="BOND", liquid=True)
    return {"instrument": instrument, "old": old, "new": new, "issuer": issuer, "parent": parent, "top": top}


def _page(client, instrument, **params):
    response = client.get(reverse("admin:instruments_instrument_change", args=[instrument.pk]), params)
    assert response.status_code == 200
    return response, response.content.decode()


def _selected_rects(page: str) -> list[str]:
    return re.findall(r"<a href=\"([^\"]+)\"><title>([^<]+)</title><rect[^>]*tl-selected", page)


def test_instrument_timeline_highlights_the_versions_valid_on_the_chosen_date(analyst_client, bond):
    _, page = _page(analyst_client, bond["instrument"], as_of="2024-06-30")
    assert 'class="md-timeline"' in page
    selected = _selected_rects(page)
    # on 2024-06-30 only the old XPAR version was valid (XETR starts in 2025)
    assert [title.split(":")[0] for _, title in selected] == ["XPAR 2024-01-02 to 2025-05-31"]
    assert selected[0][0] == reverse("admin:instruments_listing_change", args=[bond["old"].pk])
    assert "1 listing valid on 2024-06-30" in page

    _, page = _page(analyst_client, bond["instrument"], as_of="2025-07-01")
    titles = sorted(title.split(":")[0] for _, title in _selected_rects(page))
    assert titles == ["XETR 2025-01-01 to open", "XPAR 2025-06-01 to open"]
    assert "2 listings valid on 2025-07-01" in page
    assert page.count('class="md-selected"') == 2  # the same versions highlighted in the table


def test_a_bad_date_is_refused_with_a_message(analyst_client, bond):
    response, page = _page(analyst_client, bond["instrument"], as_of="31/12/2024")
    assert "&#x27;31/12/2024&#x27; is not a date (YYYY-MM-DD)" in page
    assert 'class="md-timeline"' in page  # today's timeline instead


def test_instrument_page_shows_issuer_chain_figis_per_venue_and_transparency(analyst_client, bond):
    response, page = _page(analyst_client, bond["instrument"])
    chain = [(step.relationship, step.name) for step in response.context["issuer_chain"]]
    assert chain == [("issuer", "Issuer AG"), ("direct parent", "Parent GmbH"), ("direct parent", "Top Holding plc")]
    assert dict(response.context["figis_per_venue"]).keys() == {"XETR", "XPAR"}
    assert "BBG000000001" in page and "BBG000000002" in page
    transparency = page[page.index('id="transparency"') :]
    assert "BOND" in transparency and "No transparency records" not in transparency
    # the issuer chain links each LEI through the by-LEI page
    assert reverse("admin:entities_legalentity_by_lei", args=[bond["top"].lei]) in page


def test_the_as_of_form_is_not_inside_the_change_form(curator_client, bond):
    _, page = _page(curator_client, bond["instrument"])
    change_form = page.index('id="instrument_form"')
    assert page.index('<form id="md-asof" method="get"') < change_form  # no nested form: Show never saves
    assert 'form="md-asof"' in page


def test_an_empty_json_term_shows_an_empty_box_and_stays_empty(curator_client):
    instrument = InstrumentFactory(underlying_isins=None)
    url = reverse("admin:instruments_instrument_change", args=[instrument.pk])
    form = curator_client.get(url).context["adminform"].form
    assert form["underlying_isins"].value() == "" and "null</textarea>" not in str(form["underlying_isins"])
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update({"underlying_isins": "", "issuer": instrument.issuer_id or ""})
    data.update({f"listings-{key}": value for key, value in (("TOTAL_FORMS", 0), ("INITIAL_FORMS", 0))})
    response = curator_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else None
    instrument.refresh_from_db()
    assert instrument.underlying_isins is None


def test_entity_page_draws_parents_exceptions_and_a_hundred_children(analyst_client):
    entity = LegalEntityFactory(legal_name="Shell plc")
    ReportingExceptionFactory(
        entity=entity, category="DIRECT_ACCOUNTING_CONSOLIDATION_PARENT", reason="NO_KNOWN_PERSON"
    )
    for number in range(106):
        if number % 2:
            EntityRelationshipFactory(parent=entity)
        else:  # children whose LEI record is not loaded
            EntityRelationshipFactory(parent=entity, child_id=make_lei(500_000 + number))
    EntityRelationshipFactory(parent=entity, relationship_type=ULTIMATE)
    response = analyst_client.get(reverse("admin:entities_legalentity_change", args=[entity.pk]))
    page = response.content.decode()
    assert response.context["children_totals"] == {"Direct children": 106, "Ultimate children": 1}
    svg = page[page.index('<svg xmlns="http://www.w3.org/2000/svg"') :]
    svg = svg[: svg.index("</svg>")]
    assert svg.count('class="og-child') == 107
    assert svg.count("og-missing") == 53  # drawn dashed, still linked
    assert (
        "Direct children: 106" in svg and "no direct accounting consolidation parent reported: NO_KNOWN_PERSON" in svg
    )
    assert reverse("admin:entities_legalentity_by_lei", args=[make_lei(500_000)]) in svg
    width, height = map(int, re.search(r'width="(\d+)" height="(\d+)"', svg).groups())
    assert width <= 1100 and height > 27 * 40  # a wrapped grid four boxes wide, not one 106-box row


def test_entity_page_draws_the_parent_chain(analyst_client):
    top, parent, entity = LegalEntityFactory(), LegalEntityFactory(), LegalEntityFactory()
    EntityRelationshipFactory(child=entity, parent=parent)
    EntityRelationshipFactory(child=parent, parent=top)
    page = analyst_client.get(reverse("admin:entities_legalentity_change", args=[entity.pk])).content.decode()
    svg = page[page.index('<svg xmlns="http://www.w3.org/2000/svg"') :]
    svg = svg[svg.index("<a ") :]  # the boxes, after the picture's title
    assert svg.count('class="og-parent') == 2
    assert svg.index(top.lei) < svg.index(parent.lei) < svg.index(entity.lei)  # the ultimate on top


def test_by_lei_leads_to_the_record_or_to_the_relationships(analyst_client):
    entity = LegalEntityFactory()
    response = analyst_client.get(reverse("admin:entities_legalentity_by_lei", args=[entity.lei]))
    assert response.url == reverse("admin:entities_legalentity_change", args=[entity.pk])
    missing = make_lei(777)
    response = analyst_client.get(reverse("admin:entities_legalentity_by_lei", args=[missing]))
    assert response.url == f"{reverse('admin:entities_entityrelationship_changelist')}?q={missing}"


def test_entity_addresses_names_and_record_are_readable(analyst_client):
    entity = LegalEntityFactory(
        legal_address={"addressLines": ["Shell Centre"], "city": "London", "country": "GB", "postalCode": "SE1 7NA"},
        other_names=[{"name": "Royal Dutch Shell plc", "language": "en", "type": "PREVIOUS_LEGAL_NAME"}],
        bics=["SHELGB2L"],
        record={
            "attributes": {"entity": {"legalName": {"name": "<b>Shell</b>"}}, "registration": {"status": "ISSUED"}}
        },
    )
    page = analyst_client.get(reverse("admin:entities_legalentity_change", args=[entity.pk])).content.decode()
    assert "<th>city</th><td>London</td>" in page and "<th>addressLines</th><td>Shell Centre</td>" in page
    assert page.index("<th>addressLines</th>") < page.index("<th>postalCode</th>") < page.index("<th>city</th>")
    assert "<td>Royal Dutch Shell plc</td><td>en</td><td>PREVIOUS_LEGAL_NAME</td>" in page
    assert "SHELGB2L" in page
    assert '<details class="md-node" open><summary><span class="md-key">record</span>' in page
    assert "&lt;b&gt;Shell&lt;/b&gt;" in page and "<b>Shell</b>" not in page  # values escaped
    assert '"city": "London"' not in page  # no raw JSON text


def test_listing_record_is_a_collapsible_tree(analyst_client):
    listing = ListingFactory(record={"FinInstrmGnlAttrbts": {"Id": "XS0000000001", "FullNm": "A"}, "Issr": None})
    page = analyst_client.get(reverse("admin:instruments_listing_change", args=[listing.pk])).content.decode()
    assert '<span class="md-key">FinInstrmGnlAttrbts</span> <span class="md-size">2 fields</span>' in page
    assert '<span class="md-key">Issr</span>: <span class="md-null">null</span>' in page


def test_renderers_handle_nesting_lists_and_empties():
    assert json_tree({}) == "-" and mapping_table({}) == "-" and rows_table([]) == "-"
    tree = str(json_tree({"a": [1, {"b": True}], "c": []}))
    assert '<span class="md-key">[0]</span>: <span class="md-number">1</span>' in tree
    assert (
        '<span class="md-bool">true</span>' in tree
        and '<span class="md-key">c</span>: <span class="md-null">[]</span>' in tree
    )
    assert (
        str(rows_table(["x", "<y>"]))
        == '<table class="md-table"><tbody><tr><td>x</td></tr><tr><td>&lt;y&gt;</td></tr></tbody></table>'
    )


def test_runs_changelist_shows_the_error_first_line(curator_client):
    IngestionRunFactory(
        status="failed", error="FirdsFileError: FULINS_E_1.zip line 3: truncated\nTraceback-like detail"
    )
    page = curator_client.get(reverse("admin:ingestion_ingestionrun_changelist")).content.decode()
    assert 'class="field-error_summary"' in page
    assert ">FirdsFileError: FULINS_E_1.zip line 3: truncated</span>" in page


def test_instruments_filter_by_venue(analyst_client):
    xpar = VenueFactory(mic="XPAR", market_name="EURONEXT PARIS")
    at_xpar = InstrumentFactory()
    ListingFactory(instrument=at_xpar, venue=xpar)
    closed = InstrumentFactory()  # listed at XPAR once, no longer
    ListingFactory(instrument=closed, venue=xpar, is_current=False, valid_to=dt.date(2026, 2, 1))
    ListingFactory(instrument=InstrumentFactory(), venue_id="XETR")
    dashboard_refresh()
    url = reverse("admin:instruments_instrument_changelist")
    response = analyst_client.get(url, {"mic": "XPAR"})
    assert [i.isin for i in response.context["cl"].result_list] == [at_xpar.isin]
    page = response.content.decode()
    assert "XPAR EURONEXT PARIS" in page and "XETR (MIC not loaded)" in page  # offered from the snapshot
    response = analyst_client.get(url, {"mic": "xmad"})
    assert list(response.context["cl"].result_list) == []  # any MIC through the URL


def _export(client, model_url: str, file_format: int, **filters):
    url = reverse(f"admin:{model_url}_export") + (
        "?" + "&".join(f"{k}={v}" for k, v in filters.items()) if filters else ""
    )
    form = client.get(url).context["form"]
    data = {"format": str(file_format), "resource": "0"}
    data.update({name: "on" for name, field in form.fields.items() if getattr(field, "is_selectable_field", False)})
    return client.post(url, data)


def test_instruments_export_as_csv_with_the_changelist_filters(analyst_client):
    InstrumentFactory(full_name="Equity one", category="E", cfi_code="ESVUFR")
    InstrumentFactory(full_name="Bond one", category="D")
    response = _export(analyst_client, "instruments_instrument", 0, category__exact="E")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().strip().splitlines()
    assert len(lines) == 2 and "Equity one" in lines[1] and "isin" in lines[0].lower()
    assert "record" not in lines[0].lower().split(",")


def test_entities_export_as_xlsx(analyst_client, settings):
    settings.ADMIN_EXPORT_LIMIT = 2
    for _ in range(3):
        LegalEntityFactory()
    response = _export(analyst_client, "entities_legalentity", 1)
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as workbook:
        sheet = workbook.read("xl/worksheets/sheet1.xml").decode()
    assert sheet.count("<row ") == 3  # a header and ADMIN_EXPORT_LIMIT rows
    assert LegalEntity.objects.count() == 3
