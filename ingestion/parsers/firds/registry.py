"""ESMA's instrument register (Solr core esma_registers_firds): one doc per (ISIN, venue) record, as a FIRDS tree.

The register flattens a FIRDS RefData into prefixed fields (gnr_* general attributes, mrkt_* venue attributes,
drv_* and drvcmd_* derivative terms, dbt_* debt terms, published_from/to_date for the publication period). This
maps the fields it carries back to the elements of the FIRDS file (ISO 20022 auth.017 names), so a fetched record
goes through the same parser and loader as a FULINS record.
"""

from dataclasses import dataclass

# Register field -> path of the FIRDS element below RefData, and the kind of value.
FIELDS = {
    "isin": ("FinInstrmGnlAttrbts/Id", "text"),
    "gnr_full_name": ("FinInstrmGnlAttrbts/FullNm", "text"),
    "gnr_short_name": ("FinInstrmGnlAttrbts/ShrtNm", "text"),
    "gnr_cfi_code": ("FinInstrmGnlAttrbts/ClssfctnTp", "text"),
    "gnr_notional_curr_code": ("FinInstrmGnlAttrbts/NtnlCcy", "text"),
    "gnr_comm_derivative_flag": ("FinInstrmGnlAttrbts/CmmdtyDerivInd", "flag"),
    "lei": ("Issr", "text"),
    "mic": ("TradgVnRltdAttrbts/Id", "text"),
    "mrkt_issr_trdng_rqst_flag": ("TradgVnRltdAttrbts/IssrReq", "flag"),
    "mrkt_issr_trdng_pprvl_date": ("TradgVnRltdAttrbts/AdmssnApprvlDtByIssr", "datetime"),
    "mrkt_trdng_rqst_date": ("TradgVnRltdAttrbts/ReqForAdmssnDt", "datetime"),
    "mrkt_trdng_start_date": ("TradgVnRltdAttrbts/FrstTradDt", "datetime"),
    "mrkt_trdng_trmination_date": ("TradgVnRltdAttrbts/TermntnDt", "datetime"),
    "dbt_total_issued_nominal_amount": ("DebtInstrmAttrbts/TtlIssdNmnlAmt", "text"),
    "dbt_maturity_date": ("DebtInstrmAttrbts/MtrtyDt", "date"),
    "dbt_nominal_value_per_unit": ("DebtInstrmAttrbts/NmnlValPerUnit", "text"),
    "dbt_fixed_rate": ("DebtInstrmAttrbts/IntrstRate/Fxd", "text"),
    "dbt_seniority": ("DebtInstrmAttrbts/DebtSnrty", "text"),
    "drv_expiry_date": ("DerivInstrmAttrbts/XpryDt", "date"),
    "drv_price_multiplier": ("DerivInstrmAttrbts/PricMltplr", "text"),
    "drv_underlying_isin": ("DerivInstrmAttrbts/UndrlygInstrm/Sngl/ISIN", "text"),
    "drv_option_type": ("DerivInstrmAttrbts/OptnTp", "text"),
    "drv_option_exercise_style": ("DerivInstrmAttrbts/OptnExrcStyle", "text"),
    "drv_delivery_type": ("DerivInstrmAttrbts/DlvryTp", "text"),
    "drvcmd_base_product": ("DerivInstrmAttrbts/AsstClssSpcfcAttrbts/Cmmdty/Pdct/BasePdct", "text"),
    "drvcmd_sub_product": ("DerivInstrmAttrbts/AsstClssSpcfcAttrbts/Cmmdty/Pdct/SubPdct", "text"),
    "drvcmd_further_sub_product": ("DerivInstrmAttrbts/AsstClssSpcfcAttrbts/Cmmdty/Pdct/AddtlSubPdct", "text"),
    "drvcmd_transaction_type": ("DerivInstrmAttrbts/AsstClssSpcfcAttrbts/Cmmdty/TxTp", "text"),
    "drvcmd_final_price_type": ("DerivInstrmAttrbts/AsstClssSpcfcAttrbts/Cmmdty/FnlPricTp", "text"),
    "upcoming_rca": ("TechAttrbts/RlvntCmptntAuthrty", "text"),
}
REQUIRED = ("isin", "mic", "gnr_full_name", "gnr_cfi_code")


class RegisterDocError(ValueError):
    """A register doc that cannot be a FIRDS record (names the ISIN or doc id and the field)."""


@dataclass(frozen=True)
class RegisterRecord:
    """One register doc as a FIRDS RefData tree, with the date ESMA published it."""

    isin: str
    mic: str
    publication_date: str  # YYYY-MM-DD
    tree: dict


def _value(raw, kind: str) -> str:
    """A register value ("2018-12-28 00:00:00.0", "Yes") in the FIRDS file's form ("2018-12-28", "true")."""
    text = str(raw).strip()
    if kind == "flag":
        return {"yes": "true", "no": "false", "true": "true", "false": "false"}.get(text.lower(), text)
    if kind == "date":
        return text[:10]
    if kind == "datetime":
        day, _, clock = text.replace("T", " ").partition(" ")
        return f"{day}T{(clock or '00:00:00')[:8]}Z"
    return text


def register_record(doc: dict) -> RegisterRecord:
    """The FIRDS tree of one register doc; RegisterDocError when it lacks an ISIN, venue, name or CFI."""
    label = doc.get("isin") or f"doc {doc.get('id', '?')}"
    missing = [name for name in REQUIRED if not str(doc.get(name) or "").strip()]
    if missing:
        raise RegisterDocError(f"register record {label}: no {', '.join(missing)}")
    tree: dict = {}
    for name, (path, kind) in FIELDS.items():
        raw = doc.get(name)
        if raw is None or str(raw).strip() == "":
            continue
        *parents, leaf = path.split("/")
        node = tree
        for parent in parents:
            node = node.setdefault(parent, {})
        node[leaf] = _value(raw, kind)
    period_from, period_to = (
        _value(doc.get(name) or "", "date") for name in ("published_from_date", "published_to_date")
    )
    if period_from:  # PblctnPrd: FrDt alone while open, FrDtToDt once ESMA closed it
        period = {"FrDtToDt": {"FrDt": period_from, "ToDt": period_to}} if period_to else {"FrDt": period_from}
        tree.setdefault("TechAttrbts", {})["PblctnPrd"] = period
    published = str(doc.get("publication_date") or doc.get("published_from_date") or "")[:10]
    if len(published) != 10:
        raise RegisterDocError(f"register record {label}: no publication_date")
    return RegisterRecord(doc["isin"].strip().upper(), doc["mic"].strip().upper(), published, tree)
