"""The fuzzer's custom formats produce codes the API accepts (so a 400 from a "valid" code is a real bug)."""

from hypothesis import given, settings

from marketdata.cfi import cfi_decode
from marketdata.identifiers import is_valid_isin, is_valid_lei, is_valid_mic
from tests.api import schemathesis_hooks as hooks


@settings(max_examples=200, deadline=None)
@given(hooks.ISIN_CODES, hooks.LEI_CODES, hooks.MIC_CODES, hooks.CFI_CODES)
def test_generated_codes_are_valid(isin, lei, mic, cfi):
    assert is_valid_isin(isin), isin
    assert is_valid_lei(lei), lei
    assert is_valid_mic(mic), mic
    assert cfi_decode(cfi).code == cfi
