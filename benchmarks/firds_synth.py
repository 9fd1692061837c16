"""Synthetic FULINS generator in the real schema: valid ISINs and LEIs, real MICs and CFI codes,
several venues per ISIN, unicode and XML-special characters, debt and derivative attributes, every
category letter. Run: .venv/bin/python -m benchmarks.firds_synth OUT.zip --records 200000
"""

import argparse
import random
import string
import sys
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from ingestion.parsers.firds.writer import firds_file_write  # noqa: E402
from marketdata.identifiers import isin_check_digit  # noqa: E402

LETTERS = "CDEFHIJORS"
# Real CFI codes seen in the 2025-08-30 full set (one to a few per category letter).
CFI_CODES = {
    "C": ["CBCGXQ", "CBCIXS"],
    "D": ["DAFCFR", "DAFGAB", "DEAYRS", "DGFXFR", "DBFTFB"],
    "E": ["ECVUFB", "EYCYMS", "ESVUFR"],
    "F": ["FCACSX", "FFICSX"],
    "H": ["HCIAVP", "HRCAVP"],
    "I": ["ITNXXX"],
    "J": ["JEBXFC", "JFTXFP"],
    "O": ["OCAFPS", "OCEICS", "OPEFCS"],
    "R": ["RFSTCA", "RWSNCA", "RFITPA", "RAXXXB"],
    "S": ["SCBCCA", "SESTXC", "SRHCSC", "SFCXXP"],
}
MICS = (
    "XETR XFRA XPAR XAMS XBRU XLIS XMIL XMAD XSTO XHEL XCSE XWAR XDUB XVIE XPRA XBUD EBLX ENTW ERFQ FRAB "
    "FRAV BERB STUB MUNB HAMB DUSB TRWB AURO HBFR BTFE XMSM MERK EBSF XEUM XEUR IFEU NDEX XOSL MTAA SGMX"
).split()
AUTHORITIES = ["DE", "FR", "NL", "IE", "IT", "ES", "SE", "LU", "AT", "BE", "NO", "DK", "FI", "PL"]
CURRENCIES = ["EUR", "USD", "GBP", "SEK", "CHF", "JPY", "NOK", "DKK", "PLN"]
NAME_PARTS = [
    "Société Générale & Cie",
    'Ærø "Fjord" <Holding>',
    "Müller-Lüdenscheidt AG",
    "Łódź Spółka Akcyjna",
    "Ελληνικά Πετρέλαια",
    "ČEZ a.s. > 2030 < call",
    "O'Reilly & Sons plc",
    "Zürich Versicherungs™ €",
]
INDEX_NAMES = [("EURI", ""), ("", "OMX STOCKHOLM 30"), ("SONA", ""), ("", "DAX Performance-Index & Co")]
COMMODITY = [
    (["Agrcltrl", "Dairy"], "AGRI", "DIRY", ""),
    (["Envttl", "Emssns"], "ENVR", "EMIS", "EUAE"),
    (["Nrgy", "Oil"], "NRGY", "OILP", "BRNT"),
    (["Metl", "Prcs"], "METL", "PRME", "GOLD"),
]
ALNUM = string.ascii_uppercase + string.digits


def isin_make(rng: random.Random, country: str = "") -> str:
    """A random ISIN with a correct check digit."""
    body = (country or rng.choice(["DE", "FR", "NL", "XS", "IE", "LU", "SE", "IT"])) + "".join(
        rng.choice(ALNUM) for _ in range(9)
    )
    return body + str(isin_check_digit(body))


def lei_make(rng: random.Random) -> str:
    """A random LEI with correct ISO 7064 mod 97-10 check digits."""
    body = "".join(rng.choice(ALNUM) for _ in range(18))
    number = int("".join(str(int(char, 36)) for char in body + "00"))
    return body + f"{98 - number % 97:02d}"


def _day(rng: random.Random, start: date, span: int) -> str:
    return (start + timedelta(days=rng.randrange(span))).isoformat()


