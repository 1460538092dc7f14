"""PDF: printing a report's HTML with the system's Chromium (backkit never downloads one)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import ReportError
from ..i18n import gettext as _

__all__ = ["CHROMIUM_FLAGS", "find_chromium", "print_pdf"]

_CHROMIUM_TIMEOUT = 120  # seconds to print one report
#: Flags for headless Chromium on a machine with no internet (also used by the browser tests).
CHROMIUM_FLAGS = [
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    # Any host but the loopback fails at once: the report needs nothing from outside.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]


def find_chromium() -> str | None:
    """A system Chromium for PDFs: ``$BACKKIT_CHROMIUM``, /usr/bin/chromium, or on PATH.

    Returns the path, or None when there is none (then ``build(pdf=True)``
    says so before doing any work). backkit never downloads a browser.

    Examples
    --------
    >>> from backkit.report import find_chromium
    >>> find_chromium() is None or find_chromium().startswith("/")
    True
    """
    for candidate in (
        os.environ.get("BACKKIT_CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
        shutil.which("google-chrome"),
    ):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def print_pdf(html: str, chromium: str, *, neutral_dates: bool = False) -> bytes:
    """Print an HTML page to PDF with the system's Chromium; return the PDF's bytes.

    The page is written to a private temporary folder (mode 0700) that is
    removed afterwards; Chromium runs headless with the kit's offline flags
    (:data:`CHROMIUM_FLAGS`) and a throw-away profile. With
    ``neutral_dates`` the PDF's creation and modification dates are set to
    1 January 2000, so a date-shifted report carries no real date.

    Raises
    ------
    ReportError
        When Chromium fails or writes no PDF, naming it and its last message.
    """
    with tempfile.TemporaryDirectory(prefix="backkit-pdf-") as tmp:
        folder = Path(tmp)
        page, target = folder / "report.html", folder / "report.pdf"
        page.write_text(html, encoding="utf-8")
        page.chmod(0o600)
        cmd = [
            chromium,
            "--headless",
            "--no-sandbox",  # containers run as root, where the sandbox cannot start
            "--disable-gpu",
            f"--print-to-pdf={target}",
            "--no-pdf-header-footer",
            "--print-to-pdf-no-header",  # the same, for older Chromium
            f"--user-data-dir={folder / 'profile'}",
            *CHROMIUM_FLAGS,
            page.as_uri(),
        ]
        try:
            done = subprocess.run(
                cmd, capture_output=True, text=True, timeout=_CHROMIUM_TIMEOUT, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as err:
            raise ReportError(
                _("the PDF could not be printed with {chromium}: {error}").format(
                    chromium=chromium, error=err
                )
            ) from None
        if done.returncode != 0 or not target.is_file() or target.stat().st_size == 0:
            last = (done.stderr.strip().splitlines() or ["no message"])[-1]
            raise ReportError(
                _("the PDF could not be printed with {chromium}: {error}").format(
                    chromium=chromium, error=last
                )
            )
        data = target.read_bytes()
    return _neutral_pdf_dates(data) if neutral_dates else data


_PDF_DATE = re.compile(rb"/(CreationDate|ModDate)\s*\(D:(\d{4,14})([^)]*)\)")


def _neutral_pdf_dates(data: bytes) -> bytes:
    """Set the PDF's own dates to 2000-01-01, keeping every byte offset as it was."""

    def neutral(m: re.Match[bytes]) -> bytes:
        digits = b"20000101000000"[: len(m[2])].ljust(len(m[2]), b"0")
        zone = re.sub(rb"[0-9]", b"0", m[3])
        return m[0].replace(m[2] + m[3], digits + zone, 1)

    return _PDF_DATE.sub(neutral, data)
