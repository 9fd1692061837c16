"""The dashboard, the instrument timeline, the entity graph and a job's progress in a real headless Chromium, under a
Content-Security-Policy stricter than the project's (no inline style either); screenshots in var/screenshots/."""

import datetime as dt
import re
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from ingestion.models import IngestionRun
from instruments.models import Instrument, Listing
from marketdata.dashboard import dashboard_refresh
from marketdata.models import AdminJob
from marketdata.roles import CURATORS
from tests.conftest import ROOT
from tests.fakes.openfigi import FakeOpenFigi

from .conftest import PASSWORD
from .factories import (
    EntityRelationshipFactory,
    InstrumentFactory,
    LegalEntityFactory,
    ListingFactory,
    ReportingExceptionFactory,
    VenueFactory,
    make_lei,
)

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "var" / "screenshots"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed at /usr/bin/chromium"),
]


@pytest.fixture
def strict_csp(settings):
    """The project's policy with inline styles refused too: what these pages must pass."""
    policy = {**settings.CONTENT_SECURITY_POLICY}
    policy["DIRECTIVES"] = {**policy["DIRECTIVES"], "style-src": ["'self'"]}
    settings.CONTENT_SECURITY_POLICY = policy


@pytest.fixture
def curator_login(transactional_db):
    user = get_user_model().objects.create_user("cura", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=CURATORS))
    return user


