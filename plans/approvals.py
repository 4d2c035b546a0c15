"""Which quarters of a 係 are approved, asked by plans without importing results.

A 補正 may only apply from a quarter the 課長 has not yet approved for the row's 係.
Approvals live in ``results`` (a higher app), so results registers the question's
answer here when it starts (``results.apps``); plans alone treats no quarter as approved.
"""

from __future__ import annotations

from collections.abc import Callable

ApprovedQuarters = Callable[[int, int], frozenset[int]]

_provider: ApprovedQuarters | None = None


def register_approved_quarters(provider: ApprovedQuarters) -> None:
    """``provider(fiscal_year_id, section_id)`` returns the quarters approved for the 係."""
    global _provider
    _provider = provider


def approved_quarters(*, fiscal_year_id: int, section_id: int) -> frozenset[int]:
    return _provider(fiscal_year_id, section_id) if _provider else frozenset()


def first_open_quarter(*, fiscal_year_id: int, section_id: int) -> int | None:
    """The earliest quarter a 補正 may apply from: after the last approved one (None: Q4 is)."""
    approved = approved_quarters(fiscal_year_id=fiscal_year_id, section_id=section_id)
    first = max(approved, default=0) + 1
    return first if first <= 4 else None
