"""What an analyst sees in the admin, in a real headless Chromium."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from marketdata.roles import ANALYSTS
from tests.conftest import ROOT

from .conftest import PASSWORD
from .factories import InstrumentFactory, LegalEntityFactory, ListingFactory, VenueFactory

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "var" / "screenshots"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed at /usr/bin/chromium"),
]


@pytest.fixture
def kfw_bond(transactional_db):
    """A real FIRDS bond listed on two venues, one of which is not loaded, and an analyst login."""
    from django.contrib.auth import get_user_model

    issuer = LegalEntityFactory(lei="549300GDPG70E3MBBU98", legal_name="KfW")
    instrument = InstrumentFactory(
        isin="DE000A1R07V3", full_name="KFW 1 5/8 01/15/21", cfi_code="DBFTFB", issuer=issuer, currency="EUR"
    )
    ListingFactory(instrument=instrument, venue=VenueFactory(mic="XEUM", market_name="EURONEXT ACCESS PARIS"))
    ListingFactory(instrument=instrument, venue_id="FRAB")
    InstrumentFactory.create_batch(3)
    user = get_user_model().objects.create_user("ana", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=ANALYSTS))
    return instrument


def test_analyst_finds_an_instrument_and_cannot_change_it(live_server, kfw_bond):
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(15_000)
            blocked = csp_violations(page)
            page.goto(f"{live_server.url}/admin/login/?next=/admin/instruments/instrument/")
            page.fill("#id_username", "ana")
            page.fill("#id_password", PASSWORD)
            page.click("input[type=submit]")
            page.wait_for_selector("#result_list")
            assert page.locator("#result_list tbody tr").count() == 4

            page.fill("#searchbar", kfw_bond.isin)
            page.press("#searchbar", "Enter")
            page.wait_for_url("**q=DE000A1R07V3**")
            rows = page.locator("#result_list tbody tr")
            assert rows.count() == 1
            assert "KfW" in rows.first.inner_text()

            rows.first.locator("th a").click()
            page.wait_for_selector("#content h1")
            content = page.inner_text("#content")
            assert "View instrument" in page.inner_text("#content h1")
            assert "KFW 1 5/8 01/15/21" in content and kfw_bond.isin in content
            assert "549300GDPG70E3MBBU98 KfW" in content
            assert "Bonds" in content and "Fixed rate" in content
            listings = page.inner_text("#listings-group")
            assert "XEUM" in listings and "EURONEXT ACCESS PARIS" in listings
            assert "FRAB" in listings and "(MIC not loaded)" in listings
            assert page.locator("input[name=_save], input[name=_continue], a.deletelink").count() == 0
            page.screenshot(path=str(SCREENSHOTS / "analyst-instrument.png"), full_page=True)
            assert blocked == []  # the Content-Security-Policy let every script and style the admin uses run
        finally:
            browser.close()
    assert (SCREENSHOTS / "analyst-instrument.png").stat().st_size > 10_000


def csp_violations(page) -> list[str]:
    """The Content-Security-Policy violations the page reports from now on (filled in as they happen)."""
    found = []
    page.on("console", lambda message: "Content Security Policy" in message.text and found.append(message.text))
    return found


def test_swagger_ui_renders_under_the_content_security_policy(live_server, transactional_db):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(15_000)
            blocked = csp_violations(page)
            response = page.goto(f"{live_server.url}/api/docs/")
            assert "script-src 'self'" in response.headers["content-security-policy"]
            page.wait_for_selector(".swagger-ui .info .title")  # the init script ran and loaded the schema
            assert "marketdata API" in page.inner_text(".swagger-ui .info .title")
            assert page.locator(".opblock").count() > 10
            assert blocked == []
        finally:
            browser.close()
