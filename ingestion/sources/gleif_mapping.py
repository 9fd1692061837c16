"""GLEIF's ISIN-LEI mapping files: which one is the latest, and where to download it.

``GET <GLEIF_ISIN_LEI_URL>/latest`` answers a JSON:API document whose ``data.attributes`` name the file
(``fileName``, e.g. ``isin-lei-20260901T070301.zip``), when it was uploaded (``uploadedAt``) and its
``downloadLink`` (``…/isin-lei/<id>/download``), a zip holding one ``LEI,ISIN`` CSV. The answer names no checksum
to verify against: a file loaded before is recognised by its MD5 after the download (ingestion/pipelines/gleif.py).
"""

import re
from dataclasses import dataclass

from django.conf import settings

from .http import Download, SourceResponseError, http_get_json

SAFE_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


@dataclass(frozen=True)
class IsinLeiFile:
    """One published ISIN-LEI mapping file: its name, upload time and where to get it."""

    file_name: str
    uploaded_at: str
    download: Download


def isin_lei_latest_file(base_url: str | None = None) -> IsinLeiFile:
    """The latest ISIN-LEI mapping file GLEIF lists; SourceResponseError when the answer names no download link."""
    url = f"{(base_url or settings.GLEIF_ISIN_LEI_URL).rstrip('/')}/latest"
    answer = http_get_json(url)
    data = answer.get("data") if isinstance(answer, dict) else None
    attributes = (data or {}).get("attributes") if isinstance(data, dict) else None
    if not isinstance(attributes, dict):
        raise SourceResponseError(f"{url}: not an ISIN-LEI mapping answer, no data.attributes")
    link = attributes.get("downloadLink")
    if not isinstance(link, str) or not link.startswith(("http://", "https://")):
        raise SourceResponseError(f"{url}: the latest ISIN-LEI mapping file has no downloadLink")
    name = str(attributes.get("fileName") or f"isin-lei-{data.get('id') or 'latest'}.zip")
    if not SAFE_NAME_RE.match(name):
        raise SourceResponseError(f"{url}: the file name {name[:100]!r} is not a plain file name")
    return IsinLeiFile(name, str(attributes.get("uploadedAt") or ""), Download(link, f"gleif/{name}"))
