"""Base of the fake JSON APIs (GLEIF, OpenFIGI): a threaded local HTTP server with a request quota and faults.

The quota is a sliding window: a request that would make more than ``limit`` admitted requests within
``window`` seconds gets 429 with a Retry-After (fractional seconds, so that scaled-down windows work).
Faults are injected either for the next N requests (``fail_next``) or on given request numbers
(``fail_on``): ``status`` (e.g. 500, or 429 with ``seconds`` as Retry-After), ``slow`` (sleep before
answering) and ``truncate`` (announce the whole body, send half, close). Every request is logged with
its arrival time and the status it got.
"""

import json
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Fault:
    """An injected misbehaviour."""

    kind: str  # "status", "slow" or "truncate"
    status: int = 503
    seconds: float = 0.0


@dataclass
class Logged:
    """One request the fake received."""

    at: float
    method: str
    path: str
    status: int
    api_key: str = ""


class SlidingQuota:
    """At most `limit` admitted requests in any `window` seconds."""

    def __init__(self, limit: int, window: float):
        self.limit = limit
        self.window = window
        self.admitted: deque[float] = deque()

    def admit(self, now: float) -> float:
        """0 when the request is admitted, else the seconds until it would be."""
        while self.admitted and self.admitted[0] <= now - self.window:
            self.admitted.popleft()
        if len(self.admitted) < self.limit:
            self.admitted.append(now)
            return 0.0
        return self.admitted[0] + self.window - now


class FakeApiServer:
    """A local HTTP server answering through `handle()`, with quota and faults; use as a context manager."""

    def __init__(self, limit: int | None = None, window: float | None = None):
        self.quota = SlidingQuota(limit, window) if limit else None
        self.lock = threading.Lock()
        self.log: list[Logged] = []
        self.queued_faults: deque[Fault] = deque()
        self.numbered_faults: dict[int, Fault] = {}
        self.base_url = ""
        self._server: ThreadingHTTPServer | None = None

    # Subclasses answer (status, body object or bytes, extra headers).
    def handle(self, method: str, path: str, query: dict, headers, body: bytes):
        raise NotImplementedError

    def quota_for(self, headers) -> SlidingQuota | None:
        """The quota a request counts against (one per server by default)."""
        return self.quota

    def fail_next(self, fault: Fault, times: int = 1) -> None:
        """Misbehave on the next `times` requests."""
        with self.lock:
            self.queued_faults.extend([fault] * times)

    def fail_on(self, faults: dict[int, Fault]) -> None:
        """Misbehave on the given request numbers (1 = the first request the server receives)."""
        with self.lock:
            self.numbered_faults.update(faults)

    def statuses(self) -> list[int]:
        """The status of every request so far, in order."""
        with self.lock:
            return [entry.status for entry in self.log]

    def max_in_window(self, window: float, statuses=(200,)) -> int:
        """The most requests answered with `statuses` that arrived within any `window` seconds."""
        with self.lock:
            times = sorted(entry.at for entry in self.log if entry.status in statuses)
        best, first = 0, 0
        for last, at in enumerate(times):
            while times[first] <= at - window:
                first += 1
            best = max(best, last - first + 1)
        return best

    def __enter__(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def setup(self):
                super().setup()
                # Headers and body go out in two writes: without this, Nagle's algorithm and delayed ACKs
                # hold every keep-alive answer back ~40 ms.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_GET(self):
                fake._serve(self, "GET")

            def do_POST(self):
                fake._serve(self, "POST")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        return self

    def __exit__(self, *exc_info):
        self._server.shutdown()
        self._server.server_close()

    def _serve(self, request: BaseHTTPRequestHandler, method: str) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        parts = urlsplit(request.path)
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        now = time.monotonic()
        with self.lock:
            number = len(self.log) + 1
            entry = Logged(now, method, parts.path, 0, request.headers.get("X-OPENFIGI-APIKEY") or "")
            self.log.append(entry)
            quota = self.quota_for(request.headers)
            wait = quota.admit(now) if quota else 0.0
            fault = self.numbered_faults.pop(number, None) or (
                self.queued_faults.popleft() if self.queued_faults and not wait else None
            )
        if wait:
            entry.status = 429
            return self._send(request, 429, {"error": "Too Many Requests"}, {"Retry-After": f"{wait:.3f}"})
        if fault and fault.kind == "slow":
            time.sleep(fault.seconds)
        if fault and fault.kind == "status":
            entry.status = fault.status
            extra = {"Retry-After": f"{fault.seconds:.3f}"} if fault.status == 429 else {}
            return self._send(request, fault.status, {"error": f"injected {fault.status}"}, extra)
        status, payload, extra = self.handle(method, parts.path, query, request.headers, body)
        entry.status = status
        self._send(request, status, payload, extra, truncate=bool(fault and fault.kind == "truncate"))

    @staticmethod
    def _send(request, status: int, payload, extra: dict | None = None, truncate: bool = False) -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        try:
            request.send_response(status)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(data)))
            for name, value in (extra or {}).items():
                request.send_header(name, value)
            request.end_headers()
            request.wfile.write(data[: len(data) // 2] if truncate else data)
            request.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass
        if truncate:
            request.close_connection = True
