"""A fake of GLEIF's golden-copy server: the publishes index (the recorded shape) and the zipped files it lists.

The index is the recorded publish of 2026-09-01 (RR section, real sizes and counts), with LEI-CDF and repex
sections of the same shape added, every URL pointing at this server. ``publish(kind, delta_type, xml)`` serves a
zipped XML under that section; ``publish_date`` moves the index to a new publish.
"""

import copy
import io
import json
import zipfile
from pathlib import Path

from .ratelimited import FakeApiServer

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "gleif_golden"
RECORDED = FIXTURES / "golden_publishes_2026-09-01_rr_only.json"
PREFIX = "/api/v2/golden-copies"


class FakeGoldenCopy(FakeApiServer):
    """The fake golden-copy API; `api_url` is what GLEIF_GOLDEN_COPY_URL should be set to."""

    def __init__(self):
        super().__init__()
        self.index = json.loads(RECORDED.read_text())
        latest = self.index["data"][0]
        for kind in ("lei2", "repex"):  # the recorded index was trimmed to RR: the others have its shape
            latest[kind] = copy.deepcopy(latest["rr"])
            latest[kind]["type"] = kind
        self.files: dict[str, bytes] = {}

    @property
    def api_url(self) -> str:
        return self.base_url + PREFIX

    def publish(self, kind: str, delta_type: str, xml: Path) -> str:
        """Serve `xml` zipped as the `delta_type` file of `kind` ("GoldenCopy": the full file); its URL."""
        name = f"20260901-0800-gleif-goldencopy-{kind}-{delta_type.lower()}.xml.zip"
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.write(xml, name.removesuffix(".zip"))
        self.files[f"/storage/{name}"] = buffer.getvalue()
        section = self.index["data"][0][kind]
        entry = section["full_file"] if delta_type == "GoldenCopy" else section["delta_files"][delta_type]
        entry["xml"].update(url=f"{self.base_url}/storage/{name}", size=len(buffer.getvalue()))
        return entry["xml"]["url"]

    def handle(self, method, path, query, headers, body):
        if path == f"{PREFIX}/publishes":
            if query.get("per_page") not in (None, *map(str, range(1, 101))):
                return 422, {"message": "per_page must be 1 to 100"}, {}
            return 200, self.index, {}
        if path in self.files:
            return 200, self.files[path], {}
        return 404, {"message": f"no {path}"}, {}
