"""FITRS loader: check parsed records and map them to row values (pure Python, run in the preparer's process), then
write them in batches through instruments.transparency_services (in the loading process)."""

import hashlib
from collections.abc import Iterator
from datetime import date
from decimal import Decimal, InvalidOperation

import orjson

from marketdata.identifiers import CURRENCY_CODES, currency_error, isin_error, mic_error

from ..parsers.fitrs import EQUITY, NON_EQUITY, FitrsFileError, FitrsRecord

# Row values in this order (instruments.transparency_services.TRANSPARENCY_DATA_COLUMNS mirrors it).
DATA_COLUMNS = (
    "identifier",
    "is_subclass",
    "is_equity",
    "classification",
    "methodology",
    "period_from",
    "period_to",
    "period_key",
    "liquid",
    "most_relevant_market",
    "standard_market_size",
    "average_daily_turnover",
    "average_daily_transactions",
    "pre_trade_lis_threshold",
    "post_trade_lis_threshold",
    "pre_trade_ssti_threshold",
    "post_trade_ssti_threshold",
    "threshold_currency",
    "asset_class",
    "subclass_description",
    "criteria",
    "record",
    "record_digest",
)
THRESHOLDS = (
    ("PreTradLrgInScaleThrshld", "pre_trade_lis_threshold"),
    ("PstTradLrgInScaleThrshld", "post_trade_lis_threshold"),
    ("PreTradInstrmSzSpcfcThrshld", "pre_trade_ssti_threshold"),
    ("PstTradInstrmSzSpcfcThrshld", "post_trade_ssti_threshold"),
)
_LENGTHS = {"classification": 10, "methodology": 10, "asset_class": 10, "subclass_description": 1000}
_AMOUNT_LIMIT = Decimal(10) ** 18  # amount_field: 28 digits, 10 after the point
_BOOLEANS = {"true": True, "false": False, "1": True, "0": False}


class RecordProblem(ValueError):
    """A value of a record that cannot be stored as its field's type."""


def _text(value) -> str:
    """The text of a leaf, with or without XML attributes ('' when absent; the first of a repeated one)."""
    if value.__class__ is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, dict):
        return (value.get("#text") or "").strip()
    if isinstance(value, list):
        return _text(value[0]) if value else ""
    return str(value)


def _node(value) -> dict:
    """A child element as a dict ({} when absent or a bare text)."""
    if isinstance(value, list):
        value = value[0] if value else None
    return value if isinstance(value, dict) else {}


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _decimal(value, label: str) -> str | None:
    """A decimal's text as stored, checked to parse and to fit (None when absent)."""
    text = _text(value)
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise RecordProblem(f"{label} {text!r} is not a number") from None
    if not number.is_finite() or abs(number) >= _AMOUNT_LIMIT:
        raise RecordProblem(f"{label} {text} is too large")
    return text


def _date(value, label: str) -> str | None:
    text = _text(value)
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        raise RecordProblem(f"{label} {text!r} is not a date") from None


def _period(tree: dict) -> tuple[str | None, str | None]:
    """RptgPrd as (from, to): FrDtToDt, a single Dt, or FrDt / ToDt alone."""
    period = _node(tree.get("RptgPrd"))
    span = _node(period.get("FrDtToDt"))
    single = _date(period.get("Dt"), "RptgPrd/Dt")
    start = _date(span.get("FrDt") or period.get("FrDt"), "RptgPrd/FrDt") or single
    end = _date(span.get("ToDt") or period.get("ToDt"), "RptgPrd/ToDt") or single
    if start and end and end < start:
        raise RecordProblem(f"RptgPrd: ToDt {end} is before FrDt {start}")
    return start, end


def _boolean(value, label: str) -> bool | None:
    text = _text(value).lower()
    if not text:
        return None
    if text not in _BOOLEANS:
        raise RecordProblem(f"{label} {text!r} is not true or false")
    return _BOOLEANS[text]


