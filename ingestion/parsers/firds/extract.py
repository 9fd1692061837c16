"""Turn one record's attribute tree (nested dicts of element text) into a FirdsRecord."""

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from .records import (
    CommodityAttributes,
    DebtAttributes,
    DerivativeAttributes,
    FirdsRecord,
    FxAttributes,
    InterestRateAttributes,
    InterestRateLeg,
    Strike,
    TechnicalAttributes,
    TradingVenue,
    Underlying,
)

TEXT = "#text"


class FieldError(ValueError):
    """A value that does not parse as the type its element has (date, number, boolean)."""


def text(value) -> str:
    """The text of a leaf, whether it came with XML attributes or not ('' when absent)."""
    if value.__class__ is str:  # the usual case first
        return value
    if value is None:
        return ""
    if isinstance(value, dict):
        return value.get(TEXT) or ""
    if isinstance(value, list):
        return text(value[0]) if value else ""
    return value


def as_list(value) -> list:
    """A repeated element as a list (one occurrence gives a list of one)."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def to_decimal(value, name: str) -> Decimal | None:
    """A decimal from element text, or None when absent."""
    raw = text(value)
    if not raw:
        return None
    try:
        return Decimal(raw)
    except InvalidOperation:
        raise FieldError(f"{name}: {raw!r} is not a number") from None


def to_date(value, name: str) -> date | None:
    """An ISO date from element text, or None when absent."""
    raw = text(value)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        raise FieldError(f"{name}: {raw!r} is not a date") from None


def to_datetime(value, name: str) -> datetime | None:
    """An ISO date-time (UTC when it says Z or nothing), or None when absent."""
    raw = text(value)
    if not raw:
        return None
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        raise FieldError(f"{name}: {raw!r} is not a date-time") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def to_bool(value, name: str) -> bool | None:
    """An XML boolean, or None when absent."""
    raw = text(value)
    if not raw:
        return None
    if raw in ("true", "1"):
        return True
    if raw in ("false", "0"):
        return False
    raise FieldError(f"{name}: {raw!r} is not a boolean")


def _reference(rate: dict) -> tuple[str, str, str]:
    """(ISIN, index code, name) of a RefRate element."""
    return text(rate.get("ISIN")), text(rate.get("Indx")), text(rate.get("Nm"))


def _leg(tree: dict, name: str) -> InterestRateLeg:
    """An interest-rate leg (Fxd, or Fltg / a bare RefRate with Term)."""
    floating = tree.get("Fltg") or tree
    isin, index, ref_name = _reference(floating.get("RefRate") or {})
    term = floating.get("Term") or {}
    return InterestRateLeg(
        fixed_rate=to_decimal(tree.get("Fxd"), f"{name}/Fxd"),
        reference_isin=isin,
        reference_index=index,
        reference_name=ref_name,
        term_unit=text(term.get("Unit")),
        term_value=to_decimal(term.get("Val"), f"{name}/Term/Val"),
    )


def debt_attributes(tree: dict) -> DebtAttributes:
    """DebtInstrmAttrbts."""
    total = tree.get("TtlIssdNmnlAmt")
    per_unit = tree.get("NmnlValPerUnit")
    rate = tree.get("IntrstRate") or {}
    floating = rate.get("Fltg") or {}
    isin, index, ref_name = _reference(floating.get("RefRate") or {})
    term = floating.get("Term") or {}
    return DebtAttributes(
        total_issued_nominal=to_decimal(total, "TtlIssdNmnlAmt"),
        total_issued_nominal_currency=total.get("@Ccy", "") if isinstance(total, dict) else "",
        maturity_date=to_date(tree.get("MtrtyDt"), "MtrtyDt"),
        nominal_value_per_unit=to_decimal(per_unit, "NmnlValPerUnit"),
        nominal_value_currency=per_unit.get("@Ccy", "") if isinstance(per_unit, dict) else "",
        fixed_rate=to_decimal(rate.get("Fxd"), "IntrstRate/Fxd"),
        floating_reference_isin=isin,
        floating_reference_index=index,
        floating_reference_name=ref_name,
        floating_term_unit=text(term.get("Unit")),
        floating_term_value=to_decimal(term.get("Val"), "IntrstRate/Fltg/Term/Val"),
        floating_spread=to_decimal(floating.get("BsisPtSprd"), "IntrstRate/Fltg/BsisPtSprd"),
        seniority=text(tree.get("DebtSnrty")),
    )


def underlying(tree: dict) -> Underlying:
    """UndrlygInstrm: Sngl (ISIN, LEI or Indx) or Bskt (ISINs, LEIs), or a swap's in/out legs."""
    result = Underlying(swap_in=tree.get("Swp", {}).get("SwpIn"), swap_out=tree.get("Swp", {}).get("SwpOut"))
    other = tree.get("Othr") or tree
    single = other.get("Sngl")
    if single:
        result.isin = text(single.get("ISIN"))
        result.lei = text(single.get("LEI"))
        index = single.get("Indx")
        if index:
            result.index_isin = text(index.get("ISIN"))
            name = index.get("Nm") or {}
            result.index_code = text((name.get("RefRate") or {}).get("Indx"))
            result.index_name = text((name.get("RefRate") or {}).get("Nm"))
            term = name.get("Term") or {}
            result.index_term_unit = text(term.get("Unit"))
            result.index_term_value = to_decimal(term.get("Val"), "UndrlygInstrm/Sngl/Indx/Nm/Term/Val")
    basket = other.get("Bskt")
    if basket:
        result.basket_isins = [text(value) for value in as_list(basket.get("ISIN"))]
        result.basket_leis = [text(value) for value in as_list(basket.get("LEI"))]
    return result


