"""Books as PDF: the workbook printed by LibreOffice headless, exactly as it prints on paper.

The books already carry their print layout (A4, page breaks, repeated titles, 「1 / 3」 in
the footer), so the PDF is LibreOffice's print of the workbook: no second layout to keep
in step. Japanese text is set in Noto Sans CJK (Debian's fonts-noto-cjk), which
LibreOffice substitutes for ＭＳ ゴシック and embeds as subsets.

Each conversion runs ``soffice`` with its own throw-away user profile
(``-env:UserInstallation``), so conversions in parallel workers do not share (and lock)
one profile, and under a timeout after which the whole process group is killed
(``soffice`` starts ``soffice.bin`` as a child).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings

PDF_CONTENT_TYPE = "application/pdf"


class PdfUnavailable(Exception):
    """LibreOffice is not installed on this machine."""


class PdfFailed(Exception):
    """LibreOffice ran but gave no PDF (or took longer than the timeout)."""


def soffice() -> str | None:
    """The LibreOffice command, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def workbook_to_pdf(workbook: bytes, *, timeout: float | None = None) -> bytes:
    """The PDF of an .xlsx workbook, printed by LibreOffice headless.

    Raises PdfUnavailable without LibreOffice, PdfFailed when it gives no PDF within
    ``timeout`` seconds (settings.BOOKS_PDF_TIMEOUT by default).
    """
    command = soffice()
    if command is None:
        raise PdfUnavailable("soffice not found")
    limit = timeout if timeout is not None else settings.BOOKS_PDF_TIMEOUT
    with tempfile.TemporaryDirectory(prefix="shakyo-pdf-") as directory:
        work = Path(directory)
        source = work / "book.xlsx"
        source.write_bytes(workbook)
        profile = work / "profile"
        arguments = [
            command,
            "--headless",
            "--norestore",
            "--nologo",
            "--nolockcheck",
            "--nodefault",
            f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work),
            str(source),
        ]
        # HOME inside the job's folder: LibreOffice writes there on its first start.
        env = {**os.environ, "HOME": str(work)}
        process = subprocess.Popen(
            arguments,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            start_new_session=True,
        )
        try:
            _out, err = process.communicate(timeout=limit)
        except subprocess.TimeoutExpired as expired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise PdfFailed(f"LibreOffice took longer than {limit} s") from expired
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        output = work / "book.pdf"
        if not output.exists():
            raise PdfFailed(err.decode("utf-8", "replace")[-500:] or "no PDF written")
        return output.read_bytes()
