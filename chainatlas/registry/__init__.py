"""The enterprise registry: 统一社会信用代码 validation, Excel/CSV import and export, the sample registry."""

from .names import normalize_name
from .uscc import USCCError, check_digit, is_valid, validate

__all__ = ["USCCError", "check_digit", "is_valid", "normalize_name", "validate"]
