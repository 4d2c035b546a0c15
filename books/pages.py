"""Where the printed books turn the page. Pure Python: no openpyxl here (that is ``books.xlsx``).

LibreOffice and Excel break a sheet wherever a page is full, which left headings alone at
the bottom of a page and tables running on without their header. The books therefore
place their own breaks: a writer describes its rows as :class:`Line` values (what kind of
row, how tall in points), :func:`paginate` cuts them into pages, and the writer draws the
pages with a manual row break before each one.

The rules, in the words of the council's printed plan:

- a heading (【係】, 係の方針, 「１．…の取り組み」, 方針) and a table header are kept with
  the row after them, so none of them is ever the last thing on a page;
- a page that does not start with a 【係】 heading starts with 「【係】（続き）」;
- a page that starts inside a table repeats the table's header (when the sheet does not
  repeat it itself as print titles).

Heights are in the sheet's own points; :func:`page_capacity` says how many of them fit on
a page at the scale the sheet is printed (fitted to the page width).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

# A4 in points, and the margins set by books.xlsx._page_setup (0.6 in top, 0.7 in bottom,
# 0.5 in left and right).
A4_SHORT, A4_LONG = 595.3, 841.9
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_SIDE = 43.2, 50.4, 36.0
# What a column of Excel width w takes when LibreOffice prints it, at 100 %: measured by
# printing sheets of known widths (about 7.4 pt per width unit, less a few points a column).
POINTS_PER_WIDTH, POINTS_PER_COLUMN = 7.4, -3.1
# Rounding in the printer's arithmetic is not ours: keep a little room on every page.
SAFETY = 0.97


class Kind:
    HEADING = "heading"  # 【係】 or 【係：事業】
    LABEL = "label"  # 係の方針, 方　　針
    POLICY = "policy"  # a line of a 方針 box
    INITIATIVE = "initiative"  # 「１．…の取り組み」
    SPACER = "spacer"
    MARKER = "marker"  # a hidden row the import reads (no height)
    HEADER = "header"  # the table header
    ITEM = "item"  # a row of a table
    CONTINUED = "continued"  # 「【係】（続き）」, added by paginate


@dataclass(eq=False)
class Line:
    """One row of a sheet as the paginator sees it.

    ``keep_with_next`` ties the row to the next one (headings, labels, table headers, the
    rows of a small 項目). ``heading`` is the 【…】 heading in force, for 「（続き）」;
    ``header`` is the table header line an item belongs to, repeated on a new page.
    ``payload`` is the writer's own: what to draw.
    """

    kind: str
    height: float
    payload: Any = None
    keep_with_next: bool = False
    heading: str = ""
    header: Line | None = None
    group: str = ""  # an item's 項目, and its 内容 (for the plan's merged cells)
    name: str = ""
    repeated: bool = field(default=False)  # a header drawn again on a continuation page


def page_capacity(widths: list[float], *, landscape: bool, title_height: float = 0.0) -> float:
    """Points of rows (at the sheet's scale) that fit on one page below the title rows."""
    page_width, page_height = (A4_LONG, A4_SHORT) if landscape else (A4_SHORT, A4_LONG)
    printable_width = page_width - 2 * MARGIN_SIDE
    body = page_height - MARGIN_TOP - MARGIN_BOTTOM
    columns = sum(POINTS_PER_WIDTH * w + POINTS_PER_COLUMN for w in widths)
    scale = min(1.0, printable_width / columns)
    return body / scale * SAFETY - title_height


def _blocks(lines: list[Line]) -> Iterator[list[Line]]:
    block: list[Line] = []
    for line in lines:
        block.append(line)
        if not line.keep_with_next:
            yield block
            block = []
    if block:
        yield block


def paginate(
    lines: list[Line],
    *,
    capacity: float,
    continued: Callable[[str], Line],
    repeat_header: bool,
) -> list[list[Line]]:
    """Cut ``lines`` into pages of at most ``capacity`` points, by the rules above.

    ``continued(heading)`` makes the 「（続き）」 line of a heading. A block of kept-together
    lines taller than a page is cut where it must (a very long 方針, say).
    """
    pages: list[list[Line]] = [[]]
    used = 0.0
    filled = False  # the page holds something besides continuation lines

    def new_page(first: Line) -> None:
        nonlocal used, filled
        pages.append([])
        used, filled = 0.0, False
        if first.kind != Kind.HEADING and first.heading:
            add(continued(first.heading), content=False)
        if repeat_header and first.kind == Kind.ITEM and first.header is not None:
            repeat = Line(
                kind=Kind.HEADER,
                height=first.header.height,
                payload=first.header.payload,
                heading=first.heading,
                repeated=True,
            )
            add(repeat, content=False)

    def add(line: Line, *, content: bool = True) -> None:
        nonlocal used, filled
        pages[-1].append(line)
        used += line.height
        filled = filled or content

    for block in _blocks(lines):
        height = sum(line.height for line in block)
        if filled and used + height > capacity:
            block = _without_leading_spacers(block)  # no blank space at the top of a page
            if not block:
                continue
            new_page(_first_visible(block))
            height = sum(line.height for line in block)
        if used + height <= capacity:
            for line in block:
                add(line)
            continue
        # Taller than a page: cut it row by row.
        for line in block:
            if filled and used + line.height > capacity:
                if line.kind == Kind.SPACER:
                    continue
                new_page(line)
            add(line)
    return [page for page in pages if page]


def _without_leading_spacers(block: list[Line]) -> list[Line]:
    """The block without the spacers before its first printed line (markers stay)."""
    kept: list[Line] = []
    printed = False
    for line in block:
        printed = printed or line.kind not in (Kind.SPACER, Kind.MARKER)
        if printed or line.kind != Kind.SPACER:
            kept.append(line)
    return kept if printed else []


def _first_visible(block: list[Line]) -> Line:
    """The first printed line of a block: what decides how its page starts."""
    return next((line for line in block if line.kind not in (Kind.SPACER, Kind.MARKER)), block[0])
