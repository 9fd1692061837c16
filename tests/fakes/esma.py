"""A local fake of ESMA's file registry (Solr select) and download server, with injectable faults.

It replays recorded Solr answers (tests/fixtures/esma/*.json): it filters their docs by the ``fq`` date
range on the core's date field, pages them by ``start``/``rows`` (capping ``rows`` like a server limit),
and rewrites download links to itself. Files added with ``add_file`` are listed (with their MD5 checksum,
as the registry does since 2021) and served. Faults: ``fail`` (an HTTP status N times), ``slow`` (sleep
before answering), ``truncate`` (close the connection half-way through a body).
"""

import hashlib
import json
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "esma"
RECORDED_ANSWERS = (
    "firds_files_solr_response_2018-08-25.json",
    "firds_files_solr_response_2019-05.json",
)
FIRDS_CORE = "/solr/esma_registers_firds_files/select"
INSTRUMENTS_CORE = "/solr/esma_registers_firds/select"  # the instrument register: one doc per (ISIN, venue)
INSTRUMENTS_ANSWER = "firds_instruments_solr_response_2019-06.json"
INSTRUMENTS_QUERY = "{!parent which='type_s:parent'}"
ISIN_FQ_RE = re.compile(
    r"^isin:\((?P<isins>[A-Z0-9]{12}(?: OR [A-Z0-9]{12})*)\) AND latest_received_flag:1 AND never_published_flag:0$"
)
FITRS_CORE = "/solr/esma_registers_fitrs_files/select"
FQ_RE = re.compile(r"^(?P<field>\w+):\[(?P<start>\S+) TO (?P<end>\S+)\]$")


@dataclass
class Fault:
    """One injected fault on the paths that start with ``prefix``, for the next ``times`` requests."""

    prefix: str
    kind: str  # "status", "slow" or "truncate"
    times: int
    status: int = 503
    seconds: float = 0.0
    content_length: bool = True


@dataclass
class FakeEsma:
    """State of the fake server: registry docs per core, served files, faults and the requests it saw."""

    max_rows: int = 10
    docs: dict = field(default_factory=lambda: {FIRDS_CORE: [], FITRS_CORE: [], INSTRUMENTS_CORE: []})
    files: dict = field(default_factory=dict)
    faults: list = field(default_factory=list)
    requests: list = field(default_factory=list)
    base_url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def firds_url(self) -> str:
        """The FIRDS registry core's select URL."""
        return self.base_url + FIRDS_CORE

    @property
    def fitrs_url(self) -> str:
        """The FITRS registry core's select URL."""
        return self.base_url + FITRS_CORE

    def load_recorded(self) -> None:
        """Add the docs of every recorded FIRDS registry answer, download links pointing at this server."""
        for name in RECORDED_ANSWERS:
            for doc in json.loads((FIXTURES / name).read_text())["response"]["docs"]:
                self.docs[FIRDS_CORE].append({**doc, "download_link": self.file_url(doc["file_name"])})

    @property
    def instruments_url(self) -> str:
        """The instrument register core's select URL."""
        return self.base_url + INSTRUMENTS_CORE

    def load_instruments(self) -> None:
        """Add the docs of the recorded instrument register answer (41 ICE Endex futures at NDEX)."""
        self.docs[INSTRUMENTS_CORE].extend(json.loads((FIXTURES / INSTRUMENTS_ANSWER).read_text())["response"]["docs"])

    def file_url(self, file_name: str, folder: str = "firds") -> str:
        """Where this server serves a file."""
        return f"{self.base_url}/{folder}/{file_name}"

    def add_file(self, file_name: str, content: bytes, date: str, *, core: str = FIRDS_CORE, checksum=None) -> dict:
        """Serve ``content`` and list it in a registry core dated ``date`` (checksum: its MD5 unless given)."""
        folder = "fitrs" if core == FITRS_CORE else "firds"
        self.files[f"/{folder}/{file_name}"] = content
        date_field = "creation_date" if core == FITRS_CORE else "publication_date"
        doc = {
            "id": str(len(self.docs[core]) + 1),
            "file_name": file_name,
            "file_type": file_name.split("_", 1)[0],
            "download_link": self.file_url(file_name, folder),
            date_field: f"{date}T00:00:00Z",
            "checksum": hashlib.md5(content).hexdigest() if checksum is None else checksum,
        }
        self.docs[core].append(doc)
        return doc

    def fail(self, prefix: str, status: int, times: int) -> None:
        """Answer HTTP ``status`` to the next ``times`` requests under ``prefix``."""
        self.faults.append(Fault(prefix, "status", times, status=status))

    def slow(self, prefix: str, seconds: float, times: int) -> None:
        """Wait ``seconds`` before answering the next ``times`` requests under ``prefix``."""
        self.faults.append(Fault(prefix, "slow", times, seconds=seconds))

    def truncate(self, prefix: str, times: int, *, content_length: bool = True) -> None:
        """Send only half the body of the next ``times`` answers under ``prefix`` and close the connection."""
        self.faults.append(Fault(prefix, "truncate", times, content_length=content_length))

    def take_fault(self, path: str) -> Fault | None:
        """The fault to apply to this request, if any (counting it down)."""
        with self.lock:
            for fault in self.faults:
                if path.startswith(fault.prefix) and fault.times > 0:
                    fault.times -= 1
                    return fault
        return None

    def paths(self, prefix: str) -> list[str]:
        """The requests seen under ``prefix`` (path and query), in order."""
        return [request for request in self.requests if request.startswith(prefix)]

    def select(self, core: str, query: dict) -> tuple[int, dict]:
        """A Solr select answer: docs matching the fq date range (or ISINs, on the instrument core), one page."""
        if core == INSTRUMENTS_CORE:
            return self._select_instruments(query)
        if query.get("wt") != ["json"] or query.get("q") != ["*"]:
            return 400, {"error": {"msg": "this fake speaks q=* and wt=json only", "code": 400}}
        date_field = "creation_date" if core == FITRS_CORE else "publication_date"
        matching = list(self.docs[core])
        for fq in query.get("fq", []):
            match = FQ_RE.match(fq)
            if not match or match["field"] != date_field:
                return 400, {"error": {"msg": f"undefined field or bad range in fq={fq}", "code": 400}}
            matching = [d for d in matching if match["start"] <= d.get(date_field, "") <= match["end"]]
        return self._page(query, matching)

    def _select_instruments(self, query: dict) -> tuple[int, dict]:
        """The instrument register: the current docs of the ISINs in fq, one page of them."""
        if query.get("wt") != ["json"] or query.get("q") != [INSTRUMENTS_QUERY]:
            return 400, {"error": {"msg": "this fake speaks the register's parent query and wt=json only", "code": 400}}
        fqs = query.get("fq", [])
        match = ISIN_FQ_RE.match(fqs[0]) if len(fqs) == 1 else None
        if not match:
            return 400, {"error": {"msg": f"this fake takes one isin:(...) filter, not fq={fqs}", "code": 400}}
        isins = set(match["isins"].split(" OR "))
        matching = [
            doc
            for doc in self.docs[INSTRUMENTS_CORE]
            if doc.get("isin") in isins
            and doc.get("latest_received_flag") == "1"
            and doc.get("never_published_flag") == "0"
        ]
        return self._page(query, matching)

    def _page(self, query: dict, matching: list) -> tuple[int, dict]:
        """One page (start, rows capped at max_rows) of the matching docs."""
        start = int(query.get("start", ["0"])[0])
        rows = min(int(query.get("rows", ["10"])[0]), self.max_rows)
        header = {"status": 0, "QTime": 0, "params": {k: v[0] for k, v in query.items()}}
        return 200, {
            "responseHeader": header,
            "response": {"numFound": len(matching), "start": start, "docs": matching[start : start + rows]},
        }