def _stamp(rng: random.Random) -> str:
    return f"{_day(rng, date(2015, 1, 1), 3650)}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00Z"


def _strike(rng: random.Random, currency: str) -> dict:
    kind = rng.randrange(5)
    if kind == 0:
        amount = f"{rng.randrange(1, 500000) / 100:.2f}"
        return {
            "Pric": {"MntryVal": {"Amt": {"@Ccy": currency, "#text": amount}, "Sgn": rng.choice(["true", "false"])}}
        }
    if kind == 1:
        return {"Pric": {"Pctg": f"{rng.randrange(1, 20000) / 100}"}}
    if kind == 2:
        return {"Pric": {"Yld": f"{rng.randrange(1, 900) / 100}"}}
    if kind == 3:
        return {"Pric": {"BsisPts": str(rng.randrange(1, 30000))}}
    return {"NoPric": {"Pdg": "PNDG", "Ccy": currency}}


def _underlying(rng: random.Random) -> dict:
    kind = rng.randrange(4)
    if kind == 0:
        return {"Sngl": {"ISIN": isin_make(rng)}}
    if kind == 1:
        return {"Sngl": {"Indx": {"ISIN": isin_make(rng)}}}
    if kind == 2:
        code, name = rng.choice(INDEX_NAMES)
        ref = {"Indx": code} if code else {"Nm": name}
        return {"Sngl": {"Indx": {"Nm": {"RefRate": ref, "Term": {"Unit": "MNTH", "Val": str(rng.choice([1, 3, 6]))}}}}}
    return {"Bskt": {"ISIN": [isin_make(rng) for _ in range(rng.randrange(2, 5))]}}


def _derivative(rng: random.Random, letter: str, currency: str) -> dict:
    tree: dict = {"XpryDt": _day(rng, date(2026, 1, 1), 2000), "PricMltplr": str(rng.choice([1, 10, 100, 0.5]))}
    if letter != "I":
        tree["UndrlygInstrm"] = _underlying(rng)
    if letter in "OHR":
        tree["OptnTp"] = rng.choice(["CALL", "PUTO", "OTHR"])
        tree["StrkPric"] = _strike(rng, currency)
        tree["OptnExrcStyle"] = rng.choice(["EURO", "AMER", "BERM"])
    tree["DlvryTp"] = rng.choice(["CASH", "PHYS", "OPTL"])
    if letter in "JI":
        tree["AsstClssSpcfcAttrbts"] = {"FX": {"FxTp": "FXMJ", "OthrNtnlCcy": rng.choice(CURRENCIES)}}
    elif letter == "S":
        leg = {"Fxd": f"{rng.randrange(1, 800) / 100}"}
        other = {"Fltg": {"RefRate": {"Indx": "EURI"}, "Term": {"Unit": "DAYS", "Val": str(rng.randrange(1, 400))}}}
        tree["AsstClssSpcfcAttrbts"] = {
            "Intrst": {
                "IntrstRate": {"RefRate": {"Nm": "SRIOR-SUAA"}, "Term": {"Unit": "YEAR", "Val": "1"}},
                "FrstLegIntrstRate": leg,
                "OthrNtnlCcy": "EUR",
                "OthrLegIntrstRate": other,
            }
        }
    elif letter == "F" and rng.random() < 0.5:
        path, base, sub, extra = rng.choice(COMMODITY)
        product = {"BasePdct": base, "SubPdct": sub, **({"AddtlSubPdct": extra} if extra else {})}
        for key in reversed(path):
            product = {key: product}
        tree["AsstClssSpcfcAttrbts"] = {"Cmmdty": {"Pdct": product, "TxTp": "FUTR", "FnlPricTp": "EXOF"}}
    return tree


