"""Hostile uploads: the shapes that once tied up the server, and what refusing them costs.

Each shape is built here with zipfile (no openpyxl), as an attacker would, and measured in
a fresh process (its VmHWM is then that one upload's peak, Python and Django
included; CPU time counts only the check and the read, not the start-up):

    DEBUG=1 python -m bench.uploads       # build every shape, measure, print a table
    python -m bench.uploads measure books FILE   # one measurement, printed as JSON

``books`` is the first phase of the plan and 実績 imports (books.safety, then
books.xlsx.read_workbook); ``collab`` is the 協働事業 import's reading
(collab.services.collaboration_parse_file). tests/test_upload_bounds.py runs the same
shapes and asserts the bounds; the figures are in docs/security.md.
"""

from __future__ import annotations

import base64
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
MB = 1024 * 1024


def _skeleton(archive: zipfile.ZipFile, *, strings: bool) -> None:
    overrides = f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SHEET_TYPE}"/>'
    rels = f'<Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="{DOC_RELS}/worksheet"/>'
    if strings:
        overrides += f'<Override PartName="/xl/sharedStrings.xml" ContentType="{STRINGS_TYPE}"/>'
        rels += (
            f'<Relationship Id="rId2" Target="sharedStrings.xml" Type="{DOC_RELS}/sharedStrings"/>'
        )
    archive.writestr(
        "[Content_Types].xml",
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        f'officedocument.spreadsheetml.sheet.main+xml"/>{overrides}</Types>',
    )
    archive.writestr(
        "_rels/.rels",
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">'
        f'<Relationship Id="rId1" Target="xl/workbook.xml" Type="{DOC_RELS}/officeDocument"/>'
        "</Relationships>",
    )
    archive.writestr(
        "xl/workbook.xml",
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" '
        f'xmlns:r="{DOC_RELS}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/>'
        "</sheets></workbook>",
    )
    archive.writestr(
        "xl/_rels/workbook.xml.rels",
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">{rels}'
        "</Relationships>",
    )


def _workbook(
    path: Path,
    sheet: Callable[[], Iterator[str]],
    *,
    strings: Callable[[], Iterator[str]] | None = None,
) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        _skeleton(archive, strings=strings is not None)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            for text in sheet():
                part.write(text.encode())
        if strings is not None:
            with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
                for text in strings():
                    part.write(text.encode())
    return path


def _sheet(body: str, dimension: str = "") -> Iterator[str]:
    yield f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">'
    if dimension:
        yield f'<dimension ref="{dimension}"/>'
    yield f"<sheetData>{body}</sheetData></worksheet>"


def huge_dimension(path: Path) -> Path:
    """1.6 KB: a sheet that declares, and uses, a cell at row 10¹² (openpyxl pads every
    row up to it: the plan and 実績 imports ran for ever)."""
    row = 10**12
    body = '<row r="1"><c r="A1" t="inlineStr"><is><t>項目</t></is></c></row>'
    body += f'<row r="{row}"><c r="A{row}"><v>1</v></c></row>'
    return _workbook(path, lambda: _sheet(body, f"A1:A{row}"))


def far_cell(path: Path) -> Path:
    """The same without a <dimension>: only the cell's own reference says row 10¹²."""
    row = 10**12
    body = f'<row r="{row}"><c r="A{row}"><v>1</v></c></row>'
    return _workbook(path, lambda: _sheet(body))


def empty_rows(path: Path, megabytes: float = 4) -> Path:
    """About ``megabytes`` MB of empty, styled rows numbered upwards (2.5 GB and 116 s)."""
    rng = random.Random(4)

    def rows() -> Iterator[str]:
        yield from _sheet_head()
        number = 0
        while True:
            chunk = []
            for _ in range(10_000):
                number += 1
                chunk.append(
                    f'<row r="{number}" spans="1:{rng.randint(1, 99)}" s="{rng.randint(1, 999)}"'
                    f' customFormat="1" ht="{rng.randint(10, 99)}.{rng.randint(0, 99)}"/>'
                )
            yield "".join(chunk)
            if path.exists() and path.stat().st_size > megabytes * MB:
                break
        yield "</sheetData></worksheet>"

    return _workbook(path, rows)


def _sheet_head() -> Iterator[str]:
    yield f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'


def _kana(rng: random.Random, length: int) -> str:
    return "".join(chr(rng.randint(0x3041, 0x3093)) for _ in range(length))


def shared_strings(
    path: Path, megabytes: float = 9.5, *, length: int = 80, repetitive: bool = False
) -> Path:
    """A file of about ``megabytes`` MB that is nearly all shared strings of ``length``
    characters (a 10 MB one took 600 MB and 25 s). Random strings barely compress, so the
    file expands to about 1.3 times its size; ``repetitive`` ones expand to far more."""
    rng = random.Random(10)

    def strings() -> Iterator[str]:
        yield f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">'
        while not path.exists() or path.stat().st_size < megabytes * MB:
            if repetitive:
                yield "<si><t>同じ文章の繰り返し</t></si>" * 10_000
                continue
            letters = base64.b64encode(rng.randbytes(length * 1500)).decode()
            yield "".join(
                f"<si><t>{letters[i : i + length]}</t></si>"
                for i in range(0, len(letters) - length, length)
            )
        yield "</sst>"

    body = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    return _workbook(path, lambda: _sheet(body, "A1"), strings=strings)


def merged_area(path: Path) -> Path:
    """One merge over 20,000 × 100 cells: the reader would repeat its value 2 million times."""
    return _workbook(
        path,
        lambda: iter(
            [
                f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'
                '<row r="1"><c r="A1" t="inlineStr"><is><t>結合</t></is></c></row>'
                '</sheetData><mergeCells count="1"><mergeCell ref="A1:CV20000"/></mergeCells>'
                "</worksheet>"
            ]
        ),
    )


