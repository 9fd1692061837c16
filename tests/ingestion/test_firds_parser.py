"""FIRDS parser on small files, without a database: real samples, generator round trip, bad input."""

import csv
import json
import multiprocessing
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from benchmarks.firds_synth import LETTERS, synth_trees, synth_write
from ingestion.loaders.firds import (
    LISTING_COLUMNS,
    RejectedRecord,
    batches_prepare_in_file,
    listing_values,
    prepared_batch_decode,
    record_prepare,
)
from ingestion.parsers.firds import FirdsFileError, FirdsFileInfo, iter_records
from ingestion.parsers.firds.stream import iter_batches
from ingestion.parsers.firds.writer import firds_file_write
from instruments.columns import listing_typed

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "firds"
FIXTURES = ROOT / "tests" / "fixtures" / "firds"
CSV_ROWS = FIXTURES / "FULINS_20250830_sample_rows_flattened.csv"


def _csv_rows() -> list[dict]:
    with open(CSV_ROWS, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _sample_records() -> dict:
    records = {}
    for path in sorted(SAMPLES.glob("FULINS_*.zip")):
        for record in iter_records(path):
            records[(record.isin, record.mic)] = record
    return records


def _dec(value: str) -> Decimal:
    return Decimal(value)


def _bool(value: str) -> bool:
    return value == "True"


def _stamp(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


def _underlying(record):
    return record.derivative.underlying


def _interest(record):
    return record.derivative.interest_rate


# Flattened column -> (typed value the parser gives, the CSV text converted to that type).
TYPED = {
    "Id": (lambda r: r.isin, str),
    "FinInstrmGnlAttrbts_FullNm": (lambda r: r.full_name, str),
    "FinInstrmGnlAttrbts_ShrtNm": (lambda r: r.short_name, str),
    "FinInstrmGnlAttrbts_ClssfctnTp": (lambda r: r.cfi_code, str),
    "FinInstrmGnlAttrbts_NtnlCcy": (lambda r: r.currency, str),
    "FinInstrmGnlAttrbts_CmmdtyDerivInd": (lambda r: r.commodity_derivative, _bool),
    "Issr": (lambda r: r.issuer_lei, str),
    "TradgVnRltdAttrbts_Id": (lambda r: r.venue.mic, str),
    "TradgVnRltdAttrbts_IssrReq": (lambda r: r.venue.issuer_requested, _bool),
    "TradgVnRltdAttrbts_AdmssnApprvlDtByIssr": (lambda r: r.venue.admission_approval_date, _stamp),
    "TradgVnRltdAttrbts_ReqForAdmssnDt": (lambda r: r.venue.admission_request_date, _stamp),
    "TradgVnRltdAttrbts_FrstTradDt": (lambda r: r.venue.first_trade_date, _stamp),
    "TradgVnRltdAttrbts_TermntnDt": (lambda r: r.venue.termination_date, _stamp),
    "TechAttrbts_RlvntCmptntAuthrty": (lambda r: r.technical.relevant_authority, str),
    "TechAttrbts_PblctnPrd_FrDt": (lambda r: r.technical.publication_from, date.fromisoformat),
    "TechAttrbts_RlvntTradgVn": (lambda r: r.technical.relevant_venue, str),
    "DebtInstrmAttrbts_TtlIssdNmnlAmt": (lambda r: r.debt.total_issued_nominal, _dec),
    "DebtInstrmAttrbts_MtrtyDt": (lambda r: r.debt.maturity_date, date.fromisoformat),
    "DebtInstrmAttrbts_NmnlValPerUnit": (lambda r: r.debt.nominal_value_per_unit, _dec),
    "DebtInstrmAttrbts_IntrstRate_Fxd": (lambda r: r.debt.fixed_rate, _dec),
    "DebtInstrmAttrbts_DebtSnrty": (lambda r: r.debt.seniority, str),
    "DebtInstrmAttrbts_IntrstRate_Fltg_Term_Unit": (lambda r: r.debt.floating_term_unit, str),
    "DebtInstrmAttrbts_IntrstRate_Fltg_Term_Val": (lambda r: r.debt.floating_term_value, _dec),
    "DebtInstrmAttrbts_IntrstRate_Fltg_BsisPtSprd": (lambda r: r.debt.floating_spread, _dec),
    "DebtInstrmAttrbts_IntrstRate_Fltg_RefRate_Nm": (lambda r: r.debt.floating_reference_name, str),
    "DerivInstrmAttrbts_XpryDt": (lambda r: r.derivative.expiry_date, date.fromisoformat),
    "DerivInstrmAttrbts_PricMltplr": (lambda r: r.derivative.price_multiplier, _dec),
    "DerivInstrmAttrbts_OptnTp": (lambda r: r.derivative.option_type, str),
    "DerivInstrmAttrbts_OptnExrcStyle": (lambda r: r.derivative.exercise_style, str),
    "DerivInstrmAttrbts_DlvryTp": (lambda r: r.derivative.delivery_type, str),
    "DerivInstrmAttrbts_UndrlygInstrm_Sngl_ISIN": (lambda r: _underlying(r).isin, str),
    "DerivInstrmAttrbts_UndrlygInstrm_Sngl_Indx_ISIN": (lambda r: _underlying(r).index_isin, str),
    "DerivInstrmAttrbts_UndrlygInstrm_Sngl_Indx_Nm_RefRate_Nm": (lambda r: _underlying(r).index_name, str),
    "DerivInstrmAttrbts_UndrlygInstrm_Sngl_Indx_Nm_RefRate_Indx": (lambda r: _underlying(r).index_code, str),
    "DerivInstrmAttrbts_UndrlygInstrm_Sngl_Indx_Nm_Term_Unit": (lambda r: _underlying(r).index_term_unit, str),
    "DerivInstrmAttrbts_UndrlygInstrm_Sngl_Indx_Nm_Term_Val": (lambda r: _underlying(r).index_term_value, _dec),
    "DerivInstrmAttrbts_UndrlygInstrm_Bskt_ISIN": (lambda r: _underlying(r).basket_isins[0], str),
    "DerivInstrmAttrbts_StrkPric_Pric_MntryVal_Sgn": (lambda r: r.derivative.strike.sign_positive, _bool),
    "DerivInstrmAttrbts_StrkPric_Pric_Pctg": (lambda r: r.derivative.strike.value, _dec),
    "DerivInstrmAttrbts_StrkPric_Pric_BsisPts": (lambda r: r.derivative.strike.value, _dec),
    "DerivInstrmAttrbts_StrkPric_NoPric_Pdg": (lambda r: r.derivative.strike.pending, str),
    "DerivInstrmAttrbts_AsstClssSpcfcAttrbts_Cmmdty_TxTp": (lambda r: r.derivative.commodity.transaction_type, str),
    "DerivInstrmAttrbts_AsstClssSpcfcAttrbts_Cmmdty_FnlPricTp": (
        lambda r: r.derivative.commodity.final_price_type,
        str,
    ),
    "DerivInstrmAttrbts_AsstClssSpcfcAttrbts_FX_FxTp": (lambda r: r.derivative.fx.fx_type, str),
    "DerivInstrmAttrbts_AsstClssSpcfcAttrbts_FX_OthrNtnlCcy": (lambda r: r.derivative.fx.other_notional_currency, str),
    "DerivInstrmAttrbts_AsstClssSpcfcAttrbts_Intrst_IntrstRate_RefRate_Indx": (
        lambda r: _interest(r).reference.reference_index,
        str,
    ),
    "DerivInstrmAttrbts_AsstClssSpcfcAttrbts_Intrst_IntrstRate_RefRate_Nm": (
        lambda r: _interest(r).reference.reference_name,
        str,
    ),
    "DerivInstrmAttrbts_AsstClssSpcfcAttrbts_Intrst_IntrstRate_Term_Unit": (
        lambda r: _interest(r).reference.term_unit,
        str,
    ),
    "DerivInstrmAttrbts_AsstClssSpcfcAttrbts_Intrst_IntrstRate_Term_Val": (
        lambda r: _interest(r).reference.term_value,
        _dec,
    ),
    "DerivInstrmAttrbts_AsstClssSpcfcAttrbts_Intrst_OthrNtnlCcy": (lambda r: _interest(r).other_notional_currency, str),
    "DerivInstrmAttrbts_AsstClssSpcfcAttrbts_Intrst_OthrLegIntrstRate_Fltg_RefRate_Indx": (
        lambda r: _interest(r).other_leg.reference_index,
        str,
    ),
    "DerivInstrmAttrbts_AsstClssSpcfcAttrbts_Intrst_OthrLegIntrstRate_Fltg_Term_Unit": (
        lambda r: _interest(r).other_leg.term_unit,
        str,
    ),
    "DerivInstrmAttrbts_AsstClssSpcfcAttrbts_Intrst_OthrLegIntrstRate_Fltg_Term_Val": (
        lambda r: _interest(r).other_leg.term_value,
        _dec,
    ),
}


def _tree_text(tree: dict, column: str) -> str:
    """The text at a flattened column's path in a record's attribute tree."""
    node = tree
    for name in ["FinInstrmGnlAttrbts", "Id"] if column == "Id" else column.split("_"):
        node = node[name]
        if isinstance(node, list):
            node = node[0]
    return node["#text"] if isinstance(node, dict) else node


def test_every_field_of_the_real_rows_lands_where_it_belongs():
    """Each non-empty CSV cell is in the attribute tree at its path, and in its typed field when there is one."""
    records = _sample_records()
    rows = _csv_rows()
    assert len(records) == len(rows) == 142
    checked_typed = set()
    for row in rows:
        record = records[(row["Id"], row["TradgVnRltdAttrbts_Id"])]
        assert record.record_type == "FULL"
        assert record.error == ""
        for column, value in row.items():
            if column == "source_file" or not value or value == "NOISINFOUND9":
                continue
            text = _tree_text(record.attributes, column)
            if column.endswith(("Sgn", "CmmdtyDerivInd", "IssrReq")):
                assert text == value.lower(), column
            else:
                assert Decimal(text) == Decimal(value) if value.replace(".", "").isdigit() else text == value, column
            if column in TYPED:
                typed, convert = TYPED[column]
                assert typed(record) == convert(value), (row["Id"], column)
                checked_typed.add(column)
    assert len(checked_typed) >= 50


def test_strike_monetary_value_carries_its_sign_and_currency():
    """A MntryVal strike with Sgn=false is negative; the Ccy attribute is kept."""
    records = _sample_records()
    monetary = [r for r in records.values() if r.derivative and r.derivative.strike and r.derivative.strike.kind]
    kinds = {r.derivative.strike.kind for r in monetary}
    assert {"MONETARY", "PERCENTAGE", "BASIS_POINTS", "PENDING"} <= kinds
    for record in monetary:
        strike = record.derivative.strike
        if strike.kind == "MONETARY":
            amount = record.attributes["DerivInstrmAttrbts"]["StrkPric"]["Pric"]["MntryVal"]["Amt"]
            expected = Decimal(amount["#text"]) * (1 if strike.sign_positive else -1)
            assert strike.value == expected
            assert strike.currency == amount["@Ccy"] == record.currency


def test_real_delta_excerpt_parses_with_header_and_record_type():
    """The real DLTINS excerpt (auth.036.001.02): header read, TermntdRcrd with FrDtToDt and FX attributes."""
    info = FirdsFileInfo()
    [record] = list(iter_records(FIXTURES / "DLTINS_20210118_01of01_excerpt.xml", info))
    assert (info.report, info.message_type, info.reporting_date) == ("DLTINS", "auth.036.001.02", "2021-01-18")
    assert info.business_message_id == "DLTINS_20210118_01of01"
    assert record.record_type == "TERMINATED"
    assert (record.isin, record.mic, record.cfi_code) == ("EZV1JDJ1R5Q9", "EBSF", "JFTXFP")
    assert record.technical.publication_from == date(2021, 1, 3)
    assert record.technical.publication_to == date(2021, 1, 17)
    assert record.venue.termination_date == datetime(2021, 1, 16, 23, 59, 59, 999000, tzinfo=UTC)
    assert record.derivative.fx.fx_type == "FXMJ"
    assert record.derivative.fx.other_notional_currency == "JPY"
    assert record.derivative.delivery_type == "PHYS"
    assert record.at_relevant_venue


def _wrap(fragment: Path, namespace: str, report: str, tmp_path: Path) -> Path:
    """A real record fragment inside the envelope of its message (namespace given)."""
    body = fragment.read_text(encoding="utf-8")
    body = body[body.index("<", body.index("-->") if "-->" in body else 0) :]
    wrapped = (
        f'<BizData xmlns="urn:iso:std:iso:20022:tech:xsd:head.003.001.01"><Pyld>'
        f'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:{namespace}"><{report}><RptHdr><RptgPrd><Dt>2021-01-05</Dt>'
        f"</RptgPrd></RptHdr>{body}</{report}></Document></Pyld></BizData>"
    )
    path = tmp_path / f"{fragment.stem}.xml"
    path.write_text(wrapped, encoding="utf-8")
    return path


def test_kfw_termination_fragment_debt_attributes(tmp_path):
    """The real KfW TermntdRcrd (no publication period): debt fields typed, FrDt left to the file's date."""
    path = _wrap(
        FIXTURES / "DLTINS_2021_TermntdRcrd_KfW_bond_fragment.xml",
        "auth.036.001.02",
        "FinInstrmRptgRefDataDltaRpt",
        tmp_path,
    )
    info = FirdsFileInfo()
    [record] = list(iter_records(path, info))
    assert info.reporting_date == "2021-01-05"
    assert record.record_type == "TERMINATED"
    assert record.technical.publication_from is None
    assert record.technical.relevant_venue == "MANL" and not record.at_relevant_venue
    debt = record.debt
    assert debt.total_issued_nominal == Decimal("5000000000") and debt.total_issued_nominal_currency == "EUR"
    assert debt.nominal_value_per_unit == Decimal("1000") and debt.nominal_value_currency == "EUR"
    assert debt.fixed_rate == Decimal("1.625")
    assert debt.maturity_date == date(2021, 1, 15)


def test_cancellation_report_auth_102(tmp_path):
    """A FULCAN (auth.102) record is a cancellation."""
    path = tmp_path / "FULCAN_20250830_01of01.xml"
    trees = list(synth_trees(3, seed=5))
    firds_file_write(path, "FULCAN", trees, reporting_date="2025-08-30")
    info = FirdsFileInfo()
    records = list(iter_records(path, info))
    assert info.report == "FULCAN" and info.message_type == "auth.102.001.01"
    assert [r.record_type for r in records] == ["CANCELLED"] * 3
    assert [r.isin for r in records] == [t["FinInstrmGnlAttrbts"]["Id"] for t in trees]


def test_delta_record_types_travel_with_records(tmp_path):
    """Each DLTINS record element (auth.036.001.03) gives its record type."""
    trees = list(synth_trees(4, seed=2))
    path = tmp_path / "DLTINS_20250901_01of01.zip"
    types = ["NEW", "MODIFIED", "TERMINATED", "CANCELLED"]
    firds_file_write(path, "DLTINS", zip(types, trees, strict=True), reporting_date="2025-09-01")
    info = FirdsFileInfo()
    records = list(iter_records(path, info))
    assert info.message_type == "auth.036.001.03"
    assert [r.record_type for r in records] == types
    assert [r.number for r in records] == [1, 2, 3, 4]


def _expected_strike(tree: dict):
    strike = tree["DerivInstrmAttrbts"].get("StrkPric")
    if strike is None:
        return None
    price = strike.get("Pric", {})
    if "MntryVal" in price:
        value = Decimal(price["MntryVal"]["Amt"]["#text"])
        return ("MONETARY", value if price["MntryVal"]["Sgn"] == "true" else -value)
    for tag, kind in (("Pctg", "PERCENTAGE"), ("Yld", "YIELD"), ("BsisPts", "BASIS_POINTS")):
        if tag in price:
            return (kind, Decimal(price[tag]))
    return ("PENDING", None)


def test_generator_round_trip_every_record_and_letter(tmp_path):
    """Every generated record parses back to the same attribute tree and typed fields, for every letter."""
    path = tmp_path / "FULINS_X_20250830_01of01.zip"
    count = synth_write(path, 600, seed=7)
    trees = list(synth_trees(600, seed=7))
    records = list(iter_records(path))
    assert len(records) == len(trees) == count == 600
    letters = set()
    for tree, record in zip(trees, records, strict=True):
        assert record.attributes == tree
        general, venue, tech = tree["FinInstrmGnlAttrbts"], tree["TradgVnRltdAttrbts"], tree["TechAttrbts"]
        assert (record.isin, record.full_name, record.short_name) == (
            general["Id"],
            general["FullNm"],
            general["ShrtNm"],
        )
        assert (record.cfi_code, record.currency, record.issuer_lei) == (
            general["ClssfctnTp"],
            general["NtnlCcy"],
            tree["Issr"],
        )
        assert record.mic == venue["Id"]
        assert record.venue.first_trade_date == datetime.fromisoformat(venue["FrstTradDt"])
        period = tech["PblctnPrd"].get("FrDt") or tech["PblctnPrd"]["FrDtToDt"]["FrDt"]
        assert record.technical.publication_from == date.fromisoformat(period)
        assert record.technical.relevant_venue == tech["RlvntTradgVn"]
        letters.add(record.cfi_code[0])
        debt = tree.get("DebtInstrmAttrbts")
        assert (record.debt is None) == (debt is None)
        if debt:
            assert record.debt.total_issued_nominal == Decimal(debt["TtlIssdNmnlAmt"]["#text"])
            assert record.debt.maturity_date == date.fromisoformat(debt["MtrtyDt"])
            rate = debt["IntrstRate"]
            if "Fxd" in rate:
                assert record.debt.fixed_rate == Decimal(rate["Fxd"])
            else:
                assert record.debt.floating_spread == Decimal(rate["Fltg"]["BsisPtSprd"])
                assert record.debt.floating_reference in rate["Fltg"]["RefRate"].values()
        derivative = tree.get("DerivInstrmAttrbts")
        assert (record.derivative is None) == (derivative is None)
        if derivative:
            assert record.derivative.expiry_date == date.fromisoformat(derivative["XpryDt"])
            assert record.derivative.price_multiplier == Decimal(derivative["PricMltplr"])
            strike = record.derivative.strike
            assert (None if strike is None else (strike.kind, strike.value)) == _expected_strike(tree)
            underlying = derivative.get("UndrlygInstrm", {})
            if "Bskt" in underlying:
                assert record.derivative.underlying.basket_isins == underlying["Bskt"]["ISIN"]
            elif "ISIN" in underlying.get("Sngl", {}):
                assert record.derivative.underlying.isin == underlying["Sngl"]["ISIN"]
    assert letters == set(LETTERS)


def _fails(path: Path, *fragments: str) -> FirdsFileError:
    with pytest.raises(FirdsFileError) as caught:
        list(iter_records(path))
    message = str(caught.value)
    assert path.name in message
    for fragment in fragments:
        assert fragment in message
    return caught.value


def test_truncated_zip(tmp_path):
    """A zip cut short is reported with the file name."""
    source = tmp_path / "FULINS_E_20250830_01of01.zip"
    synth_write(source, 200, seed=3)
    data = source.read_bytes()
    source.write_bytes(data[: len(data) // 2])
    _fails(source, "truncated or corrupt")


def test_corrupt_zip_data_names_the_record(tmp_path):
    """Damaged compressed data mid-file names the record after which reading stopped."""
    source = tmp_path / "FULINS_E_20250830_01of01.zip"
    synth_write(source, 3000, seed=3)
    data = bytearray(source.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(64)
    source.write_bytes(bytes(data))
    error = _fails(source)
    assert error.record > 0 or "line" in str(error)


def test_malformed_xml_names_line_and_record(tmp_path):
    """Malformed XML names the line and the last good record."""
    path = tmp_path / "FULINS_E_20250830_01of01.xml"
    synth_write(path, 5, seed=3)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[4] = lines[4].replace("</FullNm>", "</FullName>")
    path.write_text("\n".join(lines), encoding="utf-8")
    error = _fails(path, "malformed XML", "line 5", "after record 2")
    assert (error.line, error.record) == (5, 2)


def test_empty_files(tmp_path):
    """An empty file and an empty zip are file-level errors."""
    empty = tmp_path / "DLTINS_20250901_01of01.xml"
    empty.write_bytes(b"")
    _fails(empty, "empty")
    no_xml = tmp_path / "DLTINS_20250902_01of01.zip"
    with zipfile.ZipFile(no_xml, "w") as archive:
        archive.writestr("readme.txt", "nothing")
    _fails(no_xml, "no .xml")


def test_wrong_message_type(tmp_path):
    """A FITRS report, or a file that is not ISO 20022 at all, is refused naming what it holds."""
    fitrs = tmp_path / "FULECR_20250830_E_1of1.xml"
    fitrs.write_text(
        '<BizData xmlns="urn:iso:std:iso:20022:tech:xsd:head.003.001.01"><Pyld>'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:auth.044.001.02"><FinInstrmRptgEqtyTradgActvtyRslt>'
        "<RptHdr><RptgPrd><FrDtToDt><FrDt>2025-08-30</FrDt></FrDtToDt></RptgPrd></RptHdr>"
        "</FinInstrmRptgEqtyTradgActvtyRslt></Document></Pyld></BizData>",
        encoding="utf-8",
    )
    _fails(fitrs, "wrong message type", "FinInstrmRptgEqtyTradgActvtyRslt", "line 1")
    other = tmp_path / "LEI-CDF.xml"
    other.write_text("<LEIData><LEIRecords/></LEIData>", encoding="utf-8")
    _fails(other, "wrong message type", "LEIData")


def test_bad_value_is_a_record_error_not_a_file_error(tmp_path):
    """A date that does not parse marks that record; the records around it still come out."""
    trees = list(synth_trees(3, seed=4))
    trees[1]["TradgVnRltdAttrbts"]["FrstTradDt"] = "yesterday"
    path = tmp_path / "FULINS_E_20250830_01of01.zip"
    firds_file_write(path, "FULINS", trees, reporting_date="2025-08-30")
    records = list(iter_records(path))
    assert [bool(r.error) for r in records] == [False, True, False]
    assert "FrstTradDt" in records[1].error and records[1].isin == trees[1]["FinInstrmGnlAttrbts"]["Id"]


def test_parser_process_sends_what_in_process_parsing_gives(tmp_path):
    """Batches from the parser's own process decode to the same prepared records as parsing in place,
    and those hold each record's whole values: its own terms and its record, for every venue."""
    path = tmp_path / "FULINS_X_20250830_01of01.zip"
    synth_write(path, 500, seed=5)
    parallel = list(iter_batches(path, batch_size=120, prepare=batches_prepare_in_file, parallel=True))
    in_place = list(iter_batches(path, batch_size=120, prepare=batches_prepare_in_file, parallel=False))
    assert parallel == in_place
    batches = [prepared_batch_decode(batch) for batch in parallel]
    assert [len(items) for items in batches] == [120, 120, 120, 120, 20]
    records = list(iter_records(path))
    start = 0
    for items in batches:
        for item, record in zip(items, records[start : start + len(items)], strict=True):
            assert (item.number, item.isin, item.mic) == (record.number, record.isin, record.mic)
            assert item.valid_from == record.technical.publication_from
            assert item.valid_to == record.technical.publication_to
            assert listing_typed(item.listing) == listing_typed(listing_values(record))
            assert json.loads(item.listing[LISTING_COLUMNS.index("record")]) == record.attributes
        start += len(items)
    assert start == len(records) == 500


def test_batches_decode_to_what_record_prepare_gives(tmp_path):
    """Every record of a batch, sent as JSON text, decodes to record_prepare's result: rejections with their
    reasons, date-times with other offsets, decimals in exponent form, every category letter."""
    trees = list(synth_trees(400, seed=9))
    trees[3]["TradgVnRltdAttrbts"]["FrstTradDt"] = "2019-05-13T10:21:00.000005+02:00"
    trees[5]["FinInstrmGnlAttrbts"]["Id"] = "DE0000000001"  # wrong check digit
    trees[8]["TechAttrbts"]["PblctnPrd"] = {"FrDt": "not a date"}
    trees[11].setdefault("DerivInstrmAttrbts", {})["PricMltplr"] = "1E+3"
    trees[13]["Issr"] = "NOT A LEI"
    path = tmp_path / "FULINS_X_20250830_01of01.zip"
    firds_file_write(path, "FULINS", trees, reporting_date="2025-08-30")
    info = FirdsFileInfo()
    batches = list(batches_prepare_in_file(iter_records(path, info), info, 150))
    items = [item for batch in batches for item in prepared_batch_decode(batch)]
    records = list(iter_records(path))
    assert len(items) == len(records) == 400
    assert set(LETTERS) <= {record.cfi_code[:1] for record in records}
    rejected = 0
    for item, record in zip(items, records, strict=True):
        expected = record_prepare(record, date(2025, 8, 30))
        if isinstance(expected, RejectedRecord):
            rejected += 1
            assert item == expected
            continue
        assert item._replace(listing=listing_typed(item.listing)) == expected._replace(
            listing=listing_typed(expected.listing)
        )
    assert rejected == 3  # the ISIN, the date and the LEI above
    # date-times travel as naive UTC text, the form the databases store; decimals as their digits
    assert items[3].listing[LISTING_COLUMNS.index("first_trade_date")] == "2019-05-13 08:21:00.000005"
    assert items[11].listing[LISTING_COLUMNS.index("price_multiplier")] == "1E+3"
    typed = listing_typed(items[3].listing)[LISTING_COLUMNS.index("first_trade_date")]
    assert typed == datetime(2019, 5, 13, 8, 21, 0, 5, tzinfo=UTC)


def _batches_in_daemon(path, out) -> None:
    """Run iter_batches(parallel=True) inside a daemonic process and report what came out."""
    try:
        out.put(("ok", [len(batch) for batch in iter_batches(path, batch_size=100, parallel=True)]))
    except Exception as error:  # noqa: BLE001 - the test reports it
        out.put(("error", repr(error)))


def test_daemonic_process_parses_in_place(tmp_path):
    """A daemonic process (a Celery prefork worker's child) may not start children: parsing stays in it."""
    path = tmp_path / "FULINS_X_20250830_01of01.zip"
    synth_write(path, 250, seed=6)
    context = multiprocessing.get_context("fork")
    out = context.Queue()
    process = context.Process(target=_batches_in_daemon, args=(path, out), daemon=True)
    process.start()
    try:
        assert out.get(timeout=60) == ("ok", [100, 100, 50])
    finally:
        process.join(timeout=10)
