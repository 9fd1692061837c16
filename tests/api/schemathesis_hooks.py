"""schemathesis hooks (SCHEMATHESIS_HOOKS=tests.api.schemathesis_hooks): valid codes for the custom formats.

The schema marks path codes with `format: isin | lei | mic | cfi` and a pattern; check digits and CFI tables
cannot be written as a pattern, so these strategies make the fuzzer's "valid" codes really valid, while its
invalid ones still get the 400 the API promises.
"""

import schemathesis
from hypothesis import strategies as st

from marketdata.cfi import NOT_APPLICABLE, _tables
from marketdata.identifiers import ISIN_PREFIXES, _alnum_to_digits, isin_check_digit


def _with_lei_check_digits(body: str) -> str:
    return f"{body}{98 - int(_alnum_to_digits(body + '00')) % 97:02d}"


def _cfi_codes() -> st.SearchStrategy[str]:
    tables = _tables()

    def codes_of(group_key):
        category, group = group_key
        letters = [
            st.sampled_from(sorted(tables.attribute_values.get((category, group, position), {})) + [NOT_APPLICABLE])
            for position in range(1, 5)
        ]
        return st.tuples(*letters).map(lambda attrs: category + group + "".join(attrs))

    return st.sampled_from(sorted(tables.groups)).flatmap(codes_of)


ISIN_CODES = st.builds(str.__add__, st.sampled_from(sorted(ISIN_PREFIXES)), st.from_regex(r"\A[A-Z0-9]{9}\Z")).map(
    lambda body: f"{body}{isin_check_digit(body)}"
)
LEI_CODES = st.from_regex(r"\A[A-Z0-9]{18}\Z").map(_with_lei_check_digits)
MIC_CODES = st.from_regex(r"\A[A-Z0-9]{4}\Z")
CFI_CODES = _cfi_codes()

schemathesis.openapi.format("isin", ISIN_CODES)
schemathesis.openapi.format("lei", LEI_CODES)
schemathesis.openapi.format("mic", MIC_CODES)
schemathesis.openapi.format("cfi", CFI_CODES)
