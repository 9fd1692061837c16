"""A fake of GLEIF's mapping server (mapping.gleif.org): the ISIN-LEI ``latest`` answer and the zip it links to.

The answer has the shape GLEIF's ``/api/v2/isin-lei/latest`` gives (a JSON:API resource whose attributes are
``fileName``, ``uploadedAt`` and ``downloadLink``; the link is ``/api/v2/isin-lei/<id>/download``).
``publish(csv)`` serves a CSV zipped as GLEIF does and points ``latest`` at it; tests may set ``latest`` to any
answer (``None``: a JSON:API 404).
"""

import io
import uuid
import zipfile
from pathlib import Path

from .ratelimited import FakeApiServer

PREFIX = "/api/v2/isin-lei"
NOT_FOUND = {"errors": [{"status": "404", "title": "Not Found", "detail": "The requested resource was not found."}]}


class FakeIsinLeiMapping(FakeApiServer):
    """The fake mapping API; `api_url` is what GLEIF_ISIN_LEI_URL should be set to."""

    def __init__(self):
        super().__init__()
        self.latest: dict | None = None
        self.files: dict[str, bytes] = {}

    @property
    def api_url(self) -> str:
        return self.base_url + PREFIX

    def publish(self, csv: Path, stamp: str = "20260901T070301") -> str:
        """Serve `csv` zipped as isin-lei-<stamp>.zip and make it the latest file; its download link."""
        name = f"isin-lei-{stamp}"
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.write(csv, f"{name}.csv")
        file_id = str(uuid.uuid5(uuid.NAMESPACE_URL, name))
        self.files[f"{PREFIX}/{file_id}/download"] = buffer.getvalue()
        link = f"{self.api_url}/{file_id}/download"
        uploaded = f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}T{stamp[9:11]}:{stamp[11:13]}:{stamp[13:15]}Z"
        self.latest = {
            "data": {
                "type": "isin-lei",
                "id": file_id,
                "attributes": {"fileName": f"{name}.zip", "uploadedAt": uploaded, "downloadLink": link},
            }
        }
        return link

    def handle(self, method, path, query, headers, body):
        if path == f"{PREFIX}/latest":
            return (200, self.latest, {}) if self.latest is not None else (404, NOT_FOUND, {})
        if path in self.files:
            return 200, self.files[path], {}
        return 404, NOT_FOUND, {}
