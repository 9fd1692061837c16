"""ESMA's file registries (FIRDS and FITRS): which files were published when, and where to download them.

Both registries are Solr cores answering
``select?q=*&fq=<date field>:[A TO B]&wt=json&start=&rows=`` with ``response.docs[]`` holding
``file_name``, ``file_type``, ``download_link``, a date and (since 2021) an MD5 ``checksum``.
FIRDS filters on ``publication_date``, FITRS on ``creation_date``.
"""

import datetime as dt
import re
from dataclasses import asdict, dataclass

from django.conf import settings

from .http import SourceResponseError, file_download, http_client, http_get_json

__all__ = ["EsmaInstrumentRegister", "EsmaRegistryClient", "RegistryFile", "file_download"]

FIRDS_FILE_TYPES = ("FULINS", "DLTINS", "FULCAN")
PAGE_SIZE = 500
FULL_SET_WINDOW_DAYS = 7
SAFE_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
CFI_LETTER = re.compile(r"_([A-Z])_")
FILE_TYPE_ORDER = {"FULINS": 0, "FULCAN": 1, "DLTINS": 2}


@dataclass(frozen=True)
class RegistryFile:
    """One file listed by an ESMA registry."""

    file_name: str
    file_type: str
    download_link: str
    publication_date: dt.date
    checksum: str = ""
    source: str = "firds"

    @property
    def cfi_letter(self) -> str:
        """The CFI category letter in the file's name (FULINS_E_..., FULECR_..._E_...), or '' when it has none."""
        match = CFI_LETTER.search(self.file_name)
        return match.group(1) if match else ""

    @property
    def storage_name(self) -> str:
        """Where the file is kept in storage: ``<source>/<file_name>``."""
        return f"{self.source}/{self.file_name}"

    def as_dict(self) -> dict:
        """A JSON-friendly form (for Celery task arguments)."""
        return {**asdict(self), "publication_date": self.publication_date.isoformat()}

    @classmethod
    def from_dict(cls, data: dict) -> "RegistryFile":
        """The inverse of ``as_dict``."""
        return cls(**{**data, "publication_date": _as_date(data["publication_date"])})


