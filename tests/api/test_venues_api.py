"""venues/: list, filters, detail and an operating MIC's segments."""

from tests.factories import VenueFactory, make_mic
from venues.models import Venue

from .base import CodeDetailEndpointTests, ListEndpointTests

BRIEF = ["mic", "operating_mic", "kind", "market_name", "acronym", "country", "market_category", "status"]
URL = "/api/v1/venues/"


class TestVenueList(ListEndpointTests):
    list_url = URL
    key_field = "mic"
    brief_fields = BRIEF

    def create_rows(self, count):
        rows = VenueFactory.build_batch(count)
        Venue.objects.bulk_create(rows)
        return [row.mic for row in rows]

    def filter_cases(self):
        xetr = VenueFactory(mic="XETR", market_name="Xetra", acronym="XETRA").mic
        segment = VenueFactory(mic="XETA", operating_id="XETR", kind="SGMT", market_name="Xetra segment").mic
        paris = VenueFactory(mic="XPAR", country="FR", market_name="Euronext Paris", status="EXPIRED").mic
        mtf = VenueFactory(mic="MTFA", market_category="MLTF", country="FR").mic
        return [
            ({"country": "fr"}, {paris, mtf}),
            ({"status": "EXPIRED"}, {paris}),
            ({"category": "MLTF"}, {mtf}),
            ({"operating_mic": "XETR"}, {xetr, segment}),
            ({"kind": "SGMT"}, {segment}),
            ({"q": "euronext"}, {paris}),
            ({"q": "xpar"}, {paris}),
        ]


class TestVenueDetail(CodeDetailEndpointTests):
    detail_url = URL + "{key}/"
    detail_fields = [*BRIEF, "legal_entity_name", "lei", "city", "website", "creation_date", "comments"]
    unknown_key = "QQQQ"
    malformed_key = "XET"
    malformed_reason = "a MIC is 4 letters or digits"

    def create_object(self):
        return VenueFactory(city="Frankfurt").mic


class TestVenueSegments(ListEndpointTests):
    key_field = "mic"
    brief_fields = BRIEF
    max_queries = 2  # the operating venue, then the page

    def setup_data(self):
        self.operating = VenueFactory(mic="ZOPR")
        VenueFactory(mic="ZOTH")  # another operating MIC: neither it nor the operating MIC itself is a segment

    def get_list_url(self):
        return f"{URL}{self.operating.mic}/segments/"

    def create_rows(self, count):
        rows = VenueFactory.build_batch(count, operating_id=self.operating.mic, kind="SGMT")
        Venue.objects.bulk_create(rows)
        return [row.mic for row in rows]

    def test_unknown_operating_mic_is_404(self):
        assert self.get(f"{URL}{make_mic(40000)}/segments/").status_code == 404