def long_cell(path: Path) -> Path:
    """A cell of 100,000 random characters (Excel itself stops at 32,767)."""
    text = _kana(random.Random(7), 100_000)
    body = f'<row r="1"><c r="A1" t="inlineStr"><is><t>{text}</t></is></c></row>'
    return _workbook(path, lambda: _sheet(body, "A1"))


def long_attribute(path: Path, megabytes: int = 20) -> Path:
    """A sheet whose one attribute is ``megabytes`` MB of random a and b (about 3 MB
    compressed, under the zip checks): expat keeps an unfinished token and scans it again
    with every chunk (100 MB of it took 87 s and 330 MB)."""
    rng = random.Random(3)
    ab = bytes(b"ab"[value & 1] for value in range(256))

    def sheet() -> Iterator[str]:
        yield f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'
        yield '<row r="1" x="'
        for _ in range(megabytes):
            yield rng.randbytes(MB).translate(ab).decode()
        yield '"/></sheetData></worksheet>'

    return _workbook(path, sheet)


def long_csv_field(path: Path, characters: int = 200_000) -> Path:
    """A 協働事業 CSV whose 事業概要 is one field of ``characters`` characters (HTTP 500)."""
    path.write_text(f'事業名,事業概要\n見守り,"{"あ" * characters}"\n', encoding="utf-8")
    return path


def long_text_line(path: Path, megabytes: float = 9) -> Path:
    """A 協働事業 text file of one line of ``megabytes`` MB."""
    path.write_bytes(
        ("協働分野\t部\t課\t事業名\t事業概要\n" + "あ" * int(megabytes * MB / 3)).encode()
    )
    return path


# name: (builder, which reading)
SHAPES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "huge-dimension": (huge_dimension, "books"),
    "far-cell": (far_cell, "books"),
    "empty-rows-4mb": (empty_rows, "books"),
    "shared-strings-9mb": (shared_strings, "books"),
    "shared-strings-9mb-short": (lambda p: shared_strings(p, length=30), "books"),
    "shared-strings-repetitive": (lambda p: shared_strings(p, 1, repetitive=True), "books"),
    "merged-area": (merged_area, "books"),
    "long-cell": (long_cell, "books"),
    "long-attribute": (long_attribute, "books"),
    "collab-huge-dimension": (huge_dimension, "collab"),
    "collab-empty-rows-4mb": (empty_rows, "collab"),
    "collab-long-csv-field": (long_csv_field, "collab"),
    "collab-long-text-line": (long_text_line, "collab"),
}


def build(name: str, directory: Path) -> Path:
    builder, _ = SHAPES[name]
    suffix = ".csv" if "csv" in name else ".txt" if "text" in name else ".xlsx"
    return builder(directory / f"{name}{suffix}")


# ---------------------------------------------------------------------------------------
# One measurement, in the child process
# ---------------------------------------------------------------------------------------


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _read(reading: str, path: Path) -> tuple[str, str]:
    """(outcome, message): "refused" and the Japanese message, or "read"."""
    if reading == "books":
        from books import xlsx
        from books.safety import UnsafeFile, check_upload

        try:
            check_upload(path)
        except UnsafeFile as refused:
            return "refused", refused.message
        try:
            data = xlsx.read_workbook(path)
        except xlsx.WorkbookUnreadable as error:
            return "unreadable", str(error)
        return "read", f"{sum(len(s.rows) for s in data.sheets)} rows"
    from collab.services import collaboration_parse_file

    with path.open("rb") as handle:
        result = collaboration_parse_file(handle.read())
    if result.errors:
        return "refused", str(result.errors[0])
    return "read", f"{len(result.projects)} projects"


def _peak_mb() -> float:
    """This process's peak resident memory in MB.

    VmHWM belongs to the process's own memory map, which exec replaces. ru_maxrss does
    not start again at exec on Linux: a process started by a large one (pytest at the end
    of the whole suite, ~400 MB) would report its parent's peak.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_here(reading: str, path: Path) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shakyo.settings")
    django.setup()
    # Import what the reading uses before the clock starts: start-up is not the upload's.
    import books.xlsx  # noqa: F401
    import collab.services  # noqa: F401

    baseline = _peak_mb()
    cpu, wall = _cpu(), time.perf_counter()
    outcome, message = _read(reading, path)
    return {
        "outcome": outcome,
        "message": message,
        "megabytes": round(path.stat().st_size / MB, 3),
        "cpu_seconds": round(_cpu() - cpu, 3),
        "wall_seconds": round(time.perf_counter() - wall, 3),
        "peak_mb": round(_peak_mb(), 1),
        "baseline_mb": round(baseline, 1),
    }


def measure(reading: str, path: Path, *, timeout: float = 120) -> dict:
    """Measure one reading of ``path`` in a fresh Python process."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "shakyo.settings"}
    done = subprocess.run(
        [sys.executable, "-m", "bench.uploads", "measure", reading, str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"measurement failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> int:
    if argv[:1] == ["measure"]:
        print(json.dumps(measure_here(argv[1], Path(argv[2])), ensure_ascii=False))
        return 0
    print("| shape | file | outcome | CPU s | peak MB (start-up) | message |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as directory:
        for name, (_, reading) in SHAPES.items():
            path = build(name, Path(directory))
            figures = measure(reading, path)
            print(
                f"| {name} | {figures['megabytes']} MB | {figures['outcome']} "
                f"| {figures['cpu_seconds']} | {figures['peak_mb']} ({figures['baseline_mb']}) "
                f"| {figures['message'][:60]} |"
            )
            path.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