@contextmanager
def chromium():
    """A headless Chromium; the ORM cannot be used while it runs (Playwright's event loop is this thread's)."""
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _page(browser, live_server, next_url: str):
    """A logged-in curator's page at next_url, and the list the CSP violations it reports go to."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(15_000)
    blocked = []
    page.on("console", lambda message: "Content Security Policy" in message.text and blocked.append(message.text))
    page.goto(f"{live_server.url}/admin/login/?next={next_url}")
    page.fill("#id_username", "cura")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_load_state()
    return page, blocked


def _no_horizontal_overflow(page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"page is {widths[0]} px wide in a {widths[1]} px window"


def test_dashboard(live_server, curator_login, strict_csp):
    xpar = VenueFactory(mic="XPAR", market_name="EURONEXT PARIS")
    for instrument in InstrumentFactory.create_batch(6, category="E", cfi_code="ESVUFR"):
        ListingFactory(instrument=instrument, venue=xpar)
    InstrumentFactory(issuer=LegalEntityFactory())
    for days_ago, status, read, rejected in ((0, "succeeded", 5000, 40), (2, "failed", 0, 0), (5, "succeeded", 800, 3)):
        run = IngestionRun.objects.create(
            source="firds",
            file_name=f"FULINS_E_{days_ago}.zip",
            status=status,
            records_read=read,
            records_rejected=rejected,
            error="FirdsFileError: truncated zip" if status == "failed" else "",
        )
        IngestionRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - dt.timedelta(days=days_ago))
    dashboard_refresh()

    with chromium() as browser:
        page, blocked = _page(browser, live_server, "/admin/")
        page.wait_for_selector("#dashboard")
        assert "Coverage of 7 instruments" in page.inner_text("#dashboard-coverage")
        assert "EURONEXT PARIS" in page.inner_text("#dashboard-venues")
        chart = page.locator("#dashboard-loads svg")
        assert chart.is_visible() and chart.bounding_box()["width"] > 600
        assert page.locator("#dashboard-loads .chart-failed").count() == 1
        assert page.locator("#dashboard-loads .chart-read").count() == 30
        assert "FULINS_E_2.zip" in page.inner_text("#dashboard-failed-runs")
        _no_horizontal_overflow(page)
        page.screenshot(path=str(SCREENSHOTS / "dashboard.png"), full_page=True)
        assert blocked == []

        for changelist in (
            "instruments/instrument",
            "instruments/listing",
            "entities/legalentity",
            "ingestion/ingestionrun",
        ):
            response = page.goto(f"{live_server.url}/admin/{changelist}/")  # at 1,400 px: no column clipped
            policy = response.headers["content-security-policy"]
            assert re.search(r"style-src 'self'(;|$)", policy), policy  # the strict policy is on
            page.wait_for_selector("#result_list")
            results = page.evaluate(
                "() => { const r = document.querySelector('#changelist-form .results');"
                " const table = document.querySelector('#result_list');"
                " return [r.scrollWidth, r.clientWidth, table.getBoundingClientRect().right]; }"
            )
            assert results[0] <= results[1] and results[2] <= 1400, (changelist, results)
            last = page.locator("#result_list thead th").last.bounding_box()
            assert last["x"] + last["width"] <= 1400, changelist
            _no_horizontal_overflow(page)
            if changelist == "instruments/instrument":
                page.screenshot(path=str(SCREENSHOTS / "instruments-changelist.png"), full_page=True)
        assert blocked == []


def test_instrument_timeline(live_server, curator_login, strict_csp):
    xpar = VenueFactory(mic="XPAR", market_name="EURONEXT PARIS")
    instrument = InstrumentFactory(full_name="Example 1% 2030", issuer=LegalEntityFactory(legal_name="Example AG"))
    ListingFactory(
        instrument=instrument,
        venue=xpar,
        valid_from=dt.date(2023, 1, 2),
        valid_to=dt.date(2025, 5, 31),
        is_current=False,
    )
    ListingFactory(instrument=instrument, venue=xpar, valid_from=dt.date(2025, 6, 1))
    ListingFactory(instrument=instrument, venue_id="XETR", valid_from=dt.date(2024, 3, 1))

    with chromium() as browser:
        page, blocked = _page(browser, live_server, f"/admin/instruments/instrument/{instrument.pk}/change/")
        page.wait_for_selector("#listing-timeline svg")
        assert page.locator("#listing-timeline rect.tl-version").count() == 3
        assert page.locator("#listing-timeline rect.tl-selected").count() == 2  # today: XPAR's new version and XETR
        page.fill("#id_as_of", "2023-06-30")
        page.click("#as-of-submit")
        page.wait_for_url("**as_of=2023-06-30**")
        assert page.locator("#listing-timeline rect.tl-selected").count() == 1  # only XPAR's old version then
        assert "1 listing valid on 2023-06-30" in page.inner_text("#valid-on-day")
        assert "Example AG" in page.inner_text("#issuer-chain")
        page.screenshot(path=str(SCREENSHOTS / "instrument-timeline.png"), full_page=True)
        assert blocked == []
    assert Listing.objects.count() == 3 and Instrument.objects.get().full_name == "Example 1% 2030"  # nothing saved


def test_entity_graph(live_server, curator_login, strict_csp):
    parent = LegalEntityFactory(legal_name="Top Holding plc")
    entity = LegalEntityFactory(legal_name="Shell plc")
    EntityRelationshipFactory(child=entity, parent=parent)
    ReportingExceptionFactory(entity=entity)
    children = [EntityRelationshipFactory(parent=entity).child for _ in range(60)]
    for number in range(46):  # children whose LEI record is not loaded
        EntityRelationshipFactory(parent=entity, child_id=make_lei(600_000 + number))
    first_child = min(children, key=lambda child: child.lei)

    with chromium() as browser:
        page, blocked = _page(browser, live_server, f"/admin/entities/legalentity/{entity.pk}/change/")
        page.wait_for_selector("#ownership svg")
        assert page.locator("#ownership rect.og-child").count() == 106
        assert page.locator("#ownership rect.og-parent").count() == 1
        svg = page.locator("#ownership svg").bounding_box()
        assert svg["x"] + svg["width"] <= 1400  # a wrapped grid, readable without scrolling sideways
        box = page.locator("#ownership rect.og-child").first.bounding_box()
        assert box["width"] >= 200 and box["height"] >= 30
        page.screenshot(path=str(SCREENSHOTS / "entity-graph.png"), full_page=True)
        assert blocked == []

        page.locator("#ownership a", has_text=first_child.lei).first.click()  # each box leads to its LEI
        page.wait_for_url(f"**/admin/entities/legalentity/{first_child.pk}/change/")
        assert first_child.legal_name in page.inner_text("#content")


def test_action_progress(live_server, curator_login, strict_csp, settings):
    heineken = Instrument.objects.create(isin="NL0000009165", full_name="HEINEKEN")
    Listing.objects.create(instrument=heineken, venue_id="XAMS", valid_from=dt.date(2025, 1, 1))
    with FakeOpenFigi(window_without_key=1.0) as figi:
        settings.OPENFIGI_API_URL = figi.api_url
        settings.OPENFIGI_API_KEY = ""
        settings.RATE_LIMIT_REDIS_URL = ""
        with chromium() as browser:
            page, blocked = _page(browser, live_server, "/admin/instruments/instrument/")
            page.wait_for_selector("#result_list")
            page.check("#result_list tbody input.action-select")
            page.select_option("select[name=action]", "map_figi_selected")
            page.click("button[name=index]")
            page.wait_for_selector(".messagelist .success")
            assert "Started" in page.inner_text(".messagelist")
            page.click(".messagelist a")  # the job's page
            page.wait_for_selector(".field-progress progress")
            assert page.locator(".field-progress progress").get_attribute("value") == "100"
            assert "Succeeded" in page.inner_text(".field-status")
            assert "run " in page.inner_text(".field-run_links")
            page.screenshot(path=str(SCREENSHOTS / "job-progress.png"), full_page=True)
            assert blocked == []
    job = AdminJob.objects.get()
    assert job.status == "succeeded" and job.runs
