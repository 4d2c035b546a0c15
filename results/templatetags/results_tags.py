"""Small pieces of the 実績 screens that repeat hundreds of times on one page.

The dashboard of a large council draws a status bar for every 課, 係 and business (~400
at 4,000 rows); written as an included template that was a third of the page (bench/).
"""

from __future__ import annotations

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

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
        f'preserveAspectRatio="none" role="img" aria-label="{escape(label)}">'
    ]
    segments = counts.segments
    for seg in segments:
        parts.append(
            f'<rect x="{seg.x}" y="0" width="{seg.width}" height="10" '
            f'class="bar-{seg.status.css}"><title>{escape(str(seg.status))} {seg.count}行'
            "</title></rect>"
        )
    if not segments:
        parts.append('<rect x="0" y="0" width="100" height="10" class="bar-empty"></rect>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above is escaped
