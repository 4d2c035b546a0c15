"""Checks on an uploaded file before openpyxl reads a byte of it.

An .xlsx file is a zip archive of XML. Refused, each with a message a person can act on:
a file over the size limit, an empty file, a password-protected workbook (Excel encrypts
it into an OLE compound file, magic D0 CF 11 E0 — so is an old .xls), anything that is
not a zip, a damaged zip, a workbook with macros (.xlsm: ``vbaProject.bin``), and a zip
bomb: too many entries, or declared uncompressed sizes too large in total or too
compressed. Python's zipfile never inflates an entry past its declared size (it fails
the CRC check instead), so checking the declared sizes bounds what openpyxl will read.
XML is parsed with defusedxml (openpyxl uses it when it is installed).

Then, still before openpyxl, every XML part is scanned once as a stream (expat with the
guards defusedxml sets: no DTD, so no entity expansion), stopping at the first limit it
passes: the rows and columns a sheet declares or uses (a cell at row 10¹² would have
openpyxl yield empty rows for ever), the rows, cells, merged areas and XML elements in
all, the characters of one cell, the number and size of the shared strings, and the size
of every other part openpyxl reads whole (styles, workbook). The scan itself costs at
most one pass over the expanded bytes with constant memory, so a file of 10 MB is
refused or passed in about a second whatever it holds (figures in docs/security.md).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

from django.conf import settings

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
MAX_ENTRIES = 2_000
# A sheet of XML compresses well, but not 200 times: beyond that, and over 1 MB, it is
# almost surely made to explode.
MAX_RATIO = 200
RATIO_APPLIES_FROM = 1024 * 1024


BROKEN = (
    "ファイルが壊れているため読み込めません。Excel で開けることを確かめ、保存し直してください。"
)


class UnsafeFile(Exception):
    """The upload is refused; ``message`` says why, in Japanese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Limits:
    """What an uploaded workbook may hold. The defaults are far above what shakyo exports
    (the largest council's plan: about 2,500 rows on one sheet, 60,000 cells in all)."""

    max_bytes: int
    max_uncompressed: int
    max_sheets: int = 100
    max_rows: int = 20_000  # the last row number a sheet may use or declare
    max_columns: int = 100  # the last column (CV)
    max_cells: int = 500_000  # cells with content in the workbook, merged areas in full
    max_elements: int = 1_000_000  # XML elements in the whole workbook
    max_text: int = 32_767  # characters in one cell: Excel's own limit
    max_shared_strings: int = 200_000
    max_shared_strings_bytes: int = 32 * 1024 * 1024
    max_part_bytes: int = 8 * 1024 * 1024  # any other XML part: openpyxl parses it whole

    @classmethod
    def from_settings(cls) -> Limits:
        max_bytes = settings.UPLOAD_MAX_BYTES
        return cls(
            max_bytes=max_bytes,
            max_uncompressed=settings.BOOKS_MAX_UNCOMPRESSED_BYTES,
        )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size // 1024} KB"


def check_upload(path: str | Path, *, limits: Limits | None = None) -> None:
    """Raise UnsafeFile unless ``path`` looks like a plain .xlsx workbook we may open."""
    limits = limits or Limits.from_settings()
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        raise UnsafeFile("ファイルが空です。Excel ブック（.xlsx）を選んでください。")
    if size > limits.max_bytes:
        raise UnsafeFile(
            f"ファイルが大きすぎます（{_megabytes(size)}）。{_megabytes(limits.max_bytes)} 以下の"
            "ファイルにしてください。"
        )
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(OLE_MAGIC[:4]):
        raise UnsafeFile(
            "パスワードで保護されたブック、または古い形式（.xls）のファイルです。"
            "Excel でパスワードを解除し、「Excel ブック（.xlsx）」形式で保存してからアップロードしてください。"
        )
    if not head.startswith(ZIP_MAGIC):
        raise UnsafeFile(
            "Excel ブック（.xlsx）ではありません。shakyo から出力したブックを Excel で編集し、"
            "「Excel ブック（.xlsx）」形式で保存したものをアップロードしてください。"
        )
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            _check_entries(entries, limits)
            _scan_parts(archive, entries, limits)
    except (
        zipfile.BadZipFile,
        zlib.error,
        OSError,
        ValueError,
        EOFError,
        NotImplementedError,  # a compression method zipfile does not know
        expat.ExpatError,
    ) as error:
        raise UnsafeFile(BROKEN) from error


