"""Which year a person is in when no year is named: this fiscal year, never the newest.

A 社協 drafts next year's plan in January–March while it still enters this year's
quarters, so "the newest year with a plan" is the wrong default (DESIGN.md, "The year and
the record"). Plans know nothing of entry windows; ``results.now`` adds them.
"""

from __future__ import annotations

from datetime import date

from shakyo.lib.fiscal import FiscalQuarter


def year_by_date(years: list[int], today: date) -> int | None:
    """Of ``years`` (the plans one may read), the fiscal year of ``today`` (April start);
    else the latest year before it (a plan that has not been rolled over yet); else the
    earliest year (only future plans exist). None when there are no years."""
    if not years:
        return None
    current = FiscalQuarter.from_date(today).year
    if current in years:
        return current
    earlier = [year for year in years if year < current]
    return max(earlier) if earlier else min(years)
