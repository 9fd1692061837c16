"""A local fake of OpenFIGI v3 `POST /v3/mapping`, replaying tests/fixtures/openfigi, with its limits and faults.

Limits as OpenFIGI states them: with a valid X-OPENFIGI-APIKEY 100 jobs per request and 25 requests per 6 s,
without 10 jobs and 25 per minute (windows configurable, to scale time down in tests); more jobs answer 413,
an unknown key 401, past the quota 429 with Retry-After. Each job's answer holds exactly one of `data`,
`warning` or `error`: the recorded answers for IBM (US4592001014, no MIC) and Apple on Xetra (US0378331005,
XETR); "Invalid idValue format." for an ISIN failing its check digit (as recorded); "No identifier found."
for ISINs put in `no_match`; any other valid ISIN gets one row shaped like the recorded Xetra row, with a
FIGI derived from the ISIN and MIC.
"""

import copy
import hashlib
import json
from pathlib import Path

from marketdata.identifiers import isin_error

from .ratelimited import FakeApiServer, SlidingQuota

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "openfigi"
FIGI_ALPHABET = "BCDFGHJKLMNPQRSTVWXYZ0123456789"


class FakeOpenFigi(FakeApiServer):
    """The fake OpenFIGI API; `api_url` is what OPENFIGI_API_URL should be set to."""

    def __init__(
        self,
        keys=("test-key",),
        limit: int = 25,
        window_with_key: float = 6.0,
        window_without_key: float = 60.0,
        jobs_with_key: int = 100,
        jobs_without_key: int = 10,
    ):
        super().__init__()
        self.keys = set(keys)
        self.keyed_quota = SlidingQuota(limit, window_with_key)
        self.keyless_quota = SlidingQuota(limit, window_without_key)
        self.jobs_with_key = jobs_with_key
        self.jobs_without_key = jobs_without_key
        self.no_match: set[str] = set()
        self.jobs_answered = 0
        self.recorded = {
            ("US4592001014", ""): json.loads((FIXTURES / "isin_example.json").read_text())[0],
            ("US0378331005", "XETR"): json.loads((FIXTURES / "currency_mic_example.json").read_text())[0],
        }
        self.invalid = json.loads((FIXTURES / "invalid_identifier.json").read_text())[0]
        self.template = self.recorded[("US0378331005", "XETR")]["data"][0]

    @property
    def api_url(self) -> str:
        """The base URL of the fake API (OpenFIGI's is https://api.openfigi.com/v3)."""
        return self.base_url + "/v3"

    def quota_for(self, headers):
        """Keyed and keyless requests have their own quotas."""
        return self.keyed_quota if headers.get("X-OPENFIGI-APIKEY") in self.keys else self.keyless_quota

    def synthetic(self, isin: str, mic: str) -> dict:
        """One data row in the recorded shape, with a FIGI derived from the ISIN and MIC."""
        digest = hashlib.sha256(f"{isin}|{mic}".encode()).digest()
        figi = "BBG" + "".join(FIGI_ALPHABET[byte % len(FIGI_ALPHABET)] for byte in digest[:9])
        row = copy.deepcopy(self.template)
        row.update(figi=figi, compositeFIGI=figi, name=f"SYNTHETIC {isin}", ticker=isin[2:8], exchCode=mic[:2] or "XX")
        return {"data": [row]}

    def answer(self, job) -> dict:
        """The answer to one mapping job."""
        if not isinstance(job, dict) or job.get("idType") != "ID_ISIN":
            return {"error": "Invalid idType."}
        isin, mic = str(job.get("idValue", "")), str(job.get("micCode", ""))
        if isin_error(isin):
            return copy.deepcopy(self.invalid)
        if isin in self.no_match:
            return {"warning": "No identifier found."}
        return copy.deepcopy(self.recorded.get((isin, mic))) or self.synthetic(isin, mic)

    def handle(self, method, path, query, headers, body):
        """Answer POST /v3/mapping like api.openfigi.com."""
        if method != "POST" or path != "/v3/mapping":
            return 404, {"error": "Not Found"}, {}
        key = headers.get("X-OPENFIGI-APIKEY")
        if key is not None and key not in self.keys:
            return 401, {"error": "Invalid API key."}, {}
        try:
            jobs = json.loads(body)
        except ValueError:
            return 400, {"error": "Request body must be a JSON array."}, {}
        if not isinstance(jobs, list):
            return 400, {"error": "Request body must be a JSON array."}, {}
        if len(jobs) > (self.jobs_with_key if key else self.jobs_without_key):
            return 413, b"Payload Too Large", {}
        with self.lock:
            self.jobs_answered += len(jobs)
        return 200, [self.answer(job) for job in jobs], {}