def _threshold(value, label: str) -> tuple[str | None, str]:
    """A TonsOrCurrency2Choice as (number text, currency): Amt with its Ccy, or Nb."""
    node = _node(value)
    if not node:
        return _decimal(value, label), ""
    amount = node.get("Amt")
    if amount is not None:
        currency = amount.get("@Ccy", "") if isinstance(amount, dict) else ""
        if currency and currency not in CURRENCY_CODES:
            raise RecordProblem(f"{label}/Amt Ccy: {currency_error(currency)}")
        return _decimal(amount, f"{label}/Amt"), currency
    return _decimal(node.get("Nb"), f"{label}/Nb"), ""


def _subclass(identification: dict) -> tuple[str, str, list[dict]]:
    """(asset class, description, criteria) of an Id/ISINAndSubClss or Id/AsstClssAndSubClss."""
    subclass = _node(identification.get("DerivSubClss"))
    criteria = [
        {"name": _text(item.get("CritNm")), "value": _text(item.get("CritVal"))}
        for item in map(_node, _as_list(subclass.get("SgmttnCrit")))
    ]
    return _text(identification.get("AsstClss")), _text(subclass.get("Desc")), criteria


def subclass_identifier(asset_class: str, classification: str, description: str, criteria: list[dict]) -> str:
    """The stable key of a non-ISIN sub-class: its asset class and a digest of what defines it."""
    canonical = orjson.dumps([asset_class, classification, description, [[c["name"], c["value"]] for c in criteria]])
    return f"{asset_class or 'SUBCLASS'}-{hashlib.md5(canonical).hexdigest()[:24]}"


