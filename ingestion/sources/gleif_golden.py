"""GLEIF's golden copy publishes index: which LEI-CDF, RR-CDF and reporting-exception files (full or delta) are out.

``GET <GLEIF_GOLDEN_COPY_URL>/publishes?per_page=1`` answers ``{"data": [{"publish_date", "lei2": {...}, "rr":
{...}, "repex": {...}}]}``, each section with a ``full_file`` and ``delta_files`` (``IntraDay``, ``LastDay``,
``LastWeek``, ``LastMonth``), each holding per format the file's ``url``, ``record_count`` and ``size``.
"""

from dataclasses import dataclass

from django.conf import settings

from .http import Download, SourceResponseError, http_get_json

KINDS = ("lei2", "rr", "repex")  # the load order: entities before the relationships and exceptions naming them
DELTA_TYPES = ("IntraDay", "LastDay", "LastWeek", "LastMonth")


@dataclass(frozen=True)
class GoldenCopyFile:
    """One golden-copy file: its kind (lei2, rr, repex), which delta (or the full file), and where to get it."""

    kind: str
    delta_type: str
    publish_date: str
    download: Download
    record_count: int | None = None


def golden_copy_files(delta_type: str = "LastDay", base_url: str | None = None) -> list[GoldenCopyFile]:
    """The latest publish's XML files of `delta_type` ("GoldenCopy" for the full files), in load order."""
    base = (base_url or settings.GLEIF_GOLDEN_COPY_URL).rstrip("/")
    url = f"{base}/publishes"
    answer = http_get_json(url, {"per_page": 1, "page": 1})
    try:
        data = answer["data"]
        latest = data[0] if isinstance(data, list) else data
        publish_date = latest["publish_date"]
    except (KeyError, IndexError, TypeError) as error:
        raise SourceResponseError(f"{url}: not a golden-copy publishes answer, missing {error}") from error
    files = []
    for kind in KINDS:
        section = latest.get(kind)
        if not section:
            continue
        entry = (
            section.get("full_file")
            if delta_type == "GoldenCopy"
            else (section.get("delta_files") or {}).get(delta_type)
        )
        xml = (entry or {}).get("xml") or {}
        if not xml.get("url"):
            raise SourceResponseError(f"{url}: the {publish_date} publish has no {delta_type} XML file for {kind}")
        name = xml["url"].rstrip("/").rsplit("/", 1)[-1]
        files.append(
            GoldenCopyFile(
                kind, delta_type, publish_date, Download(xml["url"], f"gleif/{name}"), xml.get("record_count")
            )
        )
    if not files:
        raise SourceResponseError(f"{url}: the {publish_date} publish lists no LEI, relationship or exception file")
    return files
