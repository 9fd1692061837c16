"""A local fake of the GLEIF API (JSON:API, /api/v1) replaying tests/fixtures/gleif_api, with quota and faults.

Routes: /lei-records?filter[lei]=A,B (page[size] up to 200), /lei-records/{lei}, and under it direct|ultimate
-parent, -parent-relationship, -parent-reporting-exception, -children, -child-relationships. Collections are
paginated like GLEIF (meta.pagination, links first/prev/next/last pointing at the fake); pages past the
recorded first one are filled up to the recorded total (see tests/fixtures/gleif_api/README.md). Unknown
resources answer 404 with a JSON:API error. The quota defaults to GLEIF's 60 requests per minute.
"""

import copy
import json
import re
from pathlib import Path
from urllib.parse import urlencode

from marketdata.identifiers import _alnum_to_digits

from .ratelimited import FakeApiServer

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "gleif_api"
RECORDED_BASE = "https://api.gleif.org/api/v1"
PREFIX = "/api/v1"
SINGLE = (
    "direct-parent",
    "ultimate-parent",
    "direct-parent-relationship",
    "ultimate-parent-relationship",
    "direct-parent-reporting-exception",
    "ultimate-parent-reporting-exception",
)
COLLECTIONS = ("direct-children", "ultimate-children", "direct-child-relationships", "ultimate-child-relationships")
FILE_RE = re.compile(r"^(?P<endpoint>[a-z-]+)_(?P<lei>[A-Z0-9]{20})\.json$")
NOT_FOUND = {"errors": [{"status": "404", "title": "Not Found", "detail": "The requested resource was not found."}]}
MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 10


def synthetic_lei(parent: str, number: int) -> str:
    """A check-digit-valid LEI derived from a parent LEI and a number (for pages past the recorded one)."""
    body = f"{parent[:10]}SY{number:06d}"
    return body + f"{98 - int(_alnum_to_digits(body + '00')) % 97:02d}"


class FakeGleif(FakeApiServer):
    """The fake GLEIF API; `api_url` is what GLEIF_API_URL should be set to."""

    def __init__(self, limit: int = 60, window: float = 60.0, fixtures: Path = FIXTURES):
        super().__init__(limit, window)
        self.records: dict[str, dict] = {}
        self.single: dict[tuple[str, str], dict] = {}
        self.collections: dict[tuple[str, str], tuple[list, int]] = {}
        self._load(fixtures)

    @property
    def api_url(self) -> str:
        """The base URL of the fake API."""
        return self.base_url + PREFIX

    def _load(self, fixtures: Path) -> None:
        for path in sorted(fixtures.glob("*/*.json")):
            answer = json.loads(path.read_text())
            data = answer.get("data")
            for resource in data if isinstance(data, list) else [data]:
                if isinstance(resource, dict) and resource.get("type") == "lei-records":
                    self.records.setdefault(resource["id"], resource)
            match = FILE_RE.match(path.name)
            if not match:
                continue
            endpoint, lei = match["endpoint"], match["lei"]
            if endpoint in SINGLE:
                self.single[(lei, endpoint)] = data
            elif endpoint in COLLECTIONS:
                self.collections[(lei, endpoint)] = (data, answer["meta"]["pagination"]["total"])
        chain = json.loads((fixtures / "chain.json").read_text())
        for child, parent in chain.get("direct", {}).items():
            self._add_direct_parent(child, parent)

    def _add_direct_parent(self, child: str, parent: str) -> None:
        """An assumed direct-parent link built from the recorded records of both sides."""
        self.single[(child, "direct-parent")] = self.records[parent]
        template = copy.deepcopy(next(v for (_, e), v in self.single.items() if e == "direct-parent-relationship"))
        template["id"] = f"{child}|LEI|IS_DIRECTLY_CONSOLIDATED_BY|synthetic"
        template["attributes"]["relationship"]["startNode"]["id"] = child
        template["attributes"]["relationship"]["endNode"]["id"] = parent
        self.single[(child, "direct-parent-relationship")] = template

    def collection(self, lei: str, endpoint: str) -> list[dict]:
        """Every member of a collection: the recorded ones, then generated ones up to the recorded total."""
        recorded, total = self.collections.get((lei, endpoint), ([], 0))
        members = list(recorded)
        for number in range(len(recorded) + 1, total + 1):
            member = copy.deepcopy(recorded[(number - 1) % len(recorded)])
            child = synthetic_lei(lei, number)
            if member["type"] == "lei-records":
                member["id"] = member["attributes"]["lei"] = child
                member["attributes"]["entity"]["legalName"]["name"] += f" (synthetic {number})"
            else:
                member["attributes"]["relationship"]["startNode"]["id"] = child
                member["id"] = f"{child}|synthetic|{endpoint}"
            members.append(member)
        return members

    def _page(self, path: str, members: list, query: dict, extra_params: dict | None = None):
        size = int(query.get("page[size]", DEFAULT_PAGE_SIZE))
        number = int(query.get("page[number]", 1))
        if not 1 <= size <= MAX_PAGE_SIZE or number < 1:
            error = {"status": "400", "title": "Bad Request", "detail": f"page[size] must be 1..{MAX_PAGE_SIZE}"}
            return 400, {"errors": [error]}, {}
        last = max(1, -(-len(members) // size))
        page = members[(number - 1) * size : number * size]

        def link(n: int) -> str:
            return f"{self.api_url}{path}?" + urlencode({**(extra_params or {}), "page[number]": n, "page[size]": size})

        links = {"first": link(1), "last": link(last)}
        if number > 1:
            links["prev"] = link(number - 1)
        if number < last:
            links["next"] = link(number + 1)
        start = (number - 1) * size + 1
        pagination = {
            "currentPage": number,
            "perPage": size,
            "from": start if page else None,
            "to": start + len(page) - 1 if page else None,
            "total": len(members),
            "lastPage": last,
        }
        body = {"meta": {"goldenCopy": {"publishDate": "2025-05-15T00:00:00Z"}, "pagination": pagination}}
        return 200, self._rewrite({**body, "links": links, "data": page}), {}

    def _rewrite(self, body: dict) -> bytes:
        """The body with recorded api.gleif.org links pointing at the fake."""
        text = json.dumps(body).replace(RECORDED_BASE, self.api_url)
        return text.encode()

    def handle(self, method, path, query, headers, body):
        """Answer one GET like api.gleif.org/api/v1."""
        if method != "GET" or not path.startswith(PREFIX + "/lei-records"):
            return 404, NOT_FOUND, {}
        parts = path[len(PREFIX) :].strip("/").split("/")
        if len(parts) == 1:
            leis = [lei for lei in query.get("filter[lei]", "").split(",") if lei]
            members = [self.records[lei] for lei in dict.fromkeys(leis) if lei in self.records]
            return self._page("/lei-records", members, query, {"filter[lei]": ",".join(leis)})
        lei = parts[1]
        if len(parts) == 2:
            found = self.records.get(lei)
        elif parts[2] in SINGLE:
            found = self.single.get((lei, parts[2]))
        elif parts[2] in COLLECTIONS:
            return self._page(f"/lei-records/{lei}/{parts[2]}", self.collection(lei, parts[2]), query)
        else:
            found = None
        if found is None:
            return 404, NOT_FOUND, {}
        return 200, self._rewrite({"meta": {"goldenCopy": {"publishDate": "2025-05-15T00:00:00Z"}}, "data": found}), {}