def _debt(rng: random.Random, currency: str) -> dict:
    tree: dict = {
        "TtlIssdNmnlAmt": {"@Ccy": currency, "#text": str(rng.randrange(1, 5000) * 1000000)},
        "MtrtyDt": _day(rng, date(2026, 1, 1), 10000),
        "NmnlValPerUnit": {"@Ccy": currency, "#text": str(rng.choice([100, 1000, 100000]))},
    }
    if rng.random() < 0.6:
        tree["IntrstRate"] = {"Fxd": f"{rng.randrange(0, 900) / 100}"}
    else:
        code, name = rng.choice(INDEX_NAMES)
        tree["IntrstRate"] = {
            "Fltg": {
                "RefRate": {"Indx": code} if code else {"Nm": name},
                "Term": {"Unit": "MNTH", "Val": str(rng.choice([1, 3, 6, 12]))},
                "BsisPtSprd": str(rng.randrange(-50, 400)),
            }
        }
    tree["DebtSnrty"] = rng.choice(["SNDB", "SBOD", "MZZD", "JUND"])
    return tree


def synth_trees(records: int, seed: int = 1):
    """Yield `records` attribute trees, ISIN by ISIN, each ISIN on one to four venues."""
    rng = random.Random(seed)
    produced = 0
    instrument = 0
    while produced < records:
        letter = LETTERS[instrument % len(LETTERS)]
        instrument += 1
        isin = isin_make(rng, "EZ" if letter in "JIS" else "")
        cfi = rng.choice(CFI_CODES[letter])
        currency = rng.choice(CURRENCIES)
        issuer = lei_make(rng)
        venues = rng.sample(MICS, min(rng.randrange(1, 5), records - produced))
        relevant = venues[0] if rng.random() < 0.8 else rng.choice(MICS)
        authority = rng.choice(AUTHORITIES)
        name = f"{rng.choice(NAME_PARTS)} {letter} {instrument}"
        extra = _debt(rng, currency) if letter == "D" else None
        derivative = _derivative(rng, letter, currency) if letter in "FHIJORS" else None
        for mic in venues:
            general = {
                "Id": isin,
                "FullNm": name if rng.random() < 0.9 else f"{name} ({mic})",
                "ShrtNm": f"{name[:20]}/{letter} {mic}"[:35],
                "ClssfctnTp": cfi,
                "NtnlCcy": currency,
                "CmmdtyDerivInd": "true" if letter == "F" and derivative.get("AsstClssSpcfcAttrbts") else "false",
            }
            venue = {"Id": mic, "IssrReq": rng.choice(["true", "false"])}
            if rng.random() < 0.5:
                venue["AdmssnApprvlDtByIssr"] = _stamp(rng)
                venue["ReqForAdmssnDt"] = _stamp(rng)
            venue["FrstTradDt"] = _stamp(rng)
            if rng.random() < 0.3:
                venue["TermntnDt"] = _stamp(rng)
            tree: dict = {"FinInstrmGnlAttrbts": general, "Issr": issuer, "TradgVnRltdAttrbts": venue}
            if extra:
                tree["DebtInstrmAttrbts"] = extra
            if derivative:
                tree["DerivInstrmAttrbts"] = derivative
            start = _day(rng, date(2018, 1, 1), 2700)
            period = {"FrDt": start} if rng.random() < 0.9 else {"FrDtToDt": {"FrDt": start, "ToDt": "2025-12-31"}}
            tree["TechAttrbts"] = {"RlvntCmptntAuthrty": authority, "PblctnPrd": period, "RlvntTradgVn": relevant}
            yield tree
            produced += 1


def synth_write(path, records: int, seed: int = 1, reporting_date: str = "2025-08-30") -> int:
    """Write a synthetic FULINS of `records` records to `path` (.zip or .xml)."""
    return firds_file_write(path, "FULINS", synth_trees(records, seed), reporting_date=reporting_date)


def main() -> None:
    """Command line: write a synthetic FULINS."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--records", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(f"{args.path}: {synth_write(args.path, args.records, args.seed)} records")


if __name__ == "__main__":
    main()