def _as_date(value) -> dt.date:
    """A date from a date, a datetime or an ISO string (date or Solr timestamp)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def solr_docs(url: str, query: dict, page_size: int, client):
    """Every doc a Solr select answers for `query` (q, fq), page after page until ``numFound`` are read."""
    start = 0
    while True:
        answer = http_get_json(url, {**query, "wt": "json", "start": start, "rows": page_size}, client=client)
        try:
            found, docs = answer["response"]["numFound"], answer["response"]["docs"]
        except (KeyError, TypeError) as error:
            raise SourceResponseError(f"{url} (start={start}): not a Solr answer, missing {error}") from error
        yield from docs
        start += len(docs)
        if not docs or start >= found:
            return


class EsmaRegistryClient:
    """Lists the files of an ESMA registry core (FIRDS by default; ``EsmaRegistryClient.fitrs()`` for FITRS)."""

    def __init__(self, base_url: str | None = None, *, date_field: str = "publication_date", source: str = "firds"):
        self.base_url = base_url or settings.ESMA_FIRDS_REGISTRY_URL
        self.date_field = date_field
        self.source = source
        self.page_size = PAGE_SIZE

    @classmethod
    def fitrs(cls, base_url: str | None = None) -> "EsmaRegistryClient":
        """A client for the FITRS registry, which filters on ``creation_date``."""
        return cls(base_url or settings.ESMA_FITRS_REGISTRY_URL, date_field="creation_date", source="fitrs")

    def files(
        self, date_from, date_to=None, file_type: str | None = None, cfi: str | None = None
    ) -> list[RegistryFile]:
        """Every file dated ``date_from``..``date_to`` (inclusive), optionally of one type and CFI letter.

        Pages through all of the registry's answers; sorted by date, full sets before deltas, then name.
        A ``cfi`` filter keeps only files whose name carries that letter (FULINS/FULECR parts).
        """
        date_from = _as_date(date_from)
        date_to = _as_date(date_to) if date_to is not None else date_from
        wanted_type = file_type.upper() if file_type else None
        wanted_cfi = cfi.upper() if cfi else None
        files = [
            registry_file
            for registry_file in (self._registry_file(doc) for doc in self._docs(date_from, date_to))
            if (wanted_type is None or registry_file.file_type == wanted_type)
            and (wanted_cfi is None or registry_file.cfi_letter == wanted_cfi)
        ]
        return sorted(
            set(files),
            key=lambda f: (f.publication_date, FILE_TYPE_ORDER.get(f.file_type, 9), f.file_type, f.file_name),
        )

    def full_set(self, date=None) -> list[RegistryFile]:
        """The latest weekly full set (FULINS) published in the seven days up to ``date`` (default today)."""
        date_to = _as_date(date) if date is not None else dt.date.today()
        candidates = self.files(date_to - dt.timedelta(days=FULL_SET_WINDOW_DAYS - 1), date_to, file_type="FULINS")
        if not candidates:
            return []
        latest = max(f.publication_date for f in candidates)
        return [f for f in candidates if f.publication_date == latest]

    def _docs(self, date_from: dt.date, date_to: dt.date):
        """Yield every Solr doc in the window, page after page, until ``numFound`` are read."""
        date_filter = f"{self.date_field}:[{date_from.isoformat()}T00:00:00Z TO {date_to.isoformat()}T23:59:59Z]"
        with http_client() as client:
            yield from solr_docs(self.base_url, {"q": "*", "fq": date_filter}, self.page_size, client)

    def _registry_file(self, doc: dict) -> RegistryFile:
        """A RegistryFile from one Solr doc; a doc without the needed fields is a SourceResponseError."""
        try:
            file_name = doc["file_name"]
            download_link = doc["download_link"]
            dated = doc.get(self.date_field) or doc["publication_date"]
        except KeyError as error:
            raise SourceResponseError(f"{self.base_url}: registry entry {doc.get('id', doc)} lacks {error}") from error
        if not SAFE_FILE_NAME.match(file_name):
            raise SourceResponseError(f"{self.base_url}: registry entry has an unsafe file name {file_name!r}")
        file_type = (doc.get("file_type") or file_name.split("_", 1)[0]).upper()
        checksum = doc.get("checksum") or ""
        if isinstance(checksum, list):  # a multi-valued Solr field
            checksum = checksum[0] if checksum else ""
        return RegistryFile(file_name, file_type, download_link, _as_date(dated), checksum.lower(), self.source)


class EsmaInstrumentRegister:
    """ESMA's instrument register (Solr core ``esma_registers_firds``): the latest record of each (ISIN, venue).

    Answers ``select?q={!parent which='type_s:parent'}&fq=isin:(A OR B) AND latest_received_flag:1 AND
    never_published_flag:0&wt=json&start=&rows=``, one doc per venue record (fields gnr_*, mrkt_*, drv_*, ...).
    """

    QUERY = "{!parent which='type_s:parent'}"
    ISINS_PER_QUERY = 100

    def __init__(self, base_url: str | None = None):
        self.base_url = base_url or settings.ESMA_FIRDS_INSTRUMENTS_URL
        self.page_size = PAGE_SIZE

    def docs(self, isins) -> list[dict]:
        """Every current register record of the ISINs (all pages, all venues)."""
        wanted = sorted({isin.strip().upper() for isin in isins})
        found = []
        with http_client() as client:
            for first in range(0, len(wanted), self.ISINS_PER_QUERY):
                chunk = wanted[first : first + self.ISINS_PER_QUERY]
                fq = f"isin:({' OR '.join(chunk)}) AND latest_received_flag:1 AND never_published_flag:0"
                found.extend(solr_docs(self.base_url, {"q": self.QUERY, "fq": fq}, self.page_size, client))
        return found
