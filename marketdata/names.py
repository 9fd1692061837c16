"""Company names for search: folded to a comparable form, legal forms made canonical, and scored by rapidfuzz."""

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz

# Legal-form spellings (after folding) and the one form each stands for; longest phrases are replaced first.
LEGAL_FORMS = {
    "public limited company": "plc",
    "p l c": "plc",
    "aktiengesellschaft": "ag",
    "aktiebolag": "ab",
    "aktiebolaget": "ab",
    "gesellschaft mit beschrankter haftung": "gmbh",
    "gesellschaft m b h": "gmbh",
    "ges m b h": "gmbh",
    "g m b h": "gmbh",
    "societas europaea": "se",
    "besloten vennootschap": "bv",
    "b v": "bv",
    "naamloze vennootschap": "nv",
    "n v": "nv",
    "societe anonyme": "sa",
    "sociedad anonima": "sa",
    "s a": "sa",
    "s p a": "spa",
    "limited liability company": "llc",
    "l l c": "llc",
    "limited partnership": "lp",
    "l p": "lp",
    "private limited": "pte ltd",
    "pvt ltd": "pte ltd",
    "private ltd": "pte ltd",
    "limited": "ltd",
    "incorporated": "inc",
    "corporation": "corp",
    "company": "co",
    "kabushiki kaisha": "kk",
    "spolka akcyjna": "sa",
    "spolka z ograniczona odpowiedzialnoscia": "sp z o o",
    "sendirian berhad": "sdn bhd",
    "proprietary limited": "pty ltd",
    "aksjeselskap": "as",
}
# Letters NFKD does not decompose into a base letter and an accent.
_UNDECOMPOSED = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th"})
LEGAL_FORM_TOKENS = frozenset(
    {"plc", "ag", "ab", "gmbh", "se", "bv", "nv", "sa", "spa", "llc", "lp", "pte", "ltd", "inc", "corp", "co"}
    | {"sdn", "bhd", "kk", "pt", "pty", "oy", "oyj", "as", "asa", "srl", "sarl", "kg", "kgaa", "sp", "z", "o"}
)
_PHRASES = re.compile(r"\b(" + "|".join(sorted(map(re.escape, LEGAL_FORMS), key=len, reverse=True)) + r")\b")
_NOT_WORD = re.compile(r"[^\w]+")


def name_normalize(text: str) -> str:
    """Lower case, accents folded, punctuation to single spaces, legal forms in one canonical spelling."""
    folded = unicodedata.normalize("NFKD", text or "")
    folded = "".join(c for c in folded if not unicodedata.combining(c)).casefold().translate(_UNDECOMPOSED)
    folded = folded.replace("&", " and ")
    folded = _NOT_WORD.sub(" ", folded).strip()
    return _PHRASES.sub(lambda m: LEGAL_FORMS[m.group(1)], folded)


def name_core(normalized: str) -> str:
    """A normalized name without its legal-form words ("shell plc" -> "shell"), or the name when that is all."""
    core = " ".join(word for word in normalized.split() if word not in LEGAL_FORM_TOKENS)
    return core or normalized


def name_search_text(legal_name: str, other_names: list) -> str:
    """The normalized legal and other names, one per line: what the trigram and FTS indexes are built on."""
    names = [legal_name, *(item.get("name", "") if isinstance(item, dict) else str(item) for item in other_names or [])]
    seen = dict.fromkeys(name_normalize(name) for name in names if name)
    return "\n".join(name for name in seen if name)


MATCH_REASONS = ("exact", "other name", "fuzzy", "fuzzy other name")


@dataclass(frozen=True)
class NameMatch:
    """How well a query matches one name: a 0-100 score and why (exact, other name, fuzzy)."""

    score: float
    reason: str
    name: str


def name_match(query: str, legal_name: str, other_names: list) -> NameMatch:
    """The best match of `query` against an entity's legal name and other names."""
    wanted = name_normalize(query)
    wanted_core = name_core(wanted)
    best = NameMatch(0.0, "fuzzy", legal_name)
    others = (item.get("name", "") if isinstance(item, dict) else str(item) for item in other_names or [])
    for position, name in enumerate([legal_name, *others]):
        normalized = name_normalize(name)
        core = name_core(normalized)
        if wanted in (normalized, core) or wanted_core == core:
            score = 100.0 if wanted == normalized else 98.0
            reason = "exact" if position == 0 else "other name"
        else:
            scores = [fuzz.ratio(wanted, normalized), 0.97 * fuzz.ratio(wanted_core, core)]
            if len(wanted_core) <= len(core):  # fewer words typed than the name has: a part may match whole
                scores.append(0.9 * fuzz.token_set_ratio(wanted_core, core))
                scores.append(0.85 * fuzz.partial_ratio(wanted_core, core) if len(wanted_core) >= 4 else 0.0)
            else:  # a name shorter than the query must match most of it
                scores.append(0.9 * fuzz.token_sort_ratio(wanted_core, core))
            score = max(scores)
            reason = "fuzzy" if position == 0 else "fuzzy other name"
            score = min(score, 97.0)
        if position:
            score -= 0.5  # the legal name wins a tie with an other name
        if score > best.score:
            best = NameMatch(round(score, 1), reason, name)
    return best
