from __future__ import annotations

from django import template

from shakyo.lib.fiscal import fiscal_year_label
from targets.display import describe_target

register = template.Library()

_ZENKAKU = str.maketrans("0123456789", "０１２３４５６７８９")


@register.filter
def zenkaku(value: object) -> str:
    """12 → 「１２」: numbers as the printed plan writes them."""
    return str(value).translate(_ZENKAKU)


@register.filter
def year_label(year: int, full_width: bool = False) -> str:
    return fiscal_year_label(int(year), full_width=bool(full_width))


@register.filter
def understood(item) -> list[str]:
    return describe_target(item.parsed)


@register.filter
def group_rows(items) -> list[tuple[object, int]]:
    """Pair each row with the rowspan of its 項目 cell (0 where the cell is merged above)."""
    items = list(items)
    rows: list[tuple[object, int]] = []
    index = 0
    while index < len(items):
        end = index + 1
        while end < len(items) and items[end].group == items[index].group:
            end += 1
        rows.append((items[index], end - index))
        rows.extend((item, 0) for item in items[index + 1 : end])
        index = end
    return rows