def record_digest(tree: dict) -> str:
    """MD5 of the record without its technical record id (which changes between files)."""
    body = {key: value for key, value in tree.items() if key != "TechRcrdId"}
    return hashlib.md5(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()


def record_values(record: FitrsRecord) -> tuple:
    """The row values (DATA_COLUMNS order) of a record; raises RecordProblem naming the field at fault."""
    tree = record.tree
    equity = record.kind == EQUITY
    asset_class, description, criteria = "", "", []
    if equity:
        isin = _text(tree.get("Id"))
        classification = _text(tree.get("FinInstrmClssfctn"))
    else:
        identification = _node(tree.get("Id"))
        by_isin = _node(identification.get("ISINAndSubClss"))
        chosen = by_isin or _node(identification.get("AsstClssAndSubClss"))
        if not chosen:
            raise RecordProblem("Id holds neither ISINAndSubClss nor AsstClssAndSubClss")
        isin = _text(by_isin.get("ISIN")) if by_isin else ""
        if by_isin and not isin:
            raise RecordProblem("Id/ISINAndSubClss has no ISIN")
        asset_class, description, criteria = _subclass(chosen)
        classification = _text(tree.get("FinInstrmClssfctn")) or _text(chosen.get("FinInstrmClssfctn"))
    if isin or equity:
        error = isin_error(isin)
        if error:
            raise RecordProblem(f"ISIN {isin!r}: {error}")
    methodology = _text(tree.get("Mthdlgy"))
    period_from, period_to = _period(tree)
    statistics = _node(tree.get("Sttstcs"))
    market = _text(_node(tree.get("RlvntMkt")).get("Id"))
    if market and mic_error(market):
        raise RecordProblem(f"RlvntMkt/Id {market!r}: {mic_error(market)}")
    thresholds, currency = [], ""
    for element, _ in THRESHOLDS:
        value, unit = _threshold(tree.get(element), element) if element in tree else (None, "")
        thresholds.append(value)
        currency = currency or unit
    for name, value in (("classification", classification), ("methodology", methodology)):
        if len(value) > _LENGTHS[name]:
            raise RecordProblem(f"{name} {value[:20]!r} has {len(value)} characters, at most {_LENGTHS[name]} fit")
    if len(asset_class) > _LENGTHS["asset_class"] or len(description) > _LENGTHS["subclass_description"]:
        raise RecordProblem("sub-class asset class or description too long")
    identifier = isin or subclass_identifier(asset_class, classification, description, criteria)
    return (
        identifier,
        not isin,
        equity,
        classification,
        methodology,
        period_from,
        period_to,
        f"{period_from or ''}/{period_to or ''}" if period_from or period_to else "",
        _boolean(tree.get("Lqdty"), "Lqdty"),
        market,
        _decimal(statistics.get("StdMktSz"), "Sttstcs/StdMktSz"),
        _decimal(statistics.get("AvrgDalyTrnvr"), "Sttstcs/AvrgDalyTrnvr"),
        _decimal(statistics.get("AvrgDalyNbOfTxs"), "Sttstcs/AvrgDalyNbOfTxs"),
        *thresholds,
        currency,
        asset_class,
        description,
        orjson.dumps(criteria).decode(),
        orjson.dumps(tree).decode(),
        record_digest(tree),
    )


def record_label(record: FitrsRecord) -> str:
    """How a rejected record is named: its position, line and identifier."""
    tree = record.tree
    identification = _node(tree.get("Id"))
    isin = (
        _text(tree.get("Id")) if not identification else _text(_node(identification.get("ISINAndSubClss")).get("ISIN"))
    )
    return f"record {record.number} (line {record.line}) {isin or 'sub-class'}"


def batches_prepare_fitrs(records: Iterator[FitrsRecord], info, batch_size: int) -> Iterator[bytes]:
    """Check and map a file's records in the preparer's process; each batch travels as JSON text: {"kind", "date"
    (the header's), "read", "rows" (DATA_COLUMNS values), "rejected" ([label, reason])}."""
    rows: list = []
    rejected: list = []
    read = 0
    dumps = orjson.dumps
    for record in records:
        read += 1
        try:
            rows.append(record_values(record))
        except RecordProblem as problem:
            rejected.append((record_label(record), str(problem)))
        if read >= batch_size:
            yield dumps(
                {"kind": info.kind, "date": info.reporting_date, "read": read, "rows": rows, "rejected": rejected}
            )
            rows, rejected, read = [], [], 0
    if read:
        yield dumps({"kind": info.kind, "date": info.reporting_date, "read": read, "rows": rows, "rejected": rejected})


ANALYZE_FROM_ROWS = 20_000  # rows this file inserted after which, and after each doubling, statistics are refreshed


class FitrsBatchWriter:
    """Writes prepared batches of one file through the transparency services, counting what changed."""

    def __init__(self, counts, source_file: str, file_type: str, valid_from: date | None):
        self.counts = counts
        self.source_file = source_file
        self.file_type = file_type
        self.valid_from = valid_from
        self.analyze_at = ANALYZE_FROM_ROWS

    def write(self, batch: bytes) -> dict:
        """Write one batch of batches_prepare_fitrs; returns its decoded envelope (kind and header date)."""
        from instruments.transparency_services import transparency_table_analyze, transparency_upsert_batch

        payload = orjson.loads(batch)
        self._check_envelope(payload)
        self.counts.read += payload["read"]
        for label, reason in payload["rejected"]:
            self.counts.reject(label, reason)
        rows = payload["rows"]
        if rows:
            outcomes = transparency_upsert_batch(
                rows, file_type=self.file_type, valid_from=self.valid_from, source_file=self.source_file
            )
            for outcome, number in outcomes.items():
                setattr(self.counts, outcome, getattr(self.counts, outcome) + number)
            if self.counts.inserted >= self.analyze_at:  # a few times per file: at 20k, 40k, 80k, ... rows
                transparency_table_analyze()
                self.analyze_at *= 2
        return payload

    def _check_envelope(self, payload: dict) -> None:
        """The file's records match its type (ECR equity, NCR non-equity) and it has a publication date."""
        expected = EQUITY if self.file_type.endswith("ECR") else NON_EQUITY if self.file_type.endswith("NCR") else ""
        if expected and payload["kind"] != expected:
            raise FitrsFileError(
                self.source_file,
                f"wrong message type: a {self.file_type} file holds {payload['kind'].replace('_', '-')} records",
            )
        if self.valid_from is None:
            header = payload.get("date") or ""
            try:
                self.valid_from = date.fromisoformat(header[:10])
            except ValueError:
                raise FitrsFileError(
                    self.source_file,
                    "no publication date: the name is not ESMA's (FULECR_YYYYMMDD_...) and the header has no RptgPrd",
                ) from None