def _handler(fake: FakeEsma):
    """A request handler class bound to one FakeEsma."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *args):  # noqa: A002 - silence the default stderr log
            return

        def do_GET(self):  # noqa: N802 - http.server's naming
            fake.requests.append(self.path)
            url = urlsplit(self.path)
            fault = fake.take_fault(url.path)
            if fault and fault.kind == "slow":
                time.sleep(fault.seconds)
            if fault and fault.kind == "status":
                return self._send(fault.status, b'{"error": "injected"}', "application/json")
            if url.path in fake.docs:
                status, answer = fake.select(url.path, parse_qs(url.query))
                return self._send(status, json.dumps(answer).encode(), "application/json", fault)
            if url.path in fake.files:
                return self._send(200, fake.files[url.path], "application/zip", fault)
            return self._send(404, b"not found", "text/plain")

        def _send(self, status: int, body: bytes, content_type: str, fault: Fault | None = None):
            truncated = fault is not None and fault.kind == "truncate"
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            if not truncated or fault.content_length:
                self.send_header("Content-Length", str(len(body)))
            if truncated:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(body[: len(body) // 2] if truncated else body)
            self.wfile.flush()

    return Handler


class _QuietServer(ThreadingHTTPServer):
    """A threaded HTTP server that ignores clients hanging up (as timed-out clients do)."""

    daemon_threads = True
    block_on_close = False

    def handle_error(self, request, client_address):
        """Stay quiet about broken connections; report anything else."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class FakeEsmaServer:
    """Runs a FakeEsma on 127.0.0.1 (a free port) in a thread; use as a context manager."""

    def __init__(self, fake: FakeEsma | None = None):
        self.fake = fake or FakeEsma()
        self.server = _QuietServer(("127.0.0.1", 0), _handler(self.fake))
        self.fake.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> FakeEsma:
        self.thread.start()
        return self.fake

    def __exit__(self, *exc_info) -> None:
        self.server.shutdown()
        self.server.server_close()
