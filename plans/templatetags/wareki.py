"""The one date style of the screens: 「令和2年12月2日」 and 「令和2年12月2日 13:28」.

``{% load wareki %}`` then ``{{ value|wareki }}``: a date gives the day, a datetime the
day and the local time. None and "" give "".
"""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils import timezone

from shakyo.lib.fiscal import wareki_date, wareki_datetime

register = template.Library()


@register.filter
def wareki(value: date | datetime | None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return wareki_datetime(value)
    if isinstance(value, date):
        return wareki_date(value)
    return str(value)