def _check_entries(entries: list[zipfile.ZipInfo], limits: Limits) -> None:
    bomb = (
        "ファイルの中身が異常に大きく圧縮されています（zip 爆弾の疑い）。"
        "shakyo から出力したブックを使ってください。"
    )
    if len(entries) > MAX_ENTRIES:
        raise UnsafeFile(bomb)
    names = {entry.filename for entry in entries}
    total = 0
    for entry in entries:
        total += entry.file_size
        if total > limits.max_uncompressed:
            raise UnsafeFile(bomb)
        if entry.file_size > RATIO_APPLIES_FROM and entry.file_size > MAX_RATIO * max(
            entry.compress_size, 1
        ):
            raise UnsafeFile(bomb)
        if entry.flag_bits & 0x1:
            raise UnsafeFile(
                "パスワードで保護された（暗号化された）ファイルです。パスワードを解除してからアップロードしてください。"
            )
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise UnsafeFile(
            "マクロ付きのブック（.xlsm）は受け付けません。「Excel ブック（.xlsx）」形式で保存してください。"
        )
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise UnsafeFile(
            "Excel ブック（.xlsx）ではありません（zip ファイルですが、ブックの構成がありません）。"
        )


# ---------------------------------------------------------------------------------------
# The streaming scan of the XML parts
# ---------------------------------------------------------------------------------------

CHUNK = 64 * 1024
MAX_TOKEN = 1024 * 1024
_CELL_REF = re.compile(r"\$?([A-Za-z]{1,4})\$?([0-9]{1,15})")
_TEXT_ELEMENTS = frozenset({"v", "t", "f"})


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def _column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _reference(text: str) -> tuple[int, int] | None:
    """(row, column) of a cell reference such as ``B12`` or ``$B$12``; None if it is not one."""
    match = _CELL_REF.fullmatch(text.strip())
    if match is None:
        return None
    return int(match.group(2)), _column_number(match.group(1))


def _range(text: str) -> tuple[int, int, int, int] | None:
    """(first row, first column, last row, last column) of ``A1:G204`` (or one cell)."""
    first, _, last = text.partition(":")
    start = _reference(first)
    end = _reference(last) if last else start
    if start is None or end is None:
        return None
    return (
        min(start[0], end[0]),
        min(start[1], end[1]),
        max(start[0], end[0]),
        max(start[1], end[1]),
    )


def _number(value: str | None) -> int | None:
    if value is None or not value.strip().isdigit() or len(value.strip()) > 15:
        return None
    return int(value)


@dataclass
class _Budget:
    """What the parts scanned so far used, against the workbook's limits."""

    limits: Limits
    elements: int = 0
    cells: int = 0
    sheets: int = 0
    strings: int = 0

    def too_many(self, what: str, count: int, limit: int, advice: str) -> UnsafeFile:
        return UnsafeFile(f"{what}が多すぎます（上限 {limit:,}）。{advice}")


