"""Instrument selectors: listings of an ISIN as of a date (one indexed query) and their history."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ingestion.pipelines.firds import firds_load_file
from instruments.selectors import listing_history, listing_list_as_of
from tests.ingestion.test_firds_load import firds_tree, write_delta, write_full

pytestmark = pytest.mark.django_db
ISIN = "DE0007164600"


@pytest.fixture
def versions(tmp_path):
    """XETR: two versions (renamed 2025-09-01); XFRA: one; XMUN: cancelled; another ISIN beside them."""
    firds_load_file(
        write_full(
            tmp_path,
            [
                firds_tree(ISIN, "XETR", "2025-01-10"),
                firds_tree(ISIN, "XFRA", "2025-03-01"),
                firds_tree(ISIN, "XMUN", "2025-01-10"),
                firds_tree("NL0000235190", "XPAR", "2025-01-10"),
            ],
        )
    )
    firds_load_file(
        write_delta(
            tmp_path,
            [
                ("MODIFIED", firds_tree(ISIN, "XETR", "2025-09-01", name="SAP SE")),
                ("CANCELLED", firds_tree(ISIN, "XMUN", "2025-09-01")),
            ],
            "20250901",
        )
    )


@pytest.mark.usefixtures("versions")
@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 1, 9), []),
        (date(2025, 1, 10), [("XETR", "Example AG")]),
        (date(2025, 3, 1), [("XETR", "Example AG"), ("XFRA", "Example AG")]),
        (date(2025, 8, 31), [("XETR", "Example AG"), ("XFRA", "Example AG")]),
        (date(2025, 9, 1), [("XETR", "SAP SE"), ("XFRA", "Example AG")]),
    ],
)
def test_listing_list_as_of(day, expected):
    """One version per venue valid on the day; cancelled versions never show."""
    assert [(row.venue_id, row.full_name) for row in listing_list_as_of(ISIN, day)] == expected


@pytest.mark.usefixtures("versions")
def test_listing_list_as_of_is_one_indexed_query():
    """The as-of read is one query, and on SQLite its plan searches by an index on the ISIN."""
    with CaptureQueriesContext(connection) as queries:
        rows = list(listing_list_as_of(ISIN, date(2025, 9, 1)))
    assert len(rows) == 2 and len(queries) == 1
    if connection.vendor == "sqlite":
        sql, params = listing_list_as_of(ISIN, date(2025, 9, 1)).query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
        assert "USING INDEX" in plan and "isin=?" in plan.replace(" ", "")


@pytest.mark.usefixtures("versions")
def test_listing_history_keeps_every_version():
    """History lists closed, current and cancelled versions per venue, oldest first."""
    rows = [(r.venue_id, r.valid_from, r.valid_to, r.is_current, r.is_cancelled) for r in listing_history(ISIN)]
    assert rows == [
        ("XETR", date(2025, 1, 10), date(2025, 8, 31), False, False),
        ("XETR", date(2025, 9, 1), None, True, False),
        ("XFRA", date(2025, 3, 1), None, True, False),
        ("XMUN", date(2025, 1, 10), date(2025, 8, 31), False, True),
    ]
