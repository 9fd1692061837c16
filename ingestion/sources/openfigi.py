"""Client for OpenFIGI `POST /mapping`: FIGIs for (ISIN, MIC) pairs, batched and within the shared budget."""

import logging
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from django.conf import settings

from .api_http import BudgetedJsonApi, SourceResponseError
from .ratelimit import rate_budget
from .retry import RetryPolicy

logger = logging.getLogger(__name__)

DATA = "data"
WARNING = "warning"
ERROR = "error"


@dataclass
class FigiResult:
    """OpenFIGI's answer for one (ISIN, MIC) job: FIGI rows (data), no match (warning) or a bad request (error)."""

    isin: str
    mic: str
    status: str
    rows: list[dict] = field(default_factory=list)
    message: str = ""


def mapping_job(isin: str, mic: str = "") -> dict:
    """The mapping job for an ISIN, at a venue when the MIC is known."""
    job = {"idType": "ID_ISIN", "idValue": isin}
    if mic:
        job["micCode"] = mic
    return job


def figi_result_from_json(isin: str, mic: str, answer) -> FigiResult:
    """A FigiResult from one element of a mapping answer (exactly one of data, warning, error)."""
    if not isinstance(answer, dict):
        return FigiResult(isin, mic, ERROR, message=f"unreadable answer: {answer!r:.200}")
    keys = [key for key in (DATA, WARNING, ERROR) if key in answer]
    if len(keys) != 1:
        return FigiResult(isin, mic, ERROR, message=f"answer holds {keys or 'none'} of data/warning/error")
    if keys[0] == DATA:
        rows = answer[DATA]
        if not isinstance(rows, list):
            return FigiResult(isin, mic, ERROR, message="`data` is not a list")
        return FigiResult(isin, mic, DATA, rows=rows)
    return FigiResult(isin, mic, keys[0], message=str(answer[keys[0]]))


class OpenFigiClient:
    """OpenFIGI mapping within the limits of a key (or of no key): jobs per request and requests per window."""

    def __init__(self, base_url: str | None = None, api_key: str | None = None):
        self.base_url = (base_url or settings.OPENFIGI_API_URL).rstrip("/")
        self.api_key = settings.OPENFIGI_API_KEY if api_key is None else api_key
        if self.api_key:
            self.jobs_per_request = int(settings.OPENFIGI_JOBS_PER_REQUEST_WITH_KEY)
            window = float(settings.OPENFIGI_RATE_WINDOW_SECONDS_WITH_KEY)
        else:
            self.jobs_per_request = int(settings.OPENFIGI_JOBS_PER_REQUEST)
            window = float(settings.OPENFIGI_RATE_WINDOW_SECONDS)
        limit = int(settings.OPENFIGI_RATE_LIMIT)
        self.concurrency = max(1, int(getattr(settings, "OPENFIGI_CONCURRENCY", 1)))
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["X-OPENFIGI-APIKEY"] = self.api_key
        keyed = "key" if self.api_key else "nokey"
        self.api = BudgetedJsonApi(
            label="OpenFIGI",
            base_url=self.base_url,
            budget=rate_budget(f"openfigi:{keyed}:{self.base_url}", limit, window),
            timeout=float(settings.HTTP_TIMEOUT_SECONDS),
            retry=RetryPolicy.for_api(),
            headers=headers,
        )

    def close(self) -> None:
        """Close the connection pool."""
        self.api.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    @property
    def requests_sent(self) -> int:
        """How many HTTP requests this client sent (retries included)."""
        return self.api.requests_sent

    def map_pairs(self, pairs: Iterable[tuple[str, str]]) -> Iterator[FigiResult]:
        """One FigiResult per (ISIN, MIC) pair, in order, as many jobs per request and requests in flight as allowed."""
        batches = self._batches(pairs)
        if self.concurrency <= 1:
            for batch in batches:
                yield from self._send(batch)
            return
        # Several requests in flight, so that a window's requests need not wait for each other's answers.
        pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="openfigi")
        pending: deque[Future] = deque()
        try:
            for batch in batches:
                pending.append(pool.submit(self._send, batch))
                if len(pending) >= 2 * self.concurrency:
                    yield from pending.popleft().result()
            while pending:
                yield from pending.popleft().result()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _batches(self, pairs: Iterable[tuple[str, str]]) -> Iterator[list[tuple[str, str]]]:
        batch: list[tuple[str, str]] = []
        for pair in pairs:
            batch.append(pair)
            if len(batch) >= self.jobs_per_request:
                yield batch
                batch = []
        if batch:
            yield batch

    def _send(self, pairs: list[tuple[str, str]]) -> list[FigiResult]:
        """Map one batch, splitting it when the server says it is too large (413)."""
        answer = self.api.request(
            "POST", "mapping", json_body=[mapping_job(isin, mic) for isin, mic in pairs], passthrough=(413,)
        )
        if answer.status == 413:
            if len(pairs) == 1:
                raise SourceResponseError(f"OpenFIGI: {answer.url} refused a single job as too large (413)")
            if len(pairs) <= self.jobs_per_request:  # else a smaller size was learned since this batch was cut
                self.jobs_per_request = max(1, len(pairs) // 2)
            logger.warning("OpenFIGI: 413 for %d jobs, now %d per request", len(pairs), self.jobs_per_request)
            step = self.jobs_per_request
            results = []
            for start in range(0, len(pairs), step):
                results.extend(self._send(pairs[start : start + step]))
            return results
        if not isinstance(answer.data, list) or len(answer.data) != len(pairs):
            got = len(answer.data) if isinstance(answer.data, list) else type(answer.data).__name__
            raise SourceResponseError(f"OpenFIGI: {answer.url} answered {got} results for {len(pairs)} jobs")
        return [figi_result_from_json(isin, mic, item) for (isin, mic), item in zip(pairs, answer.data, strict=True)]
