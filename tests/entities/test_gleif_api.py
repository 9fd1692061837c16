"""The GLEIF API client against the fake GLEIF: records, pages, parents, exceptions, 429/5xx/timeouts/bad bodies."""

import time

import pytest

from ingestion.sources.api_http import SourceUnavailable
from ingestion.sources.gleif import DIRECT, ULTIMATE, GleifClient, parent_links
from tests.fakes.gleif import FakeGleif
from tests.fakes.ratelimited import Fault

SHELL = "21380068P1DRHMJ8KU70"
BLOOMBERG_CHILD = "5493001KJTIIGC8Y1R12"  # direct parent Bloomberg L.P., ultimate parent Bloomberg Inc.
BLOOMBERG_LP = "549300B56MD0ZC402L06"
BLOOMBERG_INC = "549300RMUDWPHCUQNE66"


@pytest.fixture
def fake_gleif():
    """A fake GLEIF with a generous quota (the rate tests set their own)."""
    with FakeGleif(limit=1000, window=1.0) as fake:
        yield fake


@pytest.fixture
def client(fake_gleif, settings):
    """A GleifClient against the fake, with short timeouts and backoff, paging 15 at a time as recorded."""
    settings.GLEIF_API_URL = fake_gleif.api_url
    settings.GLEIF_PAGE_SIZE = 15
    settings.GLEIF_RATE_LIMIT = 1000
    settings.GLEIF_RATE_WINDOW_SECONDS = 1.0
    settings.RATE_LIMIT_REDIS_URL = ""
    settings.HTTP_TIMEOUT_SECONDS = 0.5
    settings.HTTP_RETRY_BACKOFF_SECONDS = 0.01
    settings.HTTP_MAX_RETRIES = 3
    with GleifClient() as gleif:
        yield gleif


def test_shell_direct_children_complete_across_pages(client, fake_gleif):
    children = list(client.children(SHELL, DIRECT))
    assert len(children) == 106
    assert len({child.lei for child in children}) == 106
    assert children[0].legal_name == "BRAZIL SHIPPING I LIMITED"  # the recorded first page comes first
    assert client.requests_sent == 8  # 106 children, 15 per page
    assert fake_gleif.statuses() == [200] * 8


def test_children_in_one_request_at_the_largest_page_size(client, settings, fake_gleif):
    settings.GLEIF_PAGE_SIZE = 500  # more than GLEIF allows: the client caps it at 200
    with GleifClient() as big_pages:
        relationships = list(big_pages.child_relationships(SHELL, ULTIMATE))
        assert big_pages.requests_sent == 1
    assert len(relationships) == 153
    assert {rel.parent_lei for rel in relationships} == {SHELL}
    assert {rel.relationship_type for rel in relationships} == {"IS_ULTIMATELY_CONSOLIDATED_BY"}


def test_many_lei_records_per_request(client):
    leis = [SHELL, BLOOMBERG_CHILD, "254900LNRYNOQ9YPU758", "INR2EJN1ERAN0W5ZP974", "5299000J2N45DDNE4Y28"]
    records = {record.lei: record for record in client.lei_records(leis)}
    assert client.requests_sent == 1
    assert set(records) == set(leis[:4])  # GLEIF leaves unknown LEIs out
    shell = records[SHELL]
    assert shell.legal_name == "SHELL PLC"
    assert shell.jurisdiction == "GB"
    assert shell.registration_status == "ISSUED"
    assert shell.initial_registration_date.year == 2016
    assert parent_links(shell) == {DIRECT: "exception", ULTIMATE: "exception"}
    assert parent_links(records[BLOOMBERG_CHILD]) == {DIRECT: "relationship", ULTIMATE: "relationship"}


def test_parent_chain_walked_to_the_ultimate_parent(client):
    chain = client.parent_chain(BLOOMBERG_CHILD)
    assert [parent.lei for parent in chain] == [BLOOMBERG_LP, BLOOMBERG_INC]
    assert chain[-1].lei == client.parent(BLOOMBERG_CHILD, ULTIMATE).lei
    assert client.parent(BLOOMBERG_INC, DIRECT) is None  # the top: GLEIF answers 404


def test_parent_relationship_with_periods(client):
    relationship = client.parent_relationship(BLOOMBERG_CHILD, DIRECT)
    assert (relationship.child_lei, relationship.parent_lei) == (BLOOMBERG_CHILD, BLOOMBERG_LP)
    assert relationship.relationship_type == "IS_DIRECTLY_CONSOLIDATED_BY"
    assert relationship.relationship_status == "ACTIVE"
    assert relationship.start_date.year == 2007
    assert {period["type"] for period in relationship.periods} == {"RELATIONSHIP_PERIOD", "ACCOUNTING_PERIOD"}
    assert relationship.registration_status == "PUBLISHED"


def test_reporting_exception_with_its_reason(client):
    exception = client.reporting_exception("335800CCCPHKUOXPC332", ULTIMATE)
    assert exception.category == "ULTIMATE_ACCOUNTING_CONSOLIDATION_PARENT"
    assert exception.reason == "NATURAL_PERSONS"
    assert client.reporting_exception(BLOOMBERG_CHILD, DIRECT) is None


def test_retry_after_on_429_is_honoured(client, fake_gleif):
    fake_gleif.fail_next(Fault("status", 429, seconds=0.3))
    started = time.monotonic()
    assert client.lei_record(SHELL).legal_name == "SHELL PLC"
    assert time.monotonic() - started >= 0.3
    assert fake_gleif.statuses() == [429, 200]


def test_5xx_timeouts_and_truncated_bodies_are_retried(client, fake_gleif):
    fake_gleif.fail_next(Fault("status", 502))
    fake_gleif.fail_next(Fault("slow", seconds=1.0))  # longer than the client's 0.5 s timeout
    fake_gleif.fail_next(Fault("truncate"))
    assert client.lei_record(SHELL).legal_name == "SHELL PLC"
    assert client.requests_sent == 4


def test_clear_error_when_gleif_stays_down(client, fake_gleif):
    fake_gleif.fail_next(Fault("status", 503), times=10)
    with pytest.raises(SourceUnavailable, match=r"GLEIF is unavailable: GET .*/lei-records/.* failed 4 times"):
        client.lei_record(SHELL)
    assert client.requests_sent == 4  # the first try and HTTP_MAX_RETRIES = 3 retries
