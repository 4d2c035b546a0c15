"""Small pieces of the 実績 screens that repeat hundreds of times on one page.

The dashboard of a large council draws a status bar for every 課, 係 and business (~400
at 4,000 rows); written as an included template that was a third of the page (bench/).
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from results.rules import CANCEL_EFFECTS
from shakyo.lib.urls import reverse_pk
from shakyo.lib.widgets import conditional_escape as esc

register = template.Library()


@register.simple_tag
def status_bar(counts, large: bool = False) -> SafeString:
    """A ``StatusCounts`` as a stacked bar: an inline SVG, segments in status order.

    Screen readers get the counts as the image's label, the pointer a title per segment.
    """
    ordered = counts.ordered
    label = "、".join(f"{status} {count}行" for status, count in ordered) or "行なし"
    parts = [
        f'<svg class="status-bar{" status-bar-lg" if large else ""}" viewBox="0 0 100 10" '
        f'preserveAspectRatio="none" role="img" aria-label="{esc(label)}">'
    ]
    segments = counts.segments
    for seg in segments:
        parts.append(
            f'<rect x="{seg.x}" y="0" width="{seg.width}" height="10" '
            f'class="bar-{seg.status.css}"><title>{esc(seg.status)} {seg.count}行'
            "</title></rect>"
        )
    if not segments:
        parts.append('<rect x="0" y="0" width="100" height="10" class="bar-empty"></rect>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above is escaped


# ---------------------------------------------------------------------------------------
# The entry page's rows
#
# A 係 enters every row of its plan on one page (60–180 rows, six cells and up to seven
# inputs each). As a template, each row cost ~1.5 ms of variable lookups (bench/); like
# the rows of Django admin's change list, the row is written here, every text escaped.


def _error_list(errors) -> SafeString:
    return format_html_join(
        "", '<div class="invalid-feedback d-block">{}</div>', ((e,) for e in errors)
    )


@register.simple_tag
def row_status(row, errors=()) -> SafeString:
    """The 状況 cell of an entry row (also the fragment the page asks for while typing)."""
    if row is None:
        messages = "".join(f'<div class="small text-danger">{esc(e)}</div>' for e in errors)
        return mark_safe(f'<div class="row-status" data-shortfall="0">{messages}</div>')
    status = row.status
    css = status.css
    parts = [
        f'<div class="row-status" data-shortfall="{1 if row.needs_explaining else 0}">\n',
        f'  <span class="badge text-bg-{css}{" border" if css == "light" else ""} status-badge"'
        f' data-status="{esc(status)}">{esc(status)}</span>\n',
    ]
    if row.quantities:
        parts.append(
            '  <dl class="small mb-0 mt-1 figures">\n'
            f'    <dt>累計</dt><dd data-figure="actual">{esc(row.actual_text)}</dd>\n'
        )
        parts.extend(f"    <dt>そのほか</dt><dd>{esc(text)}</dd>" for text in row.extra_texts)
        parts.append(
            f"\n    <dt>目安</dt><dd>{esc(row.expected_text)}</dd>\n"
            f'    <dt>達成率</dt><dd data-figure="rate">{esc(row.rate_text)}</dd>\n'
            "  </dl>\n"
        )
    if row.needs_explaining:
        # Shown while 理由・今後の対応 is empty: hidden when the saved row has one, and
        # the page hides or shows it as the reason is typed (static/js/results_entry.js).
        hidden = "" if row.needs_reason else " hidden"
        parts.append(
            f'  <div class="small text-danger mt-1 reason-hint"{hidden}>'
            "提出には理由・今後の対応が必要です</div>\n"
        )
    parts.append("</div>")
    return mark_safe("".join(parts))


def cancel_choice(form) -> SafeString:
    """中止: none, 今期の回を中止 or 事業を年度中止, with what the chosen one does.

    Every effect rides on its radio (``data-effect``) so that the page can show it as
    soon as it is chosen, before saving (static/js/results_entry.js).
    """
    bound = form["cancelled"]
    radios = format_html_join(
        "",
        '<div class="form-check form-check-inline">{}'
        '<label class="form-check-label" for="{}" data-effect="{}">{}</label></div>',
        (
            (
                radio.tag(),
                radio.id_for_label,
                CANCEL_EFFECTS.get(radio.data["value"], ""),
                radio.choice_label,
            )
            for radio in bound
        ),
    )
    return format_html(
        '<fieldset class="mt-1 cancel-choice"><legend class="visually-hidden">中止</legend>'
        '{}</fieldset>{}<div class="small text-muted cancel-effect">{}</div>',
        radios,
        _error_list(bound.errors),
        form.cancel_effect,
    )


def confirm_box(form) -> SafeString:
    """「この数で正しい」: shown with the warning of a figure far beyond target or pace."""
    bound = form["confirm"]
    return format_html(
        '<div class="form-check mt-1 confirm-figure">{}'
        '<label class="form-check-label fw-semibold" for="{}">{}</label></div>',
        bound,
        bound.id_for_label,
        bound.label,
    )


@register.simple_tag
def entry_row(row, year: int, quarter: int) -> SafeString:
    """One plan row of the entry page: the row, its target, its inputs and its status."""
    item = row.item
    form = row.form
    pk = item.pk
    status_url = reverse_pk("results:row_status", year, quarter, pk=pk)
    history_url = reverse_pk("results:item_history", pk=pk)
    needs_reason = ' class="needs-reason"' if row.needs_reason else ""
    entered = 1 if row.is_entered else 0
    parts = [
        f'<tr id="row-{pk}" data-status-url="{esc(status_url)}" data-entered="{entered}"'
        f"{needs_reason}>\n"
        f'  <td>\n    <div class="fw-semibold">{esc(item.group)}</div>\n'
    ]
    if item.name:
        parts.append(f"    <div>{esc(item.name)}</div>\n")
    if item.detail:
        parts.append(f'    <div class="text-muted pre-line detail">{esc(item.detail)}</div>\n')
    if row.is_sample:
        parts.append('    <span class="badge text-bg-info">サンプル</span>\n')
    parts.append(
        f'    <div><a class="small" href="{esc(history_url)}">変更履歴</a></div>\n  </td>\n'
    )

    understood = "".join(
        f'<span class="badge text-bg-light border me-1">{esc(p)}</span>' for p in row.understood
    )
    parts.append(
        f"  <td>\n    <div>{esc(item.target_text or '―')}</div>\n"
        f'    <div class="understood">{understood}</div>\n'
    )
    if item.target_from_quarter is not None:
        parts.append(f'    <div class="small text-danger">{esc(item.revision_label)}</div>\n')
    standing = item.aggregation != item.Aggregation.FLOW
    if row.quantities and standing:
        # A level or a maximum: the quarter's figure is the number standing, not an addition.
        parts.append(
            f'    <div class="small text-info">{esc(item.get_aggregation_display())}：'
            "その時点の数を入力</div>\n"
        )
    if row.quantities:
        parts.append(
            '    <dl class="figures mb-0 mt-1">\n'
            f"      <dt>{'前期の数' if standing else '前期までの累計'}</dt>"
            f"<dd>{esc(row.previous_text)}</dd>\n"
            f"      <dt>今期末の目安</dt><dd>{esc(row.expected_text)}</dd>\n"
            "    </dl>\n"
        )
    parts.append("  </td>\n  <td>\n")

    quantity_fields = form.quantity_fields
    for index, bf in enumerate(quantity_fields):
        parts.append(
            f'    <label class="form-label small mb-0" for="{esc(bf.id_for_label)}">'
            f"{'実績' if index == 0 else 'そのほか'}{esc(bf.label)}</label>\n"
            f"    {bf}{_error_list(bf.errors)}\n"
        )
    if form.needs_confirmation:
        parts.append(f"    {confirm_box(form)}\n")
    if form.has_done:
        radios = "".join(
            f'<div class="form-check form-check-inline">{radio.tag()}'
            f'<label class="form-check-label" for="{esc(radio.id_for_label)}">'
            f"{esc(radio.choice_label)}</label></div>"
            for radio in form["done"]
        )
        parts.append(
            f'    <fieldset><legend class="visually-hidden">実施・未実施</legend>{radios}</fieldset>'
            f"{_error_list(form['done'].errors)}\n"
        )
    if not quantity_fields and not form.has_done:
        parts.append('    <span class="text-muted">目標なし</span>\n')

    note, cancel_reason, reason = form["note"], form["cancel_reason"], form["reason"]
    parts.append(
        "  </td>\n  <td>\n"
        f'    <label class="visually-hidden" for="{esc(note.id_for_label)}">実施内容</label>{note}\n'
        f"    {_error_list(note.errors)}{cancel_choice(form)}\n"
        f'    <div class="cancel-reason">{cancel_reason}{_error_list(cancel_reason.errors)}</div>\n'
        "  </td>\n"
        f'  <td><label class="visually-hidden" for="{esc(reason.id_for_label)}">理由・今後の対応'
        f"</label>{reason}{_error_list(reason.errors)}</td>\n"
        f'  <td data-role="status" aria-live="polite">{row_status(row)}</td>\n'
        "</tr>\n"
    )
    return mark_safe("".join(parts))  # every text above is escaped; inputs are widgets


# ---------------------------------------------------------------------------------------
# The dashboard's lists: a large council has ~560 rows behind and ~340 businesses


@register.simple_tag
def shortfall_row(row, quarter: int) -> SafeString:
    """A row behind (遅れ・未着手) with its figures and its latest 理由・今後の対応."""
    item = row.item
    business = item.business
    status = row.status
    url = reverse_pk("results:item_detail", pk=item.pk)
    return mark_safe(
        "<tr>\n"
        f'  <td class="small">{esc(business.section.name)}<br>{esc(business.name)}</td>\n'
        f'  <td><a href="{esc(url)}?q={int(quarter)}">{esc(item.group)} {esc(item.name)}</a></td>\n'
        f"  <td>{esc(item.target_text)}</td>\n"
        f'  <td class="text-nowrap">{esc(row.actual_text)}'
        f'<div class="small text-muted">目安 {esc(row.expected_text)}</div></td>\n'
        f'  <td class="text-nowrap">{esc(row.rate_text)}</td>\n'
        f'  <td><span class="badge text-bg-{status.css}">{esc(status)}</span></td>\n'
        f'  <td class="pre-line small">{esc(row.latest_reason or "（未記入）")}</td>\n'
        "</tr>\n"
    )


@register.simple_tag
def business_summary(summary, department, section, year: int, quarter: int) -> SafeString:
    """A business on the dashboard: its bar and share; its rows open on demand."""
    business = summary.business
    counts = summary.counts
    total = counts.total
    commissioned = (
        f' <span class="badge text-bg-info">{esc(business.commissioned_by.name)}から受託</span>'
        if business.commissioned_by_id
        else ""
    )
    url = reverse_pk("results:business_rows", year, quarter, pk=business.pk)
    return mark_safe(
        f'<details class="business-summary border rounded mb-2" id="business-{business.pk}">\n'
        '  <summary class="p-2">\n'
        '    <div class="d-flex flex-wrap gap-2 align-items-center">\n'
        f'      <span class="fw-semibold me-auto">{esc(business.name)}{commissioned} '
        f'<span class="small text-muted">{esc(department.name)} {esc(section.name)}・{total}行'
        "</span></span>\n"
        f'      <span class="small">順調以上 <strong>{esc(counts.good_rate_text)}</strong></span>\n'
        "    </div>\n"
        f"    {status_bar(counts)}\n"
        "  </summary>\n"
        f'  <div class="table-responsive px-2" data-rows-url="{esc(url)}?fragment=1">\n'
        f'    <p class="small my-2"><a href="{esc(url)}">{esc(business.name)}の行の一覧'
        f"（{total}行）を開く</a></p>\n"
        "  </div>\n"
        "</details>\n"
    )
