"""Checks on an uploaded file before openpyxl reads a byte of it.

An .xlsx file is a zip archive of XML. Refused, each with a message a person can act on:
a file over the size limit, an empty file, a password-protected workbook (Excel encrypts
it into an OLE compound file, magic D0 CF 11 E0 — so is an old .xls), anything that is
not a zip, a damaged zip, a workbook with macros (.xlsm: ``vbaProject.bin``), and a zip
bomb: too many entries, or declared uncompressed sizes too large in total or too
compressed. Python's zipfile never inflates an entry past its declared size (it fails
the CRC check instead), so checking the declared sizes bounds what openpyxl will read.
XML is parsed with defusedxml (openpyxl uses it when it is installed).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
MAX_ENTRIES = 2_000
# A sheet of XML compresses well, but not 200 times: beyond that, and over 1 MB, it is
# almost surely made to explode.
MAX_RATIO = 200
RATIO_APPLIES_FROM = 1024 * 1024


class UnsafeFile(Exception):
    """The upload is refused; ``message`` says why, in Japanese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_uncompressed: int

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
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise UnsafeFile(
            "ファイルが壊れているため読み込めません。Excel で開けることを確かめ、保存し直してください。"
        ) from error
    _check_entries(entries, limits)


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