def strike(tree: dict) -> Strike:
    """StrkPric in every form: MntryVal (Amt with Ccy, Sgn), Pctg, Yld, BsisPts, NoPric/Pdg."""
    price = tree.get("Pric")
    if price:
        monetary = price.get("MntryVal")
        if monetary:
            amount = monetary.get("Amt")
            value = to_decimal(amount, "StrkPric/Pric/MntryVal/Amt")
            positive = to_bool(monetary.get("Sgn"), "StrkPric/Pric/MntryVal/Sgn")
            if value is not None and positive is False:
                value = -value
            currency = amount.get("@Ccy", "") if isinstance(amount, dict) else ""
            return Strike("MONETARY", value, currency, positive)
        for tag, kind in (("Pctg", "PERCENTAGE"), ("Yld", "YIELD"), ("BsisPts", "BASIS_POINTS")):
            if tag in price:
                return Strike(kind, to_decimal(price[tag], f"StrkPric/Pric/{tag}"))
    no_price = tree.get("NoPric")
    if no_price is not None:
        no_price = no_price if isinstance(no_price, dict) else {}
        return Strike("PENDING", currency=text(no_price.get("Ccy")), pending=text(no_price.get("Pdg")))
    return Strike()


def commodity(tree: dict) -> CommodityAttributes:
    """AsstClssSpcfcAttrbts/Cmmdty: walk Pdct down to the dict holding BasePdct."""
    result = CommodityAttributes(transaction_type=text(tree.get("TxTp")), final_price_type=text(tree.get("FnlPricTp")))
    node = tree.get("Pdct") or {}
    while isinstance(node, dict) and node and "BasePdct" not in node:
        key = next(iter(node))
        result.product_path.append(key)
        node = node[key]
    if isinstance(node, dict):
        result.base_product = text(node.get("BasePdct"))
        result.sub_product = text(node.get("SubPdct"))
        result.additional_sub_product = text(node.get("AddtlSubPdct"))
    return result


def interest_rate(tree: dict) -> InterestRateAttributes:
    """AsstClssSpcfcAttrbts/Intrst: reference rate and term, legs, other notional currency."""
    rate = tree.get("IntrstRate") or {}
    first = tree.get("FrstLegIntrstRate")
    other = tree.get("OthrLegIntrstRate")
    return InterestRateAttributes(
        reference=_leg(rate, "Intrst/IntrstRate"),
        first_leg=_leg(first, "Intrst/FrstLegIntrstRate") if first else None,
        other_leg=_leg(other, "Intrst/OthrLegIntrstRate") if other else None,
        other_notional_currency=text(tree.get("OthrNtnlCcy")),
    )


