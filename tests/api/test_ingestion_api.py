"""ingestion/runs/: read-only, curators and admins only."""

from ingestion.models import IngestionRun
from tests.factories import IngestionRunFactory

from .base import DetailEndpointTests, ListEndpointTests

URL = "/api/v1/ingestion/runs/"
BRIEF = [
    "id",
    "source",
    "file_name",
    "file_type",
    "status",
    "started_at",
    "finished_at",
    "records_read",
    "records_inserted",
    "records_updated",
    "records_unchanged",
    "records_rejected",
]


class TestIngestionRunList(ListEndpointTests):
    list_url = URL
    key_field = "id"
    brief_fields = BRIEF
    descending = True  # newest first
    reader_role = "curator"
    read_roles = ("curator", "admin")
    denied_roles = ("analyst",)
    max_queries = 2  # the curator's group check, then the page

    def create_rows(self, count):
        return [run.id for run in IngestionRun.objects.bulk_create(IngestionRunFactory.build_batch(count))]

    def filter_cases(self):
        gleif = IngestionRunFactory(source="gleif", file_name="lei2.xml.zip").id
        failed = IngestionRunFactory(status="failed", error="bad XML").id
        return [({"source": "gleif"}, {gleif}), ({"status": "failed"}, {failed}), ({"q": "LEI2"}, {gleif})]


class TestIngestionRunDetail(DetailEndpointTests):
    detail_url = URL + "{key}/"
    detail_fields = [*BRIEF, "checksum", "duration_seconds", "error", "rejected_sample"]
    unknown_key = "999999999"
    reader_role = "admin"

    def create_object(self):
        return IngestionRunFactory(rejected_sample=[{"record": 3, "reason": "bad ISIN"}]).id

    def test_rejected_sample_and_duration(self):
        run_id = self.create_object()
        body = self.get(self.detail_url.format(key=run_id)).json()
        assert body["rejected_sample"] == [{"record": 3, "reason": "bad ISIN"}]
        assert 41 < body["duration_seconds"] < 43
