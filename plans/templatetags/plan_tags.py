from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from plans.models import target_phrases
from shakyo.lib.fiscal import fiscal_year_label
from shakyo.lib.urls import reverse_pk
from shakyo.lib.widgets import conditional_escape as esc

register = template.Library()

_ZENKAKU = str.maketrans("0123456789", "０１２３４５６７８９")


@register.filter
def zenkaku(value: object) -> str:
    """12 → 「１２」: numbers as the printed plan writes them."""
    return str(value).translate(_ZENKAKU)


@register.filter
def year_label(year: int, full_width: bool = False) -> str:
    return fiscal_year_label(int(year), full_width=bool(full_width))


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


@register.simple_tag
def plan_rows(initiative, section_id: int, editable_section_ids: set[int]) -> SafeString:
    """The rows of an initiative's table on the plan page: 項目 (merged), 内容, 目標値 and
    what the system understood, with 編集 for those who may edit.

    Written here rather than as a template: a council of 4,000 rows spent most of the
    page in per-row variable lookups (bench/). Rows come from ``plan_businesses``, whose
    ``target_json`` gives the phrases without decoding the JSON for every request.
    """
    editable = section_id in editable_section_ids
    parts = []
    for item, rowspan in group_rows(initiative.items.all()):
        review = item.needs_review
        parts.append('<tr class="table-warning">' if review else "<tr>")
        if rowspan:
            parts.append(f'<td rowspan="{rowspan}">{esc(item.group)}</td>')
        parts.append("<td>")
        if item.name:
            parts.append(f"<div>{esc(item.name)}</div>")
        if item.detail:
            parts.append(f'<div class="text-muted pre-line">{esc(item.detail)}</div>')
        parts.append(f'</td><td class="target">{esc(item.target_text or "―")}')
        if item.target_from_quarter is not None:
            parts.append(f'<div class="small text-danger revised">{esc(item.revision_label)}</div>')
        if item.revision_pending:
            parts.append('<div class="small text-muted">補正の承認待ち</div>')
        parts.append('</td><td class="understood">')
        parts.extend(
            f'<span class="badge text-bg-light border me-1">{esc(phrase)}</span>'
            for phrase in target_phrases(item.target_json)
        )
        if review:
            parts.append('<span class="badge text-bg-warning">要確認</span>')
        parts.append("</td>")
        if editable:
            url = reverse_pk("plans:item_edit", pk=item.pk)
            parts.append(
                f'<td><a class="btn btn-sm btn-outline-primary" href="{esc(url)}">編集</a></td>'
            )
        parts.append("</tr>\n")
    return mark_safe("".join(parts))  # every text above is escaped
