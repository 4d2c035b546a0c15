"""Where the books turn the page (books.pages.paginate), worked out by hand on small sheets."""

from __future__ import annotations

import pytest

from books.pages import Kind, Line, page_capacity, paginate

A = "【係Ａ】"


def _continued(heading: str) -> Line:
    return Line(Kind.CONTINUED, 4, payload=f"{heading}（続き）", heading=heading)


def _sheet(spec: str) -> list[Line]:
    """A sheet from a spec: H heading, I 「１．」 initiative, T table header, r item, s spacer,
    m the hidden row of a 事業.

    Every line is 10 points high (a spacer 2, a hidden row 0); all but items are kept with
    the next line. Items belong to the last header.
    """
    lines: list[Line] = []
    header = None
    for index, code in enumerate(spec.split()):
        kind = {"H": Kind.HEADING, "I": Kind.INITIATIVE, "T": Kind.HEADER, "r": Kind.ITEM,
                "s": Kind.SPACER, "m": Kind.MARKER}[code[0]]  # fmt: skip
        height = {Kind.SPACER: 2, Kind.MARKER: 0}.get(kind, 10)
        line = Line(kind, height, payload=f"{code}{index}", heading=A)
        line.keep_with_next = kind in (
            Kind.HEADING, Kind.INITIATIVE, Kind.HEADER, Kind.SPACER, Kind.MARKER
        )  # fmt: skip
        if kind == Kind.HEADER:
            header = line
        if kind == Kind.ITEM:
            line.header = header
        lines.append(line)
    return lines


def _show(pages: list[list[Line]]) -> list[str]:
    def name(line: Line) -> str:
        if line.kind == Kind.CONTINUED:
            return "続"
        if line.repeated:
            return "T*"
        return line.payload[0]

    return [" ".join(name(line) for line in page) for page in pages]


@pytest.mark.parametrize(
    ("spec", "capacity", "repeat_header", "expected"),
    [
        # Everything fits: one page.
        ("H T r r", 40, True, ["H T r r"]),
        # The third item does not fit: the next page names the 係 and repeats the header.
        ("H T r r r", 40, True, ["H T r r", "続 T* r"]),
        # The report repeats its header as print titles: only 「（続き）」.
        ("H T r r r", 40, False, ["H T r r", "続 r"]),
        # An initiative with its header and first row does not fit at the foot of a page:
        # all three move (no heading or header is the last line of a page).
        ("H T r r s I T r", 45, True, ["H T r r", "続 I T r"]),
        # A new 係 starts its page without 「（続き）」; the spacer before it is dropped.
        ("H T r r s H T r", 45, True, ["H T r r", "H T r"]),
        # The next 事業 starts with its hidden row and a spacer: the page starts with its
        # heading (the hidden row stays before it, the spacer goes).
        ("H T r r m s H T r", 45, True, ["H T r r", "m H T r"]),
        # A heading taller than what is left moves with the row under it.
        ("H T r r H T r", 50, True, ["H T r r", "H T r"]),
        # Longer than a page even on its own: cut row by row, each page continued.
        ("H T r r r r r", 30, True, ["H T r", "続 T* r", "続 T* r", "続 T* r", "続 T* r"]),
    ],
)
def test_paginate(spec, capacity, repeat_header, expected):
    pages = paginate(
        _sheet(spec), capacity=capacity, continued=_continued, repeat_header=repeat_header
    )
    assert _show(pages) == expected


def test_no_page_is_fuller_than_its_capacity():
    lines = _sheet("H T " + "r " * 40 + "s I T " + "r " * 13)
    pages = paginate(lines, capacity=75, continued=_continued, repeat_header=True)
    assert all(sum(line.height for line in page) <= 75 for page in pages)
    assert sum(1 for page in pages for line in page if line.kind == Kind.ITEM) == 53


@pytest.mark.parametrize(
    ("widths", "landscape", "between"),
    [
        # Measured with LibreOffice: 50 rows of 20 pt per page for the plan's columns,
        # 40 for the report's; the capacity is a little less.
        ([18.0, 25.0, 36.0, 17.0], False, (900, 1000)),
        ([16, 36, 15, 9, 9, 9, 9, 16, 8, 8, 34], True, (720, 800)),
    ],
)
def test_page_capacity_stays_below_what_libreoffice_prints(widths, landscape, between):
    low, high = between
    assert low < page_capacity(widths, landscape=landscape) <= high