@dataclass
class _PartScan:
    """The handlers for one XML part; raises UnsafeFile at the first limit it passes."""

    entry: zipfile.ZipInfo
    budget: _Budget
    kind: str = ""  # "sheet", "strings" or "other", from the root element
    rows: int = 0
    row: int = 0
    column: int = 0
    in_text: int = 0
    text: int = 0
    stack: list[str] = field(default_factory=list)

    @property
    def limits(self) -> Limits:
        return self.budget.limits

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition(" ")[2]
        budget = self.budget
        budget.elements += 1
        if budget.elements > self.limits.max_elements:
            raise _too_big()
        if not self.kind:
            self._root(local)
        elif self.kind == "sheet":
            self._sheet_element(local, attrs)
        elif self.kind == "strings" and local == "si":
            budget.strings += 1
            self.text = 0
            if budget.strings > self.limits.max_shared_strings:
                raise budget.too_many(
                    "ブックの中の文字列",
                    budget.strings,
                    self.limits.max_shared_strings,
                    "shakyo から出力したブックを使ってください。",
                )
        if local in _TEXT_ELEMENTS:
            self.in_text += 1

    def end(self, name: str) -> None:
        if name.rpartition(" ")[2] in _TEXT_ELEMENTS:
            self.in_text -= 1

    def characters(self, data: str) -> None:
        if self.in_text:
            self.text += len(data)
            if self.text > self.limits.max_text:
                raise UnsafeFile(
                    f"1つのセルの文字が長すぎます（上限 {self.limits.max_text:,}文字）。"
                    "長い文章は分けて入力してください。"
                )

    def _root(self, local: str) -> None:
        limits = self.limits
        if local == "worksheet":
            self.kind = "sheet"
            self.budget.sheets += 1
            if self.budget.sheets > limits.max_sheets:
                raise self.budget.too_many(
                    "シート",
                    self.budget.sheets,
                    limits.max_sheets,
                    "不要なシートを削除してください。",
                )
        elif local == "sst":
            self.kind = "strings"
            if self.entry.file_size > limits.max_shared_strings_bytes:
                raise _too_big()
        else:
            self.kind = "other"
            if self.entry.file_size > limits.max_part_bytes:
                raise _too_big()

    def _sheet_element(self, local: str, attrs: dict[str, str]) -> None:
        if local == "row":
            self.rows += 1
            number = _number(attrs.get("r"))
            self.row = number if number is not None else self.row + 1
            self.column = 0
            self._check_place(max(self.row, self.rows), 1)
        elif local == "c":
            reference = _reference(attrs.get("r", "")) if "r" in attrs else None
            self.column = reference[1] if reference else self.column + 1
            self._check_place(reference[0] if reference else self.row, self.column)
            self.text = 0
            self._add_cells(1)
        elif local in ("dimension", "mergeCell"):
            area = _range(attrs.get("ref", ""))
            if area is None:
                return
            first_row, first_column, last_row, last_column = area
            self._check_place(last_row, last_column)
            if local == "mergeCell":
                # The reader repeats a merged value into every cell of the range.
                self._add_cells((last_row - first_row + 1) * (last_column - first_column + 1))

    def _check_place(self, row: int, column: int) -> None:
        limits = self.limits
        if row > limits.max_rows:
            raise UnsafeFile(
                f"シートの行が多すぎます（{row:,}行目まで使われています。上限は"
                f"{limits.max_rows:,}行です）。Excel で不要な行を削除して保存し直してください。"
            )
        if column > limits.max_columns:
            raise UnsafeFile(
                f"シートの列が多すぎます（{_column_letters(min(column, 16_384))}列まで"
                f"使われています。上限は{_column_letters(limits.max_columns)}列です）。"
                "Excel で不要な列を削除して保存し直してください。"
            )

    def _add_cells(self, count: int) -> None:
        budget = self.budget
        budget.cells += count
        if budget.cells > self.limits.max_cells:
            raise budget.too_many(
                "入力されたセル",
                budget.cells,
                self.limits.max_cells,
                "shakyo から出力したブックを使ってください。",
            )


def _too_big() -> UnsafeFile:
    return UnsafeFile("ブックの中身が大きすぎます。shakyo から出力したブックを使ってください。")


def _refuse_dtd(*args: object) -> None:
    # A DTD is where entities are declared (billion laughs, external entities); a
    # workbook has none. defusedxml refuses them the same way.
    raise UnsafeFile(BROKEN)


def _looks_like_xml(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    return head.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] == b"<"


def _scan_parts(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo], limits: Limits) -> None:
    """Scan every XML part of the archive as a stream; raise UnsafeFile at a limit.

    Which parts are XML is decided by their content, not their names: openpyxl follows
    the workbook's relations, which may name any path.
    """
    budget = _Budget(limits)
    for entry in entries:
        if entry.is_dir():
            continue
        with archive.open(entry) as source:
            chunk = source.read(CHUNK)
            if not _looks_like_xml(chunk):
                continue
            scan = _PartScan(entry, budget)
            parser = expat.ParserCreate(namespace_separator=" ")
            parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
            parser.StartDoctypeDeclHandler = _refuse_dtd
            parser.EntityDeclHandler = _refuse_dtd
            parser.ExternalEntityRefHandler = _refuse_dtd
            parser.StartElementHandler = scan.start
            parser.EndElementHandler = scan.end
            parser.CharacterDataHandler = scan.characters
            parser.buffer_text = True
            since_markup = 0
            while chunk:
                # Every tag ends with ">". Expat keeps an unfinished token (an attribute, a
                # comment, whitespace) whole and scans it again with each chunk: 100 MB of
                # one attribute took 87 s and 330 MB. A cell's text is at most 32,767
                # characters, so a megabyte without ">" is never a workbook.
                end = chunk.rfind(b">")
                since_markup = since_markup + len(chunk) if end < 0 else len(chunk) - end - 1
                if since_markup > MAX_TOKEN:
                    raise _too_big()
                parser.Parse(chunk, False)
                chunk = source.read(CHUNK)
            parser.Parse(b"", True)
