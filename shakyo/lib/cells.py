"""Excel cell safety and text measuring, shared by every book. Pure Python.

A spreadsheet treats a cell that starts with ``=`` (and, in some programs, ``+``, ``-``
or ``@``) as a formula. Text typed by people is never a formula in our books: it is
written as a text cell with Excel's quote prefix, so ``=SUM(1)`` shows as ``=SUM(1)``
and stays text when the file is opened, edited and saved again.
"""

from __future__ import annotations

import unicodedata

# What spreadsheets may take for the start of a formula (CSV/formula injection).
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@")


def needs_quote_prefix(text: str) -> bool:
    """True when ``text`` could be read as a formula and must be forced to text."""
    return text.lstrip().startswith(FORMULA_PREFIXES) or text.startswith(("\t", "\r"))


def display_width(text: str) -> int:
    """Width in half-width columns: full-width (East Asian W/F/A) characters count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text)


def wrapped_lines(text: str, columns: float) -> int:
    """How many lines ``text`` takes when wrapped at ``columns`` half-width characters.

    Explicit line breaks start a new line; an empty text takes one line. Used to give
    rows a height, because neither Excel nor LibreOffice sizes merged cells by itself.
    """
    if columns <= 0:
        raise ValueError("columns must be positive")
    lines = 0
    for line in (text or "").split("\n"):
        width = display_width(line)
        lines += max(1, -(-width // int(columns)))
    return lines
