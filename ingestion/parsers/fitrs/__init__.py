"""FITRS parser: stream FULECR, FULNCR, DLTECR and DLTNCR files into plain records (no Django)."""

from .reader import EQUITY, NON_EQUITY, FitrsFileError, FitrsFileInfo, FitrsRecord, iter_records

__all__ = ["EQUITY", "NON_EQUITY", "FitrsFileError", "FitrsFileInfo", "FitrsRecord", "iter_records"]
