""" "Now" for a person: the year and quarter their screens open on when none is named.

The quarter whose entry window is open (a council finishes this year's quarters while it
drafts next year's plan: the oldest year with an open window wins, and within it the
latest open quarter), else the current fiscal year by date (April start, Asia/Tokyo) and
its quarter. Every default — the landing links, 実績, the dashboard, the plan, the books'
forms — asks this one function.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from plans.access import visible_businesses
from plans.models import User
from plans.now import year_by_date
from plans.selectors import visible_years
from shakyo.lib.fiscal import FiscalQuarter

from .models import QuarterWindow


@dataclass(frozen=True)
class Now:
    year: int
    quarter: int
    window_open: bool  # the quarter's entry window is open


def now_for(user: User, *, today: date | None = None) -> Now | None:
    """The year and quarter ``user`` works in, among the years they may read (None when
    they may read no plan). Two queries."""
    today = today or timezone.localdate()
    years = visible_years(user)
    if not years:
        return None
    open_windows = sorted(
        QuarterWindow.objects.filter(
            is_open=True,
            fiscal_year__businesses__in=visible_businesses(user),
        )
        .values_list("fiscal_year__year", "quarter")
        .distinct()
    )
    if open_windows:
        year = open_windows[0][0]
        quarter = max(q for y, q in open_windows if y == year)
        return Now(year=year, quarter=quarter, window_open=True)
    year = year_by_date(years, today)
    by_date = FiscalQuarter.from_date(today)
    if by_date.year == year:
        quarter = by_date.quarter
    elif year < by_date.year:
        quarter = 4  # a past year without an open window: its year end
    else:
        quarter = 1  # only a future plan so far: its beginning
    return Now(year=year, quarter=quarter, window_open=False)