def derivative_attributes(tree: dict) -> DerivativeAttributes:
    """DerivInstrmAttrbts."""
    result = DerivativeAttributes(
        expiry_date=to_date(tree.get("XpryDt"), "XpryDt"),
        price_multiplier=to_decimal(tree.get("PricMltplr"), "PricMltplr"),
        option_type=text(tree.get("OptnTp")),
        exercise_style=text(tree.get("OptnExrcStyle")),
        delivery_type=text(tree.get("DlvryTp")),
    )
    if "UndrlygInstrm" in tree:
        result.underlying = underlying(tree["UndrlygInstrm"] or {})
    if "StrkPric" in tree:
        result.strike = strike(tree["StrkPric"] or {})
    asset = tree.get("AsstClssSpcfcAttrbts") or {}
    if "Cmmdty" in asset:
        result.commodity = commodity(asset["Cmmdty"] or {})
    if "Intrst" in asset:
        result.interest_rate = interest_rate(asset["Intrst"] or {})
    if "FX" in asset:
        fx = asset["FX"] or {}
        result.fx = FxAttributes(other_notional_currency=text(fx.get("OthrNtnlCcy")), fx_type=text(fx.get("FxTp")))
    return result


def technical_attributes(tree: dict) -> TechnicalAttributes:
    """TechAttrbts: the publication period is FrDt, or FrDtToDt with FrDt and ToDt."""
    period = tree.get("PblctnPrd") or {}
    span = period.get("FrDtToDt") or {}
    until = span.get("ToDt")
    return TechnicalAttributes(
        text(tree.get("RlvntCmptntAuthrty")),
        to_date(period.get("FrDt") or span.get("FrDt"), "PblctnPrd/FrDt"),
        None if until is None else to_date(until, "PblctnPrd/FrDtToDt/ToDt"),
        text(tree.get("RlvntTradgVn")),
    )


def record_from_tree(tree: dict, record_type: str, number: int, line: int) -> FirdsRecord:
    """Build a FirdsRecord from one record's attribute tree."""
    general = tree.get("FinInstrmGnlAttrbts") or {}
    venue = tree.get("TradgVnRltdAttrbts") or {}
    if isinstance(venue, list):  # not in the schema, but keep the first rather than fail
        venue = venue[0]
    get = venue.get
    # Absent optional elements are common: convert only what is there (positional: cheaper than keywords).
    requested, approved, requested_on, first_trade, terminated = (
        get("IssrReq"),
        get("AdmssnApprvlDtByIssr"),
        get("ReqForAdmssnDt"),
        get("FrstTradDt"),
        get("TermntnDt"),
    )
    commodity_derivative = general.get("CmmdtyDerivInd")
    record = FirdsRecord(
        record_type,
        number,
        line,
        text(general.get("Id")),
        text(general.get("FullNm")),
        text(general.get("ShrtNm")),
        text(general.get("ClssfctnTp")),
        text(general.get("NtnlCcy")),
        None if commodity_derivative is None else to_bool(commodity_derivative, "CmmdtyDerivInd"),
        text(tree.get("Issr")),
        TradingVenue(
            text(get("Id")),
            None if requested is None else to_bool(requested, "IssrReq"),
            None if approved is None else to_datetime(approved, "AdmssnApprvlDtByIssr"),
            None if requested_on is None else to_datetime(requested_on, "ReqForAdmssnDt"),
            None if first_trade is None else to_datetime(first_trade, "FrstTradDt"),
            None if terminated is None else to_datetime(terminated, "TermntnDt"),
        ),
        None,
        None,
        technical_attributes(tree.get("TechAttrbts") or {}),
        tree,
    )
    if "DebtInstrmAttrbts" in tree:
        record.debt = debt_attributes(tree["DebtInstrmAttrbts"] or {})
    if "DerivInstrmAttrbts" in tree:
        record.derivative = derivative_attributes(tree["DerivInstrmAttrbts"] or {})
    return record
